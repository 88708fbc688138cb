package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestApplyCSVEscapesFormulas: apply-TIMESTAMP.csv is written for Excel,
// so a record whose name starts with = (a folder named after a registry
// name such as =HYPERLINK(…)) must not become a live formula there, as in
// plan.csv.
func TestApplyCSVEscapesFormulas(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	os.RemoveAll(filepath.Join(dir, "data", "Jansen, Piet"))
	writeFile(t, filepath.Join(dir, "data", "=Jansen, Piet", "+intake.pdf"), "pdf")
	cfg := filepath.Join(dir, "retentiond.yaml")
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, strings.Replace(string(b), "state_dir: state\n", "state_dir: state\npseudonym_key_file: keys/pseudonym.key\nledger_key_file: keys/ledger.key\n", 1))
	pdir := filepath.Join(dir, "plan")
	for _, args := range [][]string{
		{"keygen", "--out", filepath.Join(dir, "keys")},
		{"plan", "--config", cfg, "--as-of", "2026-11-23", "--out", pdir},
		{"approve", "--config", cfg, "--plan", pdir, "--by", "Beheerder"},
		{"apply", "--config", cfg, "--plan", pdir},
	} {
		if code, out, errs := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: %d\n%s%s", args, code, out, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "=Jansen, Piet", "+intake.pdf")); !os.IsNotExist(err) {
		t.Fatalf("the dossier was not deleted: %v", err)
	}
	found, _ := filepath.Glob(filepath.Join(pdir, "apply-*.csv"))
	if len(found) != 1 {
		t.Fatalf("apply CSVs: %v", found)
	}
	f, err := os.Open(found[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sawRecord := false
	for _, row := range rows {
		for _, c := range row {
			c = strings.TrimPrefix(c, "\ufeff")
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("cell %q would run as a formula in Excel", c)
			}
			if strings.Contains(c, "Jansen, Piet") {
				sawRecord = true
			}
		}
	}
	if !sawRecord {
		t.Errorf("the record is not in the CSV: %v", rows)
	}
}

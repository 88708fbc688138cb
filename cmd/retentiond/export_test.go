package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const exportConfig = `organisation: Export Test
state_dir: state
pseudonym_key_file: keys/pseudonym.key
ledger_key_file: keys/ledger.key
overrides:                         # De Kangoeroe's field terms (seed 002)
  C16: {disabled: false, source: "002 parent table"}
  C18: {disabled: false, source: "002 parent table"}
  C19: {disabled: false, source: "002 parent table"}
registries:
  - name: ouders
    subject: parent
    file: ouders.csv
    columns: {id: Relatienummer, name: Naam, end_of_contract: Einde contract}
  - name: kinderen
    subject: child
    file: kinderen.csv
    columns: {id: Kindnummer, name: Naam, end_of_care: Einde}
stores:
  - name: kidsadmin-ouders
    type: export
    files: exports/ouders-*.csv
    profile: kidsadmin-parents
    operators: {iban: "mask:4"}
  - name: konnect-dagboek
    type: export
    files: exports/dagboek.csv
    profile: konnect-diary
`

// TestExportFieldLevel: a parent whose contract ended 18 months ago keeps
// name and BSN (C14, C15) while address, IBAN and e-mail are pseudonymised
// (C16, C18, C19); diary entries older than 3 months are deleted (C10).
// Apply rewrites the files, the ledger holds no value, and a second apply
// changes nothing.
func TestExportFieldLevel(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), exportConfig)
	writeFile(t, filepath.Join(dir, "ouders.csv"), "Relatienummer;Naam;Einde contract\nR1;Jan Jansen;31-05-2025\nR2;Els de Boer;\n")
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Kindnummer;Naam;Einde\nK1;Piet Jansen;31-05-2025\n")
	writeFile(t, filepath.Join(dir, "exports", "ouders-2025.csv"),
		"Relatienummer;Naam ouder;BSN;Straat;Postcode;Woonplaats;Geboortedatum;IBAN;E-mail;Telefoon\n"+
			"R1;Jan Jansen;123456782;Dorpsstraat 1;1234 AB;Utrecht;01-02-1980;NL91ABNA0417164300;jan@example.nl;0612345678\n"+
			"R2;Els de Boer;111222333;Kerkweg 2;2345 BC;Zeist;03-04-1985;NL02RABO0123456789;els@example.nl;0687654321\n")
	writeFile(t, filepath.Join(dir, "exports", "dagboek.csv"),
		"Datum;Naam kind;Notitie\n2026-01-10;Piet Jansen;Piet at goed\n2026-11-01;Piet Jansen;Piet sliep lang\n")
	runCLI(t, "keygen", "--out", filepath.Join(dir, "keys"))
	cfg := filepath.Join(dir, "retentiond.yaml")
	pdir := filepath.Join(dir, "plan")
	if code, out, errs := runCLI(t, "plan", "--config", cfg, "--as-of", "2026-11-23", "--out", pdir); code != 0 {
		t.Fatalf("plan: %d\n%s\n%s", code, out, errs)
	}
	b, _ := os.ReadFile(filepath.Join(pdir, "plan.json"))
	var p struct {
		Items []struct {
			Store, Record, Action string
			Fields                []string
			FieldDecisions        []struct{ Field, Action, Rule string } `json:"field_decisions"`
		}
	}
	json.Unmarshal(b, &p)
	got := map[string]string{}
	for _, it := range p.Items {
		got[it.Store+":"+it.Record] = it.Action + " " + strings.Join(it.Fields, ",")
	}
	want := map[string]string{
		"kidsadmin-ouders:ouders-2025.csv#2": "pseudonymise address,postcode,town,iban,email",
		"konnect-dagboek:dagboek.csv#2":      "delete ",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q (plan: %v)", k, got[k], w, got)
		}
	}
	if len(got) != 2 {
		t.Errorf("plan items %v; want only those two (R2's contract runs, the recent diary entry stays)", got)
	}
	if code, _, errs := runCLI(t, "approve", "--config", cfg, "--plan", pdir, "--by", "Test"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := runCLI(t, "apply", "--config", cfg, "--plan", pdir)
	if code != 0 || !strings.Contains(out, "2 deleted or pseudonymised") {
		t.Fatalf("apply: %d\n%s\n%s", code, out, errs)
	}
	ouders, _ := os.ReadFile(filepath.Join(dir, "exports", "ouders-2025.csv"))
	lines := strings.Split(string(ouders), "\n")
	row := strings.Split(lines[1], ";")
	if row[1] != "Jan Jansen" || row[2] != "123456782" {
		t.Errorf("name and BSN must stay (C14, C15): %q", lines[1])
	}
	if row[3] != "" || row[4] != "1234" || row[5] != "" || !strings.HasSuffix(row[7], "4300") || strings.Contains(row[7], "NL91") || row[8] != "" {
		t.Errorf("address, postcode, town, IBAN, e-mail not pseudonymised as configured: %q", lines[1])
	}
	if row[6] != "01-02-1980" || row[9] != "0612345678" {
		t.Errorf("birth date and phone are not due (C17 off, C20 2 years): %q", lines[1])
	}
	if lines[2] != "R2;Els de Boer;111222333;Kerkweg 2;2345 BC;Zeist;03-04-1985;NL02RABO0123456789;els@example.nl;0687654321" {
		t.Errorf("a running contract's row changed: %q", lines[2])
	}
	dagboek, _ := os.ReadFile(filepath.Join(dir, "exports", "dagboek.csv"))
	if strings.Contains(string(dagboek), "at goed") || !strings.Contains(string(dagboek), "sliep lang") {
		t.Errorf("diary after apply:\n%s", dagboek)
	}
	ledger, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", "entries.jsonl"))
	for _, secret := range []string{"Jan", "Dorpsstraat", "1234 AB", "NL91", "jan@example", "at goed", "Piet"} {
		if strings.Contains(string(ledger), secret) {
			t.Errorf("the ledger holds %q", secret)
		}
	}
	if !strings.Contains(string(ledger), `"action":"pseudonymise"`) || !strings.Contains(string(ledger), "fields pseudonymised: address,postcode,town,iban,email") {
		t.Errorf("the ledger lacks the field action:\n%s", ledger)
	}
	before := string(ouders)
	code, out, _ = runCLI(t, "apply", "--config", cfg, "--plan", pdir)
	after, _ := os.ReadFile(filepath.Join(dir, "exports", "ouders-2025.csv"))
	if code != 0 || string(after) != before || !strings.Contains(out, "2 handled by an earlier run") {
		t.Errorf("second apply changed something: %d\n%s", code, out)
	}
	if code, out, errs := runCLI(t, "verify", "--ledger", filepath.Join(dir, "state", "ledger"), "--key", filepath.Join(dir, "keys", "ledger.pub")); code != 0 {
		t.Errorf("verify: %s %s", out, errs)
	}
}

// TestInvalidBSNReported: a value in a BSN column that fails the 11-test
// is reported on the row's item.
func TestInvalidBSNReported(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), exportConfig)
	writeFile(t, filepath.Join(dir, "ouders.csv"), "Relatienummer;Naam;Einde contract\nR1;Jan Jansen;31-05-2025\n")
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Kindnummer;Naam;Einde\n")
	writeFile(t, filepath.Join(dir, "exports", "ouders-2025.csv"),
		"Relatienummer;Naam ouder;BSN;Straat;Postcode;Woonplaats;Geboortedatum;IBAN;E-mail;Telefoon\n"+
			"R1;Jan Jansen;123456789;Dorpsstraat 1;1234 AB;Utrecht;01-02-1980;NL91ABNA0417164300;jan@example.nl;0612345678\n")
	writeFile(t, filepath.Join(dir, "exports", "dagboek.csv"), "Datum;Naam kind;Notitie\n")
	pdir := filepath.Join(dir, "plan")
	if code, _, errs := runCLI(t, "plan", "--config", filepath.Join(dir, "retentiond.yaml"), "--as-of", "2026-11-23", "--out", pdir, "--lang", "en"); code != 0 {
		t.Fatal(errs)
	}
	b, _ := os.ReadFile(filepath.Join(pdir, "plan.json"))
	if !strings.Contains(string(b), `"warnings":["citizen service number (BSN): the value fails its check`) {
		t.Errorf("no warning about the invalid BSN:\n%s", b)
	}
	if strings.Count(string(b), "fails its check") != 1 {
		t.Errorf("valid IBAN, postcode, e-mail or phone reported as invalid:\n%s", b)
	}
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ledgerOutcomes reads the outcome of every delete in the ledger.
func ledgerOutcomes(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "state", "ledger", "entries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var e struct{ Action, Outcome string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Action == "delete" {
			out = append(out, e.Outcome)
		}
	}
	return out
}

// TestNonUTF8NameIsDeleted (issue 12, item 5): a file whose name holds the
// byte 0xff is planned under an ID that survives plan.json byte for byte,
// shown escaped in the reports, and deleted by apply, which the ledger
// records as done. A lossy copy of its name in a plan is never "gone":
// apply cannot find that name, and says it failed.
func TestNonUTF8NameIsDeleted(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), erasureConfig)
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Nummer;Naam;Einde\n1;Piet Jansen;31-01-2020\n")
	raw := filepath.Join(dir, "data", "Jansen, Piet", "scan\xff.pdf")
	writeFile(t, raw, "pdf")
	cfg := filepath.Join(dir, "retentiond.yaml")
	cli := func(args ...string) (int, string) {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		return code, out + errs
	}
	if code, out := cli("keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatal(out)
	}

	// A lossy copy of the name (as plan.json held it before): never gone.
	lossy := filepath.Join(dir, "lossy")
	if code, out := cli("plan", "--config", cfg, "--as-of", "2026-11-23", "--out", lossy); code != 0 {
		t.Fatal(out)
	}
	pj := filepath.Join(lossy, "plan.json")
	b, _ := os.ReadFile(pj)
	if !bytes.Contains(b, []byte(`"record":"Jansen, Piet/scan%FF.pdf"`)) && !bytes.Contains(b, []byte(`"record": "Jansen, Piet/scan%FF.pdf"`)) {
		t.Fatalf("plan.json does not hold the escaped name:\n%s", b)
	}
	for _, f := range []string{"plan.csv", "report.html"} {
		r, err := os.ReadFile(filepath.Join(lossy, f))
		if err != nil || !bytes.Contains(r, []byte("scan%FF.pdf")) || bytes.Contains(r, []byte("\ufffd")) {
			t.Errorf("%s does not show the name escaped: %v", f, err)
		}
	}
	if err := os.WriteFile(pj, bytes.ReplaceAll(b, []byte("scan%FF.pdf"), []byte("scan\ufffd.pdf")), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := cli("approve", "--config", cfg, "--plan", lossy, "--by", "x"); code != 0 {
		t.Fatal(out)
	}
	code, out := cli("apply", "--config", cfg, "--plan", lossy)
	if code == 0 || strings.Contains(out, "1 already gone") {
		t.Errorf("apply of a lossy name: exit %d\n%s", code, out)
	}
	if got := ledgerOutcomes(t, dir); len(got) != 1 || got[0] != "failed" {
		t.Errorf("ledger outcomes for a lossy name: %v, want [failed]", got)
	}
	if _, err := os.Lstat(raw); err != nil {
		t.Fatalf("the file went with a lossy name: %v", err)
	}

	// The plan as made: the exact file is deleted, and the ledger says so.
	pdir := filepath.Join(dir, "p")
	if code, out := cli("plan", "--config", cfg, "--as-of", "2026-11-23", "--out", pdir); code != 0 {
		t.Fatal(out)
	}
	if code, out := cli("approve", "--config", cfg, "--plan", pdir, "--by", "x"); code != 0 {
		t.Fatal(out)
	}
	if code, out := cli("apply", "--config", cfg, "--plan", pdir); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	if _, err := os.Lstat(raw); !os.IsNotExist(err) {
		t.Errorf("the file is still there after apply: %v", err)
	}
	if got := ledgerOutcomes(t, dir); len(got) != 2 || got[1] != "done" {
		t.Errorf("ledger outcomes: %v, want [failed done]", got)
	}
}

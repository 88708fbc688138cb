package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/keys"
)

// TestApproveFourEyesCommand: with console.four_eyes_over below the
// plan's deletions, `retentiond approve --by` of one person is not
// enough for `retentiond apply`; the same person again is refused; a
// second person's `approve --by` completes it.
func TestApproveFourEyesCommand(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), killConfig+"console:\n  four_eyes_over: 2\n")
	var files []string
	reg := "Nummer;Naam;Einde\n"
	for _, n := range []string{"1", "2", "3"} {
		reg += n + ";Kind" + n + " Testpersoon;31-01-2020\n"
		f := filepath.Join(dir, "data", n+" Kind"+n+" Testpersoon", "dossier.pdf")
		writeFile(t, f, "dossier")
		files = append(files, f)
	}
	writeFile(t, filepath.Join(dir, "kinderen.csv"), reg)
	if _, err := keys.Generate(filepath.Join(dir, "keys"), "four-eyes"); err != nil {
		t.Fatal(err)
	}
	cfg, pdir := filepath.Join(dir, "retentiond.yaml"), filepath.Join(dir, "plan")
	if code, _, errs := runCLI(t, "plan", "--config", cfg, "--out", pdir); code != 0 {
		t.Fatalf("plan: %s", errs)
	}
	if code, out, errs := runCLI(t, "approve", "--config", cfg, "--plan", pdir, "--by", "Marieke de Vries"); code != 0 || !strings.Contains(out, "a second, different person must approve it") {
		t.Fatalf("approve: exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := runCLI(t, "apply", "--config", cfg, "--plan", pdir); code == 0 || !strings.Contains(errs, "four_eyes_over") {
		t.Fatalf("apply after one approval: exit %d, %s", code, errs)
	}
	if code, _, errs := runCLI(t, "approve", "--config", cfg, "--plan", pdir, "--by", "MARIEKE  de vries"); code == 0 || !strings.Contains(errs, "different approver") {
		t.Fatalf("the same person again: exit %d, %s", code, errs)
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("deleted before the second approval: %s", f)
		}
	}
	if code, out, errs := runCLI(t, "approve", "--config", cfg, "--plan", pdir, "--by", "Jeroen", "--comment", "gezien, akkoord"); code != 0 ||
		!strings.Contains(out, "by Marieke de Vries and Jeroen") || !strings.Contains(out, "It can be applied until") {
		t.Fatalf("second approve: exit %d\n%s\n%s", code, out, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", "entries.jsonl")); strings.Contains(string(b), "gezien") || strings.Contains(string(b), "Jeroen") {
		t.Errorf("the ledger holds the comment or the name")
	}
	if kept, _ := filepath.Glob(filepath.Join(dir, "state", "approvals", "*.json")); len(kept) != 1 {
		t.Errorf("approval files %v", kept)
	} else if b, _ := os.ReadFile(kept[0]); !strings.Contains(string(b), `"second_comment": "gezien, akkoord"`) {
		t.Errorf("the approval file lacks the comment:\n%s", b)
	}
	if code, out, errs := runCLI(t, "apply", "--config", cfg, "--plan", pdir); code != 0 || !strings.Contains(out, "3 deleted") {
		t.Fatalf("apply after two approvals: exit %d\n%s\n%s", code, out, errs)
	}
}

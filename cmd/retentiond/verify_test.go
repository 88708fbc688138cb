package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestApproveApplyVerify walks the README's flow on a small organisation:
// keygen refuses to overwrite, loose key permissions are refused, apply
// needs an approval, verify proves a record's deletion and catches a
// tampered ledger.
func TestApproveApplyVerify(t *testing.T) {
	dir, files := approvedOrg(t, 12)
	cfg := filepath.Join(dir, "retentiond.yaml")
	pdir := filepath.Join(dir, "plan")
	ldir := filepath.Join(dir, "state", "ledger")
	pub := filepath.Join(dir, "keys", "ledger.pub")

	if code, _, errs := runCLI(t, "keygen", "--out", filepath.Join(dir, "keys")); code == 0 || !strings.Contains(errs, "exists") {
		t.Errorf("keygen over existing keys: exit %d, %s", code, errs)
	}
	os.Chmod(filepath.Join(dir, "keys", "pseudonym.key"), 0o644)
	if code, _, errs := runCLI(t, "apply", "--config", cfg, "--plan", pdir); code == 0 || !strings.Contains(errs, "chmod 600") {
		t.Errorf("apply with a loose key file: exit %d, %s", code, errs)
	}
	os.Chmod(filepath.Join(dir, "keys", "pseudonym.key"), 0o600)

	code, out, errs := runCLI(t, "apply", "--config", cfg, "--plan", pdir, "--dry-run")
	if code != 0 || !strings.Contains(out, "12 would be deleted or pseudonymised") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errs)
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("the dry run deleted %s", f)
		}
	}
	code, out, errs = runCLI(t, "apply", "--config", cfg, "--plan", pdir)
	if code != 0 || !strings.Contains(out, "12 deleted") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "verify", "--ledger", ldir, "--key", pub, "--config", cfg, "--record", "dossiers:3 Kind3 Testpersoon/dossier.pdf")
	if code != 0 || !strings.Contains(out, "inclusion proof") || !strings.Contains(out, "entries:        13") { // the approval and 12 deletions
		t.Fatalf("verify --record: exit %d\n%s\n%s", code, out, errs)
	}
	if strings.Contains(out, "Kind3") {
		t.Errorf("verify printed the record's name:\n%s", out)
	}
	if code, _, _ := runCLI(t, "verify", "--ledger", ldir, "--key", pub, "--config", cfg, "--record", "dossiers:nooit/bestaan.pdf"); code == 0 {
		t.Error("verify --record of a record never deleted succeeded")
	}

	// Tamper with one entry: verify fails and says where.
	entries := filepath.Join(ldir, "entries.jsonl")
	b, _ := os.ReadFile(entries)
	i := strings.Index(string(b), "\n") + strings.Index(string(b[strings.Index(string(b), "\n")+1:]), `"done"`) + 3
	b[i] = 'D'
	os.WriteFile(entries, b, 0o600)
	code, _, errs = runCLI(t, "verify", "--ledger", ldir, "--key", pub)
	if code == 0 || !strings.Contains(errs, "does NOT verify") || !strings.Contains(errs, "line 2") {
		t.Errorf("verify of a tampered ledger: exit %d, %s", code, errs)
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
)

// TestHoldBetweenApproveAndApply: a legal hold added after a plan was
// approved stops its deletion at apply; the ledger records the hold
// (without its reason) and the skip; the next plan shows the record held;
// after release it is due again.
func TestHoldBetweenApproveAndApply(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, strings.Replace(string(b), "state_dir: state\n", "state_dir: state\npseudonym_key_file: keys/pseudonym.key\nledger_key_file: keys/ledger.key\n", 1))
	cli := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
		return out
	}
	cli("keygen", "--out", filepath.Join(dir, "keys"))
	pdir := filepath.Join(dir, "plan")
	cli("plan", "--config", cfg, "--as-of", "2026-11-23", "--out", pdir)
	cli("approve", "--config", cfg, "--plan", pdir, "--by", "Beheerder")
	const reason = "Geschil met de ouders van Piet"
	out := cli("hold", "add", "--config", cfg, "--subject", "child:1", "--reason", reason, "--by", "Beheerder")
	if !strings.Contains(out, "H-0001") {
		t.Fatalf("hold add: %s", out)
	}
	out = cli("apply", "--config", cfg, "--plan", pdir)
	if !strings.Contains(out, "1 skipped") {
		t.Errorf("apply under a hold:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "Jansen, Piet", "intake.pdf")); err != nil {
		t.Fatalf("a held dossier was deleted: %v", err)
	}
	led, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", ledger.EntriesFile))
	if !strings.Contains(string(led), `"action":"hold-added"`) || strings.Contains(string(led), "Geschil") || strings.Contains(string(led), "Piet") {
		t.Errorf("ledger:\n%s", led)
	}
	if v, err := keys.LoadVerifier(filepath.Join(dir, "keys", "ledger.pub")); err != nil {
		t.Fatal(err)
	} else if _, err := ledger.Verify(filepath.Join(dir, "state", "ledger"), v); err != nil {
		t.Fatalf("ledger does not verify: %v", err)
	}
	p2 := filepath.Join(dir, "plan2")
	out = cli("plan", "--config", cfg, "--as-of", "2026-11-23", "--out", p2)
	if !strings.Contains(out, "1 held") {
		t.Errorf("plan under a hold:\n%s", out)
	}
	if out = cli("hold", "list", "--config", cfg); !strings.Contains(out, "child:1") || !strings.Contains(out, "until released") {
		t.Errorf("hold list:\n%s", out)
	}
	cli("hold", "release", "--config", cfg, "--id", "H-0001", "--by", "Beheerder")
	out = cli("plan", "--config", cfg, "--as-of", "2026-11-23", "--out", filepath.Join(dir, "plan3"))
	if !strings.Contains(out, "1 to delete") {
		t.Errorf("plan after release:\n%s", out)
	}
}

// TestRequests: a request's deadline is four weeks after receipt; list
// shows the days left; closing it is in the ledger.
func TestRequests(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, strings.Replace(string(b), "state_dir: state\n", "state_dir: state\npseudonym_key_file: keys/pseudonym.key\nledger_key_file: keys/ledger.key\n", 1))
	runCLI(t, "keygen", "--out", filepath.Join(dir, "keys"))
	code, out, errs := runCLI(t, "request", "open", "--config", cfg, "--subject", "child:1", "--kind", "erase", "--received", "2026-11-20")
	if code != 0 || !strings.Contains(out, "answer by 2026-12-18") {
		t.Fatalf("request open: %d %s %s", code, out, errs)
	}
	if code, out, _ = runCLI(t, "request", "list", "--config", cfg); code != 0 || !strings.Contains(out, "REQ-0001") || !strings.Contains(out, "erase") {
		t.Errorf("request list: %s", out)
	}
	if code, out, errs = runCLI(t, "request", "close", "--config", cfg, "--id", "REQ-0001"); code != 0 {
		t.Fatalf("request close: %s %s", out, errs)
	}
	led, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", ledger.EntriesFile))
	if !strings.Contains(string(led), `"action":"request-done"`) {
		t.Errorf("ledger: %s", led)
	}
}

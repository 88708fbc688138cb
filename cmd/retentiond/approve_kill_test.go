package main

import (
	"encoding/json"
	"github.com/retentiond/retentiond/agent"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/config"
)

// TestApplyRecordsApprovalApproveDidNot: approve writes the signed
// approval file, then the ledger entry. Killed between the two, it leaves
// an approval the ledger never heard of. Apply of that plan must not
// carry out deletions the ledger shows no approval for: the approval
// (signed with the ledger key, so approve's own) is recorded before
// anything is acted on.
func TestApplyRecordsApprovalApproveDidNot(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), erasureConfig)
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Nummer;Naam;Einde\n2;Anna Berg;30-06-2025\n")
	writeFile(t, filepath.Join(dir, "data", "Berg, Anna", "intake.pdf"), "pdf")
	cfgPath := filepath.Join(dir, "retentiond.yaml")
	cli := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
		return out
	}
	cli("keygen", "--out", filepath.Join(dir, "keys"))
	cli("request", "open", "--config", cfgPath, "--subject", "child:2", "--kind", "erase", "--received", "2026-11-20")
	pdir := filepath.Join(dir, "p1")
	cli("plan", "--config", cfgPath, "--request", "REQ-0001", "--as-of", "2026-11-23", "--out", pdir)

	// What approve did before it was killed: the approval, signed and
	// saved; no ledger entry.
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := agent.New(cfg, agent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := agent.ReadPlan(pdir)
	if err != nil {
		t.Fatal(err)
	}
	k, err := svc.Pseudonyms()
	if err != nil {
		t.Fatal(err)
	}
	signer, _, err := svc.LedgerKeys()
	if err != nil {
		t.Fatal(err)
	}
	a, err := approval.Approve(cfg.StateDir, f, "Privacy officer", nil, time.Now(), cfg.Apply.ParsedPlanMaxAge, cfg.Location, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := approval.Save(cfg.StateDir, a, signer); err != nil {
		t.Fatal(err)
	}

	code, out, errs := runCLI(t, "apply", "--config", cfgPath, "--plan", pdir)
	b, _ := os.ReadFile(filepath.Join(cfg.StateDir, "ledger", ledger.EntriesFile))
	approvedAt, firstDelete := -1, -1
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var e ledger.Entry
		if json.Unmarshal([]byte(line), &e) != nil || e.Plan != f.Digest {
			continue
		}
		switch {
		case e.Action == ledger.ActionApproved && approvedAt < 0:
			approvedAt = i
		case e.Action == ledger.ActionDelete && firstDelete < 0:
			firstDelete = i
		}
	}
	_, statErr := os.Stat(filepath.Join(dir, "data", "Berg, Anna", "intake.pdf"))
	deleted := os.IsNotExist(statErr)
	if deleted && (approvedAt < 0 || firstDelete >= 0 && approvedAt > firstDelete) {
		t.Errorf("apply deleted under an approval the ledger does not record before it (approved at line %d, first delete at %d); exit %d\n%s\n%s\nledger:\n%s",
			approvedAt+1, firstDelete+1, code, out, errs, b)
	}
	if !deleted && code == 0 {
		t.Errorf("apply exit 0 without deleting the approved item:\n%s\n%s", out, errs)
	}
	// And approve, run again, does not record a second approval.
	code, _, _ = runCLI(t, "approve", "--config", cfgPath, "--plan", pdir, "--by", "Privacy officer")
	if code == 0 {
		t.Errorf("approve of a plan approved already: exit 0")
	}
}

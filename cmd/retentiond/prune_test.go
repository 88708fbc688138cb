package main

import (
	"bytes"
	"context"
	"github.com/retentiond/retentiond/agent"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/agent/prune"
)

// oldState fills dir/state with what piles up: two plan folders of an old
// night, one made now (the latest), an old access package; each naming a
// child. It returns the folders that are due.
func oldState(t *testing.T, dir string) []string {
	t.Helper()
	plans := filepath.Join(dir, "state", "plans")
	mk := func(name string, created time.Time) string {
		p := filepath.Join(plans, name)
		writeFile(t, filepath.Join(p, "plan.json"), `{"version": 1, "organisation": "Test", "as_of": "`+created.Format("2006-01-02")+
			`", "created_at": "`+created.Format(time.RFC3339)+`", "config_sha256": "`+strings.Repeat("0", 64)+
			`", "items": [{"store": "dossiers", "record": "Jansen, Piet/intake.pdf", "action": "delete"}]}`)
		writeFile(t, filepath.Join(p, "plan.csv"), "dossiers;Jansen, Piet/intake.pdf\n")
		return p
	}
	old1 := mk("20250101-020000", time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC))
	old2 := mk("20250102-020000", time.Date(2025, 1, 2, 2, 0, 0, 0, time.UTC))
	mk(time.Now().Format("20060102-150405"), time.Now())
	pkg := filepath.Join(dir, "state", "packages", "REQ-0001")
	writeFile(t, filepath.Join(pkg, "files", "dossiers", "Jansen, Piet", "intake.pdf"), "pdf")
	writeFile(t, filepath.Join(pkg, "index.html"), "Jansen, Piet")
	old := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(pkg, "index.html"), old, old); err != nil {
		t.Fatal(err)
	}
	return []string{old1, old2, pkg}
}

// noNames fails if out names a folder, a request or a person: prune
// speaks in counts.
func noNames(t *testing.T, out string) {
	t.Helper()
	for _, s := range []string{"Jansen", "Piet", "20250101", "20250102", "REQ-0001", "plans/", "packages/"} {
		if strings.Contains(out, s) {
			t.Errorf("output names %q:\n%s", s, out)
		}
	}
}

func TestPruneCommand(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	due := oldState(t, dir)

	code, out, errs := runCLI(t, "prune", "--config", cfg, "--dry-run")
	if code != 0 {
		t.Fatalf("prune --dry-run: %d %s %s", code, out, errs)
	}
	if !strings.Contains(out, "would remove 2 plan folder(s) and 1 access package(s)") {
		t.Errorf("dry run output:\n%s", out)
	}
	noNames(t, out+errs)
	for _, p := range due {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("a dry run removed something: %v", err)
		}
	}

	code, out, errs = runCLI(t, "prune", "--config", cfg)
	if code != 0 {
		t.Fatalf("prune: %d %s %s", code, out, errs)
	}
	if !strings.Contains(out, "removed 2 plan folder(s) and 1 access package(s)") || !strings.Contains(out, "kept 1 plan folder(s)") ||
		!strings.Contains(out, "no ledger_key_file") {
		t.Errorf("output:\n%s", out)
	}
	noNames(t, out+errs)
	for _, p := range due {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("not removed (%v)", err)
		}
	}
	if code, _, errs := runCLI(t, "prune", "--config", cfg, "extra"); code != 2 {
		t.Errorf("an argument: exit %d, %s", code, errs)
	}
}

// TestPruneLedgered: a prune that removed something is one ledger entry,
// counts only; the daemon's nightly prune logs counts only.
func TestPruneLedgered(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	if code, out, errs := runCLI(t, "keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatalf("keygen: %s %s", out, errs)
	}
	cfg := filepath.Join(dir, "retentiond.yaml")
	writeFile(t, cfg, miniConfig+"pseudonym_key_file: keys/pseudonym.key\nledger_key_file: keys/ledger.key\n")
	oldState(t, dir)
	var logs bytes.Buffer
	d, err := loadDaemon(cfg, metrics.New(), slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	d.NightlyPrune(context.Background())
	if !strings.Contains(logs.String(), "plans_removed=2") || !strings.Contains(logs.String(), "packages_removed=1") {
		t.Errorf("log:\n%s", logs.String())
	}
	noNames(t, logs.String())
	b, err := os.ReadFile(filepath.Join(dir, "state", "ledger", "entries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), prune.ActionPruned); n != 1 || !strings.Contains(string(b), `"reason":"plans_removed=2 packages_removed=1"`) {
		t.Errorf("ledger:\n%s", b)
	}
	noNames(t, string(b))
	if code, out, errs := runCLI(t, "verify", "--ledger", filepath.Join(dir, "state", "ledger"), "--key", filepath.Join(dir, "keys", "ledger.pub")); code != 0 {
		t.Errorf("verify after prune: %d %s %s", code, out, errs)
	}
	// Nothing left to prune: no second entry.
	logs.Reset()
	d.NightlyPrune(context.Background())
	if b2, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", "entries.jsonl")); !bytes.Equal(b, b2) {
		t.Errorf("a prune that removed nothing was ledgered:\n%s", b2)
	}
}

// TestAppliedMarkerAgrees: prune knows an applied plan by the marker the
// apply job writes.
func TestAppliedMarkerAgrees(t *testing.T) {
	if agent.AppliedMarker != prune.AppliedMarker {
		t.Errorf("apply job writes %q, prune reads %q", agent.AppliedMarker, prune.AppliedMarker)
	}
}

// TestNightlyPlanPrunes: the daemon's plan job prunes the state dir after
// making the night's plan.
func TestNightlyPlanPrunes(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	due := oldState(t, dir)
	var logs bytes.Buffer
	d, err := loadDaemon(filepath.Join(dir, "retentiond.yaml"), metrics.New(), slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.NightlyPlan(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range due {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("not removed by the plan job (%v)", err)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "state", "plans")); len(ents) != 2 {
		t.Errorf("want the night's plan and the one before it, got %d folder(s)", len(ents))
	}
	if !strings.Contains(logs.String(), "state dir pruned") || !strings.Contains(logs.String(), "plans_removed=2") {
		t.Errorf("log:\n%s", logs.String())
	}
}

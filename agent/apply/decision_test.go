package apply

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/config"
)

const decisionYAML = `organisation: X
registries:
  - name: kinderen
    subject: child
    file: kinderen.csv
    columns: {id: Nummer, name: Naam, end_of_care: Einde}
stores:
  - name: dossiers
    type: localfs
    root: data
    layout:
      - path: "{child.name}/**"
        category: child-dossier
`

// decisionUnder loads the config text in dir and returns its decision
// digest with the fixture's policy, and the file's hash.
func decisionUnder(t *testing.T, f *fixture, dir, text string) (config.Decision, string) {
	t.Helper()
	p := filepath.Join(dir, "retentiond.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return c.DecisionDigest(f.planner.Policy), c.SHA256
}

// TestDecisionBindsPlan: Run refuses a plan made under another decision,
// naming what changed and acting on nothing, and carries out a plan whose
// config changed only in what decides nothing.
func TestDecisionBindsPlan(t *testing.T) {
	f := newFixture(t, 2)
	dir := t.TempDir()
	made, sum := decisionUnder(t, f, dir, decisionYAML)
	f.planner.Header.Decision, f.planner.Header.ConfigSHA256 = &made, sum
	out := t.TempDir()
	sink, err := report.Open(out, "en")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.planner.Run(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	if f.file, err = plan.Read(filepath.Join(out, report.PlanJSON)); err != nil {
		t.Fatal(err)
	}
	if f.file.Decision == nil || !f.file.Decision.Equal(made) {
		t.Fatal("plan.json does not record the decision it was made under")
	}
	f.approve()
	l, err := ledger.Open(filepath.Join(f.stateDir, "ledger"), "retentiond/test")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	run := func(d config.Decision, sum string) (*Result, error) {
		return Run(context.Background(), Options{
			Plan: f.file, Approval: f.appr, Planner: f.planner, Ledger: l, Pseudonyms: f.keyed,
			StateDir: f.stateDir, Decision: d, ConfigSHA256: sum, MaxDeletions: 10,
			Now: func() time.Time { return f.now },
		})
	}
	layout, lsum := decisionUnder(t, f, dir, strings.Replace(decisionYAML, "category: child-dossier", "category: contract", 1))
	_, err = run(layout, lsum)
	if !errors.Is(err, ErrConfigChanged) || !strings.Contains(err.Error(), "the layouts of store dossiers changed") {
		t.Fatalf("layout changed: %v", err)
	}
	if len(f.store.IDs()) != 3 {
		t.Fatal("a refused run deleted something")
	}
	if _, err := run(config.Decision{}, lsum); err == nil || errors.Is(err, ErrConfigChanged) {
		t.Errorf("no decision given: %v, want a refusal that is not a changed config", err)
	}
	comment, csum := decisionUnder(t, f, dir, decisionYAML+"# a comment\ndaemon:\n  listen: 127.0.0.1:9999\n")
	if csum == sum {
		t.Fatal("the edited config has the same bytes")
	}
	res, err := run(comment, csum)
	if err != nil || res.Done != 2 {
		t.Fatalf("a comment and a listen address: %+v, %v", res, err)
	}
}

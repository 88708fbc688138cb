package apply

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/rules"
)

// TestProgress: Progress is told, as it grows, how many of the plan's
// approved actions a run handled (deleted, excluded, handled by an
// earlier run, or in a dry run found due), up to all of them.
func TestProgress(t *testing.T) {
	f := newFixture(t, 30)
	f.approve("dossiers:KindB Jansen/intake.pdf")
	l, err := ledger.Open(filepath.Join(f.stateDir, "ledger"), "retentiond/test")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f.planner.AsOf = rules.DateIn(f.now, ams)
	for _, run := range []struct {
		name string
		dry  bool
	}{{"dry run", true}, {"apply", false}, {"again", false}} {
		var calls [][2]int
		rec, err := Recorded(filepath.Join(f.stateDir, "ledger"), f.file.Digest)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), Options{
			Plan: f.file, Approval: f.appr, Planner: f.planner, Ledger: l, Pseudonyms: f.keyed,
			StateDir: f.stateDir, ConfigSHA256: "cfg", MaxDeletions: 100, DryRun: run.dry,
			Now: func() time.Time { return f.now }, Recorded: rec,
			Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) },
		})
		if err != nil {
			t.Fatalf("%s: %v", run.name, err)
		}
		if len(calls) < 2 {
			t.Fatalf("%s: progress told %d times: %v", run.name, len(calls), calls)
		}
		for i, c := range calls {
			if c[1] != 30 || (i > 0 && c[0] <= calls[i-1][0]) {
				t.Errorf("%s: call %d is %v (of %v); want a growing count of 30", run.name, i, c, calls)
			}
		}
		if last := calls[len(calls)-1]; last != [2]int{30, 30} {
			t.Errorf("%s: last call %v, want [30 30]; result %+v", run.name, last, res)
		}
	}
}

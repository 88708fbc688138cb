package apply

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/export"
)

// TestProfilesConverge: after a plan of every built-in profile's golden
// export is approved and applied, a new plan as of the same day over the
// rewritten export has nothing left to delete or pseudonymise, and no row
// it kept before is now reviewed: every field an operator rewrote is
// recognised as done, whatever the operator (tokens, blanks, years,
// four-digit postcodes, masks).
func TestProfilesConverge(t *testing.T) {
	for _, name := range export.BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "profiles", name)
			var c profileCase
			readJSON(t, filepath.Join(dir, "case.json"), &c)
			pol := builtinPolicy(t, c)
			subjects := readRegistry(t, filepath.Join(dir, "registry.csv"))
			work := t.TempDir()
			in := filepath.Join(work, c.Input)
			if strings.HasSuffix(c.Input, ".xlsx") {
				buildXLSX(t, filepath.Join(dir, "input.xlsx.txt"), in)
			} else {
				b, err := os.ReadFile(filepath.Join(dir, c.Input))
				if err != nil {
					t.Fatal(err)
				}
				writeBytes(t, in, b)
			}
			o := newExportOrg(t, pol, subjects, c.AsOf, []exportSpec{{name, name, filepath.Join(work, "input.*"), c.Operators}})
			if res, err := o.apply(); err != nil || res.Failed != 0 || res.Skipped != 0 {
				t.Fatalf("apply: %+v, %v", res, err)
			}
			again := replan(t, o.planner)
			for _, it := range again.Items {
				if it.Action == rules.Delete || it.Action == rules.Pseudonymise {
					t.Errorf("%s is planned again after apply: %s %v (%s)", it.Record, it.Action, it.Fields, it.Reason)
				}
			}
			// Deleted rows renumber the rows below them, so rows are
			// compared by count: none that was tied to its subject is
			// now reviewed.
			if s := again.Summary; s.Delete+s.Pseudonymise != 0 || s.Review > o.file.Summary.Review {
				t.Errorf("the plan after apply has %d to delete, %d to pseudonymise and %d to review (%d before)",
					s.Delete, s.Pseudonymise, s.Review, o.file.Summary.Review)
			}
			for _, it := range again.Items {
				if it.Action == rules.Review {
					t.Logf("review: %s: %s", it.Record, it.Reason)
				}
			}
		})
	}
}

// replan makes a new plan with p, as it is configured, into a folder of
// its own, and reads it.
func replan(t *testing.T, p *plan.Planner) *plan.File {
	t.Helper()
	pdir := t.TempDir()
	sink, err := report.Open(pdir, "en")
	if err != nil {
		t.Fatal(err)
	}
	q := &plan.Planner{Header: p.Header, Policy: p.Policy, Subjects: p.Subjects, Stores: p.Stores, AsOf: p.AsOf,
		Location: p.Location, Lang: p.Lang, All: p.All}
	if _, _, err := q.Run(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	f, err := plan.Read(filepath.Join(pdir, report.PlanJSON))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

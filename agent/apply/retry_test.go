package apply

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/export"
)

var errRefused = errors.New("refused (test)")

// TestFailedItemsAreTriedAgain: an item that failed (the store refused)
// is not settled: the next apply of the same plan tries it again,
// re-checked like any other item, while items done or skipped stay
// settled. The ledger then holds both attempts.
func TestFailedItemsAreTriedAgain(t *testing.T) {
	cases := []struct {
		name   string
		before func(f *fixture)
		want   string // the failed item's outcome on the second run
	}{
		{"the store works again", func(f *fixture) { f.store.FailDelete("KindA Jansen/intake.pdf", nil) }, Done},
		{"no longer due", func(f *fixture) {
			f.store.FailDelete("KindA Jansen/intake.pdf", nil)
			f.children[0].Flags[rules.WaitingList] = true
		}, Skipped},
		{"still refused", func(*fixture) {}, Failed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, 3)
			f.approve()
			f.store.FailDelete("KindA Jansen/intake.pdf", errRefused)
			res, err := f.run(10, false)
			if err != nil || res.Done != 2 || res.Failed != 1 {
				t.Fatalf("first run: %+v, %v; want 2 done, 1 failed", res, err)
			}
			c.before(f)
			res, err = f.run(10, false)
			if err != nil || res.Earlier != 2 || res.Retried != 1 || res.LedgerEntries != 1 {
				t.Fatalf("second run: %+v, %v; want the failed item tried again, the others settled", res, err)
			}
			if got := f.outcomes()["KindA Jansen/intake.pdf"]; got != c.want {
				t.Errorf("the failed item's outcome on the second run: %q, want %q", got, c.want)
			}
			if gone := !f.store.Has("KindA Jansen/intake.pdf"); gone != (c.want == Done) {
				t.Errorf("record deleted = %v after outcome %s", gone, c.want)
			}
			for _, d := range res.Details {
				if !strings.Contains(d.Reason, "tried again after an earlier run failed") {
					t.Errorf("item %d: %q does not say it was tried again", d.Item, d.Reason)
				}
			}
			per, _ := ledgerCounts(t, filepath.Join(f.stateDir, "ledger"), f.file.Digest)
			if n := per[f.keyed.Record("dossiers", "KindA Jansen/intake.pdf")]; n != 2 {
				t.Errorf("%d ledger entries for the failed item, want 2 (one per attempt)", n)
			}
			if c.want != Failed {
				res, err = f.run(10, false)
				if err != nil || res.Earlier != 3 || res.Retried != 0 || res.LedgerEntries != 0 {
					t.Errorf("third run: %+v, %v; want everything settled", res, err)
				}
			}
		})
	}
}

// TestFailedBatchItemsAreTriedAgain: the same for a store that deletes in
// batches.
func TestFailedBatchItemsAreTriedAgain(t *testing.T) {
	f, bs := batchFixture(t, 5)
	f.approve()
	bs.refused = map[string]bool{"KindB Jansen/intake.pdf": true}
	res, err := f.run(100, false)
	if err != nil || res.Done != 4 || res.Failed != 1 {
		t.Fatalf("first run: %+v, %v", res, err)
	}
	bs.refused = nil
	res, err = f.run(100, false)
	if err != nil || res.Done != 1 || res.Retried != 1 || res.Earlier != 4 {
		t.Fatalf("second run: %+v, %v; want the failed item deleted now", res, err)
	}
	if f.store.Has("KindB Jansen/intake.pdf") {
		t.Error("the failed item is still there")
	}
}

// failingRewriter is an export store whose rewrites fail while fail is
// set: before touching the file, or (after) once the new content has
// replaced it, as when syncing the folder fails.
type failingRewriter struct {
	*export.Store
	fail, after bool
}

func (s *failingRewriter) RewriteJournalled(ctx context.Context, file, version string,
	edit func(row int, sheet, field string, c export.Cell) (export.Cell, error),
	drop func(row int, sheet string) bool, prepared func(newVersion string) error) (export.Counts, error) {
	if !s.fail {
		return s.Store.RewriteJournalled(ctx, file, version, edit, drop, prepared)
	}
	if !s.after {
		return export.Counts{}, errRefused
	}
	c, err := s.Store.RewriteJournalled(ctx, file, version, edit, drop, prepared)
	return c, errors.Join(err, errRefused)
}

// TestFailedRewriteIsTriedAgain: export rows whose rewrite failed are
// tried again by the next apply; a rewrite that replaced the file before
// its error is done, not failed, and is not tried again.
func TestFailedRewriteIsTriedAgain(t *testing.T) {
	for _, after := range []bool{false, true} {
		t.Run(map[bool]string{false: "before", true: "after the rename"}[after], func(t *testing.T) {
			subjects, rows := limitRows(6)
			work := t.TempDir()
			path := filepath.Join(work, "kinderen.csv")
			writeLimitExport(t, path, rows)
			o := newExportOrg(t, builtinPolicy(t, profileCase{}), subjects, "2026-11-23",
				[]exportSpec{{"kidsadmin", "kidsadmin-children", filepath.Join(work, "kinderen.*"), nil}})
			fr := &failingRewriter{Store: o.planner.Stores[0].Store.(*export.Store), fail: true, after: after}
			o.planner.Stores[0].Store = fr
			before, _ := os.ReadFile(path)
			res, err := o.apply()
			if after {
				if err != nil || res.Done != 4 || res.Failed != 0 {
					t.Fatalf("first run: %+v, %v; want the 4 rows done: the file was replaced", res, err)
				}
			} else {
				if err != nil || res.Failed != 4 {
					t.Fatalf("first run: %+v, %v; want the 4 rows failed", res, err)
				}
				if now, _ := os.ReadFile(path); string(now) != string(before) {
					t.Fatal("a failed rewrite changed the file")
				}
			}
			fr.fail = false
			res, err = o.apply()
			wantDone := map[bool]int{false: 4, true: 0}[after]
			if err != nil || res.Done != wantDone || res.Failed+res.Skipped+res.Gone != 0 {
				t.Fatalf("second run: %+v, %v; want %d done", res, err, wantDone)
			}
			o.checkOutcomes()
			per, _ := ledgerCounts(t, filepath.Join(o.stateDir, "ledger"), o.file.Digest)
			for _, it := range o.file.Items {
				if !approval.IsAction(it.Action) {
					continue
				}
				want := map[bool]int{false: 2, true: 1}[after]
				if n := per[approval.RecordPseudonym(o.keyed, it.Store, it.Record)]; n != want {
					t.Errorf("%s: %d ledger entries, want %d", it.Record, n, want)
				}
			}
			if left := readLimitExport(t, path); len(left) != 4 {
				t.Errorf("%d rows left, want 4", len(left))
			}
		})
	}
}

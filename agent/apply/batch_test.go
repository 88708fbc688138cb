package apply

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/memstore"
)

// batchStore is a memstore that deletes in batches, checking each
// record's version as it goes, as Graph's If-Match and S3's version ids
// do. It counts what apply asks of it.
type batchStore struct {
	*memstore.Store
	calls, stats int
	sizes        []int
	locked       map[string]bool
	refused      map[string]bool // DeleteMany fails for these, leaving them
}

func (s *batchStore) Stat(ctx context.Context, id string) (scanners.Record, error) {
	s.stats++
	return s.Store.Stat(ctx, id)
}

func (s *batchStore) DeleteMany(ctx context.Context, reqs []scanners.DeleteRequest) []error {
	s.calls++
	s.sizes = append(s.sizes, len(reqs))
	errs := make([]error, len(reqs))
	for i, r := range reqs {
		cur, err := s.Store.Stat(ctx, r.ID)
		switch {
		case err != nil:
			errs[i] = err
		case cur.Version != r.Version:
			errs[i] = fmt.Errorf("batch: %w", scanners.ErrChanged)
		case s.locked[r.ID]:
			errs[i] = fmt.Errorf("batch: %w", scanners.ErrLocked)
		case s.refused[r.ID]:
			errs[i] = errRefused
		default:
			errs[i] = s.Store.Delete(ctx, r.ID)
		}
	}
	return errs
}

func batchFixture(t *testing.T, n int) (*fixture, *batchStore) {
	f := newFixture(t, n)
	bs := &batchStore{Store: f.store, locked: map[string]bool{}}
	f.planner.Stores[0].Store = bs
	return f, bs
}

func TestBatchDeletes(t *testing.T) {
	f, bs := batchFixture(t, 250)
	f.approve("dossiers:KindB Jansen/intake.pdf")
	f.store.Put("KindA Jansen/intake.pdf", []byte("changed after the plan"), memstore.DefaultModTime.Add(time.Hour))
	f.store.Delete(context.Background(), "KindC Jansen/intake.pdf")
	bs.locked["KindE Jansen/intake.pdf"] = true
	f.children[3].Flags[rules.WaitingList] = true // KindD: no longer due

	res, err := f.run(1000, false)
	if err != nil {
		t.Fatal(err)
	}
	if bs.calls != 2 || bs.sizes[0] != batchChunk-1 || bs.stats != 0 {
		t.Errorf("DeleteMany calls %d of sizes %v, Stat calls %d; want 2 batches (the first of %d: one is no longer due) and no reads",
			bs.calls, bs.sizes, bs.stats, batchChunk-1)
	}
	got := f.outcomes()
	want := map[string]string{
		"KindA Jansen/intake.pdf": Skipped, "KindC Jansen/intake.pdf": Gone, "KindD Jansen/intake.pdf": Skipped,
		"KindE Jansen/intake.pdf": Skipped, "KindF Jansen/intake.pdf": Done,
	}
	for rec, w := range want {
		if got[rec] != w {
			t.Errorf("%s: ledger outcome %q, want %q", rec, got[rec], w)
		}
	}
	if _, ok := got["KindB Jansen/intake.pdf"]; ok {
		t.Error("an excluded item reached the ledger")
	}
	for _, id := range []string{"KindA Jansen/intake.pdf", "KindB Jansen/intake.pdf", "KindD Jansen/intake.pdf", "KindE Jansen/intake.pdf", "Onbekend/x.pdf"} {
		if !f.store.Has(id) {
			t.Errorf("%s was deleted", id)
		}
	}
	if res.Done != 245 || res.LedgerEntries != 249 {
		t.Errorf("result %+v; want 245 deleted and 249 ledger entries", res)
	}
	// Applying again acts on nothing.
	res, err = f.run(1000, false)
	if err != nil || res.Done != 0 || res.Earlier != 249 || bs.calls != 2 {
		t.Errorf("second run: %+v, %v, %d calls; want nothing done", res, err, bs.calls)
	}
}

func TestBatchLimitAndDryRun(t *testing.T) {
	f, bs := batchFixture(t, 30)
	f.approve()
	res, err := f.run(10, true)
	if !errors.Is(err, ErrLimit) || res.WouldDelete != 10 || bs.calls != 0 || len(f.store.IDs()) != 31 {
		t.Fatalf("dry run: %+v, %v, %d calls, %d files; want the limit after 10, nothing deleted", res, err, bs.calls, len(f.store.IDs()))
	}
	res, err = f.run(10, false)
	if !errors.Is(err, ErrLimit) || res.Done != 10 || len(f.store.IDs()) != 21 {
		t.Fatalf("run: %+v, %v, %d files left; want 10 deleted then the limit", res, err, len(f.store.IDs()))
	}
	res, err = f.run(100, false)
	if err != nil || res.Done != 20 || res.Earlier != 10 || len(f.store.IDs()) != 1 {
		t.Fatalf("next run: %+v, %v; want the other 20", res, err)
	}
}

// TestBatchFinishesInterrupted: an intent journalled by a run that died
// during the batch is finished from the store's state.
func TestBatchFinishesInterrupted(t *testing.T) {
	f, bs := batchFixture(t, 3)
	f.approve()
	j, err := openJournal(f.stateDir, f.file.Digest)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range f.file.Items {
		if it.Record == "KindA Jansen/intake.pdf" {
			rp := approval.RecordPseudonym(f.keyed, it.Store, it.Record)
			j.intent(i+1, rp, f.now)
		}
	}
	j.close()
	f.store.Delete(context.Background(), "KindA Jansen/intake.pdf") // the batch went through
	res, err := f.run(100, false)
	if err != nil || res.Done != 3 || bs.stats != 1 {
		t.Fatalf("%+v, %v, %d reads; want 3 done (1 finished from the interrupted intent, read once)", res, err, bs.stats)
	}
	if got := f.outcomes()["KindA Jansen/intake.pdf"]; got != Done {
		t.Errorf("interrupted item: outcome %q, want done", got)
	}
}

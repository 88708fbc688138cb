package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// batchChunk is how many items of a batch-deleting store are re-checked,
// journalled and sent together. The store splits them further (20 per
// Graph $batch, 1,000 per S3 DeleteObjects).
const batchChunk = 200

// batched is an approved item of a store that deletes in batches.
type batched struct {
	n  int // 1-based position in the plan
	it *plan.Item
	rp string
}

// batchItems carries out the approved file items of a store that
// implements scanners.BatchDeleter. The re-check is split in two: the
// decision is made again here, as of today with today's policy and
// registries, from what the plan recorded of the record; the version is
// checked by the store as it deletes (Graph's If-Match, S3's version
// ids), atomically, without a read per item. Everything else is as in
// item and act: limit, dry-run, journal intent, act, ledger, journal.
func (r *run) batchItems(ctx context.Context, store string, bd scanners.BatchDeleter, items []batched) error {
	for start := 0; start < len(items); start += batchChunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.batchChunk(ctx, store, bd, items[start:min(start+batchChunk, len(items))]); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) batchChunk(ctx context.Context, store string, bd scanners.BatchDeleter, items []batched) error {
	var todo []batched
	var limitErr error
	for _, b := range items {
		n, it, rp := b.n, b.it, b.rp
		if r.j != nil {
			settled, err := r.settled(n, rp)
			if err != nil {
				return err
			}
			if settled {
				continue
			}
			if r.j.item(n).pending() {
				done, err := r.finishInterrupted(ctx, n, it, rp)
				if err != nil {
					return err
				}
				if done {
					continue
				}
			}
		}
		if r.o.Plan.StoreFailed(it.Store) {
			if err := r.record(n, it, rp, Skipped, "the store's listing failed when the plan was made", ""); err != nil {
				return err
			}
			continue
		}
		if it.Action != rules.Delete {
			if err := r.record(n, it, rp, Skipped, "this version of retentiond cannot "+string(it.Action)+" yet", ""); err != nil {
				return err
			}
			continue
		}
		cur, err := r.o.Planner.RedecideContext(ctx, store, plannedRecord(it))
		if err != nil {
			if err := r.record(n, it, rp, Failed, "the record could not be decided again", err.Error()); err != nil {
				return err
			}
			continue
		}
		if cur.Action != rules.Delete {
			why := fmt.Sprintf("no longer due today: now %s", cur.Action)
			if cur.Rule != "" {
				why += " under " + cur.Rule
			}
			if err := r.record(n, it, rp, Skipped, why, ""); err != nil {
				return err
			}
			continue
		}
		if r.deleted+len(todo) >= r.o.MaxDeletions {
			r.res.LimitReached = true
			limitErr = r.limitErr(len(todo))
			break
		}
		if r.o.DryRun {
			r.res.WouldDelete++
			r.res.Details = append(r.res.Details, Detail{n, it.Store, it.Record, "would delete", cur.Reason})
		}
		todo = append(todo, b)
	}
	if r.o.DryRun {
		r.deleted += len(todo)
		return limitErr
	}
	if len(todo) == 0 {
		return limitErr
	}
	reqs := make([]scanners.DeleteRequest, len(todo))
	for i, b := range todo {
		if err := r.j.intent(b.n, b.rp, r.o.Now()); err != nil {
			return err
		}
		reqs[i] = scanners.DeleteRequest{ID: b.it.Record, Version: b.it.Version}
	}
	r.crash.at("intent")
	errs := bd.DeleteMany(ctx, reqs)
	r.crash.at("delete")
	for i, b := range todo {
		var err error
		switch e := errs[i]; {
		case e == nil:
			r.deleted++
			err = r.record(b.n, b.it, b.rp, Done, "deleted: "+b.it.Rule, "")
		case errors.Is(e, scanners.ErrNotFound):
			err = r.record(b.n, b.it, b.rp, Gone, "the record was gone before apply", "")
		case errors.Is(e, scanners.ErrChanged):
			err = r.record(b.n, b.it, b.rp, Skipped, "the record changed since the plan was made", "")
		case errors.Is(e, scanners.ErrLocked):
			err = r.record(b.n, b.it, b.rp, Skipped, "the store holds the record (legal hold or retention lock)", "")
		default:
			err = r.record(b.n, b.it, b.rp, Failed, "the store refused to delete", e.Error())
		}
		if err != nil {
			return err
		}
	}
	return limitErr
}

// plannedRecord is the record as the plan saw it.
func plannedRecord(it *plan.Item) scanners.Record {
	rec := scanners.Record{ID: it.Record, Kind: scanners.Kind(it.Kind), Size: it.Size, Version: it.Version}
	if t, err := time.Parse(time.RFC3339, it.Modified); err == nil {
		rec.ModTime = t
	}
	return rec
}

// limitErr is the error a run stops with at the delete limit, pending
// more deletions not yet counted.
func (r *run) limitErr(pending int) error {
	if r.o.DryRun {
		return fmt.Errorf("%w: a real run would stop after %d deletions (apply.max_deletions); running apply again goes on", ErrLimit, r.deleted+pending)
	}
	return fmt.Errorf("%w: %d deleted in this run (apply.max_deletions is %d); run apply again to go on", ErrLimit, r.deleted+pending, r.o.MaxDeletions)
}

// batchDeleter returns the store's batch deleter, if it has one and the
// item is a whole file (not an archive, whose entries are decided again
// from the store).
func (r *run) batchDeleter(it *plan.Item) scanners.BatchDeleter {
	if it.Kind != string(scanners.KindFile) {
		return nil
	}
	bd, _ := r.o.Planner.Store(it.Store).(scanners.BatchDeleter)
	return bd
}

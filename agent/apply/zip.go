package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/archive"
)

// A zip entry the plan deletes (the entries of a person with an erasure
// request; see agent/plan's archive.go) is taken out by writing the zip
// again without it, once per zip for all its approved entries, as export
// files are rewritten for their rows: re-check the zip's version and each
// entry's decision, journal the intents, rewrite (archive.Store.Rewrite: a
// temporary file in the same folder, fsync, the version checked again,
// rename, fsync of the folder), check that each entry is gone, then
// ledger and journal each entry's outcome, and journal the zip's new
// version so that a later run of the same plan (after the delete limit)
// goes on from it.

// zipRewriter is what apply needs of a store that holds zips.
type zipRewriter interface {
	Stat(ctx context.Context, id string) (scanners.Record, error)
	Rewrite(ctx context.Context, zipID, version string, drop func(path string) bool) (string, int, error)
}

// zipGroup is the approved entries of one zip.
type zipGroup struct {
	store, zip string
	items      []int // 0-based positions in the plan
}

// zipGroups gathers approved entries per zip, in plan order.
type zipGroups struct {
	list []*zipGroup
	by   map[[2]string]*zipGroup
}

// add files item i, an archive entry, under its zip.
func (z *zipGroups) add(i int, it *plan.Item) {
	zipID, _, ok := archive.Split(it.Record)
	if !ok {
		zipID = it.Record // not an entry's id: the group fails as a whole
	}
	k := [2]string{it.Store, zipID}
	if z.by == nil {
		z.by = map[[2]string]*zipGroup{}
	}
	if z.by[k] == nil {
		z.by[k] = &zipGroup{store: it.Store, zip: zipID}
		z.list = append(z.list, z.by[k])
	}
	z.by[k].items = append(z.by[k].items, i)
}

// zips carries out every zip's entries.
func (r *run) zips(ctx context.Context, z *zipGroups) error {
	var limitErr error
	for _, g := range z.list {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := r.zipFile(ctx, *g)
		if errors.Is(err, ErrLimit) {
			limitErr = err
			continue // the rest wait for the next run too, unacted on
		}
		if err != nil {
			return err
		}
	}
	return limitErr
}

// zipVersion splits an entry's version into its zip's version and the
// entry's checksum.
func zipVersion(v string) (zip, crc string) {
	i := strings.LastIndexByte(v, ':')
	if i < 0 {
		return v, ""
	}
	return v[:i], v[i+1:]
}

// zipFile carries out the approved entries of one zip.
func (r *run) zipFile(ctx context.Context, g zipGroup) error {
	items := r.o.Plan.Items
	key := r.o.Pseudonyms.Of("zip", g.store+":"+g.zip)
	rp := func(i int) string { return approval.RecordPseudonym(r.o.Pseudonyms, items[i].Store, items[i].Record) }
	var todo []int
	for _, i := range g.items {
		it, n := items[i], i+1
		if r.j != nil {
			settled, err := r.settled(n, rp(i))
			if err != nil {
				return err
			}
			if settled {
				continue
			}
		}
		var why string
		switch {
		case r.o.Plan.StoreFailed(it.Store):
			why = "the store's listing failed when the plan was made"
		case it.Action != rules.Delete:
			why = "this version of retentiond cannot " + string(it.Action) + " an entry of a zip archive"
		}
		if why != "" {
			if err := r.record(n, it, rp(i), Skipped, why, ""); err != nil {
				return err
			}
			continue
		}
		todo = append(todo, i)
	}
	if len(todo) == 0 {
		return nil
	}
	each := func(list []int, outcome, reason, detail string) error {
		for _, i := range list {
			if err := r.record(i+1, items[i], rp(i), outcome, reason, detail); err != nil {
				return err
			}
		}
		return nil
	}
	zw, ok := r.o.Planner.Store(g.store).(zipRewriter)
	if !ok {
		return each(todo, Failed, "the store cannot take entries out of a zip archive", "")
	}
	st := r.o.Planner.Store(g.store)
	// An interrupted run may have rewritten the zip: an entry it meant to
	// take out that the zip, read now, no longer holds was taken out.
	if r.j != nil {
		rest := todo[:0:0]
		for _, i := range todo {
			if !r.j.item(i + 1).pending() {
				rest = append(rest, i)
				continue
			}
			if _, err := st.Stat(ctx, items[i].Record); errors.Is(err, scanners.ErrNotFound) && r.isGone(ctx, items[i]) {
				r.deleted++
				if err := r.record(i+1, items[i], rp(i), Done, "taken out of the zip archive: "+items[i].Rule+" (completed after an interruption)", ""); err != nil {
					return err
				}
				continue
			}
			rest = append(rest, i)
		}
		if todo = rest; len(todo) == 0 {
			return nil
		}
	}
	cur, err := zw.Stat(ctx, g.zip)
	switch {
	case errors.Is(err, scanners.ErrNotFound):
		for _, i := range todo {
			if err := r.gone(ctx, i+1, items[i], rp(i), "the zip archive was gone before apply"); err != nil {
				return err
			}
		}
		return nil
	case err != nil:
		return each(todo, Failed, "the zip archive could not be read", err.Error())
	case cur.Kind != scanners.KindArchive:
		return each(todo, Failed, "the zip archive cannot be read as one now", "")
	}
	planZip, _ := zipVersion(items[todo[0]].Version)
	own := r.j != nil && r.j.prepared[key] != "" && cur.Version == r.j.prepared[key]
	if cur.Version != planZip && !own {
		return each(todo, Skipped, "the zip archive changed since the plan was made", "")
	}
	drop := map[string]bool{}
	var act []int
	var limitErr error
	for _, i := range todo {
		it, n := items[i], i+1
		_, path, _ := archive.Split(it.Record)
		now, err := r.o.Planner.Recheck(ctx, it.Store, it.Record)
		var outcome, why, detail string
		_, planCRC := zipVersion(it.Version)
		switch {
		case errors.Is(err, scanners.ErrNotFound):
			if err := r.gone(ctx, n, it, rp(i), "the entry is no longer in the zip archive"); err != nil {
				return err
			}
			continue
		case err != nil:
			outcome, why, detail = Failed, "the zip archive could not be read", err.Error()
		case func() bool { _, c := zipVersion(now.Version); return c != planCRC }():
			outcome, why = Skipped, "the entry changed since the plan was made"
		case now.Action != rules.Delete:
			outcome, why = Skipped, fmt.Sprintf("no longer due today: now %s", now.Action)
		}
		if outcome != "" {
			if err := r.record(n, it, rp(i), outcome, why, detail); err != nil {
				return err
			}
			continue
		}
		if r.deleted >= r.o.MaxDeletions {
			r.res.LimitReached = true
			limitErr = fmt.Errorf("%w: %d acted on in this run (apply.max_deletions is %d); run apply again to go on", ErrLimit, r.deleted, r.o.MaxDeletions)
			break
		}
		r.deleted++
		act = append(act, i)
		drop[path] = true
	}
	if len(act) == 0 {
		return limitErr
	}
	if r.o.DryRun {
		for _, i := range act {
			r.res.WouldDelete++
			r.res.Details = append(r.res.Details, Detail{i + 1, items[i].Store, items[i].Record, "would take out of the zip archive", items[i].Reason})
		}
		return limitErr
	}
	for _, i := range act {
		if err := r.j.intent(i+1, rp(i), r.o.Now()); err != nil {
			return err
		}
	}
	r.crash.at("intent")
	newVersion, _, err := zw.Rewrite(ctx, g.zip, cur.Version, func(p string) bool { return drop[p] })
	r.crash.at("delete")
	if err == nil {
		if err := r.j.prepare(key, newVersion, cur.Version, r.o.Now()); err != nil {
			return err
		}
	}
	if errors.Is(err, scanners.ErrChanged) {
		r.deleted -= len(act)
		return errors.Join(each(act, Skipped, "the zip archive changed since the plan was made", ""), limitErr)
	}
	// Done only for an entry the zip, read again, is verified not to hold.
	var failed error
	for _, i := range act {
		it := items[i]
		_, serr := st.Stat(ctx, it.Record)
		if errors.Is(serr, scanners.ErrNotFound) && r.isGone(ctx, it) {
			failed = r.record(i+1, it, rp(i), Done, "taken out of the zip archive: "+it.Rule, "")
		} else {
			r.deleted--
			detail := "the entry is still in the zip archive"
			if err != nil {
				detail = err.Error()
			}
			failed = r.record(i+1, it, rp(i), Failed, "the zip archive could not be rewritten", detail)
		}
		if failed != nil {
			return failed
		}
	}
	return limitErr
}

// isGone reports whether the item's record is verified absent.
func (r *run) isGone(ctx context.Context, it *plan.Item) bool {
	ok, _ := r.verifiedGone(ctx, it.Store, it.Record)
	return ok
}

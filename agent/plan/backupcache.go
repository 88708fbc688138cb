package plan

import (
	"context"
	"errors"
	"fmt"

	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// Recheck, Redecide and Explain decide one record at a time, but a backup
// under a rotation rule can only be decided with its set. So the first
// time one of them meets such a backup in a store, the store is listed
// once and its sets decided; the answers come from that cache after.
//
// The cache lives as long as the Planner, which is made per plan or apply
// run: within a run, the store's backups are listed once, however many
// of them apply deletes. That is sound because rotation's decisions are
// stable: deleting the backups it calls due never changes the decision on
// another backup (see rotation.Decide), so a listing made before the first
// deletion still holds after the last. A new run lists again.

// backupCache is one store's backups decided as sets.
type backupCache struct {
	asOf   rules.Date
	policy *rules.Policy
	items  map[string]*Item
	ds     map[string]rules.Decision
	sets   map[int]*backupSet
	err    error // the listing failed: every backup of the store fails
}

// storeBackups lists st once per run and decides its backup sets. The
// mutex also makes concurrent callers wait for the one listing. A failed
// listing is remembered for the run, so that a store that cannot be
// listed is not listed again for each of its backups; a cancelled one is
// not.
func (p *Planner) storeBackups(ctx context.Context, st *Store) (*backupCache, error) {
	p.backupMu.Lock()
	defer p.backupMu.Unlock()
	if c := p.backupCaches[st.Name]; c != nil && c.asOf == p.AsOf && c.policy == p.Policy {
		return c, c.err
	}
	c := &backupCache{asOf: p.AsOf, policy: p.Policy, items: map[string]*Item{}, ds: map[string]rules.Decision{}}
	quiet := *st
	quiet.Links = LinksOff // deciding again; links were the plan's business
	rd := p.newRecordDecider(ctx, quiet, func(it *Item) { c.items[it.Record] = it })
	rd.backupsOnly = true
	rd.decision = func(id string, d rules.Decision) { c.ds[id] = d }
	err := st.Store.Scan(ctx, func(rec scanners.Record) error {
		rd.add(&rec)
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// A listing error is a failure, never "the record is gone": apply
		// must not read a missing bucket as a deleted backup.
		if errors.Is(err, scanners.ErrNotFound) {
			err = errors.New(err.Error())
		}
		c.err = fmt.Errorf("store %s: listing its backups to decide them as a set: %w", st.Name, err)
	} else {
		rd.done()
		c.sets = rd.sets
	}
	if p.backupCaches == nil {
		p.backupCaches = map[string]*backupCache{}
	}
	p.backupCaches[st.Name] = c
	return c, c.err
}

// setBackup answers for id if it is a backup of a rotation set in st:
// handled is false otherwise. A backup missing from the store's listing
// is an error wrapping scanners.ErrNotFound.
func (p *Planner) setBackup(ctx context.Context, st *Store, id string) (it *Item, d rules.Decision, handled bool, err error) {
	if !p.isSetBackup(*st, id) {
		return nil, rules.Decision{}, false, nil
	}
	c, err := p.storeBackups(ctx, st)
	if err != nil {
		return nil, rules.Decision{}, true, err
	}
	got := c.items[id]
	if got == nil {
		return nil, rules.Decision{}, true, fmt.Errorf("store %s: backup not in the store's listing: %w", st.Name, scanners.ErrNotFound)
	}
	cp := *got
	return &cp, c.ds[id], true, nil
}

// redecideBackup decides a backup from the plan's record of it with its
// set as the store has it now. One the store no longer lists is decided
// with the set as if still there, as the plan saw it: a due one is then
// tried and found gone, and a kept one skipped, as for any record.
func (p *Planner) redecideBackup(ctx context.Context, st *Store, rec scanners.Record) (*Item, bool, error) {
	it, _, handled, err := p.setBackup(ctx, st, rec.ID)
	if !handled || !errors.Is(err, scanners.ErrNotFound) {
		return it, handled, err
	}
	m, _ := p.match(*st, rec.ID)
	dc, _ := p.backup(rec, m)
	if dc.rotation == nil {
		return nil, true, err
	}
	c, err := p.storeBackups(ctx, st)
	if err != nil {
		return nil, true, err
	}
	rd := &recordDecider{p: p, st: *st}
	if s := c.sets[dc.layout]; s != nil {
		cp := *s
		cp.held = append([]heldBackup(nil), s.held...)
		rd.sets = map[int]*backupSet{dc.layout: &cp}
	}
	rd.hold(rec, dc)
	s := rd.sets[dc.layout]
	items, _ := p.decideSet(*st, s)
	return items[len(items)-1], true, nil
}

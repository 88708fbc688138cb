package plan

import (
	"context"
	"fmt"

	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// Explain decides one record as a plan would, and returns its item with
// the whole decision (every rule considered), for `retentiond explain`.
func (p *Planner) Explain(ctx context.Context, store, id string) (*Item, rules.Decision, error) {
	for _, st := range p.Stores {
		if st.Name != store {
			continue
		}
		if st.OpenErr != nil {
			return nil, rules.Decision{}, st.OpenErr
		}
		if it, d, ok, err := p.setBackup(ctx, &st, id); ok {
			return it, d, err
		}
		rec, err := st.Store.Stat(ctx, id)
		if err != nil {
			return nil, rules.Decision{}, err
		}
		p.explain = true
		dc := p.decide(st, rec)
		return p.item(st, rec, dc), dc.d, nil
	}
	return nil, rules.Decision{}, fmt.Errorf("no store named %q in the config", store)
}

// oneScanner lists one record as a full scan would (archive.Store does:
// a zip with its entries).
type oneScanner interface {
	ScanOne(ctx context.Context, id string, fn func(scanners.Record) error) error
}

// Recheck decides one record again, as it is in its store now and with
// the planner's policy, registries and date: apply calls it right before
// acting. It returns an error wrapping scanners.ErrNotFound if the record
// is gone.
//
// A backup under a rotation rule is decided with its set: the first such
// backup of a store has the whole store listed once, and the decisions
// are kept for the Planner's life (one run; see backupcache.go). If that
// listing fails, Recheck returns the error for every backup of the store.
func (p *Planner) Recheck(ctx context.Context, store, id string) (*Item, error) {
	var st *Store
	for i := range p.Stores {
		if p.Stores[i].Name == store {
			st = &p.Stores[i]
		}
	}
	if st == nil {
		return nil, fmt.Errorf("no store named %q in the config", store)
	}
	if st.OpenErr != nil {
		return nil, st.OpenErr
	}
	if it, _, ok, err := p.setBackup(ctx, st, id); ok {
		return it, err
	}
	var out *Item
	// The re-check decides; it does not look for sharing links again.
	quiet := *st
	quiet.Links = LinksOff
	rd := p.newRecordDecider(ctx, quiet, func(it *Item) {
		p.applyHold(it)
		if it.Record == id {
			out = it
		}
	})
	each := func(rec scanners.Record) error {
		rd.add(&rec)
		return nil
	}
	var err error
	if one, ok := st.Store.(oneScanner); ok {
		err = one.ScanOne(ctx, id, each)
	} else {
		var rec scanners.Record
		if rec, err = st.Store.Stat(ctx, id); err == nil {
			err = each(rec)
		}
	}
	if err != nil {
		return nil, err
	}
	rd.flush()
	if out == nil {
		return nil, fmt.Errorf("store %s: record listed under another id: %w", store, scanners.ErrNotFound)
	}
	return out, nil
}

// Store returns the opened store named name, or nil.
func (p *Planner) Store(name string) scanners.Store {
	for _, st := range p.Stores {
		if st.Name == name && st.OpenErr == nil {
			return st.Store
		}
	}
	return nil
}

// StoreSpec returns the configured store named name, or nil.
func (p *Planner) StoreSpec(name string) *Store {
	for i := range p.Stores {
		if p.Stores[i].Name == name {
			return &p.Stores[i]
		}
	}
	return nil
}

// fileScanner lists the rows of one export file.
type fileScanner interface {
	ScanFile(ctx context.Context, file string, fn func(scanners.Record) error) error
}

// RecheckFile decides every row of one export file again, as the file is
// now and as of the planner's date, returning the items by record id.
func (p *Planner) RecheckFile(ctx context.Context, store, file string) (map[string]*Item, error) {
	st := p.StoreSpec(store)
	if st == nil {
		return nil, fmt.Errorf("no store named %q in the config", store)
	}
	if st.OpenErr != nil {
		return nil, st.OpenErr
	}
	fsc, ok := st.Store.(fileScanner)
	if !ok {
		return nil, fmt.Errorf("store %s does not hold export files", store)
	}
	out := map[string]*Item{}
	err := fsc.ScanFile(ctx, file, func(rec scanners.Record) error {
		out[rec.ID] = p.item(*st, rec, p.decide(*st, rec))
		return nil
	})
	return out, err
}

// Redecide decides a record again as of the planner's date, with today's
// policy and registries, from what the plan recorded of it (rec: its id,
// kind, version, size and time) without asking the store. Apply uses it
// for stores that re-check the version themselves as they delete
// (scanners.BatchDeleter), so that a thousand deletions do not cost a
// thousand reads first.
//
// A backup under a rotation rule cannot be decided alone: for those the
// store is listed once per run (with context.Background; apply should
// call RedecideContext) and the backup decided with its set, as Recheck
// does. One the listing no longer has is decided with the set as if it
// were still there.
func (p *Planner) Redecide(store string, rec scanners.Record) (*Item, error) {
	return p.RedecideContext(context.Background(), store, rec)
}

// RedecideContext is Redecide with a context for the listing a backup
// may need.
func (p *Planner) RedecideContext(ctx context.Context, store string, rec scanners.Record) (*Item, error) {
	st := p.StoreSpec(store)
	if st == nil {
		return nil, fmt.Errorf("no store named %q in the config", store)
	}
	if st.OpenErr != nil {
		return nil, st.OpenErr
	}
	if setKind(rec.Kind) {
		if it, ok, err := p.redecideBackup(ctx, st, rec); ok {
			p.applyHold(it)
			return it, err
		}
	}
	if rec.Kind != scanners.KindFile {
		return nil, fmt.Errorf("store %s: only files can be decided again without the store", store)
	}
	it := p.item(*st, rec, p.decide(*st, rec))
	p.applyHold(it)
	return it, nil
}

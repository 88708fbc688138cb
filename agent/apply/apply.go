// Package apply carries out an approved plan. Every destructive act goes
// through one road (act): re-check the record against its store and
// against today's policy and registries, respect the delete limit and
// dry-run, journal the intent, act, append the outcome to the signed
// ledger, journal the outcome. A crash at any point leaves a state the
// next run finishes; no item is acted on twice, and no act goes unlogged.
package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// Outcomes, as the ledger and the journal write them.
const (
	Done    = "done"    // the act was carried out
	Skipped = "skipped" // not acted on: the record changed or is no longer due
	Gone    = "gone"    // the record was gone before apply acted
	Failed  = "failed"  // the store refused
)

// Ledger is what apply needs of the ledger.
type Ledger interface {
	Append(e ledger.Entry) (int64, error)
}

// Options are the inputs of a run.
type Options struct {
	Plan     *plan.File
	Approval *approval.Approval
	// Planner decides records again as of today, with today's registries,
	// and holds the opened stores.
	Planner    *plan.Planner
	Ledger     Ledger
	Pseudonyms *pseudonym.Keyed
	StateDir   string
	// Decision is the digest of what decides under the config now
	// (config.DecisionDigest), ConfigSHA256 the config file's hash: the
	// plan must have been made under the same decision (plan.File's
	// CheckDecision).
	Decision     config.Decision
	ConfigSHA256 string
	MaxDeletions int
	DryRun       bool
	Now          func() time.Time
	// Recorded lists what the ledger already says about this plan, by
	// record pseudonym: an act that reached the ledger but not the
	// journal before a crash is finished, not repeated.
	Recorded map[string]string
	// Progress, if set, is told how many of the plan's approved actions
	// (total) the run has handled so far (done: acted on, skipped, gone,
	// failed, settled by an earlier run, excluded, or in a dry run found
	// due), each time that number grows. It must not block.
	Progress func(done, total int)
}

// Detail is what happened to one item, for the administrator's report. It
// names the record: it goes into a file beside the plan (mode 0600),
// never into logs.
type Detail struct {
	Item    int
	Store   string
	Record  string
	Outcome string
	Reason  string
}

// Result counts what a run did.
type Result struct {
	Done, Skipped, Gone, Failed int
	Earlier                     int // handled by an earlier run of this plan
	Excluded                    int // left out at approval
	Retried                     int // failed in an earlier run of this plan, tried again in this one
	WouldDelete                 int // dry-run: what a real run would delete now
	LimitReached                bool
	Details                     []Detail
	LedgerEntries               int
}

// ErrLimit is returned when the run stopped at the delete limit.
var ErrLimit = errors.New("delete limit reached")

// Refusals: the plan cannot be applied at all.
var (
	ErrExpired = errors.New("the plan has expired")
	// ErrConfigChanged: what decides the plan changed since it was made.
	ErrConfigChanged = plan.ErrConfigChanged
)

// Run carries out the plan's approved actions.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Approval == nil || o.Approval.Plan != o.Plan.Digest {
		return nil, approval.ErrNotApproved
	}
	now := o.Now()
	if !now.Before(o.Approval.ExpiresAt) {
		return nil, fmt.Errorf("%w (on %s): make and approve a new plan", ErrExpired, o.Approval.ExpiresAt.Format("2006-01-02"))
	}
	if err := o.Plan.CheckDecision(o.Decision, o.ConfigSHA256); err != nil {
		return nil, fmt.Errorf("%w: make and approve a new plan", err)
	}
	if o.MaxDeletions <= 0 {
		return nil, errors.New("apply: a delete limit is required")
	}
	r := &run{o: o, res: &Result{}, crash: crashFromEnv(), retried: map[int]bool{}}
	if o.Progress != nil {
		for _, it := range o.Plan.Items {
			if approval.IsAction(it.Action) {
				r.total++
			}
		}
	}
	if !o.DryRun {
		j, err := openJournal(o.StateDir, o.Plan.Digest)
		if err != nil {
			return nil, err
		}
		defer j.close()
		r.j = j
	}
	var groups []*rowGroup
	byFile := map[[2]string]*rowGroup{}
	var stores []string
	byStore := map[string][]batched{}
	deleters := map[string]scanners.BatchDeleter{}
	var zips zipGroups
	for i, it := range o.Plan.Items {
		if err := ctx.Err(); err != nil {
			return r.res, err
		}
		r.tick()
		if !approval.IsAction(it.Action) {
			continue
		}
		if o.Approval.IsExcluded(i) {
			r.res.Excluded++
			continue
		}
		if it.Kind == string(scanners.KindArchiveEntry) {
			zips.add(i, it) // taken out of their zips after the files (zip.go)
			continue
		}
		if it.Kind == string(scanners.KindRow) {
			// Rows are acted on per file, after the files and objects.
			k := [2]string{it.Store, it.File}
			if byFile[k] == nil {
				byFile[k] = &rowGroup{store: it.Store, file: it.File}
				groups = append(groups, byFile[k])
			}
			byFile[k].items = append(byFile[k].items, i)
			continue
		}
		if bd := r.batchDeleter(it); bd != nil {
			// Sent in batches after the loop, per store in plan order.
			if byStore[it.Store] == nil {
				stores = append(stores, it.Store)
				deleters[it.Store] = bd
			}
			byStore[it.Store] = append(byStore[it.Store], batched{i + 1, it, approval.RecordPseudonym(o.Pseudonyms, it.Store, it.Record)})
			continue
		}
		if err := r.item(ctx, i+1, it); err != nil {
			return r.res, err
		}
	}
	r.tick()
	for _, st := range stores {
		if err := r.batchItems(ctx, st, deleters[st], byStore[st]); err != nil {
			return r.res, err
		}
		r.tick()
	}
	if err := r.zips(ctx, &zips); err != nil {
		return r.res, err
	}
	r.tick()
	for _, g := range groups {
		if err := ctx.Err(); err != nil {
			return r.res, err
		}
		if err := r.rowFile(ctx, *g); err != nil {
			return r.res, err
		}
		r.tick()
	}
	return r.res, nil
}

type run struct {
	o       Options
	j       *journal
	res     *Result
	deleted int
	crash   *crasher
	retried map[int]bool // items that failed in an earlier run, tried again
	total   int          // approved actions in the plan (with Progress)
	ticked  int          // handled when Progress was last told
}

// tick tells Progress how many approved actions are handled, if that
// grew since it was last told.
func (r *run) tick() {
	if r.o.Progress == nil {
		return
	}
	res := r.res
	n := res.Done + res.Skipped + res.Gone + res.Failed + res.Earlier + res.Excluded + res.WouldDelete
	if n > r.ticked {
		r.ticked = n
		r.o.Progress(n, r.total)
	}
}

// settled reports whether an earlier run of this plan settled item n, whose
// record pseudonym is rp: its outcome is in the journal, or in the ledger
// only (the run that wrote it stopped before its last step: the journal is
// brought up to date now). A failed item is not settled: it is tried
// again, re-checked like any other, and counted in Retried.
func (r *run) settled(n int, rp string) (bool, error) {
	st := r.j.item(n)
	out, inLedger := r.o.Recorded[rp]
	if st.outcome != "" && !inLedger {
		// Every outcome is in the ledger before it is journalled: a
		// journal outcome the ledger does not back was written by hand,
		// and believing it would report done what nobody did.
		return false, fmt.Errorf("the journal of plan %s says item %d is %s, but the ledger has no entry for it: the journal was changed outside retentiond; do not apply this plan again before checking it", r.o.Plan.Digest, n, st.outcome)
	}
	if st.outcome != "" && st.outcome != Failed {
		r.res.Earlier++
		return true, nil
	}
	if inLedger && out != Failed {
		r.res.Earlier++
		return true, r.j.outcome(n, rp, out, r.o.Now())
	}
	if st.outcome == Failed || out == Failed {
		r.retried[n] = true
		r.res.Retried++
	}
	return false, nil
}

// item handles one approved item; n is its 1-based position in the plan.
func (r *run) item(ctx context.Context, n int, it *plan.Item) error {
	rp := approval.RecordPseudonym(r.o.Pseudonyms, it.Store, it.Record)
	if r.j != nil {
		settled, err := r.settled(n, rp)
		if settled || err != nil {
			return err
		}
		if r.j.item(n).pending() {
			done, err := r.finishInterrupted(ctx, n, it, rp)
			if done || err != nil {
				return err
			}
		}
	}
	if r.o.Plan.StoreFailed(it.Store) {
		return r.record(n, it, rp, Skipped, "the store's listing failed when the plan was made", "")
	}
	if it.Action != rules.Delete {
		return r.record(n, it, rp, Skipped, "this version of retentiond cannot "+string(it.Action)+" yet", "")
	}
	// The re-check: as the store has it now, as the policy and the
	// registries say today.
	cur, err := r.o.Planner.Recheck(ctx, it.Store, it.Record)
	switch {
	case errors.Is(err, scanners.ErrNotFound):
		return r.gone(ctx, n, it, rp, "the record was gone before apply")
	case err != nil:
		return r.record(n, it, rp, Failed, "the store could not be read", err.Error())
	case cur.Version != it.Version:
		return r.record(n, it, rp, Skipped, "the record changed since the plan was made", "")
	case cur.Action != rules.Delete:
		why := fmt.Sprintf("no longer due today: now %s", cur.Action)
		if cur.Rule != "" {
			why += " under " + cur.Rule
		}
		return r.record(n, it, rp, Skipped, why, "")
	}
	if r.deleted >= r.o.MaxDeletions {
		r.res.LimitReached = true
		if r.o.DryRun {
			return fmt.Errorf("%w: a real run would stop after %d deletions (apply.max_deletions); running apply again goes on", ErrLimit, r.deleted)
		}
		return fmt.Errorf("%w: %d deleted in this run (apply.max_deletions is %d); run apply again to go on", ErrLimit, r.deleted, r.o.MaxDeletions)
	}
	if r.o.DryRun {
		r.deleted++
		r.res.WouldDelete++
		r.res.Details = append(r.res.Details, Detail{n, it.Store, it.Record, "would delete", cur.Reason})
		return nil
	}
	return r.act(ctx, n, it, rp)
}

// act deletes the record: journal the intent, delete, ledger, journal the
// outcome. Only Run's checks above lead here.
func (r *run) act(ctx context.Context, n int, it *plan.Item, rp string) error {
	if err := r.j.intent(n, rp, r.o.Now()); err != nil {
		return err
	}
	r.crash.at("intent")
	st := r.o.Planner.Store(it.Store)
	err := st.Delete(ctx, it.Record)
	r.crash.at("delete")
	switch {
	case errors.Is(err, scanners.ErrNotFound):
		return r.gone(ctx, n, it, rp, "the record was gone before apply")
	case err != nil:
		return r.record(n, it, rp, Failed, "the store refused to delete", err.Error())
	}
	r.deleted++
	return r.record(n, it, rp, Done, "deleted: "+it.Rule, "")
}

// finishInterrupted handles an item whose intent a crashed run journalled
// without an outcome. If the record is gone, the act happened: it is
// logged now. Otherwise it did not, and the item is handled as new.
func (r *run) finishInterrupted(ctx context.Context, n int, it *plan.Item, rp string) (bool, error) {
	st := r.o.Planner.Store(it.Store)
	if st == nil {
		return false, nil
	}
	_, err := st.Stat(ctx, it.Record)
	if !errors.Is(err, scanners.ErrNotFound) {
		return false, nil
	}
	if ok, _ := r.verifiedGone(ctx, it.Store, it.Record); !ok {
		return false, nil
	}
	r.deleted++
	return true, r.record(n, it, rp, Done, "deleted: "+it.Rule+" (completed after an interruption)", "")
}

// record writes an outcome to the ledger, then the journal, and counts it.
func (r *run) record(n int, it *plan.Item, rp, outcome, reason, detail string) error {
	switch outcome {
	case Done:
		r.res.Done++
	case Skipped:
		r.res.Skipped++
	case Gone:
		r.res.Gone++
	case Failed:
		r.res.Failed++
	}
	if r.retried[n] {
		reason += " (tried again after an earlier run failed)"
	}
	d := Detail{n, it.Store, it.Record, outcome, reason}
	if detail != "" {
		d.Reason += ": " + detail
	}
	r.res.Details = append(r.res.Details, d)
	r.tick()
	if r.o.DryRun {
		return nil
	}
	subject := ""
	if it.Subject != nil {
		subject = r.o.Pseudonyms.Subject(string(it.Subject.Type), it.Subject.ID)
	}
	if _, err := r.o.Ledger.Append(ledger.Entry{
		Time: r.o.Now().UTC(), Plan: r.o.Plan.Digest, Store: it.Store, Record: rp, Subject: subject,
		Category: string(it.Category), Rule: it.Rule, Action: string(it.Action), Outcome: outcome, Reason: reason,
	}); err != nil {
		return err
	}
	r.res.LedgerEntries++
	r.crash.at("ledger")
	if err := r.j.outcome(n, rp, outcome, r.o.Now()); err != nil {
		return err
	}
	r.crash.at("outcome")
	return nil
}

package apply

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/export"
)

// rewriter is what apply needs of an export store.
type rewriter interface {
	Stat(ctx context.Context, id string) (scanners.Record, error)
	RewriteJournalled(ctx context.Context, file, version string,
		edit func(row int, sheet, field string, c export.Cell) (export.Cell, error),
		drop func(row int, sheet string) bool, prepared func(newVersion string) error) (export.Counts, error)
}

// rowGroup is the approved items of one export file: the file is
// rewritten once for all of them.
type rowGroup struct {
	store, file string
	items       []int // 0-based positions in the plan
}

type rowKey struct {
	sheet string
	index int
}

// rowKeyOf reads the row of an export record id: "FILE#12" or
// "FILE#SHEET!12".
func rowKeyOf(id, file string) (rowKey, bool) {
	rest, ok := strings.CutPrefix(id, file+"#")
	if !ok {
		return rowKey{}, false
	}
	sheet := ""
	if i := strings.LastIndexByte(rest, '!'); i >= 0 {
		sheet, rest = rest[:i], rest[i+1:]
	}
	n, err := strconv.Atoi(rest)
	return rowKey{sheet, n}, err == nil
}

// rowFile carries out the approved items of one export file: re-check the
// file's version and every row's decision, journal the intents, rewrite
// the file (journalling the version it will have), then ledger and
// journal each row's outcome.
//
// When the delete limit falls inside the file, the rows furthest down the
// file (per sheet) are acted on first, so that the rows left for the next
// run keep their numbers (a dropped row, or a changed CSV field that took
// more lines, moves only the rows below it). The next run of the plan
// accepts the version this run's rewrite produced, as the journal records
// it, as the planned one for those rows; any other version is someone
// else's change, and the rows are skipped.
func (r *run) rowFile(ctx context.Context, g rowGroup) error {
	items := r.o.Plan.Items
	fileKey := r.o.Pseudonyms.Of("export-file", g.store+":"+g.file)
	var todo []int
	interrupted := false
	for _, i := range g.items {
		it, n := items[i], i+1
		rp := approval.RecordPseudonym(r.o.Pseudonyms, it.Store, it.Record)
		if r.j != nil {
			settled, err := r.settled(n, rp)
			if err != nil {
				return err
			}
			if settled {
				continue
			}
			interrupted = interrupted || r.j.item(n).pending()
		}
		if r.o.Plan.StoreFailed(it.Store) {
			if err := r.record(n, it, rp, Skipped, "the store's listing failed when the plan was made", ""); err != nil {
				return err
			}
			continue
		}
		todo = append(todo, i)
	}
	if len(todo) == 0 {
		return nil
	}
	all := func(outcome, reason, detail string) error { return r.allOf(todo, outcome, reason, detail) }
	rw, ok := r.o.Planner.Store(g.store).(rewriter)
	if !ok {
		return all(Failed, "the store cannot rewrite export files", "")
	}
	cur, err := rw.Stat(ctx, g.file)
	switch {
	case errors.Is(err, scanners.ErrNotFound):
		return all(Gone, "the export file was gone before apply", "")
	case err != nil:
		return all(Failed, "the export file could not be read", err.Error())
	}
	base := items[todo[0]].Version
	if r.j != nil {
		switch pv, pb := r.j.prepared[fileKey], r.j.base[fileKey]; {
		case pv != "" && cur.Version == pv:
			// The last rewrite this plan's runs journalled replaced the
			// file: the rows it was for were acted on (log those an
			// interrupted run did not), and its version is the planned
			// one for the rest.
			if interrupted {
				if todo, err = r.finishRewritten(todo); err != nil || len(todo) == 0 {
					return err
				}
			}
			base = cur.Version
		case pb != "" && cur.Version == pb:
			// The last rewrite journalled did not replace the file: it is
			// still as that rewrite found it.
			base = pb
		}
	}
	if cur.Version != base {
		return all(Skipped, "the export file changed since the plan was made", "")
	}
	act, limitErr, err := r.recheckRows(ctx, g, todo)
	if err != nil || len(act) == 0 {
		return errors.Join(err, limitErr)
	}
	if r.o.DryRun {
		for _, i := range act {
			r.res.WouldDelete++
			r.res.Details = append(r.res.Details, Detail{i + 1, items[i].Store, items[i].Record, "would " + string(items[i].Action), rowReason(items[i])})
		}
		return limitErr
	}
	return errors.Join(r.rewriteRows(ctx, g, rw, fileKey, base, act), limitErr)
}

// finishRewritten logs as done the items of todo whose intent an
// interrupted run journalled before its rewrite replaced the file, and
// returns the others.
func (r *run) finishRewritten(todo []int) ([]int, error) {
	items := r.o.Plan.Items
	var rest []int
	for _, i := range todo {
		it := items[i]
		if !r.j.item(i + 1).pending() {
			rest = append(rest, i)
			continue
		}
		r.deleted++
		if err := r.record(i+1, it, approval.RecordPseudonym(r.o.Pseudonyms, it.Store, it.Record), Done,
			rowReason(it)+" (completed after an interruption)", ""); err != nil {
			return nil, err
		}
	}
	return rest, nil
}

// recheckRows decides the rows of todo again, from the file as it is now,
// and returns those to act on, within the delete limit: the rows furthest
// down each sheet first, in plan order.
func (r *run) recheckRows(ctx context.Context, g rowGroup, todo []int) (act []int, limitErr, err error) {
	items := r.o.Plan.Items
	now, err := r.o.Planner.RecheckFile(ctx, g.store, g.file)
	if err != nil {
		return nil, nil, r.allOf(todo, Failed, "the export file could not be read", err.Error())
	}
	keys := make(map[int]rowKey, len(todo))
	order := slices.Clone(todo)
	for _, i := range todo {
		keys[i], _ = rowKeyOf(items[i].Record, g.file)
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ka, kb := keys[a], keys[b]
		return cmp.Or(strings.Compare(ka.sheet, kb.sheet), cmp.Compare(kb.index, ka.index))
	})
	for _, i := range order {
		it, n := items[i], i+1
		rp := approval.RecordPseudonym(r.o.Pseudonyms, it.Store, it.Record)
		c := now[it.Record]
		_, ok := rowKeyOf(it.Record, g.file)
		var why string
		switch {
		case c == nil || !ok:
			if err := r.record(n, it, rp, Gone, "the row is no longer in the export file", ""); err != nil {
				return nil, nil, err
			}
			continue
		case c.Action != it.Action:
			why = fmt.Sprintf("no longer due today: now %s", c.Action)
		case it.Action == rules.Pseudonymise && !subset(it.Fields, c.Fields):
			why = "its fields are no longer due as planned"
		}
		if why != "" {
			if err := r.record(n, it, rp, Skipped, why, ""); err != nil {
				return nil, nil, err
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
	}
	slices.Sort(act)
	return act, limitErr, nil
}

// rewriteRows journals the intents of the rows of act, rewrites the file
// from version base, and logs the outcomes.
func (r *run) rewriteRows(ctx context.Context, g rowGroup, rw rewriter, fileKey, base string, act []int) error {
	items := r.o.Plan.Items
	drop := map[rowKey]bool{}
	edit := map[rowKey][]string{}
	for _, i := range act {
		key, _ := rowKeyOf(items[i].Record, g.file)
		if items[i].Action == rules.Delete {
			drop[key] = true
		} else {
			edit[key] = items[i].Fields
		}
	}
	// Nothing promised yet: intents journalled after this line are not
	// carried out until a "prepared" line with the new version follows.
	if err := r.j.prepare(fileKey, "", base, r.o.Now()); err != nil {
		return err
	}
	for _, i := range act {
		it := items[i]
		if err := r.j.intent(i+1, approval.RecordPseudonym(r.o.Pseudonyms, it.Store, it.Record), r.o.Now()); err != nil {
			return err
		}
	}
	r.crash.at("intent")
	ops, err := Operators(r.o.Planner.StoreSpec(g.store).Operators)
	if err != nil {
		return err
	}
	subject := r.o.Planner.StoreSpec(g.store).Rows.Subject
	promised := ""
	_, err = rw.RewriteJournalled(ctx, g.file, base,
		func(row int, sheet, field string, c export.Cell) (export.Cell, error) {
			if !slices.Contains(edit[rowKey{sheet, row}], field) {
				return c, nil
			}
			out, err := PseudonymiseCell(r.o.Pseudonyms, subject, ops, field, c)
			if err != nil {
				return c, fmt.Errorf("row %d, field %s: %w", row, field, err)
			}
			return out, nil
		},
		func(row int, sheet string) bool { return drop[rowKey{sheet, row}] },
		func(v string) error {
			promised = v
			return r.j.prepare(fileKey, v, base, r.o.Now())
		})
	r.crash.at("delete")
	detail := ""
	if err != nil {
		if now, serr := rw.Stat(ctx, g.file); promised == "" || serr != nil || now.Version != promised {
			r.deleted -= len(act)
			if errors.Is(err, export.ErrChanged) {
				return r.allOf(act, Skipped, "the export file changed since the plan was made", "")
			}
			return r.allOf(act, Failed, "the export file could not be rewritten", err.Error())
		}
		// The new content replaced the file before the error (syncing
		// its folder failed): the rows were acted on.
		detail = err.Error()
	}
	for _, i := range act {
		it := items[i]
		if err := r.record(i+1, it, approval.RecordPseudonym(r.o.Pseudonyms, it.Store, it.Record), Done, rowReason(it), detail); err != nil {
			return err
		}
	}
	return nil
}

// allOf logs one outcome for every item of idx.
func (r *run) allOf(idx []int, outcome, reason, detail string) error {
	for _, i := range idx {
		it := r.o.Plan.Items[i]
		if err := r.record(i+1, it, approval.RecordPseudonym(r.o.Pseudonyms, it.Store, it.Record), outcome, reason, detail); err != nil {
			return err
		}
	}
	return nil
}

// rowReason says what was done to a row, without its values.
func rowReason(it *plan.Item) string {
	if it.Action == rules.Delete {
		return "row deleted: " + it.Rule
	}
	var rulesUsed []string
	for _, fd := range it.FieldDecisions {
		if fd.Action == rules.Pseudonymise && fd.Rule != "" && !slices.Contains(rulesUsed, fd.Rule) {
			rulesUsed = append(rulesUsed, fd.Rule)
		}
	}
	return "fields pseudonymised: " + strings.Join(it.Fields, ",") + " (" + strings.Join(rulesUsed, ",") + ")"
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

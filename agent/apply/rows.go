package apply

import (
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
func (r *run) rowFile(ctx context.Context, g rowGroup) error {
	items := r.o.Plan.Items
	fileKey := r.o.Pseudonyms.Of("export-file", g.store+":"+g.file)
	var todo []int
	interrupted := false
	for _, i := range g.items {
		it, n := items[i], i+1
		rp := approval.RecordPseudonym(r.o.Pseudonyms, it.Store, it.Record)
		if r.j != nil {
			st := r.j.item(n)
			if st.outcome != "" {
				r.res.Earlier++
				continue
			}
			if out, ok := r.o.Recorded[rp]; ok {
				r.res.Earlier++
				if err := r.j.outcome(n, rp, out, r.o.Now()); err != nil {
					return err
				}
				continue
			}
			interrupted = interrupted || st.intent
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
	all := func(outcome, reason, detail string) error {
		for _, i := range todo {
			it := items[i]
			if err := r.record(i+1, it, approval.RecordPseudonym(r.o.Pseudonyms, it.Store, it.Record), outcome, reason, detail); err != nil {
				return err
			}
		}
		return nil
	}
	rw, ok := r.o.Planner.Store(g.store).(rewriter)
	if !ok {
		return all(Failed, "the store cannot rewrite export files", "")
	}
	planVersion := items[todo[0]].Version
	cur, err := rw.Stat(ctx, g.file)
	switch {
	case errors.Is(err, scanners.ErrNotFound):
		return all(Gone, "the export file was gone before apply", "")
	case err != nil:
		return all(Failed, "the export file could not be read", err.Error())
	}
	if interrupted && r.j != nil {
		if pv, ok := r.j.prepared[fileKey]; ok && cur.Version == pv {
			// The rewrite of an interrupted run replaced the file: its rows
			// were acted on; log them now.
			for _, i := range todo {
				it := items[i]
				if !r.j.item(i + 1).intent {
					continue
				}
				r.deleted++
				if err := r.record(i+1, it, approval.RecordPseudonym(r.o.Pseudonyms, it.Store, it.Record), Done,
					rowReason(it)+" (completed after an interruption)", ""); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if cur.Version != planVersion {
		return all(Skipped, "the export file changed since the plan was made", "")
	}
	now, err := r.o.Planner.RecheckFile(ctx, g.store, g.file)
	if err != nil {
		return all(Failed, "the export file could not be read", err.Error())
	}
	drop := map[rowKey]bool{}
	edit := map[rowKey][]string{}
	var act []int
	var limitErr error
	for _, i := range todo {
		it, n := items[i], i+1
		rp := approval.RecordPseudonym(r.o.Pseudonyms, it.Store, it.Record)
		c := now[it.Record]
		key, ok := rowKeyOf(it.Record, g.file)
		var why string
		switch {
		case c == nil || !ok:
			if err := r.record(n, it, rp, Gone, "the row is no longer in the export file", ""); err != nil {
				return err
			}
			continue
		case c.Action != it.Action:
			why = fmt.Sprintf("no longer due today: now %s", c.Action)
		case it.Action == rules.Pseudonymise && !subset(it.Fields, c.Fields):
			why = "its fields are no longer due as planned"
		}
		if why != "" {
			if err := r.record(n, it, rp, Skipped, why, ""); err != nil {
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
		if it.Action == rules.Delete {
			drop[key] = true
		} else {
			edit[key] = it.Fields
		}
	}
	if len(act) == 0 {
		return limitErr
	}
	if r.o.DryRun {
		for _, i := range act {
			r.res.WouldDelete++
			r.res.Details = append(r.res.Details, Detail{i + 1, items[i].Store, items[i].Record, "would " + string(items[i].Action), rowReason(items[i])})
		}
		return limitErr
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
	_, err = rw.RewriteJournalled(ctx, g.file, planVersion,
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
		func(v string) error { return r.j.prepare(fileKey, v, r.o.Now()) })
	r.crash.at("delete")
	if err != nil {
		r.deleted -= len(act)
		todo = act
		if errors.Is(err, export.ErrChanged) {
			return errors.Join(all(Skipped, "the export file changed since the plan was made", ""), limitErr)
		}
		return errors.Join(all(Failed, "the export file could not be rewritten", err.Error()), limitErr)
	}
	for _, i := range act {
		it := items[i]
		if err := r.record(i+1, it, approval.RecordPseudonym(r.o.Pseudonyms, it.Store, it.Record), Done, rowReason(it), ""); err != nil {
			return err
		}
	}
	return limitErr
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

package rules

// FieldDecision is what happens to one field of an export row.
type FieldDecision struct {
	Field Field
	// Action is Keep or Pseudonymise. Pseudonymise means the field must no
	// longer be kept in the clear; which operator replaces it (keyed
	// pseudonym by default, or redact, generalise, mask) is the
	// organisation's choice per field, not the policy's (C24).
	Action Action
	// Due is the date the field became or becomes due; zero if no date is
	// known, or if no field rule will ever make it due on its own (a field
	// only a minimum covers, or one without a field rule, goes with the row).
	Due Date
	// Rule is the row of RETENTION-RULES.md that decided: a field rule's,
	// or the whole record's for a field that goes with the row; "" if none.
	Rule   string
	Reason Text
}

// RowDecision is the outcome of evaluating one export row: the row as a
// whole (Delete, Pseudonymise, Keep, Hold or Review) and, unless the row
// is deleted or reviewed as a whole, one FieldDecision per field kind.
type RowDecision struct {
	Decision
	// Fields follows the order of EvaluateRow's fields argument, one entry
	// per field kind. Nil when Action is Delete or Review: the row's
	// decision then covers every field.
	Fields []FieldDecision
}

// EvaluateRow decides what to do with one row of a vendor export as of
// asOf, given the field kinds the row holds (from the export profile; a
// kind listed twice is decided once). It is pure, like Evaluate.
//
// The row as a whole is judged as a record of its category (Evaluate).
// Review stays Review: a row not tied to one subject is never changed. Hold
// stays Hold, fields included. Otherwise each field is judged by the field
// rules that apply to it (subject type, field, category if the rule lists
// any, enabled, when and unless): of its maximums the earliest known
// governs, of its minimums the latest, and a minimum whose trigger is
// unknown never ends. A field whose maximum has passed and that no
// minimum still covers is due: Pseudonymise. A field with no field rule,
// or whose only minimum has ended, goes with the row. Then:
//
//   - the record is due (Delete) and no field is under a running minimum:
//     the row is deleted;
//   - the record is due but a minimum still covers some fields: the row is
//     kept, those fields are kept and every other field is pseudonymised
//     (statutory minimums win for the fields they cover, RETENTION-RULES.md);
//   - the record is kept and some fields are due: those are pseudonymised;
//   - otherwise the row is kept.
//
// Under an erasure request every field a field maximum covers is due on
// the request's day at the latest, and a row the record's minimum holds
// still has such fields pseudonymised.
//
// For Pseudonymise, Due, Rule, Trigger and Basis are those of the field
// that became due first; for Keep, of whatever comes due first: a field
// rule, or the record's own rule.
func EvaluateRow(p *Policy, f Facts, fields []Field, asOf Date) RowDecision {
	w := Evaluate(p, f, asOf)
	if w.Action == Review {
		return RowDecision{Decision: w}
	}
	states := fieldStates(p, f, fields)
	outs := make([]fieldOutcome, len(states))
	anyUnderMin := false
	for i, st := range states {
		outs[i] = judgeField(st, w, asOf)
		anyUnderMin = anyUnderMin || outs[i].underMin
	}
	switch {
	case w.Action == Hold && f.erasureInEffect(asOf):
		// Under an erasure request no hold rule holds (evaluate), so the
		// record is held only by a statutory minimum: fields whose own
		// maximum (or the request) has passed are pseudonymised now, the
		// rest stay with the record until the minimum ends (R2).
		for i := range outs {
			if outs[i].Action != Pseudonymise && !outs[i].underMin {
				outs[i] = heldField(states[i], w)
			}
		}
		if first(outs, isPseudonymised) != nil {
			return RowDecision{Decision: pseudonymiseRow(outs, w, true), Fields: decisions(outs)}
		}
		return RowDecision{Decision: w, Fields: decisions(outs)}
	case w.Action == Hold:
		for i := range outs {
			outs[i] = heldField(states[i], w)
		}
		return RowDecision{Decision: w, Fields: decisions(outs)}
	case w.Action == Delete && !anyUnderMin:
		w.Reason = joinAll(w.Reason, endedMinimums(states, asOf))
		return RowDecision{Decision: w}
	case w.Action == Delete:
		for i := range outs {
			if !outs[i].underMin && outs[i].Action != Pseudonymise && states[i].field != IDField {
				outs[i] = withRowDue(states[i], w)
			}
		}
		keepIDWithRow(states, outs)
		if first(outs, isPseudonymised) == nil {
			return RowDecision{Decision: keptByMinimum(outs, w), Fields: decisions(outs)}
		}
		return RowDecision{Decision: pseudonymiseRow(outs, w, true), Fields: decisions(outs)}
	}
	if first(outs, isPseudonymised) != nil {
		return RowDecision{Decision: pseudonymiseRow(outs, w, false), Fields: decisions(outs)}
	}
	return RowDecision{Decision: keepRow(outs, w), Fields: decisions(outs)}
}

// fieldState is the field rules of one field worked out for one row.
type fieldState struct {
	field    Field
	firstMax *clock // first applicable maximum, for its text when no date is known
	max      *clock // earliest known maximum
	min      *clock // latest minimum; one with an unknown end is latest of all
}

func fieldStates(p *Policy, f Facts, fields []Field) []*fieldState {
	var out []*fieldState
	seen := map[Field]bool{}
	for _, fl := range fields {
		if seen[fl] {
			continue
		}
		seen[fl] = true
		st := &fieldState{field: fl}
		for i := range p.rules {
			r := &p.rules[i]
			if !r.appliesToField(f.Subject, f.Category, fl) {
				continue
			}
			c := newClock(r, f)
			switch r.Kind {
			case KindMax:
				if st.firstMax == nil {
					st.firstMax = c
				}
				if c.known() && (st.max == nil || c.due.Before(st.max.due)) {
					st.max = c
				}
			case KindMin:
				if st.min == nil || st.min.known() && (!c.known() || c.due.After(st.min.due)) {
					st.min = c
				}
			}
		}
		// Under an erasure request every field a maximum covers is due on
		// the request's day at the latest; fields only a minimum covers
		// stay until it ends, then go with the row.
		if st.firstMax != nil && !f.Erasure.IsZero() {
			instead := st.max
			if instead == nil {
				instead = st.firstMax
			}
			if c := erasureClock(f, instead); st.max == nil || c.due.Before(st.max.due) {
				st.max = c
			}
		}
		out = append(out, st)
	}
	return out
}

func (st *fieldState) minRunning(asOf Date) bool {
	return st.min != nil && (!st.min.known() || asOf.Before(st.min.due))
}

func (st *fieldState) maxPassed(asOf Date) bool {
	return st.max != nil && !asOf.Before(st.max.due)
}

func (st *fieldState) minEnded(asOf Date) bool {
	return st.min != nil && st.min.known() && !asOf.Before(st.min.due)
}

// dueDate is when the field's own rules make it due: its earliest maximum,
// or a minimum that ends later; zero when it has no known maximum or a
// minimum with no known end.
func (st *fieldState) dueDate() Date {
	switch {
	case st.max == nil:
		return Date{}
	case st.min == nil:
		return st.max.due
	case !st.min.known():
		return Date{}
	case st.min.due.After(st.max.due):
		return st.min.due
	}
	return st.max.due
}

// fieldOutcome is a FieldDecision with what the row's decision needs.
type fieldOutcome struct {
	FieldDecision
	trigger  *Trigger
	basis    Text
	tail     Text // the reason after "field: ", shared by fields that agree
	underMin bool // kept by a running statutory minimum
	pending  bool // kept now; a field rule makes it due on Due
}

func outcome(st *fieldState, a Action, due Date, rule string, tail Text) fieldOutcome {
	o := fieldOutcome{FieldDecision: FieldDecision{Field: st.field, Action: a, Due: due, Rule: rule}, tail: tail}
	o.Reason = fieldText([]Field{st.field}, tail)
	return o
}

func fromClock(st *fieldState, a Action, due Date, c *clock, tail Text) fieldOutcome {
	o := outcome(st, a, due, c.rule.Row, tail)
	o.trigger, o.basis = c.trigger(), basisText(c.rule)
	return o
}

func fromRow(st *fieldState, a Action, w Decision, tail Text) fieldOutcome {
	o := outcome(st, a, w.Due, w.Rule, tail)
	o.trigger, o.basis = w.Trigger, w.Basis
	return o
}

// judgeField decides a field by its own rules, as if the record is kept.
func judgeField(st *fieldState, w Decision, asOf Date) fieldOutcome {
	switch {
	case st.maxPassed(asOf) && !st.minRunning(asOf):
		return fromClock(st, Pseudonymise, st.dueDate(), st.max, passedTail(st))
	case st.minRunning(asOf):
		due := st.min.due
		if st.max != nil {
			due = st.dueDate()
		}
		o := fromClock(st, Keep, due, st.min, minKeepTail(st, asOf))
		o.underMin, o.pending = true, st.max != nil && !due.IsZero()
		return o
	case st.max != nil:
		o := fromClock(st, Keep, st.max.due, st.max, maxRunsTail(st.max))
		o.pending = true
		return o
	case st.firstMax != nil:
		return fromClock(st, Keep, Date{}, st.firstMax, maxRunsTail(st.firstMax))
	}
	return fromRow(st, Keep, w, keptWithRowTail(st, w))
}

// withRowDue pseudonymises a field that goes with a due record whose row a
// minimum keeps for other fields.
func withRowDue(st *fieldState, w Decision) fieldOutcome {
	return fromRow(st, Pseudonymise, w, rowDueTail(w))
}

// keepIDWithRow keeps the administration number of a due record whose row
// a minimum keeps for other fields, until the last such minimum ends: the
// row is still filed under it, and without it no later run could tie the
// kept fields to their subject and delete the row when the minimum ends.
func keepIDWithRow(states []*fieldState, outs []fieldOutcome) {
	var last *fieldOutcome
	for i := range outs {
		o := &outs[i]
		if o.underMin && (last == nil || !last.Due.IsZero() && (o.Due.IsZero() || o.Due.After(last.Due))) {
			last = o
		}
	}
	for i, st := range states {
		if st.field != IDField || outs[i].underMin || outs[i].Action == Pseudonymise {
			continue
		}
		o := outcome(st, Keep, last.Due, last.Rule, idKeptTail(last.Rule))
		o.trigger, o.basis = last.trigger, last.basis
		outs[i] = o
	}
}

func heldField(st *fieldState, w Decision) fieldOutcome {
	return fromRow(st, Keep, w, heldTail(w))
}

func decisions(outs []fieldOutcome) []FieldDecision {
	out := make([]FieldDecision, len(outs))
	for i, o := range outs {
		out[i] = o.FieldDecision
	}
	return out
}

// first returns the outcome among outs for which ok holds with the
// earliest known due date (a zero due counts as latest), or nil.
func first(outs []fieldOutcome, ok func(fieldOutcome) bool) *fieldOutcome {
	var best *fieldOutcome
	for i := range outs {
		o := &outs[i]
		if !ok(*o) {
			continue
		}
		if best == nil || !o.Due.IsZero() && (best.Due.IsZero() || o.Due.Before(best.Due)) {
			best = o
		}
	}
	return best
}

func isPseudonymised(o fieldOutcome) bool { return o.Action == Pseudonymise }
func isUnderMin(o fieldOutcome) bool      { return o.underMin }

func pseudonymiseRow(outs []fieldOutcome, w Decision, recordDue bool) Decision {
	o := first(outs, isPseudonymised)
	d := Decision{Action: Pseudonymise, Due: o.Due, Rule: o.Rule, Trigger: o.trigger, Basis: o.basis}
	var parts []Text
	if recordDue {
		parts = append(parts, groupedTexts(outs, isUnderMin)...)
	}
	parts = append(parts, groupedTexts(outs, isPseudonymised)...)
	if recordDue {
		parts = append(parts, prefixed(txtRecordDueKept, w.Reason))
	} else {
		parts = append(parts, prefixed(txtRecordKept, w.Reason))
	}
	d.Reason = joinAll(append(parts, txtC24)...)
	return d
}

// keepRow is the record's Keep, unless a field comes due before the
// record does: then the row's next date is that field's.
func keepRow(outs []fieldOutcome, w Decision) Decision {
	pending := func(o fieldOutcome) bool { return o.pending }
	d := w
	if o := first(outs, pending); o != nil && (w.Due.IsZero() || o.Due.Before(w.Due)) {
		d.Due, d.Rule, d.Trigger, d.Basis = o.Due, o.Rule, o.trigger, o.basis
	}
	if g := groupedTexts(outs, pending); len(g) > 0 {
		d.Reason = join(w.Reason, prefixed(txtFieldTerms, joinAll(g...)))
	}
	return d
}

// keptByMinimum is the row of a due record whose every field a statutory
// minimum still covers: kept until the last of those minimums ends.
func keptByMinimum(outs []fieldOutcome, w Decision) Decision {
	var last *fieldOutcome
	for i := range outs {
		o := &outs[i]
		if o.underMin && (last == nil || !last.Due.IsZero() && (o.Due.IsZero() || o.Due.After(last.Due))) {
			last = o
		}
	}
	d := Decision{Action: Keep, Due: last.Due, Rule: last.Rule, Trigger: last.trigger, Basis: last.basis}
	parts := groupedTexts(outs, isUnderMin)
	d.Reason = joinAll(append(parts, prefixed(txtRecordDueKept, w.Reason))...)
	return d
}

package rules

import "time"

// Evaluate decides what to do with one record as of asOf. It is pure: no
// clock, no I/O, the same answer for the same arguments.
//
// In short: a record not tied to one subject, or with no rule for its
// category, goes to review. A hired applicant's or intern's record is
// judged as part of the employee's file. Of the maximum terms (max rules)
// whose trigger date is known, the earliest governs; of the statutory
// minimums (min rules), the latest, and a minimum whose trigger is unknown
// never ends. A maximum that falls inside a minimum gives hold until the
// minimum ends, then delete. A record is due ON its due date. A hold rule
// (C2) that applies turns a delete into a hold for as long as its flag is
// set.
//
// An erasure request (Facts.Erasure, R2) is one more maximum, due on the
// request's day; minimums still win. Once received, it lifts hold rules.
// See erasure.go.
//
// Evaluate leaves Decision.Considered empty: a plan over a million files
// needs only the decision. Explain fills it in.
func Evaluate(p *Policy, f Facts, asOf Date) Decision {
	return evaluate(p, f, asOf, false, false)
}

// Explain is Evaluate with Decision.Considered filled in: what every rule
// that applied said, for `retentiond explain` and the tests.
func Explain(p *Policy, f Facts, asOf Date) Decision {
	return evaluate(p, f, asOf, false, true)
}

// clock is one timed rule (max or min) worked out for one record.
type clock struct {
	rule  *Rule
	event Event // the resolved event; for an unknown date, the first one the subject could have
	date  Date  // the trigger date; zero if unknown
	note  Text  // how the date was found, if not straight from a registry
	// conflict is set when the registry and a year in the record's path
	// disagree about the trigger (RETENTION-RULES.md, "Dates and arithmetic": the
	// registry knows better); the record then goes to review.
	conflict Text
	due      Date // date + term; zero if the trigger is unknown
	// erasure marks the clock of an erasure request (erasure.go); instead
	// is the maximum that would have governed without it.
	erasure bool
	instead *clock
}

func (c *clock) known() bool { return !c.date.IsZero() }

func (c *clock) trigger() *Trigger {
	if !c.known() {
		return nil
	}
	return &Trigger{Event: c.event, Date: c.date}
}

func evaluate(p *Policy, f Facts, asOf Date, transferred, explain bool) Decision {
	if p == nil {
		return review(txtNoPolicy)
	}
	if f.Subject == nil {
		return review(txtNoSubject)
	}
	var maxes, mins []*clock
	var holds []*Rule
	var anyRule bool
	for i := range p.rules {
		r := &p.rules[i]
		if !r.appliesTo(f.Subject, f.Category) {
			continue
		}
		anyRule = true
		switch r.Kind {
		case KindTransfer:
			return evalTransfer(p, f, asOf, r, transferred, explain)
		case KindMax:
			maxes = append(maxes, newClock(r, f))
		case KindMin:
			mins = append(mins, newClock(r, f))
		case KindHold:
			holds = append(holds, r)
		}
	}
	if !anyRule {
		return review(noRuleText(f.Category, f.Subject.Type))
	}
	if c := conflicting(maxes, mins); c != nil {
		d := review(c.conflict)
		d.Rule, d.Basis = c.rule.Row, basisText(c.rule)
		return d
	}
	maxes = withErasure(maxes, mins, f)
	d, decider := decide(maxes, mins, asOf)
	if decider == nil {
		d = review(onlyHoldText(f.Category, f.Subject.Type))
	}
	lifted := false
	switch {
	case d.Action != Delete || len(holds) == 0:
	case f.erasureInEffect(asOf):
		// The waiting-list request (C2) is the parent's; an erasure request
		// from the same parent withdraws it.
		d.Reason = join(d.Reason, holdLiftedText(holds[0], f))
		lifted = true
	default:
		h := holds[0]
		d.Action, d.Rule = Hold, h.Row
		d.Reason = join(d.Reason, holdText(h, f.Subject))
		decider = h
	}
	if decider != nil {
		d.Basis = basisText(decider)
	}
	if !explain {
		return d
	}
	for _, c := range maxes {
		d.Considered = append(d.Considered, consideredMax(c))
	}
	for _, c := range mins {
		d.Considered = append(d.Considered, consideredMin(c))
	}
	for _, h := range holds {
		if lifted {
			d.Considered = append(d.Considered, prefixed(Text{h.Row + " hold: ", h.Row + " blokkade: "}, holdLiftedText(h, f)))
			continue
		}
		d.Considered = append(d.Considered, consideredHold(h, f.Subject, d.Rule == h.Row && d.Action == Hold))
	}
	return d
}

// decide combines the max and min clocks; it returns the decision and the
// rule that decided, or nil when there is no timed rule at all.
func decide(maxes, mins []*clock, asOf Date) (Decision, *Rule) {
	var first, earliest *clock // first max rule; earliest known max due
	for _, c := range maxes {
		if first == nil {
			first = c
		}
		if c.known() && (earliest == nil || c.due.Before(earliest.due)) {
			earliest = c
		}
	}
	var latest *clock // latest min end; a min with an unknown end is latest of all
	for _, c := range mins {
		switch {
		case latest == nil:
			latest = c
		case !latest.known():
		case !c.known() || c.due.After(latest.due):
			latest = c
		}
	}
	switch {
	case earliest != nil:
		m := earliest.due
		if latest == nil || (latest.known() && !latest.due.After(m)) {
			d := Decision{Action: Keep, Due: m, Rule: earliest.rule.Row, Trigger: earliest.trigger(), Reason: earliest.clause()}
			if !asOf.Before(m) {
				d.Action = Delete
			}
			return d, earliest.rule
		}
		e := latest.due // zero if the minimum has no known end
		switch {
		case asOf.Before(m):
			return Decision{Action: Keep, Due: e, Rule: latest.rule.Row, Trigger: latest.trigger(),
				Reason: minBeyondMaxText(earliest, latest, false)}, latest.rule
		case e.IsZero() || asOf.Before(e):
			return Decision{Action: Hold, Due: e, Rule: latest.rule.Row, Trigger: latest.trigger(),
				Reason: minBeyondMaxText(earliest, latest, true)}, latest.rule
		}
		return Decision{Action: Delete, Due: e, Rule: earliest.rule.Row, Trigger: earliest.trigger(),
			Reason: deleteAfterMinText(earliest, latest)}, earliest.rule
	case first != nil:
		return Decision{Action: Keep, Rule: first.rule.Row, Reason: first.clause()}, first.rule
	case latest != nil:
		d := Decision{Action: Keep, Due: latest.due, Rule: latest.rule.Row, Trigger: latest.trigger(), Reason: minOnlyText(latest, false)}
		if latest.known() && !asOf.Before(latest.due) {
			d.Action, d.Reason = Delete, minOnlyText(latest, true)
		}
		return d, latest.rule
	}
	return Decision{}, nil
}

// evalTransfer judges a hired applicant's or intern's record as part of the
// file of the employee the person became.
func evalTransfer(p *Policy, f Facts, asOf Date, r *Rule, transferred, explain bool) Decision {
	if transferred {
		d := review(txtTransferLoop)
		d.Rule = r.Row
		return d
	}
	if f.Employee == nil || f.Employee.Type != r.To.Subject {
		d := review(hiredUnlinkedText(r))
		d.Rule, d.Basis = r.Row, basisText(r)
		return d
	}
	g := f
	g.Subject, g.Category, g.Employee = f.Employee, r.To.Category, nil
	// The year in the old record's path is about the application or the
	// internship, not about the employment: using it as the end of
	// employment could delete a current employee's file.
	g.EndYear = 0
	d := evaluate(p, g, asOf, true, explain)
	d.Reason = join(transferText(r, f.Category), d.Reason)
	if explain {
		d.Considered = append([]Text{transferText(r, f.Category)}, d.Considered...)
	}
	return d
}

func review(reason Text) Decision { return Decision{Action: Review, Reason: reason} }

// newClock resolves the rule's trigger for the record: the first trigger
// with a known date wins.
func newClock(r *Rule, f Facts) *clock {
	c := &clock{rule: r}
	for _, e := range r.Triggers {
		ev, d, note := resolve(e, f)
		if c.event == "" && eventFor(e, f.Subject.Type) {
			c.event = ev
		}
		if t := yearConflict(e, f); !t.empty() {
			c.event, c.conflict = ev, t
			break
		}
		if !d.IsZero() {
			c.event, c.date, c.note = ev, d, note
			c.due = r.Term.Expires(d)
			break
		}
	}
	return c
}

// resolve finds the date of event e for the record, with a note saying how
// when it is not a plain registry date.
func resolve(e Event, f Facts) (Event, Date, Text) {
	s := f.Subject
	switch e {
	case RecordDate:
		if !f.PathDate.IsZero() {
			return e, f.PathDate, txtFromPath
		}
		return e, f.ModDate, txtFromModDate
	case FiscalYearEnd:
		switch {
		case !f.PathDate.IsZero():
			return e, f.PathDate.EndOfYear(), txtFiscalFromPath
		case f.EndYear != 0:
			return e, MakeDate(f.EndYear, time.December, 31), txtFiscalFromYear
		case !f.ModDate.IsZero():
			return e, f.ModDate.EndOfYear(), txtFiscalFromModDate
		}
		return e, Date{}, Text{}
	case End:
		e = EndEvent[s.Type]
	}
	d := s.Date(e)
	if d.IsZero() && e == EndEvent[s.Type] && f.EndYear != 0 {
		// Only the year is known (a paper archive filed by the year the
		// contract ended): the last day of that year never deletes early.
		return e, MakeDate(f.EndYear, time.December, 31), txtYearOnly
	}
	return e, d, Text{}
}

// yearConflict reports whether the year in the record's path ({end_year})
// and the subject's registry disagree about the end event e: the registry
// records the end but shows none (back in care, still employed), or an
// end in an earlier year than the folder's. A folder year must never make
// such a person due; a later registry end date simply wins (resolve).
func yearConflict(e Event, f Facts) Text {
	s := f.Subject
	if f.EndYear == 0 || s == nil || (e != End && e != EndEvent[s.Type]) {
		return Text{}
	}
	end := EndEvent[s.Type]
	if !s.Recorded[end] {
		return Text{}
	}
	d := s.Dates[end]
	switch {
	case d.IsZero():
		return registryOpenText(end, f.EndYear)
	case d.Year < f.EndYear:
		return registryEarlierText(end, d, f.EndYear)
	}
	return Text{}
}

// conflicting returns the first clock whose trigger the registry and the
// record's path disagree about, or nil.
func conflicting(clocks ...[]*clock) *clock {
	for _, cs := range clocks {
		for _, c := range cs {
			if !c.conflict.empty() {
				return c
			}
		}
	}
	return nil
}

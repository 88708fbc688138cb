package rules

import "fmt"

// An erasure request (RETENTION-RULES.md R2, GitHub issue 8) works as one
// more maximum term: the record must be gone on the day the request was
// received. Because it is a maximum, everything the engine already does
// with maximums follows: the earliest maximum governs, and a statutory
// minimum still wins (the record is held until the minimum ends, then
// deleted, with the statute named), which is what R2 says: refuse where a
// statutory duty applies, delete the rest now and the remainder when the
// statutory term ends.

// ErasureRow is the row of RETENTION-RULES.md that decisions driven by an
// erasure request name.
const ErasureRow = "R2"

// ErasureRequest is the event an erasure request's clock runs from. It is
// not in Events: a policy cannot name it as a trigger, only Facts.Erasure
// sets it.
const ErasureRequest Event = "erasure_request"

var erasureRule = Rule{
	ID: ErasureRow, Row: ErasureRow, Kind: KindMax,
	Title:  Text{"erasure request", "verzoek tot verwijdering"},
	Source: "000; 002",
	Basis: Text{
		"The data subject asked for erasure (AVG art. 17). A deletion request is refused only where a statutory retention duty applies; what that duty does not cover is deleted now, the rest when the statutory term ends.",
		"De betrokkene heeft om verwijdering gevraagd (AVG art. 17). Een verzoek tot verwijdering wordt alleen geweigerd waar een wettelijke bewaarplicht geldt; wat daar niet onder valt wordt nu verwijderd, de rest zodra de wettelijke termijn eindigt.",
	},
}

// erasureClock is the erasure request as a maximum due on its own date.
// instead is the maximum that would have governed without the request
// (nil if none), for the reason text.
func erasureClock(f Facts, instead *clock) *clock {
	return &clock{rule: &erasureRule, event: ErasureRequest, date: f.Erasure, due: f.Erasure, erasure: true, instead: instead}
}

// erasureInEffect reports whether an erasure request has been received as
// of asOf. A request dated after asOf is not yet known on the plan's day:
// its clock runs (the record is due on that date), but it does not yet
// lift a hold.
func (f Facts) erasureInEffect(asOf Date) bool {
	return !f.Erasure.IsZero() && !asOf.Before(f.Erasure)
}

// withErasure adds the erasure clock to the maximums of a record that has
// timed rules. It goes last, so that a rule due on the same day keeps its
// name.
func withErasure(maxes, mins []*clock, f Facts) []*clock {
	if f.Erasure.IsZero() || len(maxes)+len(mins) == 0 {
		return maxes
	}
	var instead *clock
	for _, c := range maxes {
		if instead == nil || c.known() && (!instead.known() || c.due.Before(instead.due)) {
			instead = c
		}
	}
	return append(maxes, erasureClock(f, instead))
}

// erasureClause says the request and what it replaced: "erasure requested
// on 2027-01-01 (R2); without it: child dossier: 2 years after …".
func erasureClause(c *clock) Text {
	return both(func(l string) string {
		s := fmt.Sprintf(pick(l, "erasure requested on %s (%s)", "verzoek tot verwijdering van %s (%s)"),
			FormatDate(c.date, l), c.rule.Row)
		if c.instead != nil {
			return s + pick(l, "; without it: ", "; anders: ") + c.instead.clause().In(l)
		}
		return s + pick(l, "; no maximum term applies", "; er geldt geen maximumtermijn")
	})
}

// erasureTerm is termClause for the erasure clock.
func erasureTerm(c *clock, l string) string {
	return fmt.Sprintf(pick(l, "erasure requested on %s", "verzoek tot verwijdering van %s"), FormatDate(c.date, l))
}

// holdLiftedText says why a hold (C2) no longer holds: the parent who
// asked to keep the child on the waiting list has now asked for erasure,
// which withdraws that request.
func holdLiftedText(h *Rule, f Facts) Text {
	return both(func(l string) string {
		return fmt.Sprintf(pick(l, "not held under %s: the erasure request of %s withdraws it",
			"niet vastgehouden onder %s: het verzoek tot verwijdering van %s trekt dat in"),
			h.Row, FormatDate(f.Erasure, l))
	})
}

// erasureFieldTail is a field's reason when an erasure request governs
// it: "erasure requested on 2027-01-01 (R2); instead of 1 year after …".
func erasureFieldTail(c *clock, passed bool) Text {
	return both(func(l string) string {
		s := fmt.Sprintf(pick(l, "erasure requested on %s, due then (%s)", "verzoek tot verwijdering van %s, verloopt dan (%s)"),
			FormatDate(c.date, l), c.rule.Row)
		if passed {
			s = fmt.Sprintf(pick(l, "erasure requested on %s (%s)", "verzoek tot verwijdering van %s (%s)"),
				FormatDate(c.date, l), c.rule.Row)
		}
		if c.instead != nil {
			s += fmt.Sprintf(pick(l, "; instead of %s (%s)", "; in plaats van %s (%s)"), termClause(c.instead, l), c.instead.rule.Row)
		}
		return s
	})
}

package rules

import (
	"fmt"
	"strings"
)

// Field reasons are "field: tail"; fields whose tails agree share one
// phrase in the row's reason ("address, postal code, town: 1 year …").

var (
	txtC24 = Text{"due fields are pseudonymised, not kept in the clear (C24)",
		"verlopen velden worden gepseudonimiseerd, niet leesbaar bewaard (C24)"}
	txtRecordKept    = Text{"the record itself is kept: ", "het record zelf blijft bewaard: "}
	txtRecordDueKept = Text{"the record itself is due: ", "het record zelf is verlopen: "}
	txtFieldTerms    = Text{"field terms: ", "veldtermijnen: "}
)

// termClause says a clock's term and trigger without the rule's title:
// "1 year after end of contract (2024-03-15)".
func termClause(c *clock, l string) string {
	if c.erasure {
		return erasureTerm(c, l)
	}
	s := c.rule.Term.Describe(l) + pick(l, " after ", " na ") + EventName(c.event, l)
	if !c.known() {
		return s
	}
	note := ""
	if n := c.note.In(l); n != "" {
		note = "; " + n
	}
	return s + " (" + FormatDate(c.date, l) + note + ")"
}

// passedTail: the field's maximum has passed (and any minimum with it).
func passedTail(st *fieldState) Text {
	if st.max.erasure {
		return erasureFieldTail(st.max, true)
	}
	return both(func(l string) string {
		s := fmt.Sprintf(pick(l, "%s passed on %s (%s)", "%s verstreken op %s (%s)"),
			termClause(st.max, l), FormatDate(st.max.due, l), st.max.rule.Row)
		if st.min != nil && st.min.due.After(st.max.due) {
			s += fmt.Sprintf(pick(l, "; kept until %s under statutory minimum %s (%s)",
				"; bewaard tot %s onder de wettelijke minimumtermijn %s (%s)"),
				FormatDate(st.min.due, l), st.min.rule.Row, termClause(st.min, l))
		}
		return s
	})
}

// minKeepTail: a statutory minimum keeps the field.
func minKeepTail(st *fieldState, asOf Date) Text {
	mn := st.min
	return both(func(l string) string {
		var s string
		if mn.known() {
			s = fmt.Sprintf(pick(l, "kept until %s under %s (statutory minimum: %s)",
				"bewaard tot %s onder %s (wettelijke minimumtermijn: %s)"),
				FormatDate(mn.due, l), mn.rule.Row, termClause(mn, l))
		} else {
			s = fmt.Sprintf(pick(l, "kept under %s until its end is known (statutory minimum: %s; %s)",
				"bewaard onder %s tot het einde bekend is (wettelijke minimumtermijn: %s; %s)"),
				mn.rule.Row, termClause(mn, l), unknownEvent(mn.event, l))
		}
		if st.maxPassed(asOf) {
			s += fmt.Sprintf(pick(l, "; its maximum under %s passed on %s, but the statutory minimum wins",
				"; de maximumtermijn onder %s verstreek op %s, maar de wettelijke minimumtermijn gaat voor"),
				st.max.rule.Row, FormatDate(st.max.due, l))
		}
		return s
	})
}

// maxRunsTail: the field's maximum has not passed, or has no date yet.
func maxRunsTail(c *clock) Text {
	if c.erasure {
		return erasureFieldTail(c, false)
	}
	return both(func(l string) string {
		if !c.known() {
			return fmt.Sprintf("%s (%s); %s", termClause(c, l), c.rule.Row, unknownEvent(c.event, l))
		}
		return fmt.Sprintf(pick(l, "%s, due on %s (%s)", "%s, verloopt op %s (%s)"),
			termClause(c, l), FormatDate(c.due, l), c.rule.Row)
	})
}

// keptWithRowTail: no field rule (or only an ended minimum) covers the
// field, and the record is kept.
func keptWithRowTail(st *fieldState, w Decision) Text {
	return both(func(l string) string {
		s := pick(l, "no field rule", "geen veldregel")
		if st.min != nil {
			s = fmt.Sprintf(pick(l, "statutory minimum %s ended on %s", "wettelijke minimumtermijn %s eindigde op %s"),
				st.min.rule.Row, FormatDate(st.min.due, l))
		}
		return s + fmt.Sprintf(pick(l, "; kept with the record (%s)", "; bewaard met het record (%s)"), w.Rule)
	})
}

// rowDueTail: the field goes with a due record, but the row stays for
// fields a minimum keeps.
func rowDueTail(w Decision) Text {
	return both(func(l string) string {
		return fmt.Sprintf(pick(l, "due with the record on %s (%s)", "verlopen met het record op %s (%s)"),
			FormatDate(w.Due, l), w.Rule)
	})
}

// idKeptTail: the administration number stays with a row a minimum keeps.
func idKeptTail(rule string) Text {
	return both(func(l string) string {
		return fmt.Sprintf(pick(l, "kept with the row while %s keeps it: the row is filed under it",
			"bewaard met de regel zolang %s die bewaart: de regel staat onder dit nummer"), rule)
	})
}

func heldTail(w Decision) Text {
	return both(func(l string) string {
		return fmt.Sprintf(pick(l, "held with the record (%s)", "vastgehouden met het record (%s)"), w.Rule)
	})
}

// endedMinimums notes, for a deleted row, the field minimums that ended.
func endedMinimums(states []*fieldState, asOf Date) Text {
	var outs []fieldOutcome
	for _, st := range states {
		if st.minEnded(asOf) {
			tail := both(func(l string) string {
				return fmt.Sprintf(pick(l, "statutory minimum %s ended on %s", "wettelijke minimumtermijn %s eindigde op %s"),
					st.min.rule.Row, FormatDate(st.min.due, l))
			})
			outs = append(outs, outcome(st, Delete, st.min.due, st.min.rule.Row, tail))
		}
	}
	return joinAll(groupedTexts(outs, func(fieldOutcome) bool { return true })...)
}

// fieldText is "field, field: tail".
func fieldText(fields []Field, tail Text) Text {
	return both(func(l string) string {
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = FieldName(f, l)
		}
		return strings.Join(names, ", ") + ": " + tail.In(l)
	})
}

// groupedTexts joins the fields among outs for which ok holds and whose
// tails agree, in field order.
func groupedTexts(outs []fieldOutcome, ok func(fieldOutcome) bool) []Text {
	var tails []Text
	groups := map[Text][]Field{}
	for _, o := range outs {
		if !ok(o) {
			continue
		}
		if _, seen := groups[o.tail]; !seen {
			tails = append(tails, o.tail)
		}
		groups[o.tail] = append(groups[o.tail], o.Field)
	}
	out := make([]Text, len(tails))
	for i, t := range tails {
		out[i] = fieldText(groups[t], t)
	}
	return out
}

func prefixed(prefix, t Text) Text { return Text{EN: prefix.EN + t.EN, NL: prefix.NL + t.NL} }

// joinAll joins the non-empty texts with "; ".
func joinAll(ts ...Text) Text {
	var en, nl []string
	for _, t := range ts {
		if t.EN != "" {
			en = append(en, t.EN)
		}
		if t.NL != "" {
			nl = append(nl, t.NL)
		}
	}
	return Text{EN: strings.Join(en, "; "), NL: strings.Join(nl, "; ")}
}

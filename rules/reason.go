package rules

import (
	"fmt"
	"strings"
)

// Reasons are built once per language by the same function, so that the
// English and Dutch texts cannot drift apart in what they say.

func both(f func(lang string) string) Text { return Text{EN: f("en"), NL: f("nl")} }

func pick(lang, en, nl string) string {
	if lang == "nl" {
		return nl
	}
	return en
}

// FormatDate writes d as reports do: YYYY-MM-DD in English, dd-mm-yyyy in
// Dutch; "" for the zero date.
func FormatDate(d Date, lang string) string {
	if d.IsZero() {
		return ""
	}
	if lang == "nl" {
		return fmt.Sprintf("%02d-%02d-%04d", d.Day, d.Month, d.Year)
	}
	return d.String()
}

func join(a, b Text) Text {
	return Text{EN: a.EN + "; " + b.EN, NL: a.NL + "; " + b.NL}
}

var (
	txtNoPolicy     = Text{"no policy loaded: nothing can be decided", "geen beleid geladen: er valt niets te beslissen"}
	txtNoSubject    = Text{"not tied to exactly one subject", "niet aan precies één betrokkene gekoppeld"}
	txtTransferLoop = Text{"a transfer rule led to another transfer: check the policy", "een overdrachtsregel leidde tot nog een overdracht: controleer het beleid"}

	txtFromPath          = Text{"date in the path", "datum uit het pad"}
	txtFromModDate       = Text{"modification date", "wijzigingsdatum"}
	txtFiscalFromPath    = Text{"fiscal year of the date in the path", "boekjaar van de datum in het pad"}
	txtFiscalFromYear    = Text{"year in the path", "jaartal in het pad"}
	txtFiscalFromModDate = Text{"fiscal year of the modification date", "boekjaar van de wijzigingsdatum"}
	txtYearOnly          = Text{"year only: counted from 31 December", "alleen het jaar bekend: geteld vanaf 31 december"}
)

// clause says what the clock's rule says about the record, such as
// "child dossier: 2 years after end of care (2024-03-15)".
func (c *clock) clause() Text {
	if c.erasure {
		return erasureClause(c)
	}
	return both(func(l string) string {
		s := c.rule.Title.In(l) + ": " + c.rule.Term.Describe(l) + pick(l, " after ", " na ") + EventName(c.event, l)
		if c.known() {
			note := ""
			if n := c.note.In(l); n != "" {
				note = "; " + n
			}
			return s + " (" + FormatDate(c.date, l) + note + ")"
		}
		return s + "; " + unknownEvent(c.event, l)
	})
}

// unknownEvent says that the clock's date is not known yet, and what that
// usually means ("still in care").
func unknownEvent(e Event, l string) string {
	s := fmt.Sprintf(pick(l, "no %s known yet", "nog geen %s bekend"), EventName(e, l))
	if e == RecordDate {
		s = pick(l, "no date known for the record", "geen datum bekend voor het record")
	}
	if st, ok := stillNames[e]; ok {
		s += " (" + st.In(l) + ")"
	}
	return s
}

// minBeyondMaxText explains a maximum that falls inside a statutory
// minimum: before the maximum (held=false) and in the hold window.
func minBeyondMaxText(mx, mn *clock, held bool) Text {
	return both(func(l string) string {
		var s string
		if held {
			s = fmt.Sprintf(pick(l, "due under %s since %s (%s), but statutory minimum %s keeps it ",
				"verlopen onder %s sinds %s (%s), maar de wettelijke minimumtermijn %s bewaart het "),
				mx.rule.Row, FormatDate(mx.due, l), mx.clause().In(l), mn.rule.Row)
		} else {
			s = fmt.Sprintf(pick(l, "due under %s on %s (%s), but statutory minimum %s keeps it ",
				"verloopt onder %s op %s (%s), maar de wettelijke minimumtermijn %s bewaart het "),
				mx.rule.Row, FormatDate(mx.due, l), mx.clause().In(l), mn.rule.Row)
		}
		if mn.known() {
			return s + fmt.Sprintf(pick(l, "until %s (%s)", "tot %s (%s)"), FormatDate(mn.due, l), mn.clause().In(l))
		}
		return s + fmt.Sprintf(pick(l, "until its end is known (%s)", "tot het einde bekend is (%s)"), mn.clause().In(l))
	})
}

// deleteAfterMinText explains a deletion that waited for a minimum.
func deleteAfterMinText(mx, mn *clock) Text {
	return both(func(l string) string {
		return mx.clause().In(l) + fmt.Sprintf(pick(l,
			"; due under %s since %s, kept until statutory minimum %s ended on %s; kept only as long as the statutory duty requires (S5)",
			"; verlopen onder %s sinds %s, bewaard tot de wettelijke minimumtermijn %s eindigde op %s; niet langer bewaard dan de wettelijke plicht vereist (S5)"),
			mx.rule.Row, FormatDate(mx.due, l), mn.rule.Row, FormatDate(mn.due, l))
	})
}

// minOnlyText explains a record that only statutory minimums cover: it is
// kept until the latest ends and not a day longer (S5).
func minOnlyText(mn *clock, ended bool) Text {
	return both(func(l string) string {
		s := fmt.Sprintf(pick(l, "%s: statutory minimum of %s after %s", "%s: wettelijke minimumtermijn van %s na %s"),
			mn.rule.Title.In(l), mn.rule.Term.Describe(l), EventName(mn.event, l))
		if !mn.known() {
			return s + "; " + unknownEvent(mn.event, l)
		}
		s += " (" + FormatDate(mn.date, l)
		if n := mn.note.In(l); n != "" {
			s += "; " + n
		}
		s += ")"
		if ended {
			return s + fmt.Sprintf(pick(l, " ended on %s; kept only as long as the statutory duty requires (S5)",
				" eindigde op %s; niet langer bewaard dan de wettelijke plicht vereist (S5)"), FormatDate(mn.due, l))
		}
		return s + fmt.Sprintf(pick(l, " runs until %s", " loopt tot %s"), FormatDate(mn.due, l))
	})
}

// holdText says which flag holds a due deletion, and for how long.
func holdText(h *Rule, s *Subject) Text {
	return both(func(l string) string {
		return fmt.Sprintf(pick(l, "held under %s: %s; held for as long as that is so",
			"vastgehouden onder %s: %s; bewaard zolang dat zo is"), h.Row, setFlags(h, s, l))
	})
}

func setFlags(h *Rule, s *Subject, l string) string {
	var out []string
	for _, f := range h.When {
		if s.Flag(f) {
			out = append(out, FlagName(f, l))
		}
	}
	if len(out) == 0 {
		return pick(l, "always", "altijd")
	}
	return strings.Join(out, pick(l, " and ", " en "))
}

func transferText(r *Rule, from Category) Text {
	return both(func(l string) string {
		return fmt.Sprintf(pick(l, "hired: %s now part of the %s of the %s (%s)",
			"in dienst getreden: %s nu onderdeel van het %s van de %s (%s)"),
			CategoryName(from, l), CategoryName(r.To.Category, l), SubjectName(r.To.Subject, l), r.Row)
	})
}

func hiredUnlinkedText(r *Rule) Text {
	return both(func(l string) string {
		return fmt.Sprintf(pick(l, "hired: link the person in the %s registry, then the %s rules apply (%s)",
			"in dienst getreden: koppel de persoon aan de registratie van %s, dan gelden de regels van het %s (%s)"),
			SubjectName(r.To.Subject, l), CategoryName(r.To.Category, l), r.Row)
	})
}

func noRuleText(c Category, t SubjectType) Text {
	return both(func(l string) string {
		return fmt.Sprintf(pick(l, "no rule for category %s (%s) of %s: decide by hand or add an override",
			"geen regel voor categorie %s (%s) van %s: beoordeel zelf of voeg een override toe"),
			c, CategoryName(c, l), withArticle(SubjectName(t, l), l))
	})
}

func onlyHoldText(c Category, t SubjectType) Text {
	return both(func(l string) string {
		return fmt.Sprintf(pick(l, "no retention term for category %s (%s) of %s, only a hold: decide by hand",
			"geen bewaartermijn voor categorie %s (%s) van %s, alleen een blokkade: beoordeel zelf"),
			c, CategoryName(c, l), withArticle(SubjectName(t, l), l))
	})
}

// basisText is the rule's basis, and the organisation's own citation when
// an override changed the rule.
func basisText(r *Rule) Text {
	if !r.Overridden {
		return r.Basis
	}
	return both(func(l string) string {
		b := r.Basis.In(l)
		if b != "" {
			b += " "
		}
		if r.OverrideSource == "" {
			return b + pick(l, "Changed by the organisation's config.", "Aangepast in de configuratie van de organisatie.")
		}
		return b + pick(l, "Changed by the organisation's policy: ", "Aangepast door het beleid van de organisatie: ") + r.OverrideSource
	})
}

// label names a rule by its row, and by its id too where one row has more
// than one rule, so that explain can tell them apart.
func label(r *Rule) string {
	if r.ID != r.Row {
		return r.Row + " (" + r.ID + ")"
	}
	return r.Row
}

func consideredMax(c *clock) Text {
	return both(func(l string) string {
		s := label(c.rule) + " max: " + c.clause().In(l)
		if c.known() {
			s += pick(l, ", due ", ", verloopt ") + FormatDate(c.due, l)
		}
		return s
	})
}

func consideredMin(c *clock) Text {
	return both(func(l string) string {
		s := label(c.rule) + " min: " + c.clause().In(l)
		if c.known() {
			return s + pick(l, ", keep at least until ", ", minimaal bewaren tot ") + FormatDate(c.due, l)
		}
		return s + pick(l, ", so the minimum has no known end", ", dus de minimumtermijn heeft nog geen bekend einde")
	})
}

func consideredHold(h *Rule, s *Subject, decided bool) Text {
	return both(func(l string) string {
		if decided {
			return h.Row + pick(l, " hold: ", " blokkade: ") + setFlags(h, s, l) + pick(l, "; holds the deletion", "; houdt de verwijdering tegen")
		}
		return h.Row + pick(l, " hold: ", " blokkade: ") + setFlags(h, s, l) + pick(l, "; nothing due to hold", "; niets verlopen om tegen te houden")
	})
}

// withArticle puts the indefinite article before a subject noun.
func withArticle(noun, l string) string {
	if l == "nl" {
		return "een " + noun
	}
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

func (t Text) empty() bool { return t.EN == "" && t.NL == "" }

// registryOpenText explains a record whose folder names a year the
// registry does not confirm: it shows no end (still in care, employed).
func registryOpenText(e Event, year int) Text {
	return both(func(l string) string {
		return fmt.Sprintf(pick(l,
			"the registry shows no %s (%s), but the folder says %d: a year in a path never makes a person due whom the registry shows as current; check whether this is an earlier period and settle it",
			"de registratie toont geen %s (%s), maar de map zegt %d: een jaartal in een pad maakt niemand verlopen die volgens de registratie nog actueel is; controleer of dit een eerdere periode is en handel het af"),
			EventName(e, l), stillNames[e].In(l), year)
	})
}

// registryEarlierText explains a record whose folder year is later than
// the registry's end date: the two disagree, so a person decides.
func registryEarlierText(e Event, d Date, year int) Text {
	return both(func(l string) string {
		return fmt.Sprintf(pick(l,
			"the registry's %s (%s) is earlier than the year %d in the folder: registry and path disagree, so nothing is made due until a person settles it",
			"de %s in de registratie (%s) ligt vóór het jaartal %d in de map: registratie en pad spreken elkaar tegen, dus niets verloopt tot iemand het afhandelt"),
			EventName(e, l), FormatDate(d, l), year)
	})
}

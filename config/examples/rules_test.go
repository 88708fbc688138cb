package examples_test

import (
	"strings"
	"testing"

	"github.com/retentiond/retentiond/rules"
)

// The tests below evaluate hand-made facts with each example's own policy
// (built-in plus the example's overrides), on the day before a record is
// due and on the due day, for the rules that set the organisation apart.

func date(t *testing.T, s string) rules.Date {
	t.Helper()
	d, err := rules.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// person builds a subject; dates maps events to YYYY-MM-DD.
func person(t *testing.T, typ rules.SubjectType, id string, dates map[rules.Event]string, flags ...string) *rules.Subject {
	t.Helper()
	s := &rules.Subject{Type: typ, ID: id, Name: "Voorbeeld " + id, Dates: map[rules.Event]rules.Date{}, Flags: map[string]bool{}}
	for e, v := range dates {
		s.Dates[e] = date(t, v)
	}
	for _, f := range flags {
		s.Flags[f] = true
	}
	return s
}

// step is what a record's decision must be as of one date; due "" means
// no due date is known.
type step struct {
	asOf   string
	action rules.Action
	rule   string
	due    string
}

func expect(t *testing.T, p *rules.Policy, what string, f rules.Facts, steps ...step) {
	t.Helper()
	for _, s := range steps {
		d := rules.Evaluate(p, f, date(t, s.asOf))
		if d.Action != s.action || d.Rule != s.rule || d.Due.String() != s.due {
			t.Errorf("%s as of %s: %s by %q due %q, want %s by %q due %q (%s)",
				what, s.asOf, d.Action, d.Rule, d.Due, s.action, s.rule, s.due, d.Reason.EN)
		}
	}
}

func TestLeefKindRules(t *testing.T) {
	p := policyOf(t, "leefkind")

	saar := person(t, rules.Child, "K1003", map[rules.Event]string{rules.EndOfCare: "2026-04-30"})
	expect(t, p, "group dossier (C13)", rules.Facts{Subject: saar, Category: "group-dossier"},
		step{"2026-04-30", rules.Keep, "C13", "2026-05-01"},
		step{"2026-05-01", rules.Delete, "C13", "2026-05-01"})

	ended := map[rules.Event]string{rules.EndOfCare: "2023-06-30"}
	for _, flag := range []string{rules.WaitingList, rules.TemporaryDeregistration} {
		pino := person(t, rules.Child, "K1002", ended, flag)
		expect(t, p, "child dossier, "+flag+" (C2)", rules.Facts{Subject: pino, Category: "child-dossier"},
			step{"2025-06-29", rules.Keep, "C1", "2025-06-30"},
			step{"2025-06-30", rules.Hold, "C2", "2025-06-30"})
	}
	expect(t, p, "child dossier, no waiting list (C1)", rules.Facts{Subject: person(t, rules.Child, "K1001", ended), Category: "child-dossier"},
		step{"2025-06-30", rules.Delete, "C1", "2025-06-30"})

	// Konnect stays visible 2 months after deregistration, for the child
	// and for the parent.
	bram := person(t, rules.Child, "K1004", map[rules.Event]string{rules.EndOfCare: "2026-02-27", rules.Deregistration: "2026-02-27"})
	bert := person(t, rules.Parent, "R502", map[rules.Event]string{rules.EndOfContract: "2026-02-27", rules.Deregistration: "2026-02-27"})
	for _, s := range []*rules.Subject{bram, bert} {
		expect(t, p, "Konnect "+string(s.Type)+" (C22)", rules.Facts{Subject: s, Category: "portal-account"},
			step{"2026-04-26", rules.Keep, "C22", "2026-04-27"},
			step{"2026-04-27", rules.Delete, "C22", "2026-04-27"})
	}

	// With consent, a year from the consent instead of 4 weeks from the
	// end of the procedure; a renewal is a later consent date.
	closed := map[rules.Event]string{rules.ProcedureClosed: "2025-06-15"}
	expect(t, p, "applicant without consent (S6)", rules.Facts{Subject: person(t, rules.Applicant, "S2025-08", closed), Category: "application"},
		step{"2025-07-12", rules.Keep, "S6", "2025-07-13"},
		step{"2025-07-13", rules.Delete, "S6", "2025-07-13"})
	lotte := person(t, rules.Applicant, "S2025-07", map[rules.Event]string{rules.ProcedureClosed: "2025-06-15", rules.ConsentDate: "2025-06-01"})
	expect(t, p, "applicant with consent (S7)", rules.Facts{Subject: lotte, Category: "application"},
		step{"2025-07-13", rules.Keep, "S7", "2026-06-01"},
		step{"2026-05-31", rules.Keep, "S7", "2026-06-01"},
		step{"2026-06-01", rules.Delete, "S7", "2026-06-01"})
	renewed := person(t, rules.Applicant, "S2025-07", map[rules.Event]string{rules.ProcedureClosed: "2025-06-15", rules.ConsentDate: "2026-05-20"})
	expect(t, p, "applicant with renewed consent (S7)", rules.Facts{Subject: renewed, Category: "application"},
		step{"2026-06-01", rules.Keep, "S7", "2027-05-20"})
}

func TestSpot4kidsRules(t *testing.T) {
	p := policyOf(t, "spot4kids")

	fleur := person(t, rules.Child, "2001", map[rules.Event]string{rules.EndOfCare: "2024-03-29"})
	expect(t, p, "child dossier (C1)", rules.Facts{Subject: fleur, Category: "child-dossier"},
		step{"2026-03-28", rules.Keep, "C1", "2026-03-29"},
		step{"2026-03-29", rules.Delete, "C1", "2026-03-29"})

	// Still in care; the photo is recent, so C9's 3 months are far off:
	// the withdrawal alone makes it due.
	pim := person(t, rules.Child, "2002", map[rules.Event]string{rules.PhotoConsentWithdrawn: "2026-04-14"})
	expect(t, p, "photo after consent withdrawn (C23)", rules.Facts{Subject: pim, Category: "photo", PathDate: date(t, "2026-03-20")},
		step{"2026-04-14", rules.Keep, "C23", "2026-04-15"}, // a 0d term runs out the day after
		step{"2026-04-15", rules.Delete, "C23", "2026-04-15"})
}

func TestDeKangoeroeRules(t *testing.T) {
	p := policyOf(t, "dekangoeroe")
	// The last day of care is 30 April: kept that day, due the next.
	lieke := person(t, rules.Child, "3001", map[rules.Event]string{rules.EndOfCare: "2026-04-30"})
	for _, cat := range []rules.Category{"child-dossier", "consent"} {
		expect(t, p, string(cat)+" (C12)", rules.Facts{Subject: lieke, Category: cat},
			step{"2026-04-30", rules.Keep, "C12", "2026-05-01"},
			step{"2026-05-01", rules.Delete, "C12", "2026-05-01"})
	}
	// The contract is not part of the dossier: the fiscal minimum holds.
	expect(t, p, "contract (C3)", rules.Facts{Subject: lieke, Category: "contract"},
		step{"2026-05-01", rules.Keep, "C3", "2033-04-30"})
}

func TestAcademieRules(t *testing.T) {
	p := policyOf(t, "academie")
	cor := person(t, rules.Participant, "D-1001", map[rules.Event]string{rules.EndOfAgreement: "2026-01-31"})
	expect(t, p, "participant data (V5)", rules.Facts{Subject: cor, Category: "participant"},
		step{"2026-04-29", rules.Keep, "V5", "2026-04-30"},
		step{"2026-04-30", rules.Delete, "V5", "2026-04-30"})
	// 30 November + 3 months is the last day of February.
	nov := person(t, rules.Participant, "D-0999", map[rules.Event]string{rules.EndOfAgreement: "2025-11-30"})
	expect(t, p, "participant data from 30 November (V5)", rules.Facts{Subject: nov, Category: "participant"},
		step{"2026-02-27", rules.Keep, "V5", "2026-02-28"},
		step{"2026-02-28", rules.Delete, "V5", "2026-02-28"})
}

func TestEnjoyRules(t *testing.T) {
	p := policyOf(t, "enjoy")

	// The client file of the contract holder in ROSA: only C21 covers it,
	// 2 years after the end of the contract.
	olga := person(t, rules.Parent, "R-01", map[rules.Event]string{rules.EndOfContract: "2024-03-31"})
	expect(t, p, "client dossier of the contract holder (C21)", rules.Facts{Subject: olga, Category: "child-dossier"},
		step{"2026-03-30", rules.Keep, "C21", "2026-03-31"},
		step{"2026-03-31", rules.Delete, "C21", "2026-03-31"})

	// The contract: due under C21 after 2 years, but held by the fiscal
	// minimum (C3) until 7 years.
	expect(t, p, "contract (C21 within C3)", rules.Facts{Subject: olga, Category: "contract"},
		step{"2026-03-30", rules.Keep, "C3", "2031-03-31"},
		step{"2026-03-31", rules.Hold, "C3", "2031-03-31"},
		step{"2031-03-30", rules.Hold, "C3", "2031-03-31"},
		step{"2031-03-31", rules.Delete, "C21", "2031-03-31"})

	// The child's own records: the photo consents only C21 covers; the
	// dossier C1 and C21 both make due on the same day.
	otto := person(t, rules.Child, "K-01", map[rules.Event]string{rules.EndOfCare: "2024-03-31"})
	expect(t, p, "photo consent (C21)", rules.Facts{Subject: otto, Category: "consent"},
		step{"2026-03-30", rules.Keep, "C21", "2026-03-31"},
		step{"2026-03-31", rules.Delete, "C21", "2026-03-31"})
	dossier := rules.Facts{Subject: otto, Category: "child-dossier"}
	expect(t, p, "child dossier (C1, C21)", dossier,
		step{"2026-03-30", rules.Keep, "C1", "2026-03-31"},
		step{"2026-03-31", rules.Delete, "C1", "2026-03-31"})
	if d := rules.Explain(p, dossier, date(t, "2026-03-31")); !considered(d, "C21") {
		t.Errorf("child dossier: C21 not among the rules considered: %q", d.Considered)
	}

	// Staff: the copy of ID is held by S3 (5 years) past C21's 2 years.
	eva := person(t, rules.Employee, "M-01", map[rules.Event]string{rules.EndOfEmployment: "2024-01-31"})
	expect(t, p, "copy of ID (C21 within S3)", rules.Facts{Subject: eva, Category: "payroll-tax"},
		step{"2026-01-30", rules.Keep, "S3", "2029-01-31"},
		step{"2026-01-31", rules.Hold, "S3", "2029-01-31"},
		step{"2029-01-31", rules.Delete, "C21", "2029-01-31"})
}

// considered reports whether rule id is among the maximums the decision
// weighed.
func considered(d rules.Decision, id string) bool {
	for _, c := range d.Considered {
		if strings.HasPrefix(c.EN, id+" max:") {
			return true
		}
	}
	return false
}

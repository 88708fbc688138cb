package rules

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func erasure(s string) func(*Facts) { return func(f *Facts) { f.Erasure = mustDate(s) } }

// erasureCases are records of a subject who asked for erasure (R2).
func erasureCases() []evalCase {
	child := func(facts ...string) *Subject { return subj(Child, facts...) }
	inCare := child()
	cared := child("end_of_care=2024-03-15")
	parent := subj(Parent, "end_of_contract=2024-03-15")
	waiting := child("end_of_care=2024-03-15", "waiting_list")
	return []evalCase{
		// A maximum whose trigger is unknown: due on the request's day.
		{name: "still in care, day before request", f: rec("child-dossier", inCare, erasure("2027-01-01")), asOf: "2026-12-31", want: Keep, due: "2027-01-01", rule: "R2",
			has: []string{"erasure requested on 2027-01-01 (R2)", "still in care"}},
		{name: "still in care, request day", f: rec("child-dossier", inCare, erasure("2027-01-01")), asOf: "2027-01-01", want: Delete, due: "2027-01-01", rule: "R2",
			has: []string{"erasure requested on 2027-01-01 (R2); without it: child dossier: 2 years after end of care; no end of care known yet (still in care)",
				"verzoek tot verwijdering van 01-01-2027 (R2)"}},
		// A known maximum: the earlier of it and the request governs.
		{name: "request before C1 due", f: rec("child-dossier", cared, erasure("2025-01-10")), asOf: "2025-01-10", want: Delete, due: "2025-01-10", rule: "R2"},
		{name: "request after C1 due changes nothing", f: rec("child-dossier", cared, erasure("2027-01-01")), asOf: "2026-03-15", want: Delete, due: "2026-03-15", rule: "C1"},
		{name: "request on C1 due day names C1", f: rec("child-dossier", cared, erasure("2026-03-15")), asOf: "2026-03-15", want: Delete, due: "2026-03-15", rule: "C1"},

		// Only a statutory minimum (C3): held until it ends, then deleted.
		{name: "C3 only, day before request", f: rec("contract", parent, erasure("2025-01-10")), asOf: "2025-01-09", want: Keep, due: "2031-03-15", rule: "C3",
			has: []string{"due under R2 on 2025-01-10"}},
		{name: "C3 only, request day", f: rec("contract", parent, erasure("2025-01-10")), asOf: "2025-01-10", want: Hold, due: "2031-03-15", rule: "C3",
			has: []string{"due under R2 since 2025-01-10 (erasure requested on 2025-01-10 (R2); no maximum term applies), but statutory minimum C3 keeps it until 2031-03-15",
				"verlopen onder R2 sinds 10-01-2025"}},
		{name: "C3 only, last day of minimum", f: rec("contract", parent, erasure("2025-01-10")), asOf: "2031-03-14", want: Hold, due: "2031-03-15", rule: "C3"},
		{name: "C3 only, minimum end day", f: rec("contract", parent, erasure("2025-01-10")), asOf: "2031-03-15", want: Delete, due: "2031-03-15", rule: "R2",
			has: []string{"statutory minimum C3 ended on 2031-03-15", "(S5)"}},
		{name: "C4 minimum with unknown end still wins", f: rec("financial", subj(Parent), erasure("2025-01-10")), asOf: "2040-01-01", want: Hold, due: "", rule: "C4",
			has: []string{"keeps it until its end is known"}},
		// A maximum inside a minimum (C21 on): the statute still wins.
		{name: "C21 and C3, request day", ov: enable("C21"), f: rec("contract", child("end_of_care=2024-06-30"), erasure("2025-01-10")), asOf: "2025-01-10", want: Hold, due: "2031-06-30", rule: "C3",
			has: []string{"due under R2 since 2025-01-10", "without it: data in the administration system: 2 years after end of care (2024-06-30)"}},
		{name: "C21 and C3, minimum end day", ov: enable("C21"), f: rec("contract", child("end_of_care=2024-06-30"), erasure("2025-01-10")), asOf: "2031-06-30", want: Delete, due: "2031-06-30", rule: "R2"},

		// C2: the request withdraws the waiting-list hold, once received.
		{name: "waiting list, before request", f: rec("child-dossier", waiting, erasure("2026-05-01")), asOf: "2026-04-30", want: Hold, due: "2026-03-15", rule: "C2"},
		{name: "waiting list, request day", f: rec("child-dossier", waiting, erasure("2026-05-01")), asOf: "2026-05-01", want: Delete, due: "2026-03-15", rule: "C1",
			has: []string{"not held under C2: the erasure request of 2026-05-01 withdraws it", "niet vastgehouden onder C2"}},
		{name: "waiting list, in care, request day", f: rec("child-dossier", child("waiting_list"), erasure("2026-05-01")), asOf: "2026-05-01", want: Delete, due: "2026-05-01", rule: "R2",
			has: []string{"not held under C2"}},

		// Transfer (S8): the request follows the person into the personnel file.
		{name: "hired applicant, still employed", f: rec("application", subj(Applicant, "hired"), employee(subj(Employee)), erasure("2026-01-05")), asOf: "2026-01-05", want: Delete, due: "2026-01-05", rule: "R2",
			has: []string{"(S8)", "still employed"}},

		// What nothing decides stays for a person to decide.
		{name: "no rule, request", f: rec("photo", subj(Employee), erasure("2025-01-10")), asOf: "2026-01-01", want: Review, rule: ""},
		{name: "only a hold, request", ov: map[string]Override{"C1": {Disabled: ptr(true)}}, f: rec("child-dossier", waiting, erasure("2025-01-10")), asOf: "2026-01-01", want: Review, rule: ""},
	}
}

func TestErasure(t *testing.T) {
	base := builtin(t)
	for _, c := range erasureCases() {
		p := base
		if c.ov != nil {
			var err error
			if p, err = base.WithOverrides(c.ov); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		asOf := mustDate(c.asOf)
		d := Explain(p, c.f, asOf)
		if d.Action != c.want || d.Due != mustDate(c.due) || d.Rule != c.rule {
			t.Errorf("%s: got %s due %q rule %q, want %s due %q rule %q\n  reason: %s",
				c.name, d.Action, d.Due, d.Rule, c.want, c.due, c.rule, d.Reason.EN)
		}
		for _, s := range c.has {
			if !strings.Contains(d.Reason.EN, s) && !strings.Contains(d.Reason.NL, s) {
				t.Errorf("%s: reason lacks %q\n  EN: %s\n  NL: %s", c.name, s, d.Reason.EN, d.Reason.NL)
			}
		}
		checkShape(t, c.name, d)
		fast := Evaluate(p, c.f, asOf)
		d.Considered = nil
		if !reflect.DeepEqual(fast, d) {
			t.Errorf("%s: Evaluate = %+v, Explain = %+v", c.name, fast, d)
		}
		// Where R2 decided, the administrator can answer the requester.
		if d.Rule == ErasureRow && !strings.Contains(d.Basis.EN, "asked for erasure") {
			t.Errorf("%s: basis does not name the request: %s", c.name, d.Basis.EN)
		}
	}
}

// erasureRowCases are export rows of a subject who asked for erasure.
func erasureRowCases() []rowCase {
	parent := subj(Parent, "end_of_contract=2024-03-15")
	k := kangoeroe()
	row := fl(NameField, BSNField, AddressField, EmailField, PhoneField, NotesField)
	req := erasure("2024-06-01")
	return []rowCase{
		{name: "parent row, day before request", ov: k, f: rec("contract", parent, req), fields: row, asOf: "2024-05-31", want: Keep, due: "2024-06-01", rule: "R2",
			fds: []string{"name keep 2031-03-15 C14", "bsn keep 2031-03-15 C15", "address keep 2024-06-01 R2", "email keep 2024-06-01 R2", "phone keep 2024-06-01 R2", "notes keep 2031-03-15 C3"}},
		{name: "parent row, request day", ov: k, f: rec("contract", parent, req), fields: row, asOf: "2024-06-01", want: Pseudonymise, due: "2024-06-01", rule: "R2",
			fds: []string{"name keep 2031-03-15 C14", "bsn keep 2031-03-15 C15", "address pseudonymise 2024-06-01 R2", "email pseudonymise 2024-06-01 R2", "phone pseudonymise 2024-06-01 R2", "notes keep 2031-03-15 C3"},
			has: []string{"address: erasure requested on 2024-06-01 (R2); instead of 1 year after end of contract (2024-03-15) (C16)",
				"name: kept until 2031-03-15 under C14", "notes: held with the record (C3)", "adres: verzoek tot verwijdering van 01-06-2024 (R2)"}},
		{name: "parent row, last day of minimum", ov: k, f: rec("contract", parent, req), fields: row, asOf: "2031-03-14", want: Pseudonymise, due: "2024-06-01", rule: "R2",
			fds: []string{"name keep 2031-03-15 C14", "bsn keep 2031-03-15 C15", "address pseudonymise 2024-06-01 R2", "email pseudonymise 2024-06-01 R2", "phone pseudonymise 2024-06-01 R2", "notes keep 2031-03-15 C3"}},
		{name: "parent row, minimum end day", ov: k, f: rec("contract", parent, req), fields: row, asOf: "2031-03-15", want: Delete, due: "2031-03-15", rule: "R2",
			has: []string{"name: statutory minimum C14 ended on 2031-03-15"}},
		{name: "parent row without field maximums", f: rec("contract", parent, req), fields: fl(NameField, AddressField), asOf: "2024-06-01", want: Hold, due: "2031-03-15", rule: "C3",
			fds: []string{"name keep 2031-03-15 C14", "address keep 2031-03-15 C3"}},
		{name: "child dossier row, still in care", ov: k, f: rec("child-dossier", subj(Child), req), fields: fl(NameField, AddressField, HealthField), asOf: "2024-06-01", want: Delete, due: "2024-06-01", rule: "R2"},
	}
}

func TestErasureRows(t *testing.T) {
	base := builtin(t)
	for _, c := range erasureRowCases() {
		p := base
		if c.ov != nil {
			var err error
			if p, err = p.WithOverrides(c.ov); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		asOf := mustDate(c.asOf)
		d := EvaluateRow(p, c.f, c.fields, asOf)
		if d.Action != c.want || d.Due != mustDate(c.due) || d.Rule != c.rule {
			t.Errorf("%s: got %s due %q rule %q, want %s due %q rule %q\n  reason: %s",
				c.name, d.Action, d.Due, d.Rule, c.want, c.due, c.rule, d.Reason.EN)
		}
		var got []string
		for _, fd := range d.Fields {
			got = append(got, describeField(fd))
		}
		if c.fds != nil && !slices.Equal(got, c.fds) {
			t.Errorf("%s: fields\n   got %q\n  want %q", c.name, got, c.fds)
		}
		all := d.Reason.EN + "\n" + d.Reason.NL
		for _, fd := range d.Fields {
			all += "\n" + fd.Reason.EN + "\n" + fd.Reason.NL
		}
		for _, s := range c.has {
			if !strings.Contains(all, s) {
				t.Errorf("%s: neither the row's nor a field's reason has %q\n%s", c.name, s, all)
			}
		}
		checkRowShape(t, c.name, p, c.f, c.fields, asOf, d)
	}
}

package rules

import (
	"fmt"
	"strings"
	"testing"
)

// TestChildAdministrationRow: a child's row in an administration system's
// export (Kidsadmin, Saamn) is the fiscal administration. Its name and BSN
// stay 7 years after care ended (C5, C6); the rest of the row goes after
// 2 years (C1), pseudonymised since the row stays for name and BSN, or
// earlier where its own maximum passes (C7, C8, C11); the administration
// number stays with the row; after 7 years the row is deleted. Checked
// with the built-in policy as it ships (C7, C8 off) and with De
// Kangoeroe's maximums on.
func TestChildAdministrationRow(t *testing.T) {
	const cat = Category("child-administration")
	row := fl(NameField, BSNField, AddressField, PostcodeField, TownField, BirthDateField, PhoneField, HealthField, IDField)
	cared := subj(Child, "end_of_care=2024-03-15")
	all := func(a Action, rule string, fs ...Field) map[Field]string {
		m := map[Field]string{}
		for _, f := range fs {
			m[f] = string(a) + " " + rule
		}
		return m
	}
	merge := func(ms ...map[Field]string) map[Field]string {
		out := map[Field]string{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	keepFiscal := merge(all(Keep, "C5", NameField), all(Keep, "C6", BSNField))
	cases := []struct {
		name string
		ov   map[string]Override
		f    Facts
		asOf string
		want Action
		rule string
		fds  map[Field]string // field -> "action rule"; nil for a whole-row decision
	}{
		{name: "in the first year", f: rec(cat, cared), asOf: "2025-03-14", want: Keep, rule: "C11",
			fds: merge(keepFiscal, all(Keep, "C11", HealthField), all(Keep, "C1", AddressField, PostcodeField, TownField, BirthDateField, PhoneField, IDField))},
		{name: "after 1 year: health goes (C11)", f: rec(cat, cared), asOf: "2025-03-15", want: Pseudonymise, rule: "C11",
			fds: merge(keepFiscal, all(Pseudonymise, "C11", HealthField), all(Keep, "C1", AddressField, PostcodeField, TownField, BirthDateField, PhoneField, IDField))},
		{name: "after 1 year, Kangoeroe: address and birth date go too", ov: kangoeroe(), f: rec(cat, cared), asOf: "2025-03-15", want: Pseudonymise, rule: "C7",
			fds: merge(keepFiscal, all(Pseudonymise, "C11", HealthField), all(Pseudonymise, "C7", AddressField, PostcodeField, TownField),
				all(Pseudonymise, "C8", BirthDateField), all(Keep, "C1", PhoneField, IDField))},
		{name: "after 2 years: all but name, BSN and number", f: rec(cat, cared), asOf: "2026-03-15", want: Pseudonymise, rule: "C11",
			fds: merge(keepFiscal, all(Pseudonymise, "C11", HealthField), all(Pseudonymise, "C1", AddressField, PostcodeField, TownField, BirthDateField, PhoneField),
				all(Keep, "C5", IDField))},
		{name: "after 2 years, Kangoeroe", ov: kangoeroe(), f: rec(cat, cared), asOf: "2026-03-15", want: Pseudonymise, rule: "C7",
			fds: merge(keepFiscal, all(Pseudonymise, "C11", HealthField), all(Pseudonymise, "C7", AddressField, PostcodeField, TownField),
				all(Pseudonymise, "C8", BirthDateField), all(Pseudonymise, "C1", PhoneField), all(Keep, "C5", IDField))},
		{name: "day before 7 years", f: rec(cat, cared), asOf: "2031-03-14", want: Pseudonymise, rule: "C11",
			fds: merge(keepFiscal, all(Pseudonymise, "C11", HealthField), all(Pseudonymise, "C1", AddressField, PostcodeField, TownField, BirthDateField, PhoneField),
				all(Keep, "C5", IDField))},
		{name: "after 7 years the row goes", f: rec(cat, cared), asOf: "2031-03-15", want: Delete, rule: "C1"},
		{name: "on the waiting list: held", f: rec(cat, subj(Child, "end_of_care=2024-03-15", "waiting_list")), asOf: "2026-03-15", want: Hold, rule: "C2",
			fds: all(Hold, "", NameField)},
		{name: "still in care", f: rec(cat, subj(Child)), asOf: "2040-01-01", want: Keep, rule: "C1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := builtin(t)
			if c.ov != nil {
				var err error
				if p, err = p.WithOverrides(c.ov); err != nil {
					t.Fatal(err)
				}
			}
			d := EvaluateRow(p, c.f, row, mustDate(c.asOf))
			if d.Action != c.want || d.Rule != c.rule {
				t.Fatalf("%s under %q, want %s under %q: %s", d.Action, d.Rule, c.want, c.rule, d.Reason.EN)
			}
			if d.Action == Delete || d.Action == Hold || d.Action == Keep && c.fds == nil {
				return
			}
			got := map[Field]string{}
			for _, fd := range d.Fields {
				got[fd.Field] = string(fd.Action) + " " + fd.Rule
			}
			for f, w := range c.fds {
				if got[f] != w {
					t.Errorf("field %s: %q, want %q", f, got[f], w)
				}
			}
			if d.Action == Pseudonymise {
				for _, l := range []string{"en", "nl"} {
					r := d.Reason.In(l)
					if !strings.Contains(r, "C24") || c.fds[IDField] == "keep C5" && !strings.Contains(r, "C5") {
						t.Errorf("%s reason does not name C24 and the minimum that keeps the row: %s", l, r)
					}
				}
			}
		})
	}
}

// TestFiscalMinimumsCoverChildAdministration: the categories the
// statutory minimums of a child's name and BSN cover include the
// administration rows, and the category has names in both languages.
func TestFiscalMinimumsCoverChildAdministration(t *testing.T) {
	if !IsCategory("child-administration") {
		t.Fatal("child-administration is not a category")
	}
	if en, nl := CategoryName("child-administration", "en"), CategoryName("child-administration", "nl"); en == "child-administration" || nl == "child-administration" {
		t.Errorf("category names: %q %q", en, nl)
	}
	p := builtin(t)
	for _, id := range []string{"C1", "C2", "C5", "C6"} {
		found := false
		for _, r := range p.Rules() {
			if r.ID == id {
				found = strings.Contains(fmt.Sprint(r.Categories), "child-administration")
			}
		}
		if !found {
			t.Errorf("%s does not cover child-administration", id)
		}
	}
}

package rules

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// rowCase is one export row judged on one day. want, due, rule and fields
// are checked explicitly; the golden file adds the reasons.
type rowCase struct {
	name   string
	own    bool // the small policy of ownPolicy instead of the built-in one
	ov     map[string]Override
	f      Facts
	fields []Field
	asOf   string
	want   Action
	due    string
	rule   string
	// fds is the expected field decisions as "field action due rule", due
	// "-" when zero; nil for a row deleted or reviewed as a whole.
	fds []string
	has []string // substrings the row's English or Dutch reason must contain
}

// kangoeroe enables De Kangoeroe's field maximums, as its config would.
func kangoeroe(extra ...string) map[string]Override {
	ov := enable("C7", "C8", "C16", "C17", "C18", "C19", "C20")
	for i := 0; i+1 < len(extra); i += 2 {
		o := withTerm(extra[i], extra[i+1])[extra[i]]
		o.Disabled = ov[extra[i]].Disabled
		ov[extra[i]] = o
	}
	return ov
}

func fl(fs ...Field) []Field { return fs }

func rowCases() []rowCase {
	cared := subj(Child, "end_of_care=2024-03-15")
	parent := subj(Parent, "end_of_contract=2024-03-15")
	addr := fl(AddressField, PostcodeField, TownField)
	parentRow := fl(NameField, BSNField, AddressField, PostcodeField, TownField, BirthDateField, IBANField, EmailField, PhoneField)
	childRow := fl(NameField, BSNField, AddressField, PostcodeField, TownField, BirthDateField, HealthField)
	k := kangoeroe()
	return []rowCase{
		// C5, C6: a child's name and BSN, statutory minimum of 7 years. In
		// a contract row the record's own C3 ends on the same day, so the
		// second pair stretches the field minimum to show that it, and not
		// C3, keeps the field.
		{name: "C5 day before end", f: rec("contract", cared), fields: fl(NameField), asOf: "2031-03-14", want: Keep, due: "2031-03-15", rule: "C3",
			fds: []string{"name keep 2031-03-15 C5"}},
		{name: "C5 end day", f: rec("contract", cared), fields: fl(NameField), asOf: "2031-03-15", want: Delete, due: "2031-03-15", rule: "C3",
			has: []string{"name: statutory minimum C5 ended on 2031-03-15"}},
		{name: "C5 keeps the name after the record is due", ov: withTerm("C5", "10y"), f: rec("contract", cared), fields: fl(NameField, NotesField), asOf: "2031-03-15", want: Pseudonymise, due: "2031-03-15", rule: "C3",
			fds: []string{"name keep 2034-03-15 C5", "notes pseudonymise 2031-03-15 C3"},
			has: []string{"name: kept until 2034-03-15 under C5 (statutory minimum: 10 years after end of care (2024-03-15))", "notes: due with the record on 2031-03-15 (C3)", "(C24)"}},
		{name: "C5 alone keeps the row", ov: withTerm("C5", "10y"), f: rec("contract", cared), fields: fl(NameField), asOf: "2033-03-14", want: Keep, due: "2034-03-15", rule: "C5",
			fds: []string{"name keep 2034-03-15 C5"}},
		{name: "C5 stretched, end day", ov: withTerm("C5", "10y"), f: rec("contract", cared), fields: fl(NameField, NotesField), asOf: "2034-03-15", want: Delete, due: "2031-03-15", rule: "C3"},
		{name: "C6 day before end", f: rec("financial", cared), fields: fl(BSNField), asOf: "2031-03-14", want: Keep, due: "2031-03-15", rule: "C4",
			fds: []string{"bsn keep 2031-03-15 C6"}},
		{name: "C6 end day", f: rec("financial", cared), fields: fl(BSNField), asOf: "2031-03-15", want: Delete, due: "2031-03-15", rule: "C4"},
		{name: "C6 keeps the BSN after the record is due", ov: withTerm("C6", "8y"), f: rec("financial", cared), fields: fl(NameField, BSNField), asOf: "2031-03-15", want: Pseudonymise, due: "2031-03-15", rule: "C4",
			fds: []string{"name pseudonymise 2031-03-15 C4", "bsn keep 2032-03-15 C6"}},

		// C7, C8: a child's address and date of birth, 1 year (De Kangoeroe).
		{name: "C7 off by default", f: rec("contract", cared), fields: addr, asOf: "2025-03-15", want: Keep, due: "2031-03-15", rule: "C3",
			fds: []string{"address keep 2031-03-15 C3", "postcode keep 2031-03-15 C3", "town keep 2031-03-15 C3"}, has: []string{"no field rule; kept with the record (C3)"}},
		{name: "C7 day before due", ov: k, f: rec("contract", cared), fields: addr, asOf: "2025-03-14", want: Keep, due: "2025-03-15", rule: "C7",
			fds: []string{"address keep 2025-03-15 C7", "postcode keep 2025-03-15 C7", "town keep 2025-03-15 C7"},
			has: []string{"address, postal code, town: 1 year after end of care (2024-03-15), due on 2025-03-15 (C7)"}},
		{name: "C7 due day", ov: k, f: rec("contract", cared), fields: addr, asOf: "2025-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C7",
			fds: []string{"address pseudonymise 2025-03-15 C7", "postcode pseudonymise 2025-03-15 C7", "town pseudonymise 2025-03-15 C7"},
			has: []string{"address, postal code, town: 1 year after end of care (2024-03-15) passed on 2025-03-15 (C7)", "adres, postcode, woonplaats: 1 jaar na einde opvang (15-03-2024) verstreken op 15-03-2025 (C7)"}},
		{name: "C8 day before due", ov: k, f: rec("contract", cared), fields: fl(BirthDateField), asOf: "2025-03-14", want: Keep, due: "2025-03-15", rule: "C8",
			fds: []string{"birth_date keep 2025-03-15 C8"}},
		{name: "C8 due day", ov: k, f: rec("contract", cared), fields: fl(BirthDateField), asOf: "2025-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C8",
			fds: []string{"birth_date pseudonymise 2025-03-15 C8"}},

		// C11 as a field rule: health data, 1 year, on for everyone.
		{name: "C11 field day before due", f: rec("child-dossier", cared), fields: fl(NameField, HealthField), asOf: "2025-03-14", want: Keep, due: "2025-03-15", rule: "C11",
			fds: []string{"name keep 2026-03-15 C1", "health keep 2025-03-15 C11"}},
		{name: "C11 field due day", f: rec("child-dossier", cared), fields: fl(NameField, HealthField), asOf: "2025-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C11",
			fds: []string{"name keep 2026-03-15 C1", "health pseudonymise 2025-03-15 C11"},
			has: []string{"health data: 1 year after end of care (2024-03-15) passed on 2025-03-15 (C11)", "the record itself is kept: child dossier: 2 years after end of care (2024-03-15)"}},
		{name: "C11 field, record due", f: rec("child-dossier", cared), fields: fl(NameField, HealthField), asOf: "2026-03-15", want: Delete, due: "2026-03-15", rule: "C1"},

		// C14-C20: a parent's fields (De Kangoeroe's parent table).
		{name: "C14 day before end", f: rec("contract", parent), fields: fl(NameField), asOf: "2031-03-14", want: Keep, due: "2031-03-15", rule: "C3",
			fds: []string{"name keep 2031-03-15 C14"}},
		{name: "C14 end day", f: rec("contract", parent), fields: fl(NameField), asOf: "2031-03-15", want: Delete, due: "2031-03-15", rule: "C3",
			has: []string{"name: statutory minimum C14 ended on 2031-03-15"}},
		{name: "C15 day before end", f: rec("contract", parent), fields: fl(BSNField), asOf: "2031-03-14", want: Keep, due: "2031-03-15", rule: "C3",
			fds: []string{"bsn keep 2031-03-15 C15"}},
		{name: "C15 end day", f: rec("contract", parent), fields: fl(BSNField), asOf: "2031-03-15", want: Delete, due: "2031-03-15", rule: "C3"},
		{name: "C16 day before due", ov: k, f: rec("contract", parent), fields: addr, asOf: "2025-03-14", want: Keep, due: "2025-03-15", rule: "C16",
			fds: []string{"address keep 2025-03-15 C16", "postcode keep 2025-03-15 C16", "town keep 2025-03-15 C16"}},
		{name: "C16 due day", ov: k, f: rec("contract", parent), fields: addr, asOf: "2025-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C16",
			fds: []string{"address pseudonymise 2025-03-15 C16", "postcode pseudonymise 2025-03-15 C16", "town pseudonymise 2025-03-15 C16"}},
		{name: "C17 day before due", ov: k, f: rec("contract", parent), fields: fl(BirthDateField), asOf: "2025-03-14", want: Keep, due: "2025-03-15", rule: "C17",
			fds: []string{"birth_date keep 2025-03-15 C17"}},
		{name: "C17 due day", ov: k, f: rec("contract", parent), fields: fl(BirthDateField), asOf: "2025-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C17",
			fds: []string{"birth_date pseudonymise 2025-03-15 C17"}},
		{name: "C18 day before due", ov: k, f: rec("contract", parent), fields: fl(IBANField), asOf: "2025-03-14", want: Keep, due: "2025-03-15", rule: "C18",
			fds: []string{"iban keep 2025-03-15 C18"}},
		{name: "C18 due day", ov: k, f: rec("contract", parent), fields: fl(IBANField), asOf: "2025-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C18",
			fds: []string{"iban pseudonymise 2025-03-15 C18"}},
		{name: "C18 leaves booked transactions alone", ov: k, f: rec("financial", parent), fields: fl(NameField, IBANField), asOf: "2025-03-15", want: Keep, due: "2031-03-15", rule: "C4",
			fds: []string{"name keep 2031-03-15 C14", "iban keep 2031-03-15 C4"}},
		{name: "C19 day before due", ov: k, f: rec("contract", parent), fields: fl(EmailField), asOf: "2025-03-14", want: Keep, due: "2025-03-15", rule: "C19",
			fds: []string{"email keep 2025-03-15 C19"}},
		{name: "C19 due day", ov: k, f: rec("contract", parent), fields: fl(EmailField), asOf: "2025-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C19",
			fds: []string{"email pseudonymise 2025-03-15 C19"}},
		{name: "C20 day before due", ov: k, f: rec("contract", parent), fields: fl(PhoneField), asOf: "2026-03-14", want: Keep, due: "2026-03-15", rule: "C20",
			fds: []string{"phone keep 2026-03-15 C20"}},
		{name: "C20 due day", ov: k, f: rec("contract", parent), fields: fl(PhoneField), asOf: "2026-03-15", want: Pseudonymise, due: "2026-03-15", rule: "C20",
			fds: []string{"phone pseudonymise 2026-03-15 C20"}},
		{name: "C20 term overridden to 6 months", ov: kangoeroe("C20", "6m"), f: rec("contract", parent), fields: fl(PhoneField), asOf: "2024-09-15", want: Pseudonymise, due: "2024-09-15", rule: "C20",
			fds: []string{"phone pseudonymise 2024-09-15 C20"}},

		// De Kangoeroe's parent row through its life.
		{name: "Kangoeroe parent, in the first year", ov: k, f: rec("contract", parent), fields: parentRow, asOf: "2025-03-14", want: Keep, due: "2025-03-15", rule: "C16",
			fds: []string{"name keep 2031-03-15 C14", "bsn keep 2031-03-15 C15", "address keep 2025-03-15 C16", "postcode keep 2025-03-15 C16", "town keep 2025-03-15 C16",
				"birth_date keep 2025-03-15 C17", "iban keep 2025-03-15 C18", "email keep 2025-03-15 C19", "phone keep 2026-03-15 C20"}},
		{name: "Kangoeroe parent, after 1 year", ov: k, f: rec("contract", parent), fields: parentRow, asOf: "2025-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C16",
			fds: []string{"name keep 2031-03-15 C14", "bsn keep 2031-03-15 C15", "address pseudonymise 2025-03-15 C16", "postcode pseudonymise 2025-03-15 C16", "town pseudonymise 2025-03-15 C16",
				"birth_date pseudonymise 2025-03-15 C17", "iban pseudonymise 2025-03-15 C18", "email pseudonymise 2025-03-15 C19", "phone keep 2026-03-15 C20"},
			has: []string{"the record itself is kept: contract details: statutory minimum of 7 years after end of contract (2024-03-15) runs until 2031-03-15"}},
		{name: "Kangoeroe parent, after 2 years", ov: k, f: rec("contract", parent), fields: parentRow, asOf: "2026-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C16",
			fds: []string{"name keep 2031-03-15 C14", "bsn keep 2031-03-15 C15", "address pseudonymise 2025-03-15 C16", "postcode pseudonymise 2025-03-15 C16", "town pseudonymise 2025-03-15 C16",
				"birth_date pseudonymise 2025-03-15 C17", "iban pseudonymise 2025-03-15 C18", "email pseudonymise 2025-03-15 C19", "phone pseudonymise 2026-03-15 C20"}},
		{name: "Kangoeroe parent, day before 7 years", ov: k, f: rec("contract", parent), fields: parentRow, asOf: "2031-03-14", want: Pseudonymise, due: "2025-03-15", rule: "C16"},
		{name: "Kangoeroe parent, after 7 years", ov: k, f: rec("contract", parent), fields: parentRow, asOf: "2031-03-15", want: Delete, due: "2031-03-15", rule: "C3",
			has: []string{"name: statutory minimum C14 ended on 2031-03-15", "citizen service number (BSN): statutory minimum C15 ended on 2031-03-15"}},
		{name: "Kangoeroe parent, name kept 10 years", ov: kangoeroe("C14", "10y"), f: rec("contract", parent), fields: parentRow, asOf: "2031-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C16",
			fds: []string{"name keep 2034-03-15 C14", "bsn pseudonymise 2031-03-15 C3", "address pseudonymise 2025-03-15 C16", "postcode pseudonymise 2025-03-15 C16", "town pseudonymise 2025-03-15 C16",
				"birth_date pseudonymise 2025-03-15 C17", "iban pseudonymise 2025-03-15 C18", "email pseudonymise 2025-03-15 C19", "phone pseudonymise 2026-03-15 C20"},
			has: []string{"name: kept until 2034-03-15 under C14", "citizen service number (BSN): due with the record on 2031-03-15 (C3)", "the record itself is due: contract details"}},
		{name: "Kangoeroe parent, contract running", ov: k, f: rec("contract", subj(Parent)), fields: parentRow, asOf: "2040-01-01", want: Keep, due: "", rule: "C3",
			fds: []string{"name keep - C14", "bsn keep - C15", "address keep - C16", "postcode keep - C16", "town keep - C16",
				"birth_date keep - C17", "iban keep - C18", "email keep - C19", "phone keep - C20"}},
		{name: "Kangoeroe parent, archive year only", ov: k, f: rec("contract", subj(Parent), endYear(2023)), fields: fl(NameField, EmailField), asOf: "2024-12-31", want: Pseudonymise, due: "2024-12-31", rule: "C19",
			fds: []string{"name keep 2030-12-31 C14", "email pseudonymise 2024-12-31 C19"}, has: []string{"year only: counted from 31 December"}},
		{name: "Kangoeroe child, after 1 year", ov: k, f: rec("contract", cared), fields: childRow, asOf: "2025-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C7",
			fds: []string{"name keep 2031-03-15 C5", "bsn keep 2031-03-15 C6", "address pseudonymise 2025-03-15 C7", "postcode pseudonymise 2025-03-15 C7", "town pseudonymise 2025-03-15 C7",
				"birth_date pseudonymise 2025-03-15 C8", "health pseudonymise 2025-03-15 C11"}},
		{name: "Kangoeroe child, after 7 years", ov: k, f: rec("contract", cared), fields: childRow, asOf: "2031-03-15", want: Delete, due: "2031-03-15", rule: "C3"},
		{name: "fields listed twice are decided once", ov: k, f: rec("contract", parent), fields: fl(PhoneField, EmailField, PhoneField), asOf: "2025-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C19",
			fds: []string{"phone keep 2026-03-15 C20", "email pseudonymise 2025-03-15 C19"}},

		// Rows the record's own decision settles.
		{name: "no subject", ov: k, f: Facts{Category: "contract", PathDate: mustDate("2010-01-01")}, fields: parentRow, asOf: "2040-01-01", want: Review, rule: "",
			has: []string{"not tied to exactly one subject"}},
		{name: "no rule for the category", ov: k, f: rec("photo", parent), fields: parentRow, asOf: "2040-01-01", want: Review, rule: ""},
		{name: "diary row, day before due", ov: k, f: rec("diary", subj(Child), pathDate("2025-02-15")), fields: childRow, asOf: "2025-05-14", want: Keep, due: "2025-05-15", rule: "C10",
			fds: []string{"name keep 2025-05-15 C10", "bsn keep 2025-05-15 C10", "address keep - C7", "postcode keep - C7", "town keep - C7", "birth_date keep - C8", "health keep - C11"}},
		{name: "diary row is deleted whatever its fields", ov: k, f: rec("diary", subj(Child), pathDate("2025-02-15")), fields: append(childRow, NotesField, PhotoField), asOf: "2025-05-15", want: Delete, due: "2025-05-15", rule: "C10"},
		{name: "held row keeps its fields", ov: k, f: rec("child-dossier", subj(Child, "end_of_care=2024-03-15", "waiting_list")), fields: fl(NameField, AddressField, HealthField), asOf: "2026-03-15", want: Hold, due: "2026-03-15", rule: "C2",
			fds: []string{"name keep 2026-03-15 C2", "address keep 2026-03-15 C2", "health keep 2026-03-15 C2"}},
		{name: "waiting list does not hold field terms before the record is due", ov: k, f: rec("child-dossier", subj(Child, "end_of_care=2024-03-15", "waiting_list")), fields: fl(NameField, AddressField), asOf: "2025-03-15", want: Pseudonymise, due: "2025-03-15", rule: "C7",
			fds: []string{"name keep 2026-03-15 C1", "address pseudonymise 2025-03-15 C7"}},
		{name: "minimum held inside a maximum", ov: enable("C21", "C16"), f: rec("contract", parent), fields: fl(NameField, AddressField), asOf: "2026-03-15", want: Hold, due: "2031-03-15", rule: "C3",
			fds: []string{"name keep 2031-03-15 C3", "address keep 2031-03-15 C3"}},

		// A small policy of its own: a field rule without categories, a
		// minimum with an unknown trigger, two maximums on one field, and a
		// minimum that outlasts a maximum on the same field.
		{name: "own: unknown minimum keeps its field forever", own: true, f: rec("diary", subj(Child), pathDate("2020-01-01")), fields: fl(NameField, NotesField), asOf: "2100-01-01", want: Pseudonymise, due: "2020-04-01", rule: "D",
			fds: []string{"name keep - N", "notes pseudonymise 2020-04-01 D"}, has: []string{"name: kept under N until its end is known", "no end of care known yet (still in care)"}},
		{name: "own: unknown minimum alone keeps the row", own: true, f: rec("diary", subj(Child), pathDate("2020-01-01")), fields: fl(NameField), asOf: "2100-01-01", want: Keep, due: "", rule: "N",
			fds: []string{"name keep - N"}},
		{name: "own: the latest minimum governs", own: true, f: rec("diary", subj(Child, "end_of_care=2020-01-31"), pathDate("2020-01-01")), fields: fl(NameField, NotesField), asOf: "2021-06-01", want: Pseudonymise, due: "2020-04-01", rule: "D",
			fds: []string{"name keep 2027-01-31 N", "notes pseudonymise 2020-04-01 D"}},
		{name: "own: minimum ended, row deleted", own: true, f: rec("diary", subj(Child, "end_of_care=2020-01-31"), pathDate("2020-01-01")), fields: fl(NameField, NotesField), asOf: "2027-01-31", want: Delete, due: "2020-04-01", rule: "D"},
		{name: "own: disabled minimum keeps nothing", own: true, ov: map[string]Override{"N": {Disabled: ptr(true)}}, f: rec("diary", subj(Child), pathDate("2020-01-01")), fields: fl(NameField, NotesField), asOf: "2100-01-01", want: Delete, due: "2020-04-01", rule: "D"},
		{name: "own: earliest maximum governs", own: true, f: rec("child-dossier", subj(Child, "end_of_care=2024-03-15"), pathDate("2023-01-10")), fields: fl(AddressField), asOf: "2024-03-15", want: Keep, due: "2025-01-10", rule: "A2",
			fds: []string{"address keep 2025-01-10 A2"}},
		{name: "own: minimum outlasts the maximum", own: true, f: rec("child-dossier", subj(Child, "end_of_care=2024-03-15"), pathDate("2024-12-01")), fields: fl(BirthDateField), asOf: "2025-06-01", want: Keep, due: "2025-12-01", rule: "M2",
			fds: []string{"birth_date keep 2025-12-01 M2"}, has: []string{"its maximum under M passed on 2025-03-15, but the statutory minimum wins"}},
		{name: "own: due when the minimum ends", own: true, f: rec("child-dossier", subj(Child, "end_of_care=2024-03-15"), pathDate("2024-12-01")), fields: fl(BirthDateField), asOf: "2025-12-01", want: Pseudonymise, due: "2025-12-01", rule: "M",
			fds: []string{"birth_date pseudonymise 2025-12-01 M"}, has: []string{"passed on 2025-03-15 (M); kept until 2025-12-01 under statutory minimum M2"}},
	}
}

// ownPolicy is a small policy for what the built-in one has no example of:
// field rules without categories, two minimums on one field (N, and N2
// which ends first), two maximums (A, A2), a minimum that outlasts a
// maximum (M, M2).
func ownPolicy(t *testing.T) *Policy {
	t.Helper()
	p, err := Parse("fields.yaml", []byte(`name: fields
rules:
  - {id: D, title: {en: diary, nl: dagboek}, subjects: [child], categories: [diary], trigger: record_date, term: 3m, kind: max, basis: {en: own policy, nl: eigen beleid}}
  - {id: R, title: {en: dossier, nl: dossier}, subjects: [child], categories: [child-dossier], trigger: end_of_care, term: 5y, kind: max, basis: {en: own policy, nl: eigen beleid}}
  - {id: N, title: {en: name, nl: naam}, subjects: [child], fields: [name], trigger: end_of_care, term: 7y, kind: min, basis: {en: own policy, nl: eigen beleid}}
  - {id: N2, title: {en: name, nl: naam}, subjects: [child], fields: [name], trigger: record_date, term: 1y, kind: min, basis: {en: own policy, nl: eigen beleid}}
  - {id: A, title: {en: address, nl: adres}, subjects: [child], fields: [address], trigger: end_of_care, term: 1y, kind: max, basis: {en: own policy, nl: eigen beleid}}
  - {id: A2, title: {en: address, nl: adres}, subjects: [child], fields: [address], trigger: record_date, term: 2y, kind: max, basis: {en: own policy, nl: eigen beleid}}
  - {id: M, title: {en: birth date, nl: geboortedatum}, subjects: [child], fields: [birth_date], trigger: end_of_care, term: 1y, kind: max, basis: {en: own policy, nl: eigen beleid}}
  - {id: M2, title: {en: birth date, nl: geboortedatum}, subjects: [child], fields: [birth_date], trigger: record_date, term: 1y, kind: min, basis: {en: own policy, nl: eigen beleid}}
`))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func describeField(d FieldDecision) string {
	due := d.Due.String()
	if due == "" {
		due = "-"
	}
	return fmt.Sprintf("%s %s %s %s", d.Field, d.Action, due, d.Rule)
}

func TestEvaluateRows(t *testing.T) {
	base, own := builtin(t), ownPolicy(t)
	var golden bytes.Buffer
	golden.WriteString("# Generated by `go test ./rules -update`: the decision for each case of rowCases.\n")
	for _, c := range rowCases() {
		p := base
		if c.own {
			p = own
		}
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
		writeRowCase(&golden, c, d)
	}
	compareGolden(t, filepath.Join("testdata", "evaluate_rows.golden"), golden.Bytes())
}

// checkRowShape asserts what holds for every row decision, whatever the
// case: how it relates to the record's own decision and to its fields.
func checkRowShape(t *testing.T, name string, p *Policy, f Facts, fields []Field, asOf Date, d RowDecision) {
	t.Helper()
	w := Evaluate(p, f, asOf)
	if d.Reason.EN == "" || d.Reason.NL == "" || d.Reason.EN == d.Reason.NL {
		t.Errorf("%s: row reason must be given in English and Dutch: %+v", name, d.Reason)
	}
	switch d.Action {
	case Delete, Review:
		if d.Fields != nil {
			t.Errorf("%s: a row %s as a whole has field decisions", name, d.Action)
		}
		if w.Action != d.Action || !strings.HasPrefix(d.Reason.EN, w.Reason.EN) {
			t.Errorf("%s: row %s, but the record's decision is %s (%s)", name, d.Action, w.Action, w.Reason.EN)
		}
		return
	case Hold:
		if w.Action != Hold {
			t.Errorf("%s: row held, record %s", name, w.Action)
		}
	}
	// Under an erasure request a record held by a minimum may have fields
	// pseudonymised now (R2).
	heldErased := w.Action == Hold && d.Action == Pseudonymise && f.erasureInEffect(asOf)
	if w.Action == Review || w.Action == Hold && d.Action != Hold && !heldErased {
		t.Errorf("%s: record %s became row %s", name, w.Action, d.Action)
	}
	var want []Field
	for _, fl := range fields {
		if !slices.Contains(want, fl) {
			want = append(want, fl)
		}
	}
	pseudonymised := false
	for i, fd := range d.Fields {
		if i >= len(want) || fd.Field != want[i] {
			t.Errorf("%s: field decisions %v do not follow the fields %v", name, d.Fields, want)
			break
		}
		if fd.Action != Keep && fd.Action != Pseudonymise {
			t.Errorf("%s: field %s: action %s", name, fd.Field, fd.Action)
		}
		pseudonymised = pseudonymised || fd.Action == Pseudonymise
		if fd.Action == Pseudonymise && (fd.Due.IsZero() || asOf.Before(fd.Due) || fd.Rule == "") {
			t.Errorf("%s: field %s pseudonymised before its due date %s or without a rule %q", name, fd.Field, fd.Due, fd.Rule)
		}
		if !strings.HasPrefix(fd.Reason.EN, FieldName(fd.Field, "en")+": ") || !strings.HasPrefix(fd.Reason.NL, FieldName(fd.Field, "nl")+": ") {
			t.Errorf("%s: field %s: reason must start with the field's name: %+v", name, fd.Field, fd.Reason)
		}
	}
	if len(d.Fields) != len(want) {
		t.Errorf("%s: %d field decisions for %d fields", name, len(d.Fields), len(want))
	}
	if pseudonymised != (d.Action == Pseudonymise) {
		t.Errorf("%s: row %s, some field pseudonymised: %v", name, d.Action, pseudonymised)
	}
	if d.Action == Pseudonymise {
		if d.Trigger == nil || !strings.Contains(d.Reason.EN, d.Trigger.Date.String()) || !strings.Contains(d.Reason.EN, "(C24)") {
			t.Errorf("%s: pseudonymise needs a trigger shown in the reason and C24: %+v", name, d.Decision)
		}
		if d.Basis.EN == "" || d.Basis.NL == "" {
			t.Errorf("%s: pseudonymise without a basis", name)
		}
	}
}

func writeRowCase(w *bytes.Buffer, c rowCase, d RowDecision) {
	fmt.Fprintf(w, "\n## %s\n", c.name)
	if c.own {
		fmt.Fprintf(w, "policy:   fields.yaml (own)\n")
	}
	fmt.Fprintf(w, "facts:    %s\n", describeFacts(c.f))
	fs := make([]string, len(c.fields))
	for i, f := range c.fields {
		fs[i] = string(f)
	}
	fmt.Fprintf(w, "fields:   %s\n", strings.Join(fs, ", "))
	if c.ov != nil {
		fmt.Fprintf(w, "override: %s\n", describeOverrides(c.ov))
	}
	fmt.Fprintf(w, "as of:    %s\n", c.asOf)
	fmt.Fprintf(w, "row:      %s", d.Action)
	if !d.Due.IsZero() {
		fmt.Fprintf(w, " due %s", d.Due)
	}
	if d.Rule != "" {
		fmt.Fprintf(w, " rule %s", d.Rule)
	}
	if d.Trigger != nil {
		fmt.Fprintf(w, " trigger %s %s", d.Trigger.Event, d.Trigger.Date)
	}
	fmt.Fprintf(w, "\nreason:   EN %s\n          NL %s\n", d.Reason.EN, d.Reason.NL)
	for _, fd := range d.Fields {
		fmt.Fprintf(w, "  - %s\n    EN %s\n    NL %s\n", describeField(fd), fd.Reason.EN, fd.Reason.NL)
	}
}

// A row without fields is a record: EvaluateRow must then say exactly
// what Evaluate says, for every whole-record case.
func TestEvaluateRowWithoutFieldsIsEvaluate(t *testing.T) {
	base := builtin(t)
	for _, c := range evalCases() {
		p := base
		if c.ov != nil {
			var err error
			if p, err = base.WithOverrides(c.ov); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		got := EvaluateRow(p, c.f, nil, mustDate(c.asOf))
		want := Evaluate(p, c.f, mustDate(c.asOf))
		if !reflect.DeepEqual(got.Decision, want) || len(got.Fields) != 0 {
			t.Errorf("%s: EvaluateRow = %+v, Evaluate = %+v", c.name, got, want)
		}
	}
}

// Day by day through De Kangoeroe's parent row: a pseudonymised field
// never comes back, a field under a statutory minimum is never
// pseudonymised before the minimum ends, and deletion is final.
func TestRowLifeIsMonotonic(t *testing.T) {
	p, err := builtin(t).WithOverrides(kangoeroe())
	if err != nil {
		t.Fatal(err)
	}
	f := rec("contract", subj(Parent, "end_of_contract=2024-03-15"))
	fields := []Field{NameField, BSNField, AddressField, IBANField, EmailField, PhoneField, NotesField}
	minEnd := mustDate("2031-03-15")
	gone := map[Field]bool{}
	deleted := false
	for day := mustDate("2024-01-01"); day.Before(mustDate("2033-01-01")); day = day.AddDays(1) {
		d := EvaluateRow(p, f, fields, day)
		if deleted && d.Action != Delete {
			t.Fatalf("%s: row deleted before, now %s", day, d.Action)
		}
		if d.Action == Delete {
			if day.Before(minEnd) {
				t.Fatalf("%s: row deleted while C14 and C15 run", day)
			}
			deleted = true
			continue
		}
		for _, fd := range d.Fields {
			if gone[fd.Field] && fd.Action != Pseudonymise {
				t.Fatalf("%s: %s was pseudonymised before, now %s", day, fd.Field, fd.Action)
			}
			gone[fd.Field] = fd.Action == Pseudonymise
			if fd.Action == Pseudonymise && (fd.Field == NameField || fd.Field == BSNField) {
				t.Fatalf("%s: %s pseudonymised under a statutory minimum", day, fd.Field)
			}
		}
	}
	if !deleted || !gone[PhoneField] || gone[NotesField] {
		t.Errorf("the row's life did not run its course: deleted %v, gone %v", deleted, gone)
	}
}

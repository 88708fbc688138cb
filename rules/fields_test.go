package rules

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseFieldRule(t *testing.T) {
	p, err := Parse("f.yaml", []byte(`name: f
rules:
  - id: F1
    title: {en: parent phone, nl: telefoon ouder}
    subjects: [parent]
    fields: [phone, email]
    trigger: end_of_contract
    term: 2y
    kind: max
`))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := p.Rule("F1")
	if !r.IsFieldRule() || !slices.Equal(r.Fields, []Field{PhoneField, EmailField}) || r.Categories != nil {
		t.Errorf("parsed field rule %+v", r)
	}
	// A field rule decides no whole record, even of a category it lists:
	// a record with only field rules goes to review.
	if d := Evaluate(p, rec("contract", subj(Parent, "end_of_contract=2020-01-01")), mustDate("2030-01-01")); d.Action != Review {
		t.Errorf("a field rule decided a whole record: %+v", d)
	}
}

// The built-in field rules: which fields, which categories, on or off.
func TestBuiltinFieldRules(t *testing.T) {
	p := builtin(t)
	want := map[string]string{
		"C5": "child name", "C6": "child bsn", "C7": "child address postcode town", "C8": "child birth_date",
		"C11-field": "child health", "C14": "parent name", "C15": "parent bsn", "C16": "parent address postcode town",
		"C17": "parent birth_date", "C18": "parent iban", "C19": "parent email", "C20": "parent phone",
	}
	got := map[string]string{}
	for _, r := range p.Rules() {
		if !r.IsFieldRule() {
			continue
		}
		s := fmt.Sprint(r.Subjects, r.Fields)
		got[r.ID] = strings.NewReplacer("[", "", "]", "").Replace(s)
		if r.Kind == KindMin {
			// The fiscal duty covers the administration, not every copy of
			// a name (a diary entry is deleted on its own term).
			// A child's row in an administration system is its fiscal
			// administration too (C5, C6).
			want := []Category{"contract", "financial"}
			if slices.Contains(r.Subjects, Child) {
				want = append(want, "child-administration")
			}
			if !slices.Equal(r.Categories, want) || r.Disabled {
				t.Errorf("%s: statutory minimum must be on, for %v only: %v disabled %v", r.ID, want, r.Categories, r.Disabled)
			}
			continue
		}
		// A booked transaction is kept as it was (C4).
		if len(r.Categories) == 0 || slices.Contains(r.Categories, "financial") {
			t.Errorf("%s: a field maximum must list its categories and leave financial rows alone: %v", r.ID, r.Categories)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("field rules\n   got %v\n  want %v", got, want)
	}
}

func TestFieldNamesInBothLanguages(t *testing.T) {
	for _, f := range Fields {
		en, nl := FieldName(f, "en"), FieldName(f, "nl")
		if en == "" || nl == "" || en == string(f) && nl == string(f) {
			t.Errorf("field %q: en %q nl %q", f, en, nl)
		}
		if !IsField(f) {
			t.Errorf("IsField(%q) = false", f)
		}
	}
	if IsField("adres") {
		t.Error(`IsField("adres") = true`)
	}
}

package operators

import (
	"testing"

	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/export"
)

// TestDoneRecognisesCells: whatever Cell writes into a field, with the
// default operators and with a config's, Done takes for done, for every
// subject type's token prefix.
func TestDoneRecognisesCells(t *testing.T) {
	k, err := pseudonym.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	samples := map[string][]string{
		export.FieldName:      {"Piet Jansen", "Chloë Visser"},
		export.FieldID:        {"1234", "A-77"},
		export.FieldBSN:       {"123456782", "0123.45.672"},
		export.FieldAddress:   {"Dorpsstraat 1"},
		export.FieldPostcode:  {"1234 AB", "9999zz"},
		export.FieldTown:      {"Utrecht"},
		export.FieldBirthDate: {"03-05-1980", "2019-02-01"},
		export.FieldIBAN:      {"NL91 ABNA 0417 1643 00"},
		export.FieldEmail:     {"piet@example.nl"},
		export.FieldPhone:     {"+31 (0)6-1234 5678", "020 1234567"},
		export.FieldHealth:    {"allergisch voor noten, huisarts 020 1234567"},
		export.FieldNotes:     {"Moeder belt 06-12345678, BSN 123456782, woont 1234 AB Utrecht, mail j.jansen@example.nl."},
		export.FieldPhoto:     {"foto-0012.jpg"},
	}
	configs := []map[string]string{
		nil,
		{"iban": "mask:4", "postcode": "redact", "notes": "scan", "health": "scan", "phone": "mask:4", "bsn": "mask:4", "email": "pseudonym", "name": "mask:0"},
		{"birth_date": "mask", "address": "pseudonym", "town": "mask:2"},
	}
	types := []rules.SubjectType{rules.Child, rules.Parent, rules.Employee, rules.Volunteer}
	for _, cfg := range configs {
		set, err := Parse(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range types {
			for field, vals := range samples {
				for _, v := range vals {
					if set.Done(typ, field, v) {
						t.Errorf("%v %s: a real %s value is taken for done", cfg, typ, field)
					}
					out, err := set.Cell(k, typ, field, export.Cell{Kind: export.String, S: v})
					if err != nil {
						t.Fatal(err)
					}
					if !set.Done(typ, field, out.S) {
						t.Errorf("%v %s: Cell's output for %s (%d chars) is not taken for done", cfg, typ, field, len(out.S))
					}
				}
			}
		}
	}
}

// TestDone: per field kind and operator, what is done and what is a real
// value that only looks like an operator's output.
func TestDone(t *testing.T) {
	def, err := Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(map[string]string{"iban": "mask:4", "postcode": "redact", "notes": "scan", "bsn": "mask:4"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		set   Set
		typ   rules.SubjectType
		field string
		value string
		want  bool
	}{
		{"empty cell", def, rules.Child, "address", "", true},
		{"blank cell", def, rules.Child, "name", "  ", true},
		{"child's name token", def, rules.Child, "name", "KIND-3F9A2C4B", true},
		{"parent's token in a child's row", def, rules.Child, "name", "OUDER-3F9A2C4B", false},
		{"default NAAM token in a child's row", def, rules.Child, "name", "NAAM-3F9A2C4B", false},
		{"a name", def, rules.Child, "name", "Piet Jansen", false},
		{"a bare number in a name column", def, rules.Child, "name", "1234", false},
		{"a year in a name column", def, rules.Child, "name", "1980", false},
		{"four stars in a name column", def, rules.Child, "name", "****", false},
		{"employee number token", def, rules.Employee, "id", "MEDEWERKER-0A1B2C3D", true},
		{"an employee number", def, rules.Employee, "id", "4711", false},
		{"BSN token", def, rules.Parent, "bsn", "BSN-0A1B2C3D", true},
		{"a BSN", def, rules.Parent, "bsn", "123456782", false},
		{"a masked BSN where BSNs are tokens", def, rules.Parent, "bsn", "*****6782", false},
		{"a masked BSN where BSNs are masked", cfg, rules.Parent, "bsn", "*****6782", true},
		{"a token where BSNs are masked", cfg, rules.Parent, "bsn", "BSN-0A1B2C3D", false},
		{"a generalised postcode", def, rules.Parent, "postcode", "1234", true},
		{"a postcode", def, rules.Parent, "postcode", "1234 AB", false},
		{"a postcode without its space", def, rules.Parent, "postcode", "1234AB", false},
		{"four digits where postcodes are redacted", cfg, rules.Parent, "postcode", "1234", false},
		{"a year of birth", def, rules.Child, "birth_date", "1980", true},
		{"a date of birth", def, rules.Child, "birth_date", "03-05-1980", false},
		{"an ISO date of birth", def, rules.Child, "birth_date", "1980-05-03", false},
		{"a masked IBAN", cfg, rules.Parent, "iban", "**************4300", true},
		{"an IBAN", cfg, rules.Parent, "iban", "NL91ABNA0417164300", false},
		{"a masked IBAN where IBANs are redacted", def, rules.Parent, "iban", "**************4300", false},
		{"an e-mail token where e-mail is redacted", def, rules.Parent, "email", "EMAIL-0A1B2C3D", false},
		{"scanned notes", cfg, rules.Child, "notes", "Moeder belt TEL-0A1B2C3D, woont PC-0A1B2C3D Utrecht.", true},
		{"notes without identifiers", cfg, rules.Child, "notes", "Allergie: pinda.", true},
		{"notes with a phone number", cfg, rules.Child, "notes", "Moeder belt 06-12345678.", false},
		{"notes where notes are redacted", def, rules.Child, "notes", "Allergie: pinda.", false},
		{"an unknown field kind", def, rules.Child, "shoe_size", "KIND-3F9A2C4B", false},
	}
	for _, tt := range tests {
		if got := tt.set.Done(tt.typ, tt.field, tt.value); got != tt.want {
			t.Errorf("%s: Done(%s, %s) = %v, want %v", tt.name, tt.typ, tt.field, got, tt.want)
		}
	}
}

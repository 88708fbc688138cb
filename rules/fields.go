package rules

import (
	"slices"
	"strings"
)

// Field is a kind of personal data in a row of a vendor export (a CSV,
// XLSX or JSON row of an administration system or parent portal). Field
// rules give such fields their own terms (RETENTION-RULES.md C5-C8, C11,
// C14-C20); an export profile says which columns are which field.
type Field string

// The field kinds export profiles and field rules may name.
const (
	NameField      Field = "name" // surname, prefix, initials, first name
	BSNField       Field = "bsn"  // citizen service number
	AddressField   Field = "address"
	PostcodeField  Field = "postcode"
	TownField      Field = "town"
	BirthDateField Field = "birth_date"
	IBANField      Field = "iban"
	EmailField     Field = "email"
	PhoneField     Field = "phone"
	HealthField    Field = "health" // allergies, vaccinations, medical notes
	NotesField     Field = "notes"  // free text, which may hold any of the above
	PhotoField     Field = "photo"
	// IDField is the administration number a row is filed under (an
	// export profile's id column). No field rule names it: it stays as
	// long as the row does, since it ties the row's fields to the subject.
	IDField Field = "id"
)

// Fields lists every field kind, in the order reports show them.
var Fields = []Field{
	NameField, BSNField, AddressField, PostcodeField, TownField, BirthDateField,
	IBANField, EmailField, PhoneField, HealthField, NotesField, PhotoField,
}

// IsField reports whether f is a known field kind.
func IsField(f Field) bool { return slices.Contains(Fields, f) }

// The words follow seed 002's tables (naam, BSN-nummer, straatnaam …,
// geboortedatum, bankrekeningnummer, e-mailadres, telefoonnummers).
var fieldNames = map[Field]Text{
	NameField:      {"name", "naam"},
	BSNField:       {"citizen service number (BSN)", "BSN-nummer"},
	AddressField:   {"address", "adres"},
	PostcodeField:  {"postal code", "postcode"},
	TownField:      {"town", "woonplaats"},
	BirthDateField: {"date of birth", "geboortedatum"},
	IBANField:      {"bank account (IBAN)", "bankrekeningnummer (IBAN)"},
	EmailField:     {"e-mail address", "e-mailadres"},
	PhoneField:     {"phone number", "telefoonnummer"},
	HealthField:    {"health data", "gezondheidsgegevens"},
	NotesField:     {"notes", "notities"},
	PhotoField:     {"photo", "foto"},
	IDField:        {"administration number", "administratienummer"},
}

// FieldName returns the field kind in words, in "en" or "nl"; an unknown
// field is returned as it is written.
func FieldName(f Field, lang string) string { return name(fieldNames, f, lang) }

func fieldList() string {
	s := make([]string, len(Fields))
	for i, f := range Fields {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

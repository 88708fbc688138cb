package export

import (
	"maps"
	"slices"
)

// builtins are the profiles for the systems the source policies name. The
// fields come from what the policies say each system holds (seeds 000–004:
// Kidsadmin in 001, ROSA in 004's appendix, Saamn in 000, Konnect in 000
// and 001, KIJK! in 000 and 001, Tactiplan in 000; the field list of 002's
// retention tables). The column HEADERS are assumptions: no real export was
// available. Check them against a real export before relying on them, or
// write a profile of your own (PROFILES.md says how).
var builtins = map[string]Profile{
	// Kidsadmin (001): naam, geboortedatum, adres, BSN, e-mail, telefoon,
	// banknummers; one row per child. The fiscal administration (the
	// annual statement for the childcare allowance names the child and its
	// BSN): child-administration, so that C5 and C6 keep name and BSN 7
	// years while the rest goes under C1.
	"kidsadmin-children": {
		Subject: "child", SubjectBy: "id", SubjectColumn: "Kindnummer", Category: "child-administration",
		Fields: map[string]string{
			FieldID: "Kindnummer", FieldName: "Naam kind", FieldBSN: "BSN", FieldAddress: "Straat",
			FieldPostcode: "Postcode", FieldTown: "Woonplaats", FieldBirthDate: "Geboortedatum",
			FieldHealth: "Medische bijzonderheden",
		},
	},
	// Kidsadmin parents (001, 002's parent table C14–C20): the paying
	// parent, kept for the tax authority.
	"kidsadmin-parents": {
		Subject: "parent", SubjectBy: "id", SubjectColumn: "Relatienummer", Category: "contract",
		Fields: map[string]string{
			FieldID: "Relatienummer", FieldName: "Naam ouder", FieldBSN: "BSN", FieldAddress: "Straat",
			FieldPostcode: "Postcode", FieldTown: "Woonplaats", FieldBirthDate: "Geboortedatum",
			FieldIBAN: "IBAN", FieldEmail: "E-mail", FieldPhone: "Telefoon",
		},
	},
	// ROSA (004 appendix 1, oudergegevens): NAW, geboortedatum, telefoon,
	// IBAN, BSN, e-mail, algemene notities; one row per client (parent).
	"rosa-clients": {
		Subject: "parent", SubjectBy: "id", SubjectColumn: "Klantnummer", Category: "contract",
		Fields: map[string]string{
			FieldID: "Klantnummer", FieldName: "Naam", FieldBSN: "BSN", FieldAddress: "Straat",
			FieldPostcode: "Postcode", FieldTown: "Woonplaats", FieldBirthDate: "Geboortedatum",
			FieldIBAN: "IBAN", FieldEmail: "E-mail", FieldPhone: "Telefoon", FieldNotes: "Notities",
		},
	},
	// Saamn / The Nanny (000): naam, geboortedatum, adres, postcode,
	// woonplaats, telefoon, administratienummer, gezondheid. The
	// administration of the out-of-school care: child-administration, as
	// Kidsadmin's children.
	"saamn-children": {
		Subject: "child", SubjectBy: "id", SubjectColumn: "Kindnummer", Category: "child-administration",
		Fields: map[string]string{
			FieldID: "Kindnummer", FieldName: "Naam kind", FieldBSN: "BSN", FieldAddress: "Straat",
			FieldPostcode: "Postcode", FieldTown: "Woonplaats", FieldBirthDate: "Geboortedatum",
			FieldPhone: "Telefoon", FieldHealth: "Gezondheid",
		},
	},
	// Konnect children (000, 001): naam, geboortedatum, kindnotities
	// (allergieën, medische bijzonderheden). Konnect holds no BSN (000).
	"konnect-children": {
		Subject: "child", SubjectBy: "name", SubjectColumn: "Naam kind", Category: "portal-account",
		Fields: map[string]string{
			FieldName: "Naam kind", FieldBirthDate: "Geboortedatum",
			FieldHealth: "Medische bijzonderheden", FieldNotes: "Notitie",
		},
	},
	// Konnect diary (dagboek, 001; C10: 3 months from the entry's date).
	"konnect-diary": {
		Subject: "child", SubjectBy: "name", SubjectColumn: "Naam kind", Category: "diary",
		DateColumn: "Datum",
		Fields:     map[string]string{FieldName: "Naam kind", FieldNotes: "Notitie"},
	},
	// Konnect photos (000, 001; C9: 3 months from the photo's date).
	"konnect-photos": {
		Subject: "child", SubjectBy: "name", SubjectColumn: "Naam kind", Category: "photo",
		DateColumn: "Datum",
		Fields:     map[string]string{FieldName: "Naam kind", FieldPhoto: "Foto"},
	},
	// Konnect consents (toestemmingen, 001): photo, transport, pick-up.
	"konnect-consents": {
		Subject: "child", SubjectBy: "name", SubjectColumn: "Naam kind", Category: "consent",
		Fields: map[string]string{FieldName: "Naam kind"},
	},
	// KIJK! (000, 001): voor- en achternaam, geboortedatum, groep and the
	// mentor's observations; part of the child's dossier.
	"kijk-observations": {
		Subject: "child", SubjectBy: "name", SubjectColumn: "Naam kind", Category: "child-dossier",
		Fields: map[string]string{FieldName: "Naam kind", FieldBirthDate: "Geboortedatum", FieldNotes: "Observatie"},
	},
	// Tactiplan (000): naam, telefoon, e-mail, geboortedatum,
	// personeelsnummer, notities; V1: 1 year after the agreement ends.
	"tactiplan-employees": {
		Subject: "employee", SubjectBy: "id", SubjectColumn: "Personeelsnummer", Category: "roster-account",
		Fields: map[string]string{
			FieldID: "Personeelsnummer", FieldName: "Naam", FieldEmail: "E-mail", FieldPhone: "Telefoon",
			FieldBirthDate: "Geboortedatum", FieldNotes: "Notities",
		},
	},
}

// Builtin returns the built-in profile called name. Its column headers are
// assumptions (see PROFILES.md). The profile is a copy: changing it does not
// change the built-in one.
func Builtin(name string) (Profile, bool) {
	p, ok := builtins[name]
	if !ok {
		return Profile{}, false
	}
	p.Name = name
	p.Fields = maps.Clone(p.Fields)
	return p, true
}

// BuiltinNames lists the built-in profiles' names, sorted.
func BuiltinNames() []string {
	return slices.Sorted(maps.Keys(builtins))
}

package pseudonym

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Field is the kind of a column in an export profile. It decides how a
// value is normalised before it is tokenised, which token prefix it gets by
// default, and which operators may apply to it.
type Field string

// The field kinds of the export profiles.
const (
	FieldName      Field = "name"
	FieldBSN       Field = "bsn"
	FieldAddress   Field = "address"
	FieldPostcode  Field = "postcode"
	FieldTown      Field = "town"
	FieldBirthDate Field = "birth_date"
	FieldIBAN      Field = "iban"
	FieldEmail     Field = "email"
	FieldPhone     Field = "phone"
	FieldHealth    Field = "health"
	FieldNotes     Field = "notes"
	FieldPhoto     Field = "photo"
	FieldID        Field = "id"
	// FieldOther is any other column that holds personal data.
	FieldOther Field = "other"
)

// prefixOf returns the default token prefix of f, or "" for an unknown
// field. The prefixes are in Dutch because the administrators who read
// the rewritten exports are Dutch. A profile that knows whose name a
// column holds passes a better one ("KIND", "OUDER") to ApplyWithPrefix.
// (A switch rather than a map: it runs for every cell of an export.)
func prefixOf(f Field) string {
	switch f {
	case FieldName:
		return "NAAM"
	case FieldBSN:
		return "BSN"
	case FieldAddress:
		return "ADRES"
	case FieldPostcode:
		return "PC"
	case FieldTown:
		return "PLAATS"
	case FieldBirthDate:
		return "GEBDAT"
	case FieldIBAN:
		return "IBAN"
	case FieldEmail:
		return "EMAIL"
	case FieldPhone:
		return "TEL"
	case FieldHealth:
		return "GEZ"
	case FieldNotes:
		return "NOTITIE"
	case FieldPhoto:
		return "FOTO"
	case FieldID:
		return "ID"
	case FieldOther:
		return "VELD"
	}
	return ""
}

// Fields returns every field kind, in the order of the constants above.
func Fields() []Field {
	return []Field{FieldName, FieldBSN, FieldAddress, FieldPostcode, FieldTown,
		FieldBirthDate, FieldIBAN, FieldEmail, FieldPhone, FieldHealth,
		FieldNotes, FieldPhoto, FieldID, FieldOther}
}

// ParseField returns the field kind named s, such as "birth_date".
func ParseField(s string) (Field, error) {
	f := Field(s)
	if !f.Valid() {
		return "", fmt.Errorf("unknown field kind %q: use one of %s", s, fieldList())
	}
	return f, nil
}

func fieldList() string {
	var names []string
	for _, f := range Fields() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// Valid reports whether f is one of the field kinds.
func (f Field) Valid() bool { return prefixOf(f) != "" }

// Prefix returns the default token prefix of f, such as "BSN" or "NAAM",
// or "" for an unknown field.
func (f Field) Prefix() string { return prefixOf(f) }

// canonical returns the form of v that is tokenised for field f: one text
// for every way the exports write the same identifier, so that it gets one
// token. Token then folds case and white space.
func canonical(f Field, v Value) string {
	if v.Kind == Date {
		return v.T.Format("2006-01-02")
	}
	return canonicalText(f, strings.TrimSpace(v.Text()))
}

// canonicalText is canonical of a value whose text, trimmed, is s.
func canonicalText(f Field, s string) string {
	switch f {
	case FieldBSN:
		return canonicalBSN(s)
	case FieldIBAN, FieldPostcode:
		return strings.ToUpper(stripSpace(s))
	case FieldPhone:
		return canonicalPhone(s)
	case FieldBirthDate:
		if t, ok := parseDate(s); ok {
			return t.Format("2006-01-02")
		}
	case FieldName:
		return foldMarks(s)
	}
	return s
}

// canonicalBSN drops separators and restores the leading zeros that a
// spreadsheet drops from a BSN stored as a number, so that 012345672,
// "0123.45.672" and the number 12345672 are one BSN. Whether it passes the
// 11-test is not this package's concern: an invalid one is tokenised too.
func canonicalBSN(s string) string {
	if len(s) == 9 && allDigits(s) {
		return s // the common form, as it is
	}
	s = strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if s == "" || len(s) > 9 || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return s
	}
	return strings.Repeat("0", 9-len(s)) + s
}

// canonicalPhone keeps the digits of a phone number in national form:
// "+31 (0)6-1234 5678", "0031612345678" and "06 12345678" all become
// 0612345678, and a 9-digit number (a spreadsheet dropped the 0) gets its
// 0 back. Foreign numbers keep their "00" country prefix.
func canonicalPhone(s string) string {
	plus := strings.HasPrefix(s, "+")
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	if d == "" {
		return s
	}
	if plus {
		d = "00" + d
	}
	if rest, ok := strings.CutPrefix(d, "0031"); ok {
		d = "0" + strings.TrimPrefix(rest, "0")
	}
	if len(d) == 9 && d[0] != '0' {
		d = "0" + d
	}
	return d
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// foldMarks drops diacritics, because one system writes "Jánsen" where
// another writes "Jansen" (classify matches names the same way).
func foldMarks(s string) string {
	if isASCII(s) {
		return s // no marks to fold; the common case, and a hot one
	}
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, norm.NFD.String(s))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

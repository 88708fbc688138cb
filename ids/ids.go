// Package ids validates and finds Dutch personal identifiers: BSN, IBAN,
// postcode, phone number and e-mail address.
//
// Vendor exports of childcare administration systems carry these
// identifiers in two ways, and field-level retention needs both handled. A
// column that a vendor profile maps as bsn, iban, postcode, phone or email
// is validated cell by cell (Valid), so that a column mapped wrongly or
// holding typos is reported instead of silently pseudonymised as if it were
// what the profile says; Canonical gives the one spelling that the
// pseudonym operator hashes, so that "123.456.782" and "123456782" become
// the same token. Free-text columns (notes, diary entries) are scanned
// (Find) and the identifiers in them pseudonymised in place (Replace),
// because staff write a parent's phone number or a child's BSN into a note
// as readily as into the field meant for it.
//
// Detection in free text errs on the side of checksums: a nine-digit number
// is a BSN only if it passes the 11-test and a string shaped like an IBAN
// only if it passes mod 97, so order and invoice numbers survive. Phone
// numbers and postcodes have no checksum and are matched on shape and word
// boundaries.
//
// Nothing here logs. The values Canonical returns and Find points at are
// personal data: keep them out of logs and errors.
package ids

import "strings"

// Kind names a type of identifier. Its values match the field names of
// vendor profiles (bsn, iban, postcode, phone, email).
type Kind string

// The kinds of identifier this package knows.
const (
	BSN      Kind = "bsn"
	IBAN     Kind = "iban"
	Postcode Kind = "postcode"
	Phone    Kind = "phone"
	Email    Kind = "email"
)

// Kinds lists every kind, in the order Find prefers them when two
// candidates of the same length overlap (most specific first).
var Kinds = []Kind{Email, IBAN, BSN, Phone, Postcode}

// Valid reports whether s is a valid identifier of kind k. An unknown kind
// is never valid. Leading and trailing white space is ignored, as cells in
// exports often carry it.
func (k Kind) Valid(s string) bool {
	_, ok := Canonical(k, s)
	return ok
}

// Canonical returns the one spelling of a valid identifier of kind k that
// pseudonymisation should hash, so that every way of writing the same
// identifier gives the same pseudonym:
//
//   - bsn: nine digits, an eight-digit number padded with a leading zero;
//   - iban: upper case, no spaces;
//   - postcode: four digits and two upper-case letters, no space;
//   - phone: the ten-digit national number ("0612345678"), whether written
//     nationally or with +31 / 0031;
//   - email: the address in lower case.
//
// ok is false, and the string empty, if s is not valid or k unknown.
func Canonical(k Kind, s string) (canon string, ok bool) {
	s = strings.TrimSpace(s)
	switch k {
	case BSN:
		return bsnDigits(s)
	case IBAN:
		return ibanCompact(s)
	case Postcode:
		return postcodeCompact(s)
	case Phone:
		return phoneNational(s)
	case Email:
		if !validEmail(s) {
			return "", false
		}
		// Local parts are case-sensitive in theory only; no Dutch mail
		// host treats J.Jansen and j.jansen as different people.
		return strings.ToLower(s), true
	}
	return "", false
}

// ValidBSN reports whether s is a BSN (burgerservicenummer): nine digits,
// or eight padded with a leading zero as the Belastingdienst allows, that
// pass the 11-test (9×d1 + 8×d2 + … + 2×d8 − 1×d9 divisible by 11) and
// are not all zeros. Single spaces or dots between digits are allowed
// ("123.456.782", "123 456 782").
func ValidBSN(s string) bool { return BSN.Valid(s) }

// ValidIBAN reports whether s is an IBAN (ISO 13616): a country code, two
// check digits and an alphanumeric account number that together pass the
// mod-97 check. Spaces are allowed and case is ignored. For the countries
// in the length table (the Netherlands and Europe's others) the length
// must match; for any other country it must be 15 to 34 characters.
func ValidIBAN(s string) bool { return IBAN.Valid(s) }

// ValidPostcode reports whether s is a Dutch postcode: four digits, the
// first not 0, then two letters, with or without one space between
// ("1234 AB", "1234AB"). PostNL does not use the letter pairs SA, SD and
// SS, so those are invalid. Lower-case letters are accepted.
func ValidPostcode(s string) bool { return Postcode.Valid(s) }

// PostcodeDigits returns the four digits of a valid Dutch postcode, which
// is what the generalise operator keeps: a four-digit area holds thousands
// of addresses, the full postcode a street side.
func PostcodeDigits(s string) (digits string, ok bool) {
	c, ok := postcodeCompact(strings.TrimSpace(s))
	if !ok {
		return "", false
	}
	return c[:4], true
}

// ValidPhone reports whether s is a Dutch phone number: ten digits
// nationally, starting with 0 and not 00 ("0612345678", "020-1234567",
// "010 123 4567", "(020) 1234567"), or the same number in international
// form with +31 or 0031 instead of the leading 0 ("+31 6 12345678",
// "+31 (0)20 1234567"). Digits may be grouped with spaces, dashes and one
// pair of parentheses.
func ValidPhone(s string) bool { return Phone.Valid(s) }

// ValidEmail reports whether s is a bare e-mail address as net/mail parses
// it (no display name, comment or angle brackets) whose domain has at
// least two labels. It is pragmatic, not RFC 5322: quoted local parts and
// domain literals are refused, as no parent has one.
func ValidEmail(s string) bool { return Email.Valid(s) }

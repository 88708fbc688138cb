package pseudonym

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Field operators: what becomes of a cell whose retention maximum has
// passed while its row must be kept. None of them leaves a value from
// which the original can be recovered by computation without the key:
// tokens are keyed HMACs, never plain hashes (a plain hash of a 9-digit BSN
// is reversed by trying them all), and masks never keep enough to narrow a
// value down, and of a short value keep nothing.

// Operator is what happens to a field: Pseudonym, Redact, Generalise or
// Mask.
type Operator string

// The operators.
const (
	// Pseudonym replaces the value by its keyed token (see Token), so that
	// the same person still joins up across files and runs.
	Pseudonym Operator = "pseudonym"
	// Redact blanks the value.
	Redact Operator = "redact"
	// Generalise keeps only the coarse part: a date's year, a postcode's
	// four digits.
	Generalise Operator = "generalise"
	// Mask keeps the last few characters and stars the rest.
	Mask Operator = "mask"
)

// DefaultMaskKeep is how many trailing characters "mask" keeps.
const DefaultMaskKeep = 4

// MaskMinHidden is the fewest characters a mask hides; a mask that would
// hide fewer, or keep more than half of the value, hides all of it.
const MaskMinHidden = 4

// MaskAll is the output of a mask that hides the whole value. It has a
// fixed length so that it does not tell "Jan" from "Annemarie", or true
// from false.
const MaskAll = "****"

// maskCap is the most trailing characters a mask may keep of a field, for
// identifiers whose structure makes a longer tail narrow them down: 4 of a
// BSN leaves 5 digits, 10,000 candidates after the 11-test; 4 of an IBAN
// leaves the bank and six digits.
var maskCap = map[Field]int{FieldBSN: 4, FieldIBAN: 4}

// generalisable reports whether Generalise applies to field; a name or an
// IBAN has no coarse part to keep.
func generalisable(field Field) bool {
	return field == FieldBirthDate || field == FieldPostcode || field == FieldOther
}

// ErrValue is wrapped by the errors Apply returns for a value that does not
// fit its operator (a generalised birth date that is not a date), as
// opposed to an operator that does not fit its field, which CheckOperator
// reports. The error never contains the value: the caller adds the file,
// row and column.
var ErrValue = errors.New("value does not fit the operator")

// ParseOperator reads an operator as the config writes it: "pseudonym",
// "redact", "generalise", "mask" (keeping DefaultMaskKeep characters) or
// "mask:N" (keeping N). It returns the operator and how many characters a
// mask keeps (0 for the other operators).
func ParseOperator(s string) (Operator, int, error) {
	name, arg, hasArg := strings.Cut(s, ":")
	op := Operator(name)
	switch op {
	case Pseudonym, Redact, Generalise:
		if !hasArg {
			return op, 0, nil
		}
		return "", 0, fmt.Errorf("operator %q takes no argument: write %q", s, name)
	case Mask:
		if !hasArg {
			return Mask, DefaultMaskKeep, nil
		}
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 || arg[0] == '+' {
			return "", 0, fmt.Errorf("operator %q: write mask:N with N the number of trailing characters to keep, such as mask:4", s)
		}
		return Mask, n, nil
	}
	return "", 0, fmt.Errorf("unknown operator %q: use pseudonym, redact, generalise, mask or mask:N", s)
}

// CheckOperator reports whether op, keeping keep characters, may apply to
// field: the check a config loader runs for every configured field, so
// that Apply's remaining errors are about values. Generalise applies only
// to birth_date, postcode and other (dates); a mask of a bsn or iban keeps
// at most 4 characters.
func CheckOperator(op Operator, keep int, field Field) error {
	if !field.Valid() {
		return fmt.Errorf("unknown field kind %q: use one of %s", field, fieldList())
	}
	switch op {
	case Pseudonym, Redact:
	case Generalise:
		if !generalisable(field) {
			return fmt.Errorf("a %s field cannot be generalised (only birth_date, postcode and dates in other fields): use pseudonym, redact or mask", field)
		}
	case Mask:
		if keep < 0 {
			return fmt.Errorf("mask of a %s field keeps %d characters: use 0 or more", field, keep)
		}
		if c, ok := maskCap[field]; ok && keep > c {
			return fmt.Errorf("mask of a %s field may keep at most %d characters: use mask:%d or fewer", field, c, c)
		}
	default:
		return fmt.Errorf("unknown operator %q: use pseudonym, redact, generalise, mask or mask:N", op)
	}
	return nil
}

// Apply returns v with op applied as for a field of the given kind, with
// the field's default token prefix (Field.Prefix). keep is the number of
// characters Mask keeps; the other operators ignore it.
//
// An empty value (see Value.IsEmpty) gives Empty for every operator;
// Redact gives Empty; the others give a String. A Formula is its cached
// value; Number, Date and Bool values are their text (Value.Text), except
// that tokens of dates use yyyy-mm-dd so that a Date cell and a date
// string give one token.
//
// Errors: those of CheckOperator, whatever v is; and, wrapping ErrValue,
// Generalise of a value that has no coarse form (a birth date that is not
// a date, a postcode that is not "1234 AB").
func (k *Keyed) Apply(op Operator, keep int, field Field, v Value) (Value, error) {
	return k.ApplyWithPrefix(field.Prefix(), op, keep, field, v)
}

// ApplyWithPrefix is Apply with the token prefix given, for a profile that
// knows whose data a column holds ("KIND" for a child's name, "OUDER" for a
// parent's). The prefix is part of the token: every profile must use the
// same one for the same people, or their tokens will not join up. Besides
// Apply's errors, it returns CheckPrefix's for a bad prefix.
//
// Pseudonym leaves a value that is already a token with this prefix as it
// is, and Mask a value that is already its mask, so that a second run over
// a rewritten file (after a crash between rewrite and ledger) does not
// tokenise the tokens: every operator's output is a fixed point (IsOutput).
func (k *Keyed) ApplyWithPrefix(prefix string, op Operator, keep int, field Field, v Value) (Value, error) {
	if err := CheckOperator(op, keep, field); err != nil {
		return Value{}, err
	}
	if err := CheckPrefix(prefix); err != nil {
		return Value{}, err
	}
	if v.IsEmpty() {
		return Value{}, nil
	}
	switch op {
	case Pseudonym:
		if s := strings.TrimSpace(v.Text()); v.Kind == String && len(s) > len(prefix) && s[len(prefix)] == '-' && s[:len(prefix)] == prefix && IsToken(s) {
			return StringValue(s), nil
		}
		var buf [MaxPrefixLen + 1 + TokenHex]byte
		return StringValue(string(k.appendToken(buf[:0], prefix, canonical(field, v)))), nil
	case Generalise:
		return generalise(field, v)
	case Mask:
		if s := strings.TrimSpace(v.Text()); v.Kind == String && isMask(s, keep) {
			// Already masked: a phone number's canonical form would drop
			// the stars and mask the kept tail as a whole.
			return StringValue(s), nil
		}
		return StringValue(mask(field, keep, v)), nil
	}
	return Value{}, nil // Redact
}

// ApplyText is ApplyWithPrefix of StringValue(s), for text cells (every
// CSV field is one): it returns the result's text, "" for an Empty
// result, and the same errors. It spares the conversions to and from
// Value, which on an export of a million rows cost more than most
// operators do.
func (k *Keyed) ApplyText(prefix string, op Operator, keep int, field Field, s string) (string, error) {
	if err := CheckOperator(op, keep, field); err != nil {
		return "", err
	}
	if err := CheckPrefix(prefix); err != nil {
		return "", err
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return "", nil
	}
	switch op {
	case Pseudonym:
		if len(t) > len(prefix) && t[len(prefix)] == '-' && t[:len(prefix)] == prefix && IsToken(t) {
			return t, nil
		}
		var buf [MaxPrefixLen + 1 + TokenHex]byte
		return string(k.appendToken(buf[:0], prefix, canonicalText(field, t))), nil
	case Generalise:
		v, err := generalise(field, StringValue(s))
		return v.S, err
	case Mask:
		if isMask(t, keep) {
			return t, nil
		}
		return mask(field, keep, StringValue(s)), nil
	}
	return "", nil // Redact
}

var (
	postcodeRE = regexp.MustCompile(`^([1-9][0-9]{3})(\s*[A-Za-z]{2})?$`)
	yearRE     = regexp.MustCompile(`^[0-9]{4}$`)
)

// postcodeDigits is the regular expression's fast path for the common
// forms "1234 AB", "1234AB" and "1234": the four digits.
func postcodeDigits(s string) (string, bool) {
	if len(s) < 4 || s[0] < '1' || s[0] > '9' {
		return "", false
	}
	for i := 1; i < 4; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	rest := s[4:]
	if len(rest) == 3 && rest[0] == ' ' {
		rest = rest[1:]
	}
	switch {
	case rest == "":
	case len(rest) == 2 && isLetter(rest[0]) && isLetter(rest[1]):
	default:
		return "", false
	}
	return s[:4], true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// generalise returns the coarse form of v. A value already in that form
// (a year, four digits of a postcode) is returned as it is, so that a
// second run over a rewritten file succeeds.
func generalise(field Field, v Value) (Value, error) {
	s := strings.TrimSpace(v.Text())
	if field == FieldPostcode {
		if v.Kind == Date || v.Kind == Bool {
			return Value{}, fmt.Errorf("generalise: the postcode field holds a %s, not a postcode: %w", v.Kind, ErrValue)
		}
		if d, ok := postcodeDigits(s); ok {
			return StringValue(d), nil
		}
		m := postcodeRE.FindStringSubmatch(s)
		if m == nil {
			return Value{}, fmt.Errorf("generalise: the postcode is not a Dutch postcode such as 1234 AB: %w", ErrValue)
		}
		return StringValue(m[1]), nil
	}
	if v.Kind == String || v.Kind == Formula {
		if _, ok := parseDayFirst(s); ok {
			return StringValue(s[6:]), nil // the year, as strconv.Itoa would write it: four digits from 1000 on
		}
	}
	if t, ok := dateOf(v); ok {
		if y := t.Year(); y >= 1000 && y <= 9999 {
			return StringValue(strconv.Itoa(y)), nil
		}
		return StringValue(fmt.Sprintf("%04d", t.Year())), nil
	}
	if v.Kind != Number && yearRE.MatchString(s) {
		return StringValue(s), nil
	}
	return Value{}, fmt.Errorf("generalise: the %s value is not a date in the form dd-mm-yyyy, d-m-yyyy or yyyy-mm-dd (a number is not read as a date: date cells must be read as dates): %w", field, ErrValue)
}

// mask keeps the last keep characters of the text of v and stars the
// others. BSN, IBAN and phone numbers are masked in their canonical form,
// so that the characters kept are digits rather than spaces.
func mask(field Field, keep int, v Value) string {
	var s string
	switch field {
	case FieldBSN, FieldIBAN, FieldPhone:
		s = canonical(field, v)
	default:
		s = strings.TrimSpace(v.Text())
	}
	n := utf8.RuneCountInString(s)
	if keep == 0 || 2*keep > n || n-keep < MaskMinHidden {
		return MaskAll
	}
	r := []rune(s)
	return strings.Repeat("*", n-keep) + string(r[n-keep:])
}

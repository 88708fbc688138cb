package pseudonym

import (
	"strings"
	"unicode/utf8"
)

// IsOutput reports whether v is already what op, keeping keep characters
// and writing tokens with prefix, makes of a field of the given kind: a
// field that holds it is done, and pseudonymising it again would change
// nothing (or, for a mask of a phone number, hide the tail it keeps).
//
// The rule is per operator, for the configured operator only, so that a
// real value is not taken for the output of an operator the field does not
// have:
//
//   - every operator: an empty value (see Value.IsEmpty) is done;
//   - Redact: only an empty value;
//   - Pseudonym: a String that is a token (IsToken) with exactly this
//     prefix, such as KIND-3F9A2C4B for a child's name; a bare number, a
//     year or a mask in the column is not;
//   - Generalise: of a postcode, four digits without letters (1234, not
//     1234 AB); of a birth date or another date field, a year of four
//     digits, as text or a number (a Date cell is a whole date);
//   - Mask: the fixed-length MaskAll, or, if the mask of a value of this
//     length keeps a tail, at least n-keep leading stars (n the value's
//     length in characters) followed by keep characters.
//
// Tokens carry no check digit: a value written in the exact token form of
// the field's prefix is taken for a token. Real names, numbers and
// addresses do not have that form. Every other accepted value tells no
// more of the person than the operator's own output would.
func IsOutput(op Operator, keep int, field Field, prefix string, v Value) bool {
	if v.IsEmpty() {
		return true
	}
	s := strings.TrimSpace(v.Text())
	switch op {
	case Pseudonym:
		return v.Kind == String && len(s) > len(prefix) && s[len(prefix)] == '-' && s[:len(prefix)] == prefix && IsToken(s)
	case Generalise:
		if v.Kind == Date || v.Kind == Bool || !generalisable(field) {
			return false
		}
		if field == FieldPostcode {
			return len(s) == 4 && s[0] >= '1' && s[0] <= '9' && allDigits(s)
		}
		return len(s) == 4 && allDigits(s)
	case Mask:
		return isMask(s, keep)
	}
	return false // Redact, or an unknown operator
}

// isMask reports whether s is what mask leaves of a value as long as s,
// keeping keep characters.
func isMask(s string, keep int) bool {
	if s == MaskAll {
		return true
	}
	n := utf8.RuneCountInString(s)
	if keep <= 0 || 2*keep > n || n-keep < MaskMinHidden {
		return false // a mask of a value this long is MaskAll
	}
	hidden := n - keep // characters; the stars are one byte each
	return strings.Count(s[:hidden], "*") == hidden
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

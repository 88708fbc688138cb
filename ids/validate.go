package ids

import (
	"net/mail"
	"strings"
	"unicode"
)

// bsnDigits returns the nine digits of a BSN written with optional single
// spaces or dots between digits.
func bsnDigits(s string) (string, bool) {
	var d [9]byte
	n := 0
	afterDigit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			if n == len(d) {
				return "", false
			}
			d[n] = c
			n++
			afterDigit = true
		case (c == ' ' || c == '.') && afterDigit && i+1 < len(s):
			afterDigit = false
		default:
			return "", false
		}
	}
	switch n {
	case 9:
	case 8:
		// The Belastingdienst pads old eight-digit numbers with a
		// leading zero; the 11-test holds on the padded form.
		copy(d[1:], d[:8])
		d[0] = '0'
	default:
		return "", false
	}
	if !elevenTest(d) {
		return "", false
	}
	return string(d[:]), true
}

// elevenTest is the BSN checksum. All zeros pass the sum but are no BSN.
func elevenTest(d [9]byte) bool {
	sum, zero := 0, true
	for i, c := range d {
		v := int(c - '0')
		if v != 0 {
			zero = false
		}
		if i == 8 {
			sum -= v
		} else {
			sum += (9 - i) * v
		}
	}
	return !zero && sum%11 == 0
}

// ibanLength is the length of an IBAN in the Netherlands and the other
// countries a Dutch childcare organisation's parents and staff are likely
// to bank in (EU, EEA, and European microstates), from the SWIFT IBAN
// registry. Other countries are checked against ISO 13616's bounds only.
var ibanLength = map[string]int{
	"AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24,
	"DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
	"GB": 22, "GI": 23, "GL": 18, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
	"IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27,
	"MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24,
	"SI": 19, "SK": 24, "SM": 27, "VA": 22,
}

// The shortest (Norway) and longest IBAN ISO 13616 allows.
const minIBAN, maxIBAN = 15, 34

// ibanCompact returns an IBAN in upper case without spaces.
func ibanCompact(s string) (string, bool) {
	b := make([]byte, 0, maxIBAN)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case isDigit(c) || 'A' <= c && c <= 'Z':
		default:
			return "", false
		}
		if len(b) == maxIBAN {
			return "", false
		}
		b = append(b, c)
	}
	if len(b) < minIBAN || !isUpper(b[0]) || !isUpper(b[1]) || !isDigit(b[2]) || !isDigit(b[3]) {
		return "", false
	}
	if want, ok := ibanLength[string(b[:2])]; ok && len(b) != want {
		return "", false
	}
	// Mod 97 alone accepts check digits 00, 01 and 99 as aliases of 97,
	// 98 and 02, which ISO 13616 never issues.
	if cd := string(b[2:4]); cd == "00" || cd == "01" || cd == "99" {
		return "", false
	}
	// A Dutch account number is a four-letter bank code and ten digits;
	// checking it keeps mod-97 look-alikes in notes from matching.
	if string(b[:2]) == "NL" && !dutchBBAN(b[4:]) {
		return "", false
	}
	if mod97(b) != 1 {
		return "", false
	}
	return string(b), true
}

func dutchBBAN(b []byte) bool {
	for i, c := range b {
		if i < 4 && !isUpper(c) || i >= 4 && !isDigit(c) {
			return false
		}
	}
	return true
}

// mod97 computes the ISO 7064 MOD 97-10 remainder of an IBAN with its
// first four characters moved to the end and letters read as 10…35,
// digit by digit so that no big integer is needed.
func mod97(b []byte) int {
	r := 0
	for i := range b {
		c := b[(i+4)%len(b)]
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return r
}

// postcodeCompact returns a Dutch postcode as "1234AB".
func postcodeCompact(s string) (string, bool) {
	switch {
	case len(s) == 7 && s[4] == ' ':
		s = s[:4] + s[5:]
	case len(s) != 6:
		return "", false
	}
	if s[0] == '0' || !isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) {
		return "", false
	}
	l := strings.ToUpper(s[4:])
	if !isUpper(l[0]) || !isUpper(l[1]) || l == "SA" || l == "SD" || l == "SS" {
		return "", false
	}
	return s[:4] + l, true
}

// phoneNational returns a Dutch phone number as its ten national digits.
func phoneNational(s string) (string, bool) {
	if !phoneShape(s) {
		return "", false
	}
	d := make([]byte, 0, 16)
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			d = append(d, s[i])
		}
	}
	var nat []byte // the number without its trunk 0
	intl := false
	switch {
	case s[0] == '+':
		if len(d) < 2 || d[0] != '3' || d[1] != '1' {
			return "", false
		}
		nat, intl = d[2:], true
	case len(d) >= 4 && string(d[:4]) == "0031":
		nat, intl = d[4:], true
	case len(d) > 0 && d[0] == '0':
		nat = d[1:]
	default:
		return "", false
	}
	// "+31 (0)20 …" is the customary Dutch way to show the trunk 0, and
	// "+31 06 …" a common slip; both mean the same number.
	if intl && len(nat) > 0 && nat[0] == '0' {
		nat = nat[1:]
	}
	// A national number starting 00 would be an international prefix.
	if len(nat) != 9 || nat[0] == '0' {
		return "", false
	}
	n := "0" + string(nat)
	// 0800 and 090x numbers have 8 or 11 digits, never 10.
	if strings.HasPrefix(n, "080") || strings.HasPrefix(n, "090") {
		return "", false
	}
	return n, true
}

// phoneShape checks how a phone number is written: digits grouped by
// short runs of spaces and dashes, at most one pair of parentheses around
// digits only, a '+' only in front, ending in a digit.
func phoneShape(s string) bool {
	if s == "" || !isDigit(s[len(s)-1]) {
		return false
	}
	open, closed := -1, -1
	run, dashes := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) {
			run, dashes = 0, 0
			continue
		}
		run++
		switch c {
		case '+':
			if i != 0 || len(s) < 2 || !isDigit(s[1]) {
				return false
			}
		case ' ':
		case '-':
			dashes++
		case '(':
			if open >= 0 {
				return false
			}
			open = i
		case ')':
			if open < 0 || closed >= 0 || i == open+1 {
				return false
			}
			closed = i
		default:
			return false
		}
		if run > 3 || dashes > 1 || i == 0 && c != '+' && c != '(' {
			return false
		}
	}
	if (open >= 0) != (closed >= 0) {
		return false
	}
	for i := open + 1; open >= 0 && i < closed; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// validEmail is ValidEmail without trimming.
func validEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	// Address == s refuses display names, comments, angle brackets and
	// quoted local parts, which net/mail accepts but rewrites.
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	labels := strings.Split(s[strings.LastIndexByte(s, '@')+1:], ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return len(tld) >= 2 && strings.IndexFunc(tld, unicode.IsLetter) >= 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

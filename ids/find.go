package ids

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Match is an identifier found in free text: text[Start:End] is it, in
// byte offsets.
type Match struct {
	Kind       Kind
	Start, End int
}

// Find returns the identifiers in text, in order and without overlaps.
// Every match is valid for its kind (Kind.Valid of the matched text is
// true) and stands on word boundaries: a letter or digit directly before
// or after means it is part of something else.
//
// What Find looks for:
//   - bsn: nine digits in a row, or as 3-3-3 groups joined by dots or by
//     spaces, that pass the 11-test. Eight-digit numbers are not taken
//     for padded BSNs here, as dates (20240131) and other numbers in notes
//     would too often pass; columns mapped as bsn do accept them.
//   - iban: a country code and check digits followed by letters and
//     digits, compact or in space-separated groups, passing mod 97;
//   - postcode: "1234 AB" or "1234AB" with upper-case letters only, so
//     that "in 2018 en 2019" is not a postcode;
//   - phone: a Dutch number as ValidPhone accepts it;
//   - email: an address of ASCII letters, digits and ._%+- that
//     ValidEmail accepts.
//
// Where candidates overlap, the longest wins, and among equally long ones
// the kind listed first in Kinds.
func Find(text string) []Match {
	var c []Match
	c = findEmails(text, c)
	c = findIBANs(text, c)
	c = findBSNs(text, c)
	c = findPhones(text, c)
	c = findPostcodes(text, c)
	return resolve(c)
}

// Replace returns text with every identifier Find finds replaced by what
// fn returns for it; fn gets the match and the matched text. The rest of
// text is kept byte for byte.
func Replace(text string, fn func(m Match, s string) string) string {
	ms := Find(text)
	if len(ms) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	prev := 0
	for _, m := range ms {
		b.WriteString(text[prev:m.Start])
		b.WriteString(fn(m, text[m.Start:m.End]))
		prev = m.End
	}
	b.WriteString(text[prev:])
	return b.String()
}

// resolve sorts candidates and drops overlapping ones. Sweeping in start
// order, a candidate that overlaps the last kept one replaces it if
// better; it cannot overlap the one before, which ends before the last
// kept one starts.
func resolve(c []Match) []Match {
	if len(c) == 0 {
		return nil
	}
	slices.SortStableFunc(c, func(a, b Match) int { return a.Start - b.Start })
	out := c[:0]
	for _, m := range c {
		if n := len(out); n > 0 && m.Start < out[n-1].End {
			if better(m, out[n-1]) {
				out[n-1] = m
			}
			continue
		}
		out = append(out, m)
	}
	return out
}

func better(a, b Match) bool {
	if la, lb := a.End-a.Start, b.End-b.Start; la != lb {
		return la > lb
	}
	return slices.Index(Kinds, a.Kind) < slices.Index(Kinds, b.Kind)
}

func findBSNs(text string, c []Match) []Match {
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) || wordBefore(text, i) {
			continue
		}
		j := i
		for j < len(text) && isDigit(text[j]) {
			j++
		}
		end := -1
		switch {
		case j-i == 9:
			end = j
		case j-i == 3 && j+8 <= len(text) && (text[j] == ' ' || text[j] == '.'):
			sep := text[j]
			if digits3(text, j+1) && text[j+4] == sep && digits3(text, j+5) &&
				!(i >= 2 && text[i-1] == sep && isDigit(text[i-2])) &&
				!(j+9 < len(text) && text[j+8] == sep && isDigit(text[j+9])) {
				end = j + 8
			}
		}
		if end > 0 && !wordAfter(text, end) && !decimal(text, i, end) && ValidBSN(text[i:end]) {
			c = append(c, Match{BSN, i, end})
		}
		i = j - 1
	}
	return c
}

func digits3(s string, i int) bool {
	return i+3 <= len(s) && isDigit(s[i]) && isDigit(s[i+1]) && isDigit(s[i+2])
}

// decimal reports whether text[i:j] is part of a decimal number such as
// 3.123456782 or 123456782,50, which no one writes a BSN as.
func decimal(text string, i, j int) bool {
	return i >= 2 && (text[i-1] == '.' || text[i-1] == ',') && isDigit(text[i-2]) ||
		j+1 < len(text) && (text[j] == '.' || text[j] == ',') && isDigit(text[j+1])
}

// maxPhone bounds how far a phone number is looked for, enough for
// "+31 (0)6 - 12 34 56 78" with room to spare.
const maxPhone = 28

func findPhones(text string, c []Match) []Match {
	for i := 0; i < len(text); i++ {
		if b := text[i]; b != '+' && b != '0' && b != '(' || wordBefore(text, i) {
			continue
		}
		lim := min(len(text), i+maxPhone)
		j := i + 1
		for j < lim && strings.IndexByte("0123456789 -()", text[j]) >= 0 {
			j++
		}
		// The span may run into the next number ("020 1234567 of
		// 0612345678" has none, "bel 020 1234567 0612345678" does), so
		// try each end, longest first.
		nd := 0
		for k := i; k < j; k++ {
			if isDigit(text[k]) {
				nd++
			}
		}
		for e := j; e > i; e-- {
			if !isDigit(text[e-1]) {
				continue
			}
			// 10 digits, 11 with +31, 13 with 0031 (0), spare the rest.
			if 10 <= nd && nd <= 13 && !wordAfter(text, e) && ValidPhone(text[i:e]) {
				c = append(c, Match{Phone, i, e})
				break
			}
			nd--
		}
	}
	return c
}

func findPostcodes(text string, c []Match) []Match {
	for i := 0; i+6 <= len(text); i++ {
		if text[i] < '1' || text[i] > '9' || !digits3(text, i+1) || wordBefore(text, i) {
			continue
		}
		k := i + 4
		if text[k] == ' ' {
			k++
		}
		if k+2 > len(text) || !isUpper(text[k]) || !isUpper(text[k+1]) || wordAfter(text, k+2) {
			continue
		}
		if ValidPostcode(text[i : k+2]) {
			c = append(c, Match{Postcode, i, k + 2})
		}
	}
	return c
}

func findIBANs(text string, c []Match) []Match {
	var ends [maxIBAN]int
	for i := 0; i+minIBAN <= len(text); i++ {
		if !isLetter(text[i]) || !isLetter(text[i+1]) || !isDigit(text[i+2]) || !isDigit(text[i+3]) ||
			wordBefore(text, i) {
			continue
		}
		// Collect where each space-separated group ends; an IBAN is
		// written compact, in groups of four, or anything between.
		n, count := 0, 0
		for j := i; ; {
			k := j
			for k < len(text) && isAlnum(text[k]) {
				k++
			}
			if count += k - j; count > maxIBAN {
				break
			}
			ends[n] = k
			n++
			if k+1 >= len(text) || text[k] != ' ' || !isAlnum(text[k+1]) {
				break
			}
			j = k + 1
		}
		for t := n - 1; t >= 0; t-- {
			if e := ends[t]; !wordAfter(text, e) && ValidIBAN(text[i:e]) {
				c = append(c, Match{IBAN, i, e})
				i = e - 1
				break
			}
		}
	}
	return c
}

// maxLocal is the longest local part RFC 5321 allows, which bounds the
// work per '@'.
const maxLocal = 64

func findEmails(text string, c []Match) []Match {
	for off := 0; ; {
		k := strings.IndexByte(text[off:], '@')
		if k < 0 {
			return c
		}
		at := off + k
		off = at + 1
		s := at
		for s > 0 && at-s < maxLocal && isLocal(text[s-1]) {
			s--
		}
		if s > 0 && isLocal(text[s-1]) {
			continue // longer than any local part
		}
		for s < at && text[s] == '.' {
			s++
		}
		e := at + 1
		for e < len(text) && e-at <= 253 && (isAlnum(text[e]) || text[e] == '.' || text[e] == '-') {
			e++
		}
		// A sentence may end right after the address.
		for e > at+1 && (text[e-1] == '.' || text[e-1] == '-') {
			e--
		}
		if s < at && !wordBefore(text, s) && !wordAfter(text, e) && validEmail(text[s:e]) {
			c = append(c, Match{Email, s, e})
		}
	}
}

// wordBefore reports whether a letter, digit or underscore ends at i.
func wordBefore(text string, i int) bool {
	if i <= 0 {
		return false
	}
	if b := text[i-1]; b < utf8.RuneSelf {
		return isWordByte(b)
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordAfter reports whether a letter, digit or underscore starts at i.
func wordAfter(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	if b := text[i]; b < utf8.RuneSelf {
		return isWordByte(b)
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isWordByte(b byte) bool { return isAlnum(b) || b == '_' }
func isAlnum(b byte) bool    { return isDigit(b) || isLetter(b) }
func isLetter(b byte) bool   { return isUpper(b) || 'a' <= b && b <= 'z' }
func isLocal(b byte) bool    { return isAlnum(b) || strings.IndexByte("._%+-", b) >= 0 }

package planview

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// fold is the form in which records, names and search texts are
// compared: lower case, without diacritics (decomposed as NFKD, as
// agent/classify decomposes names, and the combining marks dropped, so
// that "José" and "jose" are one; NFKD also splits the Dutch ĳ ligature),
// with every run of spaces or control characters made one space and none
// at either end, so that the NUL separating the index's keys never occurs
// in one.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	foldInto(&b, s)
	return b.String()
}

// foldInto appends fold(s) to b.
func foldInto(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			foldRunes(b, norm.NFKD.String(s))
			return
		}
	}
	start := b.Len()
	space := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c <= ' ' || c == 0x7f:
			space = true
		default:
			if space && b.Len() > start {
				b.WriteByte(' ')
			}
			space = false
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
		}
	}
}

// foldRunes appends the fold of s, decomposed already, to b.
func foldRunes(b *strings.Builder, s string) {
	start := b.Len()
	space := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			// the diacritic of the letter before it
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
		default:
			if space && b.Len() > start {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		}
	}
}

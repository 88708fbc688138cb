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
	plain := true // ASCII, and fold would not change it
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return foldRunes(norm.NFKD.String(s))
		}
		if c <= ' ' || c == 0x7f || 'A' <= c && c <= 'Z' {
			if c != ' ' || i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				plain = false
			}
		}
	}
	if plain {
		return s
	}
	return foldRunes(s)
}

// foldRunes folds s, decomposed already.
func foldRunes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			// the diacritic of the letter before it
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			if r < utf8.RuneSelf {
				if 'A' <= r && r <= 'Z' {
					r += 'a' - 'A'
				}
				b.WriteByte(byte(r))
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
		}
	}
	return b.String()
}

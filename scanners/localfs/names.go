package localfs

import (
	"strings"
	"unicode/utf8"
)

// isClutter reports whether name is a file an OS or Office leaves behind
// that holds no one's data: Finder's .DS_Store, Windows' Thumbs.db and
// desktop.ini, and "~$" lock files Office keeps beside an open document.
// Other dotfiles are records.
func isClutter(name string) bool {
	return strings.EqualFold(name, ".DS_Store") ||
		strings.EqualFold(name, "Thumbs.db") ||
		strings.EqualFold(name, "desktop.ini") ||
		strings.HasPrefix(name, "~$")
}

const (
	placeholderPrefix = "."
	placeholderSuffix = ".icloud"
)

// placeholderFor returns the name of the file an iCloud Drive placeholder
// stands for: ".Name.ext.icloud" stands for "Name.ext". A name that would
// stand for "." or ".." is no placeholder.
func placeholderFor(name string) (string, bool) {
	if len(name) <= len(placeholderPrefix)+len(placeholderSuffix) ||
		!strings.HasPrefix(name, placeholderPrefix) || !strings.HasSuffix(name, placeholderSuffix) {
		return "", false
	}
	real := name[len(placeholderPrefix) : len(name)-len(placeholderSuffix)]
	if real == "." || real == ".." {
		// "...icloud" and "....icloud" would stand for the folder itself
		// or its parent: they are files of their own.
		return "", false
	}
	return real, true
}

// placeholderName is the name of the placeholder that stands for name.
func placeholderName(name string) string {
	return placeholderPrefix + name + placeholderSuffix
}

// A record's ID is made of its path's file names, escaped so that the ID
// is valid UTF-8 and survives JSON (plan.json, the ledger, reports) byte
// for byte: a byte that is not part of valid UTF-8, a control byte
// (below 0x20, and 0x7f), "%" and the bytes of U+FFFD (which a lossy
// decoder writes for what it could not read) are written as "%XX", in
// upper-case hex. Every other name is its own ID. The escaping is
// canonical: an ID element that is not exactly the escaping of a name
// ("%41", "%ff", a raw U+FFFD, a lone "%") names no file, and is refused
// rather than looked up, so that a mangled ID never passes for a file
// that is gone.

// escapeName returns the ID element of the file name name.
func escapeName(name string) string {
	i := 0
	for i < len(name) {
		c := name[i]
		if c < utf8.RuneSelf {
			if escapedASCII(c) {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		if r == utf8.RuneError {
			break
		}
		i += size
	}
	if i == len(name) {
		return name
	}
	var b strings.Builder
	b.Grow(len(name) + 8)
	b.WriteString(name[:i])
	for i < len(name) {
		c := name[i]
		if c < utf8.RuneSelf {
			if escapedASCII(c) {
				writeEscape(&b, c)
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		if r == utf8.RuneError { // an invalid byte, or U+FFFD itself
			for j := range size {
				writeEscape(&b, name[i+j])
			}
		} else {
			b.WriteString(name[i : i+size])
		}
		i += size
	}
	return b.String()
}

func escapedASCII(c byte) bool { return c < 0x20 || c == 0x7f || c == '%' }

func writeEscape(b *strings.Builder, c byte) {
	const hex = "0123456789ABCDEF"
	b.WriteByte('%')
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}

// unescapeName returns the file name whose ID element is elem; ok is false
// if elem is not the escaping of any name.
func unescapeName(elem string) (string, bool) {
	if !strings.Contains(elem, "%") {
		return elem, escapeName(elem) == elem
	}
	b := make([]byte, 0, len(elem))
	for i := 0; i < len(elem); i++ {
		c := elem[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		if i+2 >= len(elem) {
			return "", false
		}
		hi, ok1 := unhex(elem[i+1])
		lo, ok2 := unhex(elem[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		b = append(b, hi<<4|lo)
		i += 2
	}
	name := string(b)
	return name, escapeName(name) == elem
}

// unhex reads an upper-case hex digit, the only kind escapeName writes.
func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

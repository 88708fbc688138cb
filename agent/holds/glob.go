package holds

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// CheckGlob reports whether glob is a well-formed hold path: names
// separated by slashes, relative to the store's root, where "*" matches
// any run of characters within one name and "**", as a whole name, any
// number of folders. Layout placeholders ({child.name}) are refused: to hold a
// person's data, hold the subject.
//
// A hold path matches a record whose id it matches, and everything below
// it: a hold on "Personeel/Jansen" holds "Personeel/Jansen/contract.pdf",
// and a hold on "archief/2019.zip" holds the entries of that zip
// ("archief/2019.zip!/x/y"). Matching ignores case and Unicode
// normalisation (NFC and NFD spell the same name), so that a hold never
// misses a record over how a name was typed: a hold errs on holding more.
//
// The error names the position of the bad folder name, never the path.
func CheckGlob(glob string) error {
	_, err := compileGlob(glob)
	return err
}

// glob is a compiled hold path.
type glob struct {
	all    bool           // "**": every record in the store
	prefix string         // lower-case ASCII literal every match starts with
	re     *regexp.Regexp // nil when all
}

// compileGlob checks glob and turns it into a regular expression.
func compileGlob(g string) (glob, error) {
	switch {
	case g == "":
		return glob{}, errors.New(`path: missing: give a path in the store, such as "Personeel/2024/**"`)
	case len(g) > maxGlob:
		return glob{}, fmt.Errorf("path: longer than %d bytes", maxGlob)
	case strings.HasPrefix(g, "/"):
		return glob{}, errors.New("path: starts with /: hold paths are relative to the store's root, remove the leading /")
	case strings.Contains(g, `\`):
		return glob{}, errors.New(`path: contains \: separate folders with / (also for Windows and OneDrive paths)`)
	case strings.ContainsAny(g, "{}"):
		return glob{}, errors.New("path: contains { or }: placeholders do not work in holds; hold a person with --subject TYPE:ID, or write * for a part of a name")
	case hasControl(g):
		return glob{}, errors.New("path: contains a control character")
	}
	segs := strings.Split(norm.NFC.String(g), "/")
	for i, seg := range segs {
		switch {
		case seg == "":
			return glob{}, fmt.Errorf("path: folder name %d is empty (// or a trailing /): remove the extra /", i+1)
		case seg == "." || seg == "..":
			return glob{}, fmt.Errorf("path: folder name %d is %s: hold paths stay inside the store, remove it", i+1, seg)
		case seg != "**" && strings.Contains(seg, "**"):
			return glob{}, fmt.Errorf(`path: folder name %d has ** with other characters: write "**" as a whole folder name for any depth, or "*" within a name`, i+1)
		}
	}
	// A trailing "**" adds nothing to "and everything below": drop it.
	for len(segs) > 0 && segs[len(segs)-1] == "**" {
		segs = segs[:len(segs)-1]
	}
	if len(segs) == 0 {
		return glob{all: true}, nil
	}
	var re, prefix strings.Builder
	re.WriteString(`(?i)^`)
	literal := true
	for i, seg := range segs {
		if seg == "**" {
			re.WriteString(`(?:[^/]+/)*`)
			literal = false
			continue
		}
		for j, part := range strings.Split(seg, "*") {
			if j > 0 {
				re.WriteString(`[^/]*`)
				literal = false
			}
			re.WriteString(regexp.QuoteMeta(part))
			if literal {
				prefix.WriteString(part)
			}
		}
		if i < len(segs)-1 {
			re.WriteString("/")
			if literal {
				prefix.WriteString("/")
			}
		}
	}
	// Everything below: a folder's files ("/…") and a zip's entries
	// ("!/…", scanners.ArchiveSep).
	re.WriteString(`(?:!?/.*)?$`)
	r, err := regexp.Compile(re.String())
	if err != nil {
		return glob{}, errors.New("path: cannot be compiled")
	}
	return glob{prefix: asciiLowerPrefix(prefix.String()), re: r}, nil
}

// match reports whether the NFC-normalised record id matches g.
func (g *glob) match(id string) bool {
	if g.all {
		return true
	}
	if !hasFoldedPrefix(id, g.prefix) {
		return false
	}
	return g.re.MatchString(id)
}

// asciiLowerPrefix returns the lower-cased ASCII start of s, up to its
// first non-ASCII byte: the cheap pre-check must never reject a record the
// regular expression would match, and case folding beyond ASCII can change
// a name's length in bytes (K and the Kelvin sign).
func asciiLowerPrefix(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// hasFoldedPrefix reports whether s starts with the lower-case ASCII
// prefix p, ignoring ASCII case. A non-ASCII byte in s where p has an
// ASCII letter that folds to it (k and the Kelvin sign, s and ſ) counts as
// a possible match, left for the regular expression to decide.
func hasFoldedPrefix(s, p string) bool {
	if len(s) < len(p) {
		// Every character of a match takes at least as many bytes as
		// the ASCII letter it folds to.
		return false
	}
	for i := 0; i < len(p); i++ {
		c := s[i]
		if c >= 0x80 {
			return true
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

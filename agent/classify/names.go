package classify

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/retentiond/retentiond/rules"
)

// tussenvoegsels are the Dutch name particles that folder names write in
// different places ("Anna van den Berg", "Berg, Anna van den", "van den
// Berg, Anna") or leave out ("Anna Berg").
var tussenvoegsels = map[string]bool{
	"van": true, "de": true, "der": true, "den": true, "het": true, "ter": true,
	"ten": true, "te": true, "in": true, "t": true, "op": true, "d": true,
	"la": true, "le": true, "du": true, "da": true, "di": true, "vd": true,
	"v": true, "el": true, "al": true, "von": true, "zu": true, "uit": true,
}

// nameTokens splits a name into lower-case tokens without diacritics, so
// that "Jansen, Piet", "piet jansen" and "Piet Jánsen" give the same
// tokens. Apostrophes join ("'t Hart" gives "t" "hart"); any other
// non-letter separates.
func nameTokens(s string) []string {
	var toks []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			toks = append(toks, b.String())
			b.Reset()
		}
	}
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining mark: the diacritic of the letter before it
		case unicode.IsLetter(r):
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
			flush()
		default:
			flush()
		}
	}
	flush()
	return toks
}

// NameKey is the order-free form of a name used to match folder names to
// registry names: its tokens sorted and joined. Word order does not matter,
// so "Achternaam, Voornaam" matches "Voornaam Achternaam" and a tussenvoegsel
// may stand before or after the surname.
func NameKey(s string) string {
	toks := nameTokens(s)
	sort.Strings(toks)
	return strings.Join(toks, " ")
}

// looseKey is NameKey without tussenvoegsels, for names written without
// them ("Anna Berg" for "Anna van den Berg"). Only a unique loose match
// counts.
func looseKey(s string) string {
	var keep []string
	for _, t := range nameTokens(s) {
		if !tussenvoegsels[t] {
			keep = append(keep, t)
		}
	}
	sort.Strings(keep)
	return strings.Join(keep, " ")
}

// Index finds subjects by id and by name.
type Index struct {
	byID    map[rules.SubjectType]map[string]*rules.Subject
	byName  map[rules.SubjectType]map[string][]*rules.Subject
	byLoose map[rules.SubjectType]map[string][]*rules.Subject
}

// NewIndex indexes subjects by type, id and name.
func NewIndex(subjects []*rules.Subject) *Index {
	ix := &Index{
		byID:    map[rules.SubjectType]map[string]*rules.Subject{},
		byName:  map[rules.SubjectType]map[string][]*rules.Subject{},
		byLoose: map[rules.SubjectType]map[string][]*rules.Subject{},
	}
	for _, s := range subjects {
		if ix.byID[s.Type] == nil {
			ix.byID[s.Type] = map[string]*rules.Subject{}
			ix.byName[s.Type] = map[string][]*rules.Subject{}
			ix.byLoose[s.Type] = map[string][]*rules.Subject{}
		}
		ix.byID[s.Type][idKey(s.ID)] = s
		if s.Name == "" {
			continue
		}
		if k := NameKey(s.Name); k != "" {
			ix.byName[s.Type][k] = append(ix.byName[s.Type][k], s)
		}
		if k := looseKey(s.Name); k != "" {
			ix.byLoose[s.Type][k] = append(ix.byLoose[s.Type][k], s)
		}
	}
	return ix
}

func idKey(id string) string { return strings.ToLower(strings.TrimSpace(id)) }

// ByID returns the subject of type t with the given id, or nil.
func (ix *Index) ByID(t rules.SubjectType, id string) *rules.Subject {
	return ix.byID[t][idKey(id)]
}

// ByName returns the subjects of type t whose name matches name: every
// exact match (case, diacritics, word order and punctuation forgiven), or,
// if there is none, the matches with tussenvoegsels left out. More than one
// result means the name is ambiguous.
func (ix *Index) ByName(t rules.SubjectType, name string) []*rules.Subject {
	if k := NameKey(name); k != "" {
		if m := ix.byName[t][k]; len(m) > 0 {
			return m
		}
	}
	if k := looseKey(name); k != "" {
		return ix.byLoose[t][k]
	}
	return nil
}

// OfType returns the subjects of type t, ordered by id.
func (ix *Index) OfType(t rules.SubjectType) []*rules.Subject {
	out := make([]*rules.Subject, 0, len(ix.byID[t]))
	for _, s := range ix.byID[t] {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

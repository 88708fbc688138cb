package demo

import (
	"math/rand/v2"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Every name below is made up from common Dutch first names and surnames;
// no combination is meant to be a real person.

// childFirst are first names of children born in the last fifteen years,
// with the diacritics Dutch registries really hold.
var childFirst = []string{
	"Emma", "Julia", "Mila", "Tess", "Sophie", "Zoë", "Sara", "Nora", "Yara", "Eva",
	"Liv", "Lotte", "Saar", "Lieke", "Fleur", "Olivia", "Isa", "Femke", "Jip", "Noor",
	"Chloë", "Inès", "Anaïs", "Joëlle", "Maëlle", "Noë", "Aya", "Lina", "Elif", "Hanna",
	"Noah", "Sem", "Liam", "Lucas", "Daan", "Levi", "Finn", "Luuk", "Milan", "Bram",
	"Jesse", "Mees", "Siem", "Thijs", "Sören", "Daniël", "Jens", "Ruben", "Hugo", "Gijs",
	"Teun", "Otis", "Ravi", "Mats", "Adam", "Mohammed", "Amir", "Rayan", "Joël", "Boaz",
	"Ties", "Floris", "Vince", "Quinn", "Roos", "Puck", "Loïs", "Anouk", "Merel", "Benjamin",
}

// adultFirst are first names of parents, staff, applicants and volunteers.
var adultFirst = []string{
	"Mark", "Sanne", "Thomas", "Linda", "Marieke", "Bas", "Annelies", "Joost", "Esther", "Hanneke",
	"Maarten", "Iris", "Wouter", "Ingrid", "Rutger", "Fatima", "Youssef", "Priya", "Noëlle", "Renée",
	"Hélène", "Jeroen", "Eline", "Mireille", "Dirk", "Marloes", "Gerrit", "Kim", "Sandra", "Petra",
	"Sven", "Niels", "Ilse", "Judith", "Karin", "Mariska", "Stijn", "Tom", "Laura", "Rianne",
	"Koen", "Evelien", "Frank", "Naima", "Hasan", "Ayşe", "Björn", "Céline", "Tamara", "Erik",
	"Jorien", "Pieter", "Wendy", "Arjen", "Monique", "Lars", "Anouschka", "Ruud", "Yvonne", "Gülsen",
	"Chantal", "Robin", "Femke", "Jasper", "Daphne", "Michiel", "Nadia", "Anke", "Vincent", "Loes",
}

// surname is a surname with its tussenvoegsel ("van den" + "Berg").
type surname struct{ tussen, last string }

// surnames mixes plain names, the tussenvoegsels the brief asks for (van,
// de, van der, van den, ter, 't) and a few with diacritics.
var surnames = []surname{
	{"", "Jansen"}, {"de", "Vries"}, {"van den", "Berg"}, {"van", "Dijk"}, {"", "Bakker"},
	{"", "Visser"}, {"", "Smit"}, {"", "Meijer"}, {"de", "Boer"}, {"", "Mulder"},
	{"de", "Groot"}, {"", "Bos"}, {"", "Vos"}, {"", "Peters"}, {"", "Hendriks"},
	{"van", "Leeuwen"}, {"", "Dekker"}, {"", "Brouwer"}, {"de", "Wit"}, {"", "Dijkstra"},
	{"", "Smits"}, {"de", "Graaf"}, {"van der", "Meer"}, {"van der", "Linden"}, {"", "Kok"},
	{"", "Jacobs"}, {"de", "Haan"}, {"", "Vermeulen"}, {"van den", "Heuvel"}, {"van der", "Veen"},
	{"van den", "Broek"}, {"de", "Bruijn"}, {"de", "Jong"}, {"", "Schouten"}, {"van", "Beek"},
	{"", "Willems"}, {"van", "Vliet"}, {"", "Hoekstra"}, {"", "Maas"}, {"", "Verhoeven"},
	{"", "Koster"}, {"van", "Dam"}, {"van der", "Wal"}, {"", "Prins"}, {"", "Blom"},
	{"", "Huisman"}, {"ter", "Horst"}, {"'t", "Hart"}, {"ter", "Haar"}, {"van 't", "Hof"},
	{"", "Öztürk"}, {"", "Doğan"}, {"", "Müller"}, {"", "Gonçalves"}, {"", "Bouzidi"},
	{"", "Timmermans"}, {"", "Postma"}, {"van", "Wijk"}, {"", "Kramer"}, {"", "Çelik"},
}

// name is a person's name in its parts, so that it can be written the ways
// Dutch offices write names on folders.
type name struct {
	first string
	surname
}

// full is the registry form: "Anna van den Berg".
func (n name) full() string {
	if n.tussen == "" {
		return n.first + " " + n.last
	}
	return n.first + " " + n.tussen + " " + n.last
}

// filed is the folder form: "Berg, Anna van den".
func (n name) filed() string {
	if n.tussen == "" {
		return n.last + ", " + n.first
	}
	return n.last + ", " + n.first + " " + n.tussen
}

// key is the form under which two names count as the same person for the
// matcher: no case, no diacritics, no tussenvoegsel. Generated names are
// kept distinct under it, so only the deliberate look-alikes collide.
func (n name) key() string {
	return strings.ToLower(plain(n.first) + " " + plain(n.last))
}

// plain removes diacritics: "Zoë" → "Zoe", as people type on a keyboard
// without dead keys.
func plain(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// namer hands out names that no other person in the demo has under key,
// except where a case asks for a look-alike on purpose.
type namer struct {
	r    *rand.Rand
	used map[string]bool
}

func newNamer(r *rand.Rand) *namer { return &namer{r: r, used: map[string]bool{}} }

// take reserves n and reports whether it was still free.
func (nm *namer) take(n name) bool {
	if nm.used[n.key()] {
		return false
	}
	nm.used[n.key()] = true
	return true
}

// pick returns a fresh name from firsts; with a non-nil sur the surname is
// fixed (a parent named after the child), falling back to a random one when
// every first name with that surname is taken.
func (nm *namer) pick(firsts []string, sur *surname) name {
	for try := 0; ; try++ {
		s := surnames[nm.r.IntN(len(surnames))]
		if sur != nil && try < 20 {
			s = *sur
		}
		n := name{first: firsts[nm.r.IntN(len(firsts))], surname: s}
		if nm.take(n) {
			return n
		}
	}
}

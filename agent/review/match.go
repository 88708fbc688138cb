package review

import (
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/retentiond/retentiond/scanners"
)

// Matcher finds the resolution of a record. It is safe for concurrent use.
type Matcher struct {
	byStore map[string][]matchEntry
	n       int
}

type matchEntry struct {
	r      Resolution
	path   string // NFC; for a folder, without "/**"
	folder bool
}

// NewMatcher returns a Matcher of the active resolutions among rs.
func NewMatcher(rs []Resolution) *Matcher {
	m := &Matcher{byStore: map[string][]matchEntry{}}
	for _, r := range rs {
		if !r.Active() {
			continue
		}
		base, folder := r.Prefix()
		m.byStore[r.Store] = append(m.byStore[r.Store], matchEntry{r: clone(r), path: norm.NFC.String(base), folder: folder})
		m.n++
	}
	return m
}

// Len is the number of active resolutions.
func (m *Matcher) Len() int {
	if m == nil {
		return 0
	}
	return m.n
}

// Match returns the resolution of the record id in store: one naming the
// record itself, else one naming the zip that holds it (a zip's id covers
// its entries), else the one of the innermost folder above it. Names are
// compared as written (case counts: a resolution may make records due, so
// it must not reach records it was not meant for), Unicode normalisation
// aside.
func (m *Matcher) Match(store, id string) (Resolution, bool) {
	if m == nil || len(m.byStore[store]) == 0 {
		return Resolution{}, false
	}
	id = norm.NFC.String(id)
	best, bestLen := -1, -1
	for i, e := range m.byStore[store] {
		n := -1
		switch {
		case !e.folder && id == e.path:
			n = len(id) + 1 // the record itself beats everything
		case !e.folder && strings.HasPrefix(id, e.path+scanners.ArchiveSep):
			n = len(e.path)
		case e.folder && strings.HasPrefix(id, e.path+"/"):
			n = len(e.path)
		}
		if n > bestLen {
			best, bestLen = i, n
		}
	}
	if best < 0 {
		return Resolution{}, false
	}
	return clone(m.byStore[store][best].r), true
}

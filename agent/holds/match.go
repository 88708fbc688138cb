package holds

import (
	"fmt"

	"golang.org/x/text/unicode/norm"
)

// Matcher answers whether a record is held, for many records: globs are
// compiled once and subject holds indexed by type and id. Build it from
// the holds active on the plan's date (Set.Matcher). A Matcher is safe for
// concurrent use.
type Matcher struct {
	holds    []Hold
	subjects map[SubjectRef][]int // hold indexes, in ID order
	paths    map[string][]globHold
}

type globHold struct {
	glob glob
	hold int // index into holds
}

// NewMatcher compiles holds for matching. It does not look at dates or
// releases: pass the holds that are active (Set.Active). The error names
// the hold, never its path.
func NewMatcher(holds []Hold) (*Matcher, error) {
	m := &Matcher{subjects: map[SubjectRef][]int{}, paths: map[string][]globHold{}}
	for _, h := range holds {
		i := len(m.holds)
		m.holds = append(m.holds, clone(h))
		if h.Subject != nil {
			m.subjects[*h.Subject] = append(m.subjects[*h.Subject], i)
			continue
		}
		g, err := compileGlob(h.PathGlob)
		if err != nil {
			return nil, fmt.Errorf("hold %s: %w", h.ID, err)
		}
		m.paths[h.Store] = append(m.paths[h.Store], globHold{glob: g, hold: i})
	}
	return m, nil
}

// Len returns the number of holds m matches against.
func (m *Matcher) Len() int { return len(m.holds) }

// Match reports whether the record recordID of store, tied to subject
// (nil if unlinked), is held, and by which hold. Where several holds
// match, it returns the one that lasts longest (one without an Until day
// first), then the lowest id, so that the plan's "held until" is the day
// the record is free. Subject ids are compared exactly; record ids as
// CheckGlob says (case and Unicode normalisation ignored, folders and zips
// held with everything in them).
func (m *Matcher) Match(store, recordID string, subject *SubjectRef) (Hold, bool) {
	best := -1
	m.each(store, recordID, subject, func(i int) {
		if best < 0 || outlasts(m.holds[i], m.holds[best]) {
			best = i
		}
	})
	if best < 0 {
		return Hold{}, false
	}
	return clone(m.holds[best]), true
}

// MatchAll returns every hold that holds the record, in the order the
// holds were given to NewMatcher (ID order from a Set).
func (m *Matcher) MatchAll(store, recordID string, subject *SubjectRef) []Hold {
	seen := map[int]bool{}
	m.each(store, recordID, subject, func(i int) { seen[i] = true })
	var out []Hold
	for i := range m.holds {
		if seen[i] {
			out = append(out, clone(m.holds[i]))
		}
	}
	return out
}

// each calls fn with the index of every hold matching the record.
func (m *Matcher) each(store, recordID string, subject *SubjectRef, fn func(int)) {
	if subject != nil {
		for _, i := range m.subjects[*subject] {
			fn(i)
		}
	}
	ps := m.paths[store]
	if len(ps) == 0 {
		return
	}
	if !norm.NFC.IsNormalString(recordID) {
		recordID = norm.NFC.String(recordID)
	}
	for _, p := range ps {
		if p.glob.match(recordID) {
			fn(p.hold)
		}
	}
}

// outlasts reports whether a should be named before b: it lasts longer,
// or as long with a lower id.
func outlasts(a, b Hold) bool {
	switch {
	case a.Until.IsZero() != b.Until.IsZero():
		return a.Until.IsZero()
	case a.Until != b.Until:
		return a.Until.After(b.Until)
	}
	return compareIDs(a.ID, b.ID) < 0
}

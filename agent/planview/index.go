// Package planview is the console's fast view of a plan's items: it reads
// a plan.json once, as a stream, into a compact in-memory index, and
// answers pages of items with filters (store, category, action, rule,
// kind, person, folder, new only) and a search text, the facets and
// persons to filter by, the items of a person or a folder, and what is
// new since the previous plan.
//
// The index keeps the plan's names and paths in memory, for the caller
// only: nothing here logs, and errors name the file, the item and the
// field, never a value.
//
// An Index is safe for concurrent use.
package planview

import (
	"slices"
	"strings"
	"sync"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// Index is a plan's items in compact form, with what makes queries on
// them fast: the search keys are folded (lower case, no accents) at load,
// the repeated strings (store, category, rule, action, kind, reason, …)
// interned, and each person's items listed.
type Index struct {
	header  plan.Header
	stores  []plan.StoreResult
	summary plan.Summary
	digest  string
	path    string

	items []entry
	// text holds the records, versions and modification times of the
	// items; entries refer to it by span.
	text string
	// keys holds each item's folded record, keyEnd[i] its end; the keys
	// are separated by a NUL, so that a search never spans two items.
	keys   string
	keyEnd []uint32

	strs     []string          // interned strings; strs[0] is ""
	facetIdx map[string]uint32 // the interned stores, categories, actions, rules and kinds
	triggers []rules.Trigger   // interned triggers; triggers[0] is none

	persons     []plan.SubjectRef // sorted by type, folded name, id
	personKeys  []string          // folded names
	personStart []int32           // persons[k]'s items: personItems[personStart[k]:personStart[k+1]]
	personItems []int32

	mu       sync.RWMutex
	isNew    []bool // by CompareTo
	newCount int
}

// span is a string in Index.text.
type span struct{ off, n uint32 }

// entry is one item. Strings that repeat are indexes into Index.strs.
type entry struct {
	rec, version, modified      span
	size                        int64
	store, kind, category, rule uint32
	action, due, reason, basis  uint32
	held, resolved, file        uint32
	trigger                     uint32 // index into Index.triggers; 0: none
	person                      int32  // 1-based index into Index.persons; 0: none
	locked                      bool
	extra                       *extra // the rarer parts, nil when the item has none
}

// extra is what few items have: an archive's counts, an export row's
// fields, warnings and sharing links.
type extra struct {
	entries        *plan.Entries
	fields         []string
	fieldDecisions []plan.FieldItem
	warnings       []string
	links          []plan.Link
}

// Len is the number of items.
func (ix *Index) Len() int { return len(ix.items) }

// Header is the plan's header.
func (ix *Index) Header() plan.Header { return ix.header }

// Digest is "sha256:" and the hex SHA-256 of the plan.json read, as
// plan.File.Digest: an approval names the plan by it.
func (ix *Index) Digest() string { return ix.digest }

// Path is the plan.json the index was loaded from.
func (ix *Index) Path() string { return ix.path }

// Summary is the plan's summary: items per action.
func (ix *Index) Summary() plan.Summary { return ix.summary }

// StoreSummaries is the plan's per-store results: records listed, items
// per action (pseudonymise included), overdue and whether listing failed.
func (ix *Index) StoreSummaries() []plan.StoreResult {
	if ix.stores == nil {
		return nil
	}
	out := make([]plan.StoreResult, len(ix.stores))
	for i, s := range ix.stores {
		s.Links = cloneMap(s.Links)
		s.Resolved = cloneMap(s.Resolved)
		out[i] = s
	}
	return out
}

func cloneMap(m map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	c := make(map[string]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Item returns item n (1-based, as approvals number them).
func (ix *Index) Item(n int) (plan.Item, bool) {
	if n < 1 || n > len(ix.items) {
		return plan.Item{}, false
	}
	return ix.item(n - 1), true
}

// Record returns the record of item n (1-based) and its store, without
// building the whole item.
func (ix *Index) Record(n int) (store, record string, ok bool) {
	if n < 1 || n > len(ix.items) {
		return "", "", false
	}
	e := &ix.items[n-1]
	return ix.strs[e.store], ix.str(e.rec), true
}

func (ix *Index) str(s span) string { return ix.text[s.off : s.off+s.n] }

// item builds item i (0-based) from its entry. Slices are copies: a caller
// cannot change the index through them.
func (ix *Index) item(i int) plan.Item {
	e := &ix.items[i]
	it := plan.Item{
		Store:    ix.strs[e.store],
		Record:   ix.str(e.rec),
		Kind:     ix.strs[e.kind],
		Category: rules.Category(ix.strs[e.category]),
		Rule:     ix.strs[e.rule],
		Action:   rules.Action(ix.strs[e.action]),
		Due:      ix.strs[e.due],
		Reason:   ix.strs[e.reason],
		Basis:    ix.strs[e.basis],
		Version:  ix.str(e.version),
		Size:     e.size,
		Modified: ix.str(e.modified),
		File:     ix.strs[e.file],
		Locked:   e.locked,
		Held:     ix.strs[e.held],
		Resolved: ix.strs[e.resolved],
	}
	if e.person > 0 {
		s := ix.persons[e.person-1]
		it.Subject = &s
	}
	if e.trigger > 0 {
		t := ix.triggers[e.trigger]
		it.Trigger = &t
	}
	if x := e.extra; x != nil {
		if x.entries != nil {
			en := *x.entries
			it.Entries = &en
		}
		it.Fields = slices.Clone(x.fields)
		it.FieldDecisions = slices.Clone(x.fieldDecisions)
		it.Warnings = slices.Clone(x.warnings)
		if x.links != nil {
			it.Links = make([]plan.Link, len(x.links))
			for k, l := range x.links {
				l.Roles = slices.Clone(l.Roles)
				it.Links[k] = l
			}
		}
	}
	return it
}

// lookup returns the interned index of a store, category, action, rule
// or kind, or false when no item has it.
func (ix *Index) lookup(s string) (uint32, bool) {
	i, ok := ix.facetIdx[s]
	return i, ok
}

// Persons returns the distinct subjects of the plan's items, sorted by
// type, name and id; Persons()[k] is person number k+1 (Filter.Person,
// Row.Person, PersonItems). Names are personal data: they are for the
// page, never for a URL or a log.
func (ix *Index) Persons() []plan.SubjectRef { return slices.Clone(ix.persons) }

// PersonCount is the number of persons: Persons without the copy.
func (ix *Index) PersonCount() int { return len(ix.persons) }

// Person returns person number p (1-based).
func (ix *Index) Person(p int) (plan.SubjectRef, bool) {
	if p < 1 || p > len(ix.persons) {
		return plan.SubjectRef{}, false
	}
	return ix.persons[p-1], true
}

// PersonItems returns the item numbers (1-based, ascending) of person
// number p; nil when there is no such person.
func (ix *Index) PersonItems(p int) []int {
	if p < 1 || p > len(ix.persons) {
		return nil
	}
	list := ix.personItems[ix.personStart[p-1]:ix.personStart[p]]
	out := make([]int, len(list))
	for k, i := range list {
		out[k] = int(i) + 1
	}
	return out
}

// PersonOf returns the person number of the subject typ/id, or 0 when no
// item of the plan has that subject.
func (ix *Index) PersonOf(typ rules.SubjectType, id string) int {
	k, ok := slices.BinarySearchFunc(ix.persons, plan.SubjectRef{Type: typ, ID: id}, func(a, b plan.SubjectRef) int {
		return strings.Compare(string(a.Type), string(b.Type))
	})
	if !ok {
		return 0
	}
	// persons are sorted by type first; find the id within the type.
	for ; k < len(ix.persons) && ix.persons[k].Type == typ; k++ {
		if ix.persons[k].ID == id {
			return k + 1
		}
	}
	return 0
}

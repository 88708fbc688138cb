package planview

import (
	"slices"
	"strings"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// MaxLimit is the most rows one page holds; a larger limit is cut to it.
const MaxLimit = 1000

// Filter selects items. Zero fields select everything; set fields must
// all hold.
type Filter struct {
	Store, Category, Action, Rule, Kind string
	// Person is a person number (Persons()[Person-1]); 0 is anyone.
	Person int
	// Folder selects the records under a folder (of Store, when set):
	// "a/b" holds "a/b/c" and "a/b" itself, never "a/bc".
	Folder string
	// Query is a search text: each of its words (split at spaces and
	// commas) must be part of the record's path or the subject's name, in
	// either case and with or without accents ("jose" finds "José", "de
	// vries" finds "De Vries", "jansen piet" finds "Jansen, Piet/…" and
	// Piet Jansen's items). It may be a name: never put it in a URL or a
	// log.
	Query string
	// NewOnly selects the items new since the previous plan (CompareTo).
	NewOnly bool
}

// Row is an item on a page.
type Row struct {
	N      int // item number, 1-based, as approvals number them
	Item   plan.Item
	New    bool // not in the previous plan (CompareTo)
	Person int  // the subject's person number; 0: none
}

// Page is one page of a query's items, in plan order.
type Page struct {
	Rows []Row
	// Total is the number of items the filter selects, on every page.
	Total int
	// Offset and Limit are the page's, as applied: a negative offset is
	// 0, a limit above MaxLimit is MaxLimit; a limit of 0 or less gives
	// no rows, only the Total.
	Offset, Limit int
}

// Facet is a value of a field and the number of items that have it.
type Facet struct {
	Value string
	Count int
}

// Facets are the values to filter by, each sorted by value. Items
// without a category or rule are not counted under one.
type Facets struct {
	Stores, Categories, Actions, Rules, Kinds []Facet
}

// Query returns the page of items f selects that starts at offset (0 is
// the first) and holds at most limit rows, with the total they number.
func (ix *Index) Query(f Filter, offset, limit int) Page {
	offset = max(offset, 0)
	limit = min(max(limit, 0), MaxLimit)
	pg := Page{Offset: offset, Limit: limit}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.scan(f, func(i int) bool {
		if pg.Total >= offset && len(pg.Rows) < limit {
			pg.Rows = append(pg.Rows, ix.row(i))
		}
		pg.Total++
		return true
	})
	return pg
}

// Count is the number of items f selects.
func (ix *Index) Count(f Filter) int {
	return ix.Query(f, 0, 0).Total
}

// Matches returns the numbers (1-based, ascending) of every item f
// selects: for a change to all of a search's results.
func (ix *Index) Matches(f Filter) []int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out []int
	ix.scan(f, func(i int) bool { out = append(out, i+1); return true })
	return out
}

func (ix *Index) row(i int) Row {
	return Row{N: i + 1, Item: ix.item(i), New: ix.isNew[i], Person: int(ix.items[i].person)}
}

// pred is a filter on the interned fields; 0 is any value.
type pred struct {
	store, category, action, rule, kind uint32
}

// scan calls yield with the index (0-based) of each item f selects, in
// order, until yield returns false. The caller holds ix.mu.
func (ix *Index) scan(f Filter, yield func(i int) bool) {
	var p pred
	for _, c := range []struct {
		v string
		p *uint32
	}{{f.Store, &p.store}, {f.Category, &p.category}, {f.Action, &p.action}, {f.Rule, &p.rule}, {f.Kind, &p.kind}} {
		if c.v == "" {
			continue
		}
		k, ok := ix.lookup(c.v)
		if !ok || k == 0 {
			return // no item has that value
		}
		*c.p = k
	}
	folder := strings.TrimRight(f.Folder, "/")
	if f.Folder != "" && folder == "" {
		return // "/": no record path starts with one
	}
	var hits []bool // by the search text; nil: no search
	for _, word := range strings.FieldsFunc(fold(f.Query), func(r rune) bool { return r == ' ' || r == ',' }) {
		h := ix.search(word)
		if hits != nil {
			for i := range h {
				h[i] = h[i] && hits[i]
			}
		}
		hits = h
	}
	match := func(i int) bool {
		e := &ix.items[i]
		switch {
		case p.store != 0 && e.store != p.store,
			p.category != 0 && e.category != p.category,
			p.action != 0 && e.action != p.action,
			p.rule != 0 && e.rule != p.rule,
			p.kind != 0 && e.kind != p.kind,
			f.NewOnly && !ix.isNew[i],
			hits != nil && !hits[i],
			folder != "" && !under(ix.str(e.rec), folder):
			return false
		}
		return true
	}
	if f.Person != 0 {
		if f.Person < 0 || f.Person > len(ix.persons) {
			return
		}
		for _, i := range ix.personItems[ix.personStart[f.Person-1]:ix.personStart[f.Person]] {
			if match(int(i)) && !yield(int(i)) {
				return
			}
		}
		return
	}
	for i := range ix.items {
		if match(i) && !yield(i) {
			return
		}
	}
}

// under reports whether record lies under folder (or is it), on "/"
// boundaries.
func under(record, folder string) bool {
	return strings.HasPrefix(record, folder) && (len(record) == len(folder) || record[len(folder)] == '/')
}

// search returns, per item, whether the folded search text q is part of
// its folded record or its subject's folded name.
func (ix *Index) search(q string) []bool {
	hits := make([]bool, len(ix.items))
	for k, name := range ix.personKeys {
		if strings.Contains(name, q) {
			for _, i := range ix.personItems[ix.personStart[k]:ix.personStart[k+1]] {
				hits[i] = true
			}
		}
	}
	// One pass over all keys: each match is mapped to its item (the
	// matches come in item order, so the item is found by going on from
	// the last one), and the search goes on after that item's key.
	i := 0
	for pos := 0; pos < len(ix.keys); {
		j := strings.Index(ix.keys[pos:], q)
		if j < 0 {
			break
		}
		at := uint32(pos + j)
		for ix.keyEnd[i] <= at {
			i++
		}
		hits[i] = true
		pos = int(ix.keyEnd[i]) + 1
	}
	return hits
}

// FolderItems returns the numbers (1-based, ascending) of the items of
// store whose record lies under folder, on "/" boundaries: "a/b" holds
// "a/b/c" and "a/b" itself, never "a/bc". An empty folder holds nothing
// (a whole store is not a folder).
func (ix *Index) FolderItems(store, folder string) []int {
	if store == "" || strings.TrimRight(folder, "/") == "" {
		return nil
	}
	return ix.Matches(Filter{Store: store, Folder: folder})
}

// Facets returns the stores, categories, actions, rules and kinds of the
// plan's items with their counts.
func (ix *Index) Facets() Facets {
	counts := [5]map[uint32]int{{}, {}, {}, {}, {}}
	for i := range ix.items {
		e := &ix.items[i]
		for k, v := range [5]uint32{e.store, e.category, e.action, e.rule, e.kind} {
			if v != 0 {
				counts[k][v]++
			}
		}
	}
	list := func(m map[uint32]int) []Facet {
		out := make([]Facet, 0, len(m))
		for v, n := range m {
			out = append(out, Facet{Value: ix.strs[v], Count: n})
		}
		slices.SortFunc(out, func(a, b Facet) int { return strings.Compare(a.Value, b.Value) })
		return out
	}
	return Facets{Stores: list(counts[0]), Categories: list(counts[1]), Actions: list(counts[2]), Rules: list(counts[3]), Kinds: list(counts[4])}
}

// FindPersons returns the numbers of the persons whose name holds the
// search text q (folded as Filter.Query), in Persons order, at most limit
// (all when limit is 0 or less): for a person picker that keeps names out
// of URLs.
func (ix *Index) FindPersons(q string, limit int) []int {
	q = fold(q)
	var out []int
	for k, name := range ix.personKeys {
		if strings.Contains(name, q) {
			out = append(out, k+1)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

// ActionCount is the number of items with action a.
func (ix *Index) ActionCount(a rules.Action) int {
	return ix.Count(Filter{Action: string(a)})
}

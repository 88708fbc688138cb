package planview

import (
	"reflect"
	"slices"
	"testing"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// Persons of the fixture, sorted by type, folded name, id.
const (
	pJose  = 1 // child 1001 José Álvarez
	pPiet  = 2 // child 1002 Piet Jansen
	pAnna  = 3 // parent R7 Anna de Vries
	noSuch = 4
)

func TestQueryFilters(t *testing.T) {
	ix := load(t, fixture())
	for _, c := range []struct {
		name string
		f    Filter
		want []int
	}{
		{"none", Filter{}, []int{1, 2, 3, 4, 5, 6, 7, 8}},
		{"store", Filter{Store: "archief"}, []int{5, 7}},
		{"unknown store", Filter{Store: "nergens"}, []int{}},
		{"category", Filter{Category: "child-dossier"}, []int{1, 2, 6, 7, 8}},
		{"action", Filter{Action: "delete"}, []int{1, 2, 7, 8}},
		{"action pseudonymise", Filter{Action: "pseudonymise"}, []int{4}},
		{"rule", Filter{Rule: "C1"}, []int{1, 2, 7, 8}},
		{"rule no item has", Filter{Rule: "C99"}, []int{}},
		{"kind", Filter{Kind: "archive"}, []int{5}},
		{"person", Filter{Person: pJose}, []int{1, 3, 8}},
		{"person of another type", Filter{Person: pAnna}, []int{4, 6}},
		{"person out of range", Filter{Person: noSuch}, []int{}},
		{"negative person", Filter{Person: -1}, []int{}},
		{"folder", Filter{Folder: "a/b"}, []int{1, 3, 7}},
		{"folder with slash", Filter{Folder: "a/b/"}, []int{1, 3, 7}},
		{"folder of a store", Filter{Store: "dossiers", Folder: "a/b"}, []int{1, 3}},
		{"folder root slash", Filter{Folder: "/"}, []int{}},
		{"search path", Filter{Query: "intake"}, []int{1, 2, 8}},
		{"search name", Filter{Query: "Piet"}, []int{2, 7}},
		{"search without accent", Filter{Query: "Jose"}, []int{1, 3, 8}},
		{"search lower case", Filter{Query: "de vries"}, []int{4, 6}},
		{"search accent in path", Filter{Query: "een.pdf"}, []int{8}},
		{"search upper case with accent", Filter{Query: "  ÁLVAREZ  "}, []int{1, 3, 8}},
		{"search words in any order", Filter{Query: "jansen piet"}, []int{2, 7}},
		{"search words of path and name", Filter{Query: "intake, jose"}, []int{1, 8}},
		{"search words all must match", Filter{Query: "intake zzz"}, []int{}},
		{"search nothing", Filter{Query: "zzz"}, []int{}},
		{"search spaces only", Filter{Query: "   "}, []int{1, 2, 3, 4, 5, 6, 7, 8}},
		{"combined", Filter{Store: "dossiers", Action: "delete", Person: pJose, Query: "intake"}, []int{1, 8}},
		{"combined excludes", Filter{Store: "archief", Person: pJose}, []int{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			pg := ix.Query(c.f, 0, 100)
			if got := numbers(pg); !slices.Equal(got, c.want) || pg.Total != len(c.want) {
				t.Errorf("Query(%+v) = %v (total %d), want %v", c.f, got, pg.Total, c.want)
			}
			if got := ix.Matches(c.f); len(got) != len(c.want) || len(got) > 0 && !slices.Equal(got, c.want) {
				t.Errorf("Matches(%+v) = %v, want %v", c.f, got, c.want)
			}
			if got := ix.Count(c.f); got != len(c.want) {
				t.Errorf("Count(%+v) = %d, want %d", c.f, got, len(c.want))
			}
		})
	}
}

func TestRowsCarryTheItem(t *testing.T) {
	items := fixture()
	ix := load(t, items)
	pg := ix.Query(Filter{Person: pAnna}, 0, 10)
	if len(pg.Rows) != 2 {
		t.Fatalf("rows %v", numbers(pg))
	}
	for _, r := range pg.Rows {
		if !reflect.DeepEqual(r.Item, *items[r.N-1]) {
			t.Errorf("row %d: item\n%+v\nwant\n%+v", r.N, r.Item, *items[r.N-1])
		}
		if r.Person != pAnna {
			t.Errorf("row %d: person %d, want %d", r.N, r.Person, pAnna)
		}
	}
	if r := ix.Query(Filter{Kind: "archive"}, 0, 1).Rows[0]; r.Person != 0 || r.Item.Subject != nil {
		t.Errorf("an item without subject has person %d, subject %v", r.Person, r.Item.Subject)
	}
}

func TestPaging(t *testing.T) {
	ix := load(t, fixture())
	for _, c := range []struct {
		name                string
		f                   Filter
		offset, limit       int
		want                []int
		total, wOff, wLimit int
	}{
		{"first page", Filter{}, 0, 3, []int{1, 2, 3}, 8, 0, 3},
		{"middle page", Filter{}, 3, 3, []int{4, 5, 6}, 8, 3, 3},
		{"last page short", Filter{}, 6, 3, []int{7, 8}, 8, 6, 3},
		{"offset at the end", Filter{}, 8, 3, []int{}, 8, 8, 3},
		{"offset past the end", Filter{}, 50, 3, []int{}, 8, 50, 3},
		{"limit 0", Filter{}, 0, 0, []int{}, 8, 0, 0},
		{"negative limit", Filter{}, 0, -5, []int{}, 8, 0, 0},
		{"negative offset", Filter{}, -2, 2, []int{1, 2}, 8, 0, 2},
		{"limit above max", Filter{}, 0, MaxLimit + 1, []int{1, 2, 3, 4, 5, 6, 7, 8}, 8, 0, MaxLimit},
		{"filtered second page", Filter{Action: "delete"}, 2, 2, []int{7, 8}, 4, 2, 2},
		{"filtered past the end", Filter{Action: "delete"}, 4, 2, []int{}, 4, 4, 2},
		{"person second page", Filter{Person: pJose}, 1, 1, []int{3}, 3, 1, 1},
		{"search second page", Filter{Query: "jose"}, 2, 5, []int{8}, 3, 2, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			pg := ix.Query(c.f, c.offset, c.limit)
			if got := numbers(pg); !slices.Equal(got, c.want) || pg.Total != c.total || pg.Offset != c.wOff || pg.Limit != c.wLimit {
				t.Errorf("Query(%+v, %d, %d) = %v total %d offset %d limit %d; want %v total %d offset %d limit %d",
					c.f, c.offset, c.limit, got, pg.Total, pg.Offset, pg.Limit, c.want, c.total, c.wOff, c.wLimit)
			}
		})
	}
}

func TestFolderItems(t *testing.T) {
	items := fixture()
	items = append(items,
		/* 9 */ &plan.Item{Store: "dossiers", Record: "a/b/c/d/deep.pdf", Kind: "file", Action: rules.Review, Reason: "r", Version: "v", Modified: "m"},
		/* 10 */ &plan.Item{Store: "dossiers", Record: "a/b-c/x.pdf", Kind: "file", Action: rules.Review, Reason: "r", Version: "v", Modified: "m"},
		/* 11 */ &plan.Item{Store: "dossiers", Record: "za/b/x.pdf", Kind: "file", Action: rules.Review, Reason: "r", Version: "v", Modified: "m"},
	)
	ix := load(t, items)
	for _, c := range []struct {
		store, folder string
		want          []int
	}{
		{"dossiers", "a/b", []int{1, 3, 9}},  // not a/bc (2), a/b-c (10), za/b (11); 7 is another store's
		{"dossiers", "a/b/", []int{1, 3, 9}}, // a trailing slash is the same folder
		{"dossiers", "a/bc", []int{2}},       // its own items only
		{"dossiers", "a", []int{1, 2, 3, 9, 10}},
		{"dossiers", "a/b/c", []int{9}},
		{"archief", "a/b", []int{7}},
		{"dossiers", "a/b/intake.pdf", []int{1}}, // a record is its own folder
		{"dossiers", "", nil},                    // a whole store is not a folder
		{"dossiers", "/", nil},
		{"", "a/b", nil},
		{"nergens", "a/b", nil},
		{"dossiers", "b", nil},
	} {
		if got := ix.FolderItems(c.store, c.folder); !slices.Equal(got, c.want) {
			t.Errorf("FolderItems(%q, %q) = %v, want %v", c.store, c.folder, got, c.want)
		}
	}
}

func TestPersons(t *testing.T) {
	ix := load(t, fixture())
	want := []plan.SubjectRef{*subj("child", "1001", "José Álvarez"), *subj("child", "1002", "Piet Jansen"), *subj("parent", "R7", "Anna de Vries")}
	if got := ix.Persons(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Persons() = %v, want %v", got, want)
	}
	if ix.PersonCount() != len(want) {
		t.Errorf("PersonCount() = %d, want %d", ix.PersonCount(), len(want))
	}
	for k, w := range want {
		if got, ok := ix.Person(k + 1); !ok || got != w {
			t.Errorf("Person(%d) = %v, %v; want %v", k+1, got, ok, w)
		}
	}
	for _, p := range []int{0, -1, len(want) + 1} {
		if got, ok := ix.Person(p); ok {
			t.Errorf("Person(%d) = %v", p, got)
		}
	}
	ix.Persons()[0].Name = "changed"
	if ix.Persons()[0].Name != "José Álvarez" {
		t.Error("Persons gives the index's own slice")
	}
	for _, c := range []struct {
		p    int
		want []int
	}{{pJose, []int{1, 3, 8}}, {pPiet, []int{2, 7}}, {pAnna, []int{4, 6}}, {0, nil}, {noSuch, nil}, {-1, nil}} {
		if got := ix.PersonItems(c.p); !slices.Equal(got, c.want) {
			t.Errorf("PersonItems(%d) = %v, want %v", c.p, got, c.want)
		}
	}
	for _, c := range []struct {
		typ  rules.SubjectType
		id   string
		want int
	}{{"child", "1001", pJose}, {"child", "1002", pPiet}, {"parent", "R7", pAnna}, {"parent", "1001", 0}, {"staff", "1", 0}, {"child", "9", 0}} {
		if got := ix.PersonOf(c.typ, c.id); got != c.want {
			t.Errorf("PersonOf(%s, %s) = %d, want %d", c.typ, c.id, got, c.want)
		}
	}
	for _, c := range []struct {
		q     string
		limit int
		want  []int
	}{{"jose", 0, []int{pJose}}, {"DE VRIES", 0, []int{pAnna}}, {"a", 0, []int{pJose, pPiet, pAnna}}, {"a", 2, []int{pJose, pPiet}}, {"zzz", 0, nil}} {
		if got := ix.FindPersons(c.q, c.limit); !slices.Equal(got, c.want) {
			t.Errorf("FindPersons(%q, %d) = %v, want %v", c.q, c.limit, got, c.want)
		}
	}
}

func TestFacets(t *testing.T) {
	ix := load(t, fixture())
	want := Facets{
		Stores:     []Facet{{"archief", 2}, {"dossiers", 5}, {"ouders", 1}},
		Categories: []Facet{{"child-dossier", 5}, {"contract", 1}, {"observation", 1}},
		Actions:    []Facet{{"delete", 4}, {"hold", 1}, {"pseudonymise", 1}, {"review", 2}},
		Rules:      []Facet{{"C1", 4}, {"C16", 1}, {"C3", 1}},
		Kinds:      []Facet{{"archive", 1}, {"file", 6}, {"row", 1}},
	}
	if got := ix.Facets(); !reflect.DeepEqual(got, want) {
		t.Errorf("Facets() =\n%+v\nwant\n%+v", got, want)
	}
}

func TestFold(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"José", "jose"},
		{"De Vries", "de vries"},
		{"  Anna   de\tVries ", "anna de vries"},
		{"Zoë Ĳsselmeer", "zoe ijsselmeer"},
		{"a/b c.pdf", "a/b c.pdf"},
		{"A\x00B", "a b"},
		{"ÉÉN", "een"},
	} {
		if got := fold(c.in); got != c.want {
			t.Errorf("fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A record whose folded key is empty (spaces only) keeps the keys of the
// items after it in place.
func TestSearchAfterBlankRecord(t *testing.T) {
	ix := load(t, []*plan.Item{
		{Store: "s", Record: "  ", Kind: "file", Action: rules.Review, Reason: "r", Version: "v", Modified: "m"},
		{Store: "s", Record: "ab", Kind: "file", Action: rules.Review, Reason: "r", Version: "v", Modified: "m"},
		{Store: "s", Record: "cd", Kind: "file", Action: rules.Review, Reason: "r", Version: "v", Modified: "m"},
	})
	for q, want := range map[string][]int{"ab": {2}, "cd": {3}, "b": {2}, "c": {3}} {
		if got := numbers(ix.Query(Filter{Query: q}, 0, 10)); !slices.Equal(got, want) {
			t.Errorf("search %q = %v, want %v", q, got, want)
		}
	}
}

// Persons are numbered by type, then name without accents or case, then
// id: not by id, nor in the order the plan lists them.
func TestPersonsOrder(t *testing.T) {
	it := func(record string, s *plan.SubjectRef) *plan.Item {
		return &plan.Item{Store: "s", Record: record, Kind: "file", Subject: s, Action: rules.Review, Reason: "r", Version: "v", Modified: "m"}
	}
	ix := load(t, []*plan.Item{
		/* 1 */ it("a", subj("parent", "1", "Anna Bakker")),
		/* 2 */ it("b", subj("child", "1", "Zoë Zwart")),
		/* 3 */ it("c", subj("child", "2", "Ömer Yılmaz")),
		/* 4 */ it("d", subj("child", "3", "bram de Wit")),
		/* 5 */ it("e", subj("child", "0", "Bram de Wit")),
		/* 6 */ it("f", subj("child", "2", "Ömer Yılmaz")),
	})
	var got []string
	for _, p := range ix.Persons() {
		got = append(got, string(p.Type)+" "+p.ID)
	}
	want := []string{"child 0", "child 3", "child 2", "child 1", "parent 1"}
	if !slices.Equal(got, want) {
		t.Errorf("Persons() = %v, want %v", got, want)
	}
	for p, items := range map[int][]int{1: {5}, 2: {4}, 3: {3, 6}, 4: {2}, 5: {1}} {
		if got := ix.PersonItems(p); !slices.Equal(got, items) {
			t.Errorf("PersonItems(%d) = %v, want %v", p, got, items)
		}
		if got := numbers(ix.Query(Filter{Person: p}, 0, 10)); !slices.Equal(got, items) {
			t.Errorf("Query(person %d) = %v, want %v", p, got, items)
		}
	}
}

package planview

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

func item(store, record string, a rules.Action) *plan.Item {
	return &plan.Item{Store: store, Record: record, Kind: "file", Action: a, Reason: "r", Version: "v", Modified: "m"}
}

func TestCompareTo(t *testing.T) {
	prev := load(t, []*plan.Item{
		item("dossiers", "a/1.pdf", rules.Delete),
		item("dossiers", "a/2.pdf", rules.Review),
		item("archief", "a/3.pdf", rules.Delete),
		item("dossiers", "a/4.pdf", rules.Delete),
		item("archief", "a/4.pdf", rules.Review), // same record in another store
	})
	cur := load(t, []*plan.Item{
		/* 1 */ item("dossiers", "a/1.pdf", rules.Delete), // as before
		/* 2 */ item("dossiers", "a/2.pdf", rules.Delete), // review before, delete now
		/* 3 */ item("dossiers", "a/3.pdf", rules.Delete), // the previous plan's was another store's
		/* 4 */ item("dossiers", "a/5.pdf", rules.Delete), // not listed before
		/* 5 */ item("archief", "a/4.pdf", rules.Review), // as before, second of its record
		/* 6 */ item("dossiers", "a/4.pdf", rules.Delete), // as before, first of its record
		/* 7 */ item("dossiers", "A/1.pdf", rules.Delete), // records are compared exactly
	})
	if n := cur.NewCount(); n != 0 {
		t.Errorf("NewCount before CompareTo = %d", n)
	}
	if pg := cur.Query(Filter{NewOnly: true}, 0, 10); pg.Total != 0 {
		t.Errorf("new items before CompareTo: %v", numbers(pg))
	}
	cur.CompareTo(prev)
	want := []int{2, 3, 4, 7}
	if got := numbers(cur.Query(Filter{NewOnly: true}, 0, 10)); !slices.Equal(got, want) {
		t.Errorf("new = %v, want %v", got, want)
	}
	if n := cur.NewCount(); n != len(want) {
		t.Errorf("NewCount = %d, want %d", n, len(want))
	}
	for _, r := range cur.Query(Filter{}, 0, 10).Rows {
		if r.New != slices.Contains(want, r.N) {
			t.Errorf("row %d: New %v", r.N, r.New)
		}
	}
	if got := numbers(cur.Query(Filter{NewOnly: true, Store: "dossiers", Query: "5.pdf"}, 0, 10)); !slices.Equal(got, []int{4}) {
		t.Errorf("new with other filters = %v", got)
	}

	// Compared with itself nothing is new; with no previous plan all is.
	cur.CompareTo(cur)
	if n := cur.NewCount(); n != 0 {
		t.Errorf("NewCount against itself = %d", n)
	}
	cur.CompareTo(nil)
	if n, pg := cur.NewCount(), cur.Query(Filter{NewOnly: true}, 0, 10); n != 7 || pg.Total != 7 {
		t.Errorf("against no plan: NewCount %d, new items %d, want 7", n, pg.Total)
	}
}

// Queries may run while CompareTo marks the items (go test -race).
func TestCompareToWhileQuerying(t *testing.T) {
	prev := load(t, fixture()[:4])
	cur := load(t, fixture())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				cur.Query(Filter{NewOnly: true}, 0, 5)
				cur.NewCount()
			}
		})
	}
	for range 20 {
		cur.CompareTo(prev)
	}
	wg.Wait()
	if n := cur.NewCount(); n != 4 {
		t.Errorf("NewCount = %d, want 4", n)
	}
}

func TestPrevious(t *testing.T) {
	dir := t.TempDir()
	mk := func(id, request string) {
		writePlan(t, filepath.Join(dir, id), header(request), []*plan.Item{item("s", "r", rules.Delete)})
	}
	mk("20261201-020000", "")
	mk("20261202-020000", "REQ-0001")
	mk("20261203-020000", "")
	mk("20261203-020000-2", "")
	mk("20261203-020000-10", "") // after -2, though it sorts before it as text
	mk("20261204-020000", "REQ-0001")
	mk("20261204-020000-2", "REQ-0002")
	if err := os.MkdirAll(filepath.Join(dir, "20261205-020000"), 0o700); err != nil { // a plan that failed
		t.Fatal(err)
	}
	mk("20261206-020000", "")
	// A folder whose plan.json is not a plan is passed over.
	if err := os.MkdirAll(filepath.Join(dir, "20261207-020000"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "20261207-020000", PlanJSON), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	mk("20261208-020000", "")
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ id, want string }{
		{"20261201-020000", ""},                     // the first
		{"20261202-020000", ""},                     // the request's first plan
		{"20261203-020000", "20261201-020000"},      // past the request plan
		{"20261203-020000-2", "20261203-020000"},    // the same second
		{"20261203-020000-10", "20261203-020000-2"}, // -10 after -2
		{"20261204-020000", "20261202-020000"},      // the same request
		{"20261204-020000-2", ""},                   // another request
		{"20261206-020000", "20261203-020000-10"},   // past the failed folder
		{"20261208-020000", "20261206-020000"},      // past the broken plan
	} {
		got, err := Previous(dir, c.id)
		if err != nil || got != c.want {
			t.Errorf("Previous(%s) = %q, %v; want %q", c.id, got, err, c.want)
		}
	}
	for _, id := range []string{"", "..", "../x", "a/b", "20261205-020000"} {
		if got, err := Previous(dir, id); err == nil {
			t.Errorf("Previous(%q) = %q, no error", id, got)
		}
	}
}

func TestReadHeader(t *testing.T) {
	path := writePlan(t, t.TempDir(), header("REQ-0009"), fixture())
	h, err := ReadHeader(path)
	if err != nil || h != header("REQ-0009") {
		t.Errorf("ReadHeader = %+v, %v", h, err)
	}
	// A header after the items is read too.
	p2 := filepath.Join(t.TempDir(), PlanJSON)
	body := `{"items":[{"store":"s","record":"r","action":"delete"}],"version":1,"as_of":"2026-11-23","created_at":"c","config_sha256":"x","request":"REQ-1"}`
	if err := os.WriteFile(p2, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if h, err := ReadHeader(p2); err != nil || h.Request != "REQ-1" {
		t.Errorf("ReadHeader, header last = %+v, %v", h, err)
	}
}

// A plan id that is not one folder name under the plans folder is
// refused, even when it leads to a plan elsewhere.
func TestPreviousRefusesPathsAsIDs(t *testing.T) {
	root := t.TempDir()
	plans := filepath.Join(root, "plans")
	writePlan(t, filepath.Join(plans, "20261201-020000"), header(""), []*plan.Item{item("s", "r", rules.Delete)})
	writePlan(t, filepath.Join(root, "elsewhere"), header(""), []*plan.Item{item("s", "r", rules.Delete)})
	writePlan(t, filepath.Join(plans, "20261202-020000", "auto"), header(""), []*plan.Item{item("s", "r", rules.Delete)})
	for _, id := range []string{"../elsewhere", "20261202-020000/auto", "..", ".", "", "a\\b"} {
		if got, err := Previous(plans, id); err == nil {
			t.Errorf("Previous(%q) = %q, no error", id, got)
		}
	}
}

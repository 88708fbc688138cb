package planview

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
)

// The index gives back every item as plan.Read reads it, and the plan's
// header, summary, per-store results and digest.
func TestLoadAsPlanRead(t *testing.T) {
	path := writePlan(t, t.TempDir(), header(""), fixture())
	f, err := plan.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != len(f.Items) {
		t.Fatalf("Len() = %d, want %d", ix.Len(), len(f.Items))
	}
	for i, want := range f.Items {
		got, ok := ix.Item(i + 1)
		if !ok || !reflect.DeepEqual(got, *want) {
			t.Errorf("Item(%d) =\n%+v\nwant\n%+v", i+1, got, *want)
		}
		if s, r, ok := ix.Record(i + 1); !ok || s != want.Store || r != want.Record {
			t.Errorf("Record(%d) = %q %q", i+1, s, r)
		}
	}
	for _, n := range []int{0, -1, len(f.Items) + 1} {
		if _, ok := ix.Item(n); ok {
			t.Errorf("Item(%d) found", n)
		}
		if _, _, ok := ix.Record(n); ok {
			t.Errorf("Record(%d) found", n)
		}
	}
	if !reflect.DeepEqual(ix.Header(), f.Header) {
		t.Errorf("Header() = %+v, want %+v", ix.Header(), f.Header)
	}
	if ix.Summary() != f.Summary || ix.Summary().Pseudonymise != 1 {
		t.Errorf("Summary() = %+v, want %+v", ix.Summary(), f.Summary)
	}
	if !reflect.DeepEqual(ix.StoreSummaries(), f.Stores) {
		t.Errorf("StoreSummaries() = %+v, want %+v", ix.StoreSummaries(), f.Stores)
	}
	if ix.Digest() != f.Digest {
		t.Errorf("Digest() = %s, want %s", ix.Digest(), f.Digest)
	}
	// What the caller gets are copies.
	it, _ := ix.Item(6)
	it.Links[0].Roles[0] = "write"
	it.Warnings[0] = "x"
	it.Subject.Name = "x"
	if again, _ := ix.Item(6); !reflect.DeepEqual(again, *f.Items[5]) {
		t.Errorf("Item(6) changed through a returned item: %+v", again)
	}
}

// The report package's golden plan.json (written by hand, with an item
// whose record is a formula) loads as plan.Read reads it.
func TestLoadGolden(t *testing.T) {
	path := filepath.Join("..", "report", "testdata", "plan.json")
	f, err := plan.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range f.Items {
		if got, _ := ix.Item(i + 1); !reflect.DeepEqual(got, *want) {
			t.Errorf("Item(%d) =\n%+v\nwant\n%+v", i+1, got, *want)
		}
	}
	if !reflect.DeepEqual(ix.StoreSummaries(), f.Stores) || ix.Digest() != f.Digest {
		t.Errorf("stores or digest differ")
	}
}

// A file that is not a plan is refused as plan.Read refuses it, by file
// and item, never quoting a value.
func TestLoadRefuses(t *testing.T) {
	good := `{"version":1,"as_of":"2026-11-23","created_at":"2026-11-23T02:00:00+01:00","config_sha256":"abc"`
	item := `{"store":"s","record":"Jansen, Piet/intake.pdf","kind":"file","subject":{"type":"child","id":"1","name":"Piet Jansen"},"action":"delete","reason":"r","version":"v","size":1,"modified":"m"}`
	for _, c := range []struct {
		name, body, want string
	}{
		{"not JSON", `{"version":1,"items":[` + item + `,Piet Jansen`, "not valid JSON at byte"},
		{"not an object", `["Piet Jansen"]`, "is not a plan: not a JSON object"},
		{"a string", `"Piet Jansen"`, "is not a plan: not a JSON object"},
		{"cut short", good + `,"items":[` + item, "is not a plan"},
		{"trailing data", good + `,"items":[]} {"Piet Jansen":1}`, "after its end"},
		{"version", `{"version":2,"as_of":"x","created_at":"x","config_sha256":"x","items":[]}`, "plan version 2"},
		{"no as_of", `{"version":1,"created_at":"x","config_sha256":"x","items":[]}`, "lacks as_of"},
		{"item without action", good + `,"items":[` + item + `,` + strings.Replace(item, `"action":"delete",`, "", 1) + `]}`, "item 2 lacks store, record or action"},
		{"null item", good + `,"items":[null]}`, "item 1 lacks"},
		{"item field type", good + `,"items":[` + strings.Replace(item, `"size":1`, `"size":"Piet Jansen"`, 1) + `]}`, `item 1: field "size" has the wrong type`},
		{"items not a list", good + `,"items":"Piet Jansen"}`, `field "items" has the wrong type`},
		{"header type", `{"version":"Piet Jansen","items":[]}`, `field "version" has the wrong type`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "plan.json")
			if err := os.WriteFile(path, []byte(c.body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Load: %v, want an error naming the file and %q", err, c.want)
			}
			if strings.Contains(err.Error(), "Piet") || strings.Contains(err.Error(), "Jansen") {
				t.Errorf("the error quotes a value: %v", err)
			}
			if _, perr := plan.Read(path); perr == nil {
				t.Errorf("plan.Read takes what Load refuses")
			}
		})
	}
}

func TestLoadEmptyPlan(t *testing.T) {
	ix := load(t, nil)
	if ix.Len() != 0 || len(ix.Persons()) != 0 {
		t.Fatalf("Len %d, persons %d", ix.Len(), len(ix.Persons()))
	}
	if pg := ix.Query(Filter{Query: "a"}, 0, 10); pg.Total != 0 || len(pg.Rows) != 0 {
		t.Errorf("Query on an empty plan: %+v", pg)
	}
	if ix.Facets().Stores == nil || len(ix.Facets().Stores) != 0 {
		t.Errorf("Facets of an empty plan: %+v", ix.Facets())
	}
}

// An item past the first batches that is not an item stops the load with
// its number, and leaves no decoder running.
func TestLoadRefusesLateItem(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"version":1,"as_of":"2026-11-23","created_at":"c","config_sha256":"x","items":[`)
	for i := 1; i <= 1000; i++ {
		if i > 1 {
			b.WriteString(",\n")
		}
		if i == 700 {
			b.WriteString(`{"store":"s","record":"Piet Jansen/x.pdf"}`)
			continue
		}
		b.WriteString(`{"store":"s","record":"r","action":"delete"}`)
	}
	b.WriteString(`]}`)
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "item 700 lacks store, record or action") {
		t.Fatalf("Load: %v", err)
	}
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d goroutines after Load, %d before", runtime.NumGoroutine(), before)
}

// A top-level key given twice (in any case, as encoding/json matches
// keys) is refused: plan.Read would take the last, and a view that
// numbered items otherwise would show the console other items than
// apply acts on.
func TestLoadRefusesKeysTwice(t *testing.T) {
	good := `{"version":1,"as_of":"2026-11-23","created_at":"2026-11-23T02:00:00+01:00","config_sha256":"abc"`
	item := `{"store":"s","record":"r","action":"delete"}`
	for _, c := range []struct{ body, want string }{
		{good + `,"items":[` + item + `],"Items":[]}`, `field "Items" is given twice`},
		{good + `,"VERSION":2,"items":[]}`, `field "VERSION" is given twice`},
		{good + `,"stores":[],"stores":[]}`, `field "stores" is given twice`},
	} {
		path := filepath.Join(t.TempDir(), "plan.json")
		if err := os.WriteFile(path, []byte(c.body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load: %v, want %q", err, c.want)
		}
		// ReadHeader stops at the items: it refuses a header field twice.
		if _, err := ReadHeader(path); strings.Contains(c.want, "VERSION") && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("ReadHeader: %v, want %q", err, c.want)
		}
	}
}

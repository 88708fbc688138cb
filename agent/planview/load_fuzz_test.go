package planview

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/plan"
)

// FuzzLoad: what Load accepts, plan.Parse (what approve and apply read)
// accepts too, with the same items in the same order, header, stores,
// summary and digest, so that an item number the console shows is the
// item apply acts on; what plan.Parse refuses, Load refuses. Errors
// never hold a name from the plan.
func FuzzLoad(f *testing.F) {
	dir := f.TempDir()
	f.Add(mustRead(f, writePlan(f, filepath.Join(dir, "a"), header("REQ-0001"), fixture())))
	f.Add(mustRead(f, filepath.Join("..", "report", "testdata", "plan.json")))
	f.Add([]byte(`{"version":1,"as_of":"d","created_at":"c","config_sha256":"x","ITEMS":[{"store":"s","record":"Piet Jansen","action":"delete"}],"Summary":{"delete":1}}`))
	f.Add([]byte(`{"version":1,"as_of":"d","created_at":"c","config_sha256":"x","items":[{"store":"s","record":"a","action":"review"}],"Items":[{"store":"s","record":"r","action":"delete"}]}`))
	f.Add([]byte(`{"version":1,"as_of":"d","created_at":"c","config_sha256":"x","VERSION":2,"items":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "plan.json")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		ix, err := Load(path)
		p, perr := plan.Parse(path, b)
		if err != nil {
			if strings.Contains(err.Error(), "Jansen") || strings.Contains(err.Error(), "Piet") {
				t.Fatalf("the error holds a name: %v", err)
			}
			return // refusing what plan.Parse takes (a key given twice) is safe
		}
		if perr != nil {
			t.Fatalf("Load takes what plan.Parse refuses: %v", perr)
		}
		if ix.Len() != len(p.Items) {
			t.Fatalf("Load has %d items, plan.Parse %d", ix.Len(), len(p.Items))
		}
		for i, want := range p.Items {
			got, _ := ix.Item(i + 1)
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(want)
			if string(gb) != string(wb) {
				t.Fatalf("item %d:\n%s\nwant\n%s", i+1, gb, wb)
			}
		}
		if !reflect.DeepEqual(ix.Header(), p.Header) || ix.Summary() != p.Summary || ix.Digest() != p.Digest {
			t.Fatalf("header, summary or digest differ:\n%+v %+v %s\n%+v %+v %s", ix.Header(), ix.Summary(), ix.Digest(), p.Header, p.Summary, p.Digest)
		}
		sb, _ := json.Marshal(ix.StoreSummaries())
		wb, _ := json.Marshal(p.Stores)
		if string(sb) != string(wb) {
			t.Fatalf("stores:\n%s\nwant\n%s", sb, wb)
		}
	})
}

func mustRead(t testing.TB, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/demo"
	"github.com/retentiond/retentiond/rules"
)

// TestAccessPackage: an access request of a demo child gives a package
// with every record the plan ties to that child (files copied, rows as
// JSON and CSV, an index), mode 0600, and nothing of another child.
func TestAccessPackage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	cfg, err := demo.Generate(dir, rules.DateIn(time.Now(), time.Local), 5)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatal(errs)
	}
	all := filepath.Join(dir, "all")
	if code, out, errs := runCLI(t, "plan", "--config", cfg, "--all", "--out", all); code != 0 {
		t.Fatalf("plan: %s %s", out, errs)
	}
	var p struct {
		Items []struct {
			Store, Record, Kind string
			Subject             *struct{ Type, ID, Name string }
		}
	}
	b, _ := os.ReadFile(filepath.Join(all, "plan.json"))
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	// The child with records in the most stores.
	stores := map[string]map[string]bool{}
	names := map[string]string{}
	for _, it := range p.Items {
		if it.Subject != nil && it.Subject.Type == "child" {
			if stores[it.Subject.ID] == nil {
				stores[it.Subject.ID] = map[string]bool{}
			}
			stores[it.Subject.ID][it.Store] = true
			names[it.Subject.ID] = it.Subject.Name
		}
	}
	id := ""
	for k, s := range stores {
		if id == "" || len(s) > len(stores[id]) || len(s) == len(stores[id]) && k < id {
			id = k
		}
	}
	var want, wantFiles, wantRows int
	for _, it := range p.Items {
		if it.Subject != nil && it.Subject.Type == "child" && it.Subject.ID == id {
			want++
			switch it.Kind {
			case "row":
				wantRows++
			case "placeholder":
			default:
				wantFiles++
			}
		}
	}
	if len(stores[id]) < 3 || wantRows == 0 || wantFiles == 0 {
		t.Fatalf("the demo's best-covered child has records in %d stores (%d files, %d rows)", len(stores[id]), wantFiles, wantRows)
	}
	if code, out, errs := runCLI(t, "request", "open", "--config", cfg, "--subject", "child:"+id, "--kind", "access", "--lang", "en"); code != 0 {
		t.Fatalf("request open: %s %s", out, errs)
	}
	pkg := filepath.Join(dir, "package")
	code, out, errs := runCLI(t, "request", "package", "--config", cfg, "--id", "REQ-0001", "--out", pkg)
	if code != 0 {
		t.Fatalf("request package: %s %s", out, errs)
	}
	var files, rows int
	var all_ strings.Builder
	filepath.WalkDir(pkg, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, _ := d.Info()
		if d.IsDir() {
			if fi.Mode().Perm() != 0o700 {
				t.Errorf("%s: mode %v", path, fi.Mode().Perm())
			}
			return nil
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", path, fi.Mode().Perm())
		}
		rel, _ := filepath.Rel(pkg, path)
		if strings.HasPrefix(rel, "files"+string(filepath.Separator)) {
			files++
		}
		if strings.HasPrefix(rel, "rows") && strings.HasSuffix(rel, ".json") {
			var rs []map[string]any
			c, _ := os.ReadFile(path)
			json.Unmarshal(c, &rs)
			rows += len(rs)
		}
		c, _ := os.ReadFile(path)
		all_.Write(c)
		return nil
	})
	if files != wantFiles || rows != wantRows {
		t.Errorf("package: %d files and %d rows; the plan ties %d files and %d rows to the child", files, rows, wantFiles, wantRows)
	}
	idx, _ := os.ReadFile(filepath.Join(pkg, "index.html"))
	if strings.Count(string(idx), "<tr><td>") != want || !strings.Contains(string(idx), "Your personal data") {
		t.Errorf("index lists %d records, want %d", strings.Count(string(idx), "<tr><td>"), want)
	}
	text := all_.String()
	for other, name := range names {
		if other != id && len(name) > 6 && !strings.Contains(names[id], name) && strings.Contains(text, name) {
			t.Errorf("the package holds the name of another child")
		}
	}
	led, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", "entries.jsonl"))
	if !strings.Contains(string(led), `"action":"access-package"`) || strings.Contains(string(led), names[id]) {
		t.Errorf("ledger: %s", led)
	}
}

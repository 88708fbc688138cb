package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds Load any file. Load must not panic, must return either a
// config or an *Errors (never both, never neither), every problem must
// name the file, and a config it accepts must load again the same way:
// its paths absolute, its stores' keys placed on lines of the file.
// Seeds: testdata/fuzz/FuzzLoad (the sample, the golden bad config, the
// examples) and the cases of TestBadConfigs.
func FuzzLoad(f *testing.F) {
	for _, p := range []string{"testdata/sample.yaml", "testdata/many-errors.yaml"} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("organisation: X\nstores:\n" + okStore))
	f.Add([]byte("organisation: X\noverrides:\n  C0: &o0 {term: 1y}\n  C1: &o1 {<<: [*o0, *o0]}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "retentiond.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path)
		if (c == nil) == (err == nil) {
			t.Fatalf("Load returned config %v and error %v", c != nil, err)
		}
		if err != nil {
			var es *Errors
			if !errors.As(err, &es) || len(es.Errs) == 0 {
				t.Fatalf("error is not a list of problems: %T %v", err, err)
			}
			// YAML breaks lines at \n, \r\n and a lone \r.
			lines := strings.Count(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") + strings.Count(string(data), "\r") -
				strings.Count(string(data), "\r\n") + 1
			for _, e := range es.Errs {
				if e.File != path || e.Line < 0 || e.Line > lines || e.Msg == "" {
					t.Fatalf("problem without a place in the file (%d lines): %#v", lines, e)
				}
			}
			return
		}
		if !filepath.IsAbs(c.StateDir) || c.Location == nil || c.Apply.MaxDeletions <= 0 {
			t.Fatalf("accepted config not completed: state_dir %q, location %v, max_deletions %d", c.StateDir, c.Location, c.Apply.MaxDeletions)
		}
		for _, s := range c.Stores {
			if s.Root != "" && !filepath.IsAbs(s.Root) || s.Archives == nil {
				t.Fatalf("store %q not completed: %+v", s.Name, s)
			}
		}
		again, err := Load(path)
		if err != nil || again.SHA256 != c.SHA256 || len(again.Stores) != len(c.Stores) {
			t.Fatalf("second load differs: %v", err)
		}
	})
}

package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	cfgpkg "github.com/retentiond/retentiond/config"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/retentiond/retentiond/rules"
)

// testAsOf is the date most tests build the demo for; testDates add dates
// where calendar arithmetic is awkward.
var (
	testAsOf  = rules.MakeDate(2026, 11, 23)
	testDates = []rules.Date{testAsOf, rules.MakeDate(2028, 2, 29), rules.MakeDate(2027, 3, 1)}
)

var (
	baseDir string
	demosMu sync.Mutex
	demos   = map[string]string{}
)

func TestMain(m *testing.M) {
	var err error
	if baseDir, err = os.MkdirTemp("", "demo-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(baseDir)
	os.Exit(code)
}

// demoAt returns the folder of a demo built for asOf and seed, building it
// once for all tests that only read it.
func demoAt(t testing.TB, asOf rules.Date, seed uint64) string {
	t.Helper()
	demosMu.Lock()
	defer demosMu.Unlock()
	key := fmt.Sprintf("%s-%d", asOf, seed)
	if dir, ok := demos[key]; ok {
		return dir
	}
	dir := filepath.Join(baseDir, key)
	cfg, err := Generate(dir, asOf, seed)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if cfg != filepath.Join(dir, ConfigFile) {
		t.Fatalf("Generate returned config path %q, want %q", cfg, filepath.Join(dir, ConfigFile))
	}
	demos[key] = dir
	return dir
}

// entry is what a tree comparison looks at for one path.
type entry struct {
	dir   bool
	size  int64
	mtime time.Time
	hash  string
}

func snapshot(t *testing.T, root string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		e := entry{dir: d.IsDir(), size: info.Size(), mtime: info.ModTime()}
		if d.IsDir() {
			e.size = 0 // a folder's size depends on the file system
		} else {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			e.hash = hex.EncodeToString(sum[:])
		}
		out[filepath.ToSlash(rel)] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffTrees(a, b map[string]entry) []string {
	var diffs []string
	for p, ea := range a {
		eb, ok := b[p]
		switch {
		case !ok:
			diffs = append(diffs, "only in first: "+p)
		case ea.dir != eb.dir || ea.size != eb.size || ea.hash != eb.hash || !ea.mtime.Equal(eb.mtime):
			diffs = append(diffs, fmt.Sprintf("differs: %s %+v %+v", p, ea, eb))
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			diffs = append(diffs, "only in second: "+p)
		}
	}
	return diffs
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := snapshot(t, demoAt(t, testAsOf, 1))
	dir := t.TempDir()
	if _, err := Generate(dir, testAsOf, 1); err != nil {
		t.Fatal(err)
	}
	b := snapshot(t, dir)
	if len(a) < 2000 {
		t.Errorf("the demo has only %d paths; want a realistic organisation of a few thousand", len(a))
	}
	if d := diffTrees(a, b); len(d) > 0 {
		t.Errorf("same asOf and seed gave different trees (%d differences), first: %v", len(d), d[:min(5, len(d))])
	}
	if d := diffTrees(a, snapshot(t, demoAt(t, testAsOf, 2))); len(d) == 0 {
		t.Error("another seed gave the same tree: the seed is not used")
	}
}

func TestNothingIsDatedAfterAsOf(t *testing.T) {
	for _, asOf := range testDates {
		t.Run(asOf.String(), func(t *testing.T) {
			loc, err := time.LoadLocation("Europe/Amsterdam")
			if err != nil {
				t.Skip("no zone database")
			}
			limit := time.Date(asOf.Year, asOf.Month, asOf.Day, 0, 0, 0, 0, loc)
			root := demoAt(t, asOf, 1)
			for p, e := range snapshot(t, root) {
				if !e.mtime.Before(limit) {
					t.Errorf("%s is dated %s, not before %s", p, e.mtime, asOf)
				}
			}
			for _, z := range zips(t, root) {
				for _, f := range z.File {
					if !f.Modified.Before(limit) {
						t.Errorf("zip entry %s is dated %s, not before %s", f.Name, f.Modified, asOf)
					}
				}
			}
		})
	}
}

func TestStampNeverPassesTheLastDay(t *testing.T) {
	last := rules.MakeDate(2026, 11, 22)
	tr := newTree(t.TempDir(), last, rand.New(rand.NewPCG(1, 2)))
	for _, d := range []rules.Date{last.AddDays(-400), last, last.AddDays(1), last.AddDays(4000)} {
		got := rules.DateIn(tr.stamp(d), tr.loc)
		if got != minDate(d, last) {
			t.Errorf("stamp(%s) is on %s, want %s", d, got, minDate(d, last))
		}
	}
}

func TestConfigIsTheContract(t *testing.T) {
	root := demoAt(t, testAsOf, 1)
	b, err := os.ReadFile(filepath.Join(root, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfgpkg.Load(filepath.Join(root, ConfigFile)); err != nil {
		t.Fatalf("the demo's config does not load: %v", err)
	}
	var cfg struct {
		Registries []struct {
			Name, File, Sheet string
			Columns           map[string]string
		}
		Stores []struct {
			Name, Type, Root, Files, Profile string
		}
		Overrides map[string]struct {
			Disabled *bool
			Source   string
		}
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	exports := 0
	for _, s := range cfg.Stores {
		if s.Type == cfgpkg.TypeExport {
			exports++
		}
	}
	if len(cfg.Registries) != 6 || len(cfg.Stores)-exports != 7 || exports != 10 {
		t.Fatalf("config has %d registries, %d file stores and %d export stores, want 6, 7 and 10", len(cfg.Registries), len(cfg.Stores)-exports, exports)
	}
	for _, r := range cfg.Registries {
		var header []string
		if strings.HasSuffix(r.File, ".xlsx") {
			header = xlsxRows(t, filepath.Join(root, r.File), r.Sheet, false)[0]
		} else {
			header = readCSV(t, filepath.Join(root, r.File)).header
		}
		for fact, col := range r.Columns {
			if !slices.Contains(header, col) {
				t.Errorf("registry %s: column %q (%s) is not in the export's header %q", r.Name, col, fact, header)
			}
		}
	}
	for _, s := range cfg.Stores {
		if s.Type == cfgpkg.TypeExport {
			if m, _ := filepath.Glob(filepath.Join(root, s.Files)); len(m) != 1 {
				t.Errorf("store %s: files %s matches %d files of the demo, want 1", s.Name, s.Files, len(m))
			}
			continue
		}
		if info, err := os.Stat(filepath.Join(root, s.Root)); err != nil || !info.IsDir() {
			t.Errorf("store %s: root %s is not a folder of the demo", s.Name, s.Root)
		}
	}
	// De Kangoeroe's field maximums, enabled and cited.
	var on []string
	for id, o := range cfg.Overrides {
		if o.Disabled == nil || *o.Disabled || !strings.HasPrefix(o.Source, "002 ") {
			t.Errorf("override %s: disabled %v, source %q; want disabled: false, citing seed 002", id, o.Disabled != nil && *o.Disabled, o.Source)
		}
		on = append(on, id)
	}
	slices.Sort(on)
	if want := []string{"C16", "C17", "C18", "C19", "C20", "C7", "C8"}; !slices.Equal(on, want) {
		t.Errorf("overrides %v, want %v", on, want)
	}
}

func TestRefusesAFolderThatIsNotADemo(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "belastingaangifte.pdf")
	if err := os.WriteFile(precious, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(dir, testAsOf, 1)
	if err == nil || !strings.Contains(err.Error(), "--dir") {
		t.Fatalf("Generate in a non-empty folder: err = %v, want a refusal that says to use --dir", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("the refused folder now holds %d entries, want it untouched", len(ents))
	}
	if _, err := Generate(precious, testAsOf, 1); err == nil {
		t.Error("Generate on a file: no error")
	}
	if _, err := Generate(t.TempDir(), rules.Date{}, 1); err == nil {
		t.Error("Generate without an as-of date: no error")
	}
}

func TestRebuildsAnEarlierDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo") // does not exist yet
	if _, err := Generate(dir, testAsOf, 1); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(dir, "data", "OneDrive", "Kinddossiers", "nieuw.pdf")
	if err := os.WriteFile(stray, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(dir, testAsOf, 1); err != nil {
		t.Fatalf("regenerating over an earlier demo: %v", err)
	}
	if _, err := os.Stat(stray); err == nil {
		t.Error("a file left in the earlier demo survived the rebuild")
	}
	if d := diffTrees(snapshot(t, dir), snapshot(t, demoAt(t, testAsOf, 1))); len(d) > 0 {
		t.Errorf("the rebuilt demo differs from a fresh one: %v", d[:min(5, len(d))])
	}
}

func TestReadme(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(demoAt(t, testAsOf, 1), "README.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"retentiond plan --config retentiond.yaml", "verzonnen", "made-up", "invented"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("README.txt does not say %q", want)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		if _, err := Generate(filepath.Join(b.TempDir(), fmt.Sprint(i)), testAsOf, 1); err != nil {
			b.Fatal(err)
		}
	}
}

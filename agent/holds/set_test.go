package holds

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func openSet(t *testing.T, dir string) *Set {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func mustAdd(t *testing.T, s *Set, h Hold) Hold {
	t.Helper()
	got, err := s.Add(h, now)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	return got
}

func TestOpenMissing(t *testing.T) {
	s := openSet(t, t.TempDir())
	if n := len(s.List(true)); n != 0 {
		t.Errorf("a new state directory has %d holds", n)
	}
	_, err := Open(filepath.Join(t.TempDir(), "nope"))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Open of a missing state directory: %v, want an error", err)
	}
}

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	s1 := openSet(t, dir)
	a := subjectHold("employee", secretID)
	a.Until = day("2027-03-01")
	h1 := mustAdd(t, s1, a)
	h2 := mustAdd(t, s1, pathHold("archief", "2019/*.zip"))
	if h1.ID != "H-0001" || h2.ID != "H-0002" {
		t.Fatalf("ids %s, %s, want H-0001, H-0002", h1.ID, h2.ID)
	}
	s2 := openSet(t, dir)
	if got := s2.List(true); !reflect.DeepEqual(got, []Hold{h1, h2}) {
		t.Fatalf("after Open:\n%+v\nwant\n%+v", got, []Hold{h1, h2})
	}
	// s2 adds; s1 sees it after Reload, and its own next Add keeps it.
	h3 := mustAdd(t, s2, pathHold("dossiers", "x/**"))
	if len(s1.List(true)) != 2 {
		t.Fatal("s1 changed without Reload")
	}
	if err := s1.Reload(); err != nil {
		t.Fatal(err)
	}
	if got, ok := s1.Get("h-0003"); !ok || !reflect.DeepEqual(got, h3) {
		t.Errorf("s1.Get(h-0003) after Reload = %+v, %v, want %+v", got, ok, h3)
	}
	h4 := mustAdd(t, s2, pathHold("dossiers", "y/**"))
	h5 := mustAdd(t, s1, pathHold("dossiers", "z/**"))
	if h4.ID != "H-0004" || h5.ID != "H-0005" {
		t.Errorf("ids %s, %s, want H-0004, H-0005", h4.ID, h5.ID)
	}
	if got := openSet(t, dir).List(true); len(got) != 5 {
		t.Errorf("%d holds on disk, want 5", len(got))
	}
}

func TestRelease(t *testing.T) {
	dir := t.TempDir()
	s := openSet(t, dir)
	h1 := mustAdd(t, s, subjectHold("child", secretID))
	h2 := mustAdd(t, s, pathHold("dossiers", "x/**"))
	later := now.Add(48 * time.Hour)
	r, err := s.Release("h-0001", "Directeur", later)
	if err != nil {
		t.Fatal(err)
	}
	if r.ReleasedBy != "Directeur" || r.ReleasedAt == nil || !r.ReleasedAt.Equal(later) {
		t.Errorf("released hold = %+v", r)
	}
	s2 := openSet(t, dir)
	for _, c := range []struct {
		name string
		got  []Hold
		want []string
	}{
		{"List(false)", s2.List(false), []string{h2.ID}},
		{"List(true)", s2.List(true), []string{h1.ID, h2.ID}},
		{"Active", s2.Active(day("2026-11-25")), []string{h2.ID}},
	} {
		var ids []string
		for _, h := range c.got {
			ids = append(ids, h.ID)
		}
		if !reflect.DeepEqual(ids, c.want) {
			t.Errorf("%s = %v, want %v", c.name, ids, c.want)
		}
	}
	if got, _ := s2.Get("H-0001"); got.ReleasedBy != "Directeur" {
		t.Errorf("release not persisted: %+v", got)
	}
	m, err := s2.Matcher(day("2026-11-25"))
	if err != nil {
		t.Fatal(err)
	}
	if _, held := m.Match("dossiers", "a", h1.Subject); held {
		t.Error("a released subject hold still matches")
	}

	for _, c := range []struct{ id, by, want string }{
		{"H-0001", "Directeur", "hold H-0001 was released already"},
		{"H-0009", "Directeur", "there is no hold H-0009"},
		{"9", "Directeur", "not a hold id"},
		{"H-0002", " ", "released by: missing"},
	} {
		_, err := s2.Release(c.id, c.by, later)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Release(%q, %q) error %v, want %q", c.id, c.by, err, c.want)
			continue
		}
		if strings.Contains(c.want, "hold H-") && !strings.Contains(err.Error(), s2.Path()) {
			t.Errorf("Release error %q does not name the file", err)
		}
		noPersonalData(t, err.Error())
	}
}

func TestUntilBoundaryPersisted(t *testing.T) {
	dir := t.TempDir()
	s := openSet(t, dir)
	h := subjectHold("employee", secretID)
	h.Until = day("2027-03-01")
	added := mustAdd(t, s, h)
	s = openSet(t, dir)
	for _, c := range []struct {
		on   string
		held bool
	}{{"2027-02-28", true}, {"2027-03-01", true}, {"2027-03-02", false}} {
		m, err := s.Matcher(day(c.on))
		if err != nil {
			t.Fatal(err)
		}
		_, held := m.Match("any", "x", added.Subject)
		if held != c.held || (len(s.Active(day(c.on))) == 1) != c.held {
			t.Errorf("on %s: held %v, want %v", c.on, held, c.held)
		}
	}
}

func TestFileMode(t *testing.T) {
	dir := t.TempDir()
	s := openSet(t, dir)
	// A file widened by hand is narrowed again by the next write.
	mustAdd(t, s, subjectHold("child", secretID))
	path := filepath.Join(dir, FileName)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, s, subjectHold("child", "2"))
	for _, p := range []string{path, path + ".lock"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"version": 1`) || !strings.Contains(string(b), secretReason) {
		t.Errorf("holds.json does not have the expected content:\n%s", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("state directory holds %d files, want holds.json and its lock (temporary files left?)", len(entries))
	}
}

const goodHold = `{"id": "H-0001", "subject": {"type": "child", "id": "998877"}, "reason": "Geschil met Piet Jansen over ontslag", "added_by": "B", "added_at": "2026-11-23T09:00:00Z"}`

func TestCorruptFile(t *testing.T) {
	full := `{"version": 1, "next": 2, "holds": [` + goodHold + `]}`
	tests := []struct {
		name, content, want string
	}{
		{"empty", "", "the file is empty"},
		{"blank", "\n \n", "the file is empty"},
		{"cut short", full[:len(full)/2], "ends too early"},
		{"cut in a string", full[:strings.Index(full, "Piet")+2], "ends too early"},
		{"not json", "holds: []", "not valid JSON at line 1"},
		{"trailing text", full + "\n]", "text after the end of the value at line 2"},
		{"two values", full + full, "text after the end"},
		{"unknown key", `{"version": 1, "next": 1, "holds": [], "Jansen": 1}`, "a key that is not part of the format"},
		{"wrong type", `{"version": "1", "next": 1, "holds": []}`, `key "version" has the wrong type`},
		{"version", `{"version": 2, "next": 1, "holds": []}`, "version 2, want 1"},
		{"bad subject type", strings.Replace(full, `"child"`, `"kid"`, 1), "hold H-0001: subject: type"},
		{"bad id", strings.Replace(full, `"H-0001"`, `"X1"`, 1), "holds[0]: id: not a hold id"},
		{"duplicate", `{"version": 1, "next": 2, "holds": [` + goodHold + `,` + goodHold + `]}`, "hold H-0001 appears twice"},
		{"next too low", strings.Replace(full, `"next": 2`, `"next": 1`, 1), "next (1) is not above"},
		{"bad until", strings.Replace(full, `"added_by"`, `"until": "2027-3-1", "added_by"`, 1), "hold H-0001: until: not a date"},
		{"bad added_at", strings.Replace(full, "2026-11-23T09:00:00Z", "gisteren", 1), "added_at: not a time"},
		{"half released", strings.Replace(full, `"added_by"`, `"released_by": "X", "added_by"`, 1), "give both or neither"},
		{"no reason", strings.Replace(full, secretReason, "", 1), "reason: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir)
			if err == nil {
				t.Fatal("Open accepted a damaged holds file")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("Open error %q, want it to name %s and contain %q", err, path, tt.want)
			}
			noPersonalData(t, err.Error())
		})
	}
	// The well-formed file is accepted, so the cases above fail for
	// their damage alone.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(full), 0o600); err != nil {
		t.Fatal(err)
	}
	if s := openSet(t, dir); len(s.List(true)) != 1 {
		t.Error("the well-formed file does not hold one hold")
	}
}

// TestCorruptFileNotOverwritten checks that a write never replaces a
// damaged file: fail closed, so that the holds in it can be restored.
func TestCorruptFileNotOverwritten(t *testing.T) {
	dir := t.TempDir()
	s := openSet(t, dir)
	h := mustAdd(t, s, subjectHold("child", secretID))
	path := filepath.Join(dir, FileName)
	damaged := []byte(`{"version": 1, "next": 2, "holds": [`)
	if err := os.WriteFile(path, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(pathHold("dossiers", "x"), now); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Add on a damaged file: %v, want an error naming it", err)
	}
	if _, err := s.Release(h.ID, "B", now); err == nil {
		t.Error("Release on a damaged file succeeded")
	}
	if err := s.Reload(); err == nil {
		t.Error("Reload of a damaged file succeeded")
	}
	if len(s.Active(day("2026-11-23"))) != 1 {
		t.Error("a failed Reload dropped the holds the Set had")
	}
	if b, _ := os.ReadFile(path); string(b) != string(damaged) {
		t.Errorf("the damaged file was overwritten with:\n%s", b)
	}
}

// TestConcurrentWriters runs several Sets adding at once, with a reader
// opening the file throughout: no update may be lost and no reader may see
// a partial file.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	const writers, each = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+1)
	stop := make(chan struct{})
	var readerDone sync.WaitGroup
	readerDone.Add(1)
	go func() {
		defer readerDone.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := Open(dir); err != nil {
				errs <- fmt.Errorf("reader: %w", err)
				return
			}
		}
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(dir)
			if err != nil {
				errs <- err
				return
			}
			for i := range each {
				if _, err := s.Add(pathHold("dossiers", fmt.Sprintf("w%d/%d", w, i)), now); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readerDone.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := openSet(t, dir).List(true)
	if len(got) != writers*each {
		t.Fatalf("%d holds on disk, want %d: updates were lost", len(got), writers*each)
	}
	globs := map[string]bool{}
	for i, h := range got {
		if want := fmt.Sprintf("H-%04d", i+1); h.ID != want {
			t.Errorf("hold %d has id %s, want %s", i, h.ID, want)
		}
		globs[h.PathGlob] = true
	}
	if len(globs) != writers*each {
		t.Errorf("%d distinct holds, want %d", len(globs), writers*each)
	}
}

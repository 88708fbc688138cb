package review

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/holds/statefile"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
)

// secretName and secretID stand for personal data: no error may repeat them.
const (
	secretName = "Jansen, Piet"
	secretID   = "98765"
)

var now = time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)

func key(t *testing.T, b byte) *pseudonym.Keyed {
	t.Helper()
	k, err := pseudonym.New([]byte(strings.Repeat(string(b), 32)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func day(s string) rules.Date {
	d, err := rules.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func openSet(t *testing.T, dir string, k *pseudonym.Keyed) *Set {
	t.Helper()
	s, err := Open(dir, k)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func mustResolve(t *testing.T, s *Set, r Resolution) Resolution {
	t.Helper()
	got, err := s.Resolve(r, now)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return got
}

func subjectRes(path string) Resolution {
	return Resolution{Store: "dossiers", Path: path, Kind: KindSubject,
		Subject: &holds.SubjectRef{Type: rules.Child, ID: secretID}, Reason: "the folder of " + secretName, By: "Beheerder"}
}

func notPersonal(path string) Resolution {
	return Resolution{Store: "dossiers", Path: path, Kind: KindNotPersonal, Reason: "a menu", By: "Beheerder"}
}

func keepUntil(path, until string) Resolution {
	return Resolution{Store: "dossiers", Path: path, Kind: KindKeepUntil, Until: day(until), Reason: "ask the director", By: "Beheerder"}
}

// noPersonalData fails if msg repeats a name, an id or a path.
func noPersonalData(t *testing.T, msg string) {
	t.Helper()
	for _, s := range []string{secretName, "Jansen", secretID, "Onbekend"} {
		if strings.Contains(msg, s) {
			t.Errorf("message repeats personal data %q: %s", s, msg)
		}
	}
}

func TestOpenMissing(t *testing.T) {
	s := openSet(t, t.TempDir(), key(t, 'k'))
	if n := len(s.List(true)); n != 0 {
		t.Errorf("a new state directory has %d resolutions", n)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "nope"), key(t, 'k')); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Open of a missing state directory: %v, want an error", err)
	}
	// Without a key, an empty state dir is fine, but nothing can be added.
	s = openSet(t, t.TempDir(), nil)
	if _, err := s.Resolve(notPersonal("a.pdf"), now); err == nil || !strings.Contains(err.Error(), "pseudonym key") {
		t.Errorf("Resolve without a key: %v", err)
	}
}

func TestResolvePersistUnresolve(t *testing.T) {
	dir := t.TempDir()
	k := key(t, 'k')
	s1 := openSet(t, dir, k)
	a := mustResolve(t, s1, subjectRes(secretName+"/**"))
	b := mustResolve(t, s1, notPersonal("menu.pdf"))
	c := mustResolve(t, s1, keepUntil("Onbekend/x.pdf", "2027-01-31"))
	if a.ID != "R-0001" || b.ID != "R-0002" || c.ID != "R-0003" {
		t.Fatalf("ids %s %s %s", a.ID, b.ID, c.ID)
	}
	if !a.At.Equal(now) || a.By != "Beheerder" {
		t.Errorf("resolution %+v: want At %s", a, now)
	}
	s2 := openSet(t, dir, k)
	if got := s2.List(true); !reflect.DeepEqual(got, []Resolution{a, b, c}) {
		t.Fatalf("after Open:\n%+v\nwant\n%+v", got, []Resolution{a, b, c})
	}
	// The same store and path twice is refused, naming the first.
	if _, err := s2.Resolve(notPersonal("menu.pdf"), now); err == nil || !strings.Contains(err.Error(), "R-0002") {
		t.Errorf("second resolution of one record: %v", err)
	}
	u, err := s2.Unresolve("r-0002", "Directeur", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if u.Active() || u.UndoneBy != "Directeur" {
		t.Errorf("unresolved: %+v", u)
	}
	if _, err := s2.Unresolve("R-0002", "Directeur", now); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("second unresolve: %v", err)
	}
	if _, err := s2.Unresolve("R-0009", "Directeur", now); err == nil || !strings.Contains(err.Error(), "no resolution R-0009") {
		t.Errorf("unresolve of an unknown id: %v", err)
	}
	if _, err := s2.Unresolve("H-0001", "Directeur", now); err == nil {
		t.Error("unresolve of a hold id is accepted")
	}
	// s1 sees the change after Reload; once undone, the record may be
	// resolved again.
	if err := s1.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := s1.List(false); len(got) != 2 {
		t.Errorf("active after unresolve: %+v", got)
	}
	if r := mustResolve(t, s1, notPersonal("menu.pdf")); r.ID != "R-0004" {
		t.Errorf("new id %s, want R-0004", r.ID)
	}
}

func TestResolveChecks(t *testing.T) {
	s := openSet(t, t.TempDir(), key(t, 'k'))
	past := keepUntil("x.pdf", "2026-11-22")
	withID := notPersonal("x.pdf")
	withID.ID = "R-0007"
	noSubj := subjectRes("x.pdf")
	noSubj.Subject = nil
	badCat := subjectRes("x.pdf")
	badCat.Category = "recepten"
	catNP := notPersonal("x.pdf")
	catNP.Category = "contract"
	subjNP := notPersonal("x.pdf")
	subjNP.Subject = &holds.SubjectRef{Type: rules.Child, ID: "1"}
	noUntil := keepUntil("x.pdf", "2027-01-01")
	noUntil.Until = rules.Date{}
	untilNP := notPersonal("x.pdf")
	untilNP.Until = day("2027-01-01")
	noReason := notPersonal("x.pdf")
	noReason.Reason = " "
	noBy := notPersonal("x.pdf")
	noBy.By = ""
	badStore := notPersonal("x.pdf")
	badStore.Store = "Dossiers:"
	badKind := notPersonal("x.pdf")
	badKind.Kind = "delete"
	tests := []struct {
		name string
		r    Resolution
		want string
	}{
		{"until in the past", past, "before today"},
		{"with an id", withID, "no id"},
		{"subject kind without subject", noSubj, "subject: missing"},
		{"unknown category", badCat, "category"},
		{"category without subject", catNP, "category"},
		{"subject with not-personal", subjNP, "subject"},
		{"keep-until without date", noUntil, "until"},
		{"until with not-personal", untilNP, "until"},
		{"no reason", noReason, "reason"},
		{"no by", noBy, "--by"},
		{"bad store", badStore, "store"},
		{"bad kind", badKind, "kind"},
		{"absolute path", notPersonal("/" + secretName + "/x.pdf"), "starts with /"},
		{"dot dot", notPersonal(secretName + "/../x.pdf"), ".."},
		{"empty folder name", notPersonal(secretName + "//x.pdf"), "empty"},
		{"trailing slash", notPersonal(secretName + "/"), "/**"},
		{"whole store", notPersonal("**"), "whole store"},
		{"glob in the middle", notPersonal(secretName + "/**/x.pdf"), "/**"},
		{"control character", notPersonal(secretName + "\n.pdf"), "control"},
		{"empty path", notPersonal(""), "path: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Resolve(tt.r, now)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			noPersonalData(t, err.Error())
		})
	}
	if n := len(s.List(true)); n != 0 {
		t.Errorf("%d refused resolutions were kept", n)
	}
	// Today's date is a valid last day.
	mustResolve(t, s, keepUntil("x.pdf", "2026-11-23"))
}

func TestFileMode(t *testing.T) {
	dir := t.TempDir()
	s := openSet(t, dir, key(t, 'k'))
	mustResolve(t, s, notPersonal("menu.pdf"))
	for _, p := range []string{filepath.Join(dir, FileName), filepath.Join(dir, FileName+".lock")} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}

// TestDamagedOrForgedFile: a resolutions file that is cut short, edited
// by hand or written without the key is an error, never an empty list,
// and the error repeats nothing of the file.
func TestDamagedOrForgedFile(t *testing.T) {
	k := key(t, 'k')
	dir := t.TempDir()
	s := openSet(t, dir, k)
	mustResolve(t, s, subjectRes(secretName+"/**"))
	mustResolve(t, s, keepUntil("Onbekend/x.pdf", "2027-01-31"))
	path := filepath.Join(dir, FileName)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	full := string(good)
	edit := func(old, new string) string {
		if !strings.Contains(full, old) {
			t.Fatalf("the file lacks %q:\n%s", old, full)
		}
		return strings.Replace(full, old, new, 1)
	}
	tests := []struct {
		name, content, want string
	}{
		{"empty", "", "empty"},
		{"cut short", full[:len(full)/2], "JSON"},
		{"not JSON", "resolutions: none\n", "JSON"},
		{"unknown key", edit(`"version": 1,`, `"version": 1, "extra": true,`), "not part of the format"},
		{"other version", edit(`"version": 1`, `"version": 2`), "version 2"},
		{"next too low", edit(`"next": 3`, `"next": 2`), "next"},
		{"bad id", edit(`"id": "R-0001"`, `"id": "X-1"`), "resolutions[0]"},
		{"duplicate id", edit(`"id": "R-0002"`, `"id": "R-0001"`), "R-0001"},
		{"bad kind", edit(`"kind": "subject"`, `"kind": "delete"`), "kind"},
		{"bad until", edit(`"until": "2027-01-31"`, `"until": "31-01-2027"`), "until"},
		// Forged: a value changed without the key (the subject, the
		// kind, the path) no longer fits its seal.
		{"subject changed", edit(`"id": "`+secretID+`"`, `"id": "12345"`), "seal"},
		{"kind changed", edit(`"kind": "keep-until"`, `"kind": "not-personal"`), "resolution R-0002"},
		{"path changed", edit(`"path": "Onbekend/x.pdf"`, `"path": "Onbekend/**"`), "seal"},
		{"seal removed", edit(`"seal": "`, `"seal": "0`), "seal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir, k)
			if err == nil {
				t.Fatalf("Open accepted it: %d resolutions", len(s.List(true)))
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q, want one naming the file and %q", err, tt.want)
			}
			noPersonalData(t, err.Error())
		})
	}
	// A file written under another key (or copied from another
	// organisation) is refused as a whole.
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, key(t, 'x')); err == nil || !strings.Contains(err.Error(), "seal") {
		t.Errorf("Open under another key: %v", err)
	}
	// Without a key, resolutions cannot be checked: an error, not none.
	if _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "pseudonym key") {
		t.Errorf("Open without a key: %v", err)
	}
	openSet(t, dir, k) // the good file is still good
}

// TestDamagedFileNotOverwritten: Resolve on a damaged file fails and
// leaves the file as it was.
func TestDamagedFileNotOverwritten(t *testing.T) {
	dir := t.TempDir()
	k := key(t, 'k')
	s := openSet(t, dir, k)
	path := filepath.Join(dir, FileName)
	damaged := []byte(`{"version": 1, "next": 2, "resolutions": [`)
	if err := os.WriteFile(path, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve(notPersonal("a.pdf"), now); err == nil {
		t.Fatal("Resolve over a damaged file succeeded")
	}
	if _, err := s.Unresolve("R-0001", "x", now); err == nil {
		t.Fatal("Unresolve over a damaged file succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != string(damaged) {
		t.Errorf("the damaged file was overwritten:\n%s", b)
	}
}

// TestConcurrentResolvers: resolutions made at once by several Sets (two
// administrators, or the CLI and the daemon) are all kept, with distinct
// ids.
func TestConcurrentResolvers(t *testing.T) {
	dir := t.TempDir()
	k := key(t, 'k')
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(dir, k)
			if err == nil {
				_, err = s.Resolve(notPersonal(fmt.Sprintf("f%02d.pdf", i)), now)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := openSet(t, dir, k).List(true)
	ids := map[string]bool{}
	for _, r := range got {
		ids[r.ID] = true
	}
	if len(got) != n || len(ids) != n {
		t.Errorf("%d resolutions, %d ids, want %d", len(got), len(ids), n)
	}
}

// TestLockHeld: while another process changes the file under its lock,
// Resolve waits for it, then adds to what the other wrote.
func TestLockHeld(t *testing.T) {
	dir := t.TempDir()
	k := key(t, 'k')
	other := openSet(t, dir, k)
	s := openSet(t, dir, k)
	path := filepath.Join(dir, FileName)
	started, release := make(chan struct{}), make(chan struct{})
	otherDone := make(chan error)
	go func() {
		// The other writer holds the lock while it works.
		otherDone <- other.update(func(f *file) error {
			close(started)
			<-release
			_, err := f.add(notPersonal("b.pdf"), now, other.k)
			return err
		})
	}()
	<-started
	resolved := make(chan error)
	go func() {
		_, err := s.Resolve(notPersonal("a.pdf"), now)
		resolved <- err
	}()
	select {
	case err := <-resolved:
		t.Fatalf("Resolve did not wait for the lock: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if b, _ := statefile.Read(path); b != nil {
		t.Fatalf("the file was written while the lock was held:\n%s", b)
	}
	close(release)
	if err := <-otherDone; err != nil {
		t.Fatal(err)
	}
	if err := <-resolved; err != nil {
		t.Fatal(err)
	}
	got := openSet(t, dir, k).List(true)
	if len(got) != 2 || got[0].Path != "b.pdf" || got[1].Path != "a.pdf" {
		t.Errorf("after both writers: %+v, want b.pdf (R-0001) and a.pdf (R-0002)", got)
	}
}

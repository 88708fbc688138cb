package localfs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/scannertest"
)

// harness makes stores in t.TempDir().
type harness struct{ opts Options }

func (h harness) Make(t *testing.T, files map[string][]byte) scanners.Store {
	dir := t.TempDir()
	for id, data := range files {
		writeFile(t, dir, id, data)
	}
	return open(t, dir, h.opts)
}

// Write writes behind the store's back. If the clock has not ticked since
// the last write (coarse kernel timestamps), it moves the mtime on, as
// time would have passed between two edits in real life.
func (h harness) Write(t *testing.T, s scanners.Store, id string, data []byte) {
	dir := s.(*Store).Path()
	path := filepath.Join(dir, filepath.FromSlash(id))
	old, oldErr := os.Lstat(path)
	writeFile(t, dir, id, data)
	if oldErr != nil {
		return
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.ModTime().Equal(old.ModTime()) {
		if err := os.Chtimes(path, time.Time{}, old.ModTime().Add(time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
}

func writeFile(t testing.TB, dir, id string, data []byte) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(id))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func open(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ids(t testing.TB, s scanners.Store) []string {
	t.Helper()
	var got []string
	if err := s.Scan(t.Context(), func(r scanners.Record) error { got = append(got, r.ID); return nil }); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return got
}

func TestConformance(t *testing.T) {
	scannertest.RunConformance(t, harness{})
}

func TestConformanceICloud(t *testing.T) {
	scannertest.RunConformance(t, harness{opts: Options{ICloud: true}})
}

func TestOpenMissingRoot(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "missing"), Options{}); err == nil {
		t.Fatal("Open of a missing root succeeded")
	}
	file := filepath.Join(t.TempDir(), "file")
	writeFile(t, filepath.Dir(file), "file", nil)
	if _, err := Open(file, Options{}); err == nil {
		t.Fatal("Open of a file as root succeeded")
	}
}

func TestVersionIsSizeAndModTime(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", []byte("12345"))
	when := time.Unix(1700000000, 123456789)
	if err := os.Chtimes(filepath.Join(dir, "a.txt"), when, when); err != nil {
		t.Fatal(err)
	}
	r, err := open(t, dir, Options{}).Stat(t.Context(), "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	// Then the inode and the change time (TestVersionSeesInodeAndCtime).
	if want := "s5-m1700000000123456789-i"; !strings.HasPrefix(r.Version, want) {
		t.Errorf("Version = %q, want it to start with %q", r.Version, want)
	}
}

func TestClutterIsSkipped(t *testing.T) {
	dir := t.TempDir()
	clutter := []string{".DS_Store", "sub/.DS_Store", "Thumbs.db", "sub/thumbs.DB", "desktop.ini", "sub/~$contract.docx"}
	kept := []string{".env", ".hidden/notes.txt", "sub/contract.docx", "sub/~contract.docx", "sub/Thumbs.db.txt"}
	for _, id := range append(slices.Clone(clutter), kept...) {
		writeFile(t, dir, id, []byte(id))
	}
	s := open(t, dir, Options{})
	got := ids(t, s)
	slices.Sort(got)
	slices.Sort(kept)
	if !slices.Equal(got, kept) {
		t.Errorf("Scan listed %q, want %q", got, kept)
	}
	for _, id := range clutter {
		if _, err := s.Stat(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Stat(%q) error = %v, want ErrNotFound", id, err)
		}
		if err := s.Delete(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Delete(%q) error = %v, want ErrNotFound", id, err)
		}
		if _, err := os.Lstat(filepath.Join(dir, id)); err != nil {
			t.Errorf("%q: %v after a refused Delete", id, err)
		}
	}
}

func TestDeepTree(t *testing.T) {
	dir := t.TempDir()
	var want []string
	id := ""
	for i := range 40 {
		id = join(id, "niveau "+string(rune('a'+i%26)))
		writeFile(t, dir, id+"/file.txt", []byte(id))
		want = append(want, id+"/file.txt")
	}
	s := open(t, dir, Options{})
	got := ids(t, s)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("Scan listed %d records, want %d: %q", len(got), len(want), got)
	}
	deepest := id + "/file.txt"
	if r, err := s.Stat(t.Context(), deepest); err != nil || r.Size != int64(len(id)) {
		t.Fatalf("Stat(deepest) = %+v, %v", r, err)
	}
	if err := s.Delete(t.Context(), deepest); err != nil {
		t.Fatalf("Delete(deepest): %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(deepest))); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("deepest file still there: %v", err)
	}
}

// TestListingErrorFailsScan provokes a folder that cannot be read. chmod
// does not stop root, so the folder read is also made to fail directly.
func TestListingErrorFailsScan(t *testing.T) {
	t.Run("chmod", func(t *testing.T) {
		if os.Geteuid() <= 0 {
			t.Skip("root (or Windows) reads folders whatever their mode; the readNames case covers this")
		}
		dir := t.TempDir()
		writeFile(t, dir, "ok.txt", nil)
		writeFile(t, dir, "Jansen, Piet/Medisch/x.pdf", nil)
		locked := filepath.Join(dir, "Jansen, Piet", "Medisch")
		if err := os.Chmod(locked, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(locked, 0o755) })
		checkListingError(t, open(t, dir, Options{}), dir, "2 levels below", syscall.EACCES)
	})
	for _, tc := range []struct {
		name, failIn, where string
	}{
		{"root", "", "the root folder"},
		{"one level", "Jansen, Piet", "1 level below"},
		{"three levels", "Jansen, Piet/a/b", "3 levels below"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "ok.txt", nil)
			writeFile(t, dir, "Jansen, Piet/a/b/x.pdf", nil)
			s := open(t, dir, Options{})
			failIn := filepath.Join(dir, filepath.FromSlash(tc.failIn))
			s.readNames = func(f *os.File) ([]string, error) {
				if filepath.Clean(f.Name()) == failIn {
					names, _ := f.Readdirnames(-1)
					return names[:len(names)/2], &os.PathError{Op: "readdirent", Path: f.Name(), Err: syscall.EIO}
				}
				return f.Readdirnames(-1)
			}
			checkListingError(t, s, dir, tc.where, syscall.EIO)
		})
	}
}

func checkListingError(t *testing.T, s *Store, dir, where string, want error) {
	t.Helper()
	err := s.Scan(t.Context(), func(scanners.Record) error { return nil })
	if !errors.Is(err, want) {
		t.Fatalf("Scan error = %v, want %v", err, want)
	}
	msg := err.Error()
	if !strings.Contains(msg, where) || strings.Contains(msg, "Jansen") || strings.Contains(msg, dir) {
		t.Errorf("error %q should say %q and name no folder", msg, where)
	}
}

func TestOpenDirRefusesAReplacedFolder(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a/x", nil)
	writeFile(t, dir, "b/x", nil)
	s := open(t, dir, Options{})
	fiB, err := s.root.Lstat("b")
	if err != nil {
		t.Fatal(err)
	}
	// As if "a" had been swapped for what Lstat saw as "b".
	if _, err := openDir(s.root, "a", fiB); !errors.Is(err, errReplaced) {
		t.Fatalf("openDir with another folder's Lstat: %v, want errReplaced", err)
	}
	if _, err := openFile(s.root, "a/x", fiB); !errors.Is(err, errReplaced) {
		t.Fatalf("openFile with another file's Lstat: %v, want errReplaced", err)
	}
}

func TestReadErrorsHoldNoPath(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "Jansen, Piet/x.txt", []byte("data"))
	s := open(t, dir, Options{})
	rc, err := s.Open(t.Context(), "Jansen, Piet/x.txt")
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	_, err = rc.Read(make([]byte, 4)) // read after close
	if err == nil || strings.Contains(err.Error(), "Jansen") {
		t.Fatalf("read after close: %v; want an error without the path", err)
	}
}

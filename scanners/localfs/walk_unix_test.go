//go:build unix

package localfs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/retentiond/retentiond/scanners"
)

// A name of more than one element from a folder listing would be resolved
// outside that folder; the scan must refuse it rather than follow it.
func TestScanRefusesNamesThatAreNotOneElement(t *testing.T) {
	for _, bad := range []string{"..", ".", "", "sub/x.txt", "../outside/secret.txt"} {
		t.Run(bad, func(t *testing.T) {
			parent := t.TempDir()
			writeFile(t, parent, "outside/secret.txt", []byte("outside"))
			dir := filepath.Join(parent, "root")
			writeFile(t, dir, "sub/x.txt", []byte("inside"))
			s := open(t, dir, Options{})
			s.readNames = func(f *os.File) ([]string, error) {
				names, err := f.Readdirnames(-1)
				if filepath.Clean(f.Name()) == dir {
					names = append(names, bad)
				}
				return names, err
			}
			err := s.Scan(t.Context(), func(scanners.Record) error { return nil })
			if !errors.Is(err, errBadName) {
				t.Fatalf("Scan with the name %q listed: %v, want errBadName", bad, err)
			}
			if bad != "" && strings.Contains(err.Error(), bad) {
				t.Errorf("error %q holds the name", err)
			}
		})
	}
}

// A folder swapped for a link after it was listed is seen as the link,
// neither followed nor an error.
func TestScanSkipsAFolderSwappedForALink(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside, "secret.txt", []byte("outside"))
	dir := t.TempDir()
	writeFile(t, dir, "a/x.txt", []byte("a"))
	writeFile(t, dir, "b.txt", []byte("b"))
	s := open(t, dir, Options{})
	s.readNames = func(f *os.File) ([]string, error) {
		names, err := f.Readdirnames(-1)
		if filepath.Clean(f.Name()) == dir {
			if err := os.RemoveAll(filepath.Join(dir, "a")); err != nil {
				t.Fatal(err)
			}
			symlink(t, outside, filepath.Join(dir, "a"))
		}
		return names, err
	}
	if got := ids(t, s); !slices.Equal(got, []string{"b.txt"}) {
		t.Fatalf("Scan listed %q, want [b.txt]", got)
	}
}

func TestOpenAtRefusesAReplacedEntry(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a/x", nil)
	writeFile(t, dir, "b/x", nil)
	writeFile(t, dir, "f1", []byte("1"))
	writeFile(t, dir, "f2", []byte("2"))
	symlink(t, "a", filepath.Join(dir, "link"))
	dirfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dirfd)
	stat := func(name string) *unix.Stat_t {
		var st unix.Stat_t
		if err := fstatat(dirfd, name, &st); err != nil {
			t.Fatal(err)
		}
		return &st
	}

	f, err := openDirAt(dirfd, "a", stat("a"), "a")
	if err != nil {
		t.Fatalf("openDirAt of the folder fstatat saw: %v", err)
	}
	f.Close()
	// As if "a" had been swapped for what fstatat saw as "b".
	if _, err := openDirAt(dirfd, "a", stat("b"), "a"); !errors.Is(err, errReplaced) {
		t.Errorf("openDirAt with another folder's stat: %v, want errReplaced", err)
	}
	// As if "a" had been swapped for a link to itself.
	if _, err := openDirAt(dirfd, "link", stat("a"), "link"); !errors.Is(err, errReplaced) {
		t.Errorf("openDirAt of a link to the folder: %v, want errReplaced", err)
	}
	if _, err := openDirAt(dirfd, "f1", stat("a"), "f1"); !errors.Is(err, errReplaced) {
		t.Errorf("openDirAt of a file: %v, want errReplaced", err)
	}

	if f := openFileAt(dirfd, "f1", stat("f1")); f == nil {
		t.Error("openFileAt of the file fstatat saw failed")
	} else {
		f.Close()
	}
	if f := openFileAt(dirfd, "f1", stat("f2")); f != nil {
		f.Close()
		t.Error("openFileAt with another file's stat succeeded")
	}
}

// Apply compares a record's Version from the scan with Stat's, which come
// from fstatat and from os.Root's Lstat.
func TestScanAndStatAgree(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", []byte("12345"))
	writeFile(t, dir, "sub/b.pdf", []byte("123"))
	placeholder, err := os.ReadFile(filepath.Join("testdata", "ascii.icloud"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "sub/.c.pdf.icloud", placeholder)
	s := open(t, dir, Options{ICloud: true})
	n := 0
	err = s.Scan(t.Context(), func(r scanners.Record) error {
		n++
		st, err := s.Stat(t.Context(), r.ID)
		if err != nil {
			t.Errorf("Stat(%q): %v", r.ID, err)
			return nil
		}
		if st.ID != r.ID || st.Kind != r.Kind || st.Size != r.Size || !st.ModTime.Equal(r.ModTime) || st.Version != r.Version {
			t.Errorf("Scan listed %+v, Stat says %+v", r, st)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("Scan listed %d records, want 3", n)
	}
}

// The listing says which names are folders, and the scan enters those
// without an fstatat: a folder swapped for a link or a file after it was
// listed is still seen as what it is now (the link skipped, the file
// listed), never followed and no error.
func TestScanTypedListingSwaps(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside, "secret.txt", []byte("outside"))
	dir := t.TempDir()
	writeFile(t, dir, "a/x.txt", []byte("a"))
	writeFile(t, dir, "b.txt", []byte("b"))
	writeFile(t, dir, "c/y.txt", []byte("c"))
	writeFile(t, dir, "d/z.txt", []byte("d"))
	s := open(t, dir, Options{})
	s.readTyped = func(f *os.File) ([]string, []bool, error) {
		names, dirs, err := readTyped(f)
		if filepath.Clean(f.Name()) == dir {
			if i := slices.Index(names, "a"); i < 0 || !dirs[i] {
				t.Fatalf("the listing of %v does not say a is a folder: %v", names, dirs)
			}
			for _, n := range []string{"a", "c"} {
				if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
					t.Fatal(err)
				}
			}
			symlink(t, outside, filepath.Join(dir, "a"))
			writeFile(t, dir, "c", []byte("now a file"))
		}
		return names, dirs, err
	}
	if got := ids(t, s); !slices.Equal(got, []string{"b.txt", "c", "d/z.txt"}) {
		t.Fatalf("Scan listed %q, want [b.txt c d/z.txt]", got)
	}
}

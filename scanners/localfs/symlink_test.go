package localfs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/retentiond/retentiond/scanners"
)

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot make symbolic links here: %v", err)
	}
}

func mustExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); err != nil {
		t.Errorf("%s: %v; it must survive", path, err)
	}
}

func TestSymlinksAreNeitherListedNorFollowed(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside, "secret.txt", []byte("outside the root"))
	writeFile(t, outside, "sub/deeper.txt", []byte("outside too"))
	dir := t.TempDir()
	writeFile(t, dir, "in.txt", []byte("inside"))
	writeFile(t, dir, "folder/real.txt", []byte("inside too"))
	symlink(t, outside, filepath.Join(dir, "linkdir"))
	symlink(t, filepath.Join(outside, "secret.txt"), filepath.Join(dir, "linkfile"))
	symlink(t, "../in.txt", filepath.Join(dir, "folder", "relative link"))
	symlink(t, "../folder", filepath.Join(dir, "folder", "loop"))
	symlink(t, "nowhere", filepath.Join(dir, "dangling"))

	for _, opts := range []Options{{}, {ICloud: true}} {
		s := open(t, dir, opts)
		got := ids(t, s)
		slices.Sort(got)
		if want := []string{"folder/real.txt", "in.txt"}; !slices.Equal(got, want) {
			t.Errorf("ICloud=%v: Scan listed %q, want %q", opts.ICloud, got, want)
		}
		for _, id := range []string{
			"linkdir/secret.txt", "linkdir/sub/deeper.txt", "linkfile",
			"folder/relative link", "folder/loop/real.txt", "dangling",
		} {
			if _, err := s.Stat(t.Context(), id); !errors.Is(err, scanners.ErrOutsideRoot) {
				t.Errorf("Stat(%q) error = %v, want ErrOutsideRoot", id, err)
			}
			if rc, err := s.Open(t.Context(), id); !errors.Is(err, scanners.ErrOutsideRoot) {
				if err == nil {
					rc.Close()
				}
				t.Errorf("Open(%q) error = %v, want ErrOutsideRoot", id, err)
			}
			if err := s.Delete(t.Context(), id); !errors.Is(err, scanners.ErrOutsideRoot) {
				t.Errorf("Delete(%q) error = %v, want ErrOutsideRoot", id, err)
			}
		}
	}
	for _, p := range []string{
		filepath.Join(outside, "secret.txt"), filepath.Join(outside, "sub", "deeper.txt"),
		filepath.Join(dir, "in.txt"), filepath.Join(dir, "folder", "real.txt"),
		filepath.Join(dir, "linkdir"), filepath.Join(dir, "linkfile"), filepath.Join(dir, "folder", "relative link"),
	} {
		mustExist(t, p)
	}
}

// TestSymlinkPlantedAfterScan swaps a listed folder for a link to another
// place, inside and outside the root, between the scan and the delete.
func TestSymlinkPlantedAfterScan(t *testing.T) {
	for _, inside := range []bool{false, true} {
		dir := t.TempDir()
		writeFile(t, dir, "dossier/file.txt", []byte("to delete"))
		target := t.TempDir()
		if inside {
			target = filepath.Join(dir, "other")
		}
		writeFile(t, target, "file.txt", []byte("must survive"))
		s := open(t, dir, Options{})
		if got := ids(t, s); !slices.Contains(got, "dossier/file.txt") {
			t.Fatalf("Scan listed %q", got)
		}
		if err := os.RemoveAll(filepath.Join(dir, "dossier")); err != nil {
			t.Fatal(err)
		}
		symlink(t, target, filepath.Join(dir, "dossier"))
		if err := s.Delete(t.Context(), "dossier/file.txt"); !errors.Is(err, scanners.ErrOutsideRoot) {
			t.Errorf("inside=%v: Delete through a planted link: %v, want ErrOutsideRoot", inside, err)
		}
		mustExist(t, filepath.Join(target, "file.txt"))
	}
}

// TestRootItselfMayBeALink: the configured root is the operator's choice
// and is followed once, when the store opens.
func TestRootItselfMayBeALink(t *testing.T) {
	real := t.TempDir()
	writeFile(t, real, "a.txt", []byte("a"))
	link := filepath.Join(t.TempDir(), "root")
	symlink(t, real, link)
	if got := ids(t, open(t, link, Options{})); !slices.Equal(got, []string{"a.txt"}) {
		t.Fatalf("Scan listed %q, want [a.txt]", got)
	}
}

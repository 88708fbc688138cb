package localfs

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestSweepTemps: only regular files with the program's own temporary
// names go, at any depth; other dotfiles, links and what lies outside the
// root (through a link) stay.
func TestSweepTemps(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(root, "2022", "Tess Mulder"), outside} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p string) {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stale := []string{
		filepath.Join(root, "2022", ".scans.zip.0123456789ab.retentiond-tmp"),
		filepath.Join(root, "2022", "Tess Mulder", ".intake.zip.abcdef012345.retentiond-tmp"),
	}
	keep := []string{
		filepath.Join(root, "2022", "scans.zip"),
		filepath.Join(root, "2022", ".scans.zip.retentiond-tmp"), // no random part: not ours
		filepath.Join(root, ".hidden"),
		filepath.Join(outside, ".x.zip.0123456789ab.retentiond-tmp"),
	}
	for _, p := range append(append([]string{}, stale...), keep...) {
		write(p)
	}
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(keep[0], filepath.Join(root, ".l.zip.0123456789ab.retentiond-tmp")); err != nil {
		t.Fatal(err)
	}
	s, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := s.SweepTemps(context.Background())
	if err != nil || n != len(stale) {
		t.Fatalf("SweepTemps = %d, %v; want %d", n, err, len(stale))
	}
	for _, p := range stale {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there", p)
		}
	}
	for _, p := range append(keep, filepath.Join(root, ".l.zip.0123456789ab.retentiond-tmp")) {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

package report

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSweepPartialsStaysInThePlansDir: only the plan folders' own partial
// files go: an auto/ that is a symbolic link to a folder elsewhere is not
// followed, and what lies there stays.
func TestSweepPartialsStaysInThePlansDir(t *testing.T) {
	base := t.TempDir()
	plans := filepath.Join(base, "plans")
	dir := filepath.Join(plans, "20260302-020000")
	outside := filepath.Join(base, "elsewhere")
	for _, d := range []string{dir, outside} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	own := filepath.Join(dir, "plan.json"+partialSuffix)
	theirs := filepath.Join(outside, "data"+partialSuffix)
	for _, p := range []string{own, theirs, filepath.Join(dir, PlanJSON)} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "auto")); err != nil {
		t.Fatal(err)
	}
	n, err := SweepPartials(plans)
	if err != nil || n != 1 {
		t.Errorf("SweepPartials = %d, %v; want 1, nil", n, err)
	}
	if _, err := os.Lstat(own); !os.IsNotExist(err) {
		t.Errorf("the plan folder's partial file is still there: %v", err)
	}
	if _, err := os.Lstat(theirs); err != nil {
		t.Errorf("a file outside the plans dir, reached through a link, was removed: %v", err)
	}
}

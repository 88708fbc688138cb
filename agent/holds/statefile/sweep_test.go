package statefile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSweepTemps: a writer killed before its rename leaves ".NAME.DIGITS"
// beside the state file; only those go, never the file itself, another
// file's temporary or a link.
func TestSweepTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "requests.json")
	if err := Update(path, func([]byte) ([]byte, error) { return []byte(`{"v":1}`), nil }); err != nil {
		t.Fatal(err)
	}
	write := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("Tess Mulder"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := []string{write(".requests.json.123456789"), write(".requests.json.42")}
	keep := []string{write(".holds.json.123456789"), write(".requests.json.abc"), write(".requests.json."), path}
	outside := write("outside")
	link := filepath.Join(dir, ".requests.json.777")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	n, err := SweepTemps(path)
	if err != nil || n != len(stale) {
		t.Fatalf("SweepTemps = %d, %v; want %d", n, err, len(stale))
	}
	for _, p := range stale {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there", p)
		}
	}
	for _, p := range append(keep, link, outside) {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s removed: %v", p, err)
		}
	}
}

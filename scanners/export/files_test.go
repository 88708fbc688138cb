package export

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/scanners"
)

func TestSplitGlob(t *testing.T) {
	tests := []struct {
		glob, base string
		pattern    []string
	}{
		{"/data/exports/konnect/dagboek-*.csv", "/data/exports/konnect", []string{"dagboek-*.csv"}},
		{"/data/exports/*/dagboek.csv", "/data/exports", []string{"*", "dagboek.csv"}},
		{"/data/exports/*/2024/*.xlsx", "/data/exports", []string{"*", "2024", "*.xlsx"}},
		{"/data/exports/kinderen.csv", "/data/exports", []string{"kinderen.csv"}},
		{"exports/*.json", "exports", []string{"*.json"}},
		{"*.json", ".", []string{"*.json"}},
		{"/x.csv", "/", []string{"x.csv"}},
		{"/data/./exports//a/../*.csv", "/data/exports", []string{"*.csv"}},
	}
	for _, tc := range tests {
		base, pattern, err := splitGlob(tc.glob)
		if err != nil || base != tc.base || !slices.Equal(pattern, tc.pattern) {
			t.Errorf("splitGlob(%q) = %q, %q, %v; want %q, %q", tc.glob, base, pattern, err, tc.base, tc.pattern)
		}
	}
	for _, bad := range []string{"", "/", "/data/[a.csv"} {
		if _, _, err := splitGlob(bad); err == nil {
			t.Errorf("splitGlob(%q): no error", bad)
		}
	}
}

func TestParseID(t *testing.T) {
	tests := []struct {
		id, file, sheet string
		index           int
		row             bool
	}{
		{"a.csv#2", "a.csv", "", 2, true},
		{"sub/a.JSON#10", "sub/a.JSON", "", 10, true},
		{"a.xlsx#2024!7", "a.xlsx", "2024", 7, true},
		{"a.xlsx#Blad 1!x!3", "a.xlsx", "Blad 1!x", 3, true},
		{"a#b.csv#4", "a#b.csv", "", 4, true},
		{"a.csv", "a.csv", "", 0, false},
		{"a.csv#02", "a.csv#02", "", 0, false},
		{"a.csv#0", "a.csv#0", "", 0, false},
		{"a.xlsx#3", "a.xlsx#3", "", 0, false},
	}
	for _, tc := range tests {
		file, sheet, index, row := parseID(tc.id)
		if file != tc.file || sheet != tc.sheet || index != tc.index || row != tc.row {
			t.Errorf("parseID(%q) = %q, %q, %d, %v", tc.id, file, sheet, index, row)
		}
		if row && rowID(file, sheet, index) != tc.id {
			t.Errorf("rowID does not give back %q", tc.id)
		}
	}
}

// TestSymlinksNotFollowed: a link in the glob's folder, to a file outside
// it or inside it, and a linked folder, are neither listed nor acted on.
func TestSymlinksNotFollowed(t *testing.T) {
	outside := t.TempDir()
	const secret = "Naam kind;Datum;Notitie;E-mail\nGeheim;1-1-2024;;\n"
	target := writeFile(t, outside, "b.csv", secret)
	writeFile(t, outside, "sub/c.csv", secret)
	dir := t.TempDir()
	writeFile(t, dir, "a/a.csv", "Naam kind;Datum;Notitie;E-mail\nA;1-1-2024;;\n")
	links := map[string]string{"a/link.csv": target, "a/inner.csv": filepath.Join(dir, "a", "a.csv"), "linkdir": filepath.Join(outside, "sub")}
	for name, to := range links {
		if err := os.Symlink(to, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Skipf("no symlinks here: %v", err)
		}
	}
	s := openStore(t, filepath.Join(dir, "*", "*.csv"), diary())
	recs, err := scanAll(t, s)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	if got := summaries(recs); got != "a/a.csv#2 | A | 1-1-2024 | name | a/a.csv  2\n" {
		t.Errorf("Scan listed:\n%s\nwant only a/a.csv's row", got)
	}
	ctx := context.Background()
	for _, id := range []string{"a/link.csv#2", "a/link.csv", "linkdir/c.csv#2"} {
		if _, err := s.Stat(ctx, id); !errors.Is(err, scanners.ErrOutsideRoot) {
			t.Errorf("Stat(%s): %v, want ErrOutsideRoot", id, err)
		}
		if _, err := s.Open(ctx, id); !errors.Is(err, scanners.ErrOutsideRoot) {
			t.Errorf("Open(%s): %v, want ErrOutsideRoot", id, err)
		}
	}
	st, _ := os.Lstat(filepath.Join(dir, "a", "link.csv"))
	_, err = s.Rewrite(ctx, "a/link.csv", version(st), nil, func(int, string) bool { return true })
	if !errors.Is(err, scanners.ErrOutsideRoot) {
		t.Errorf("Rewrite of a link: %v, want ErrOutsideRoot", err)
	}
	if got := readString(t, target); got != secret {
		t.Error("the file outside the store was changed")
	}
}

func TestIDsOutsideTheStore(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "konnect/dagboek-2024.csv", "Naam kind;Datum;Notitie;E-mail\nA;1-1-2024;;\n")
	writeFile(t, dir, "konnect/fotos.csv", "Naam kind;Datum;Notitie;E-mail\nA;1-1-2024;;\n")
	s := openStore(t, filepath.Join(dir, "konnect", "dagboek-*.csv"), diary())
	ctx := context.Background()
	for id, want := range map[string]error{
		"fotos.csv#2":               scanners.ErrNotFound, // in the folder, not matched by the glob
		"../konnect/fotos.csv#2":    scanners.ErrOutsideRoot,
		"/etc/passwd":               scanners.ErrOutsideRoot,
		"dagboek-2024.csv#3":        scanners.ErrNotFound, // past the last row
		"dagboek-2025.csv#2":        scanners.ErrNotFound,
		"sub/../dagboek-2024.csv#2": scanners.ErrOutsideRoot,
	} {
		if _, err := s.Stat(ctx, id); !errors.Is(err, want) {
			t.Errorf("Stat(%s): %v, want %v", id, err, want)
		}
	}
	if _, err := s.Stat(ctx, "dagboek-2024.csv#2"); err != nil {
		t.Errorf("Stat of a real row: %v", err)
	}
}

func TestOpenMissingBase(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nope", "*.csv"), diary())
	if err == nil || !strings.Contains(err.Error(), "files:") {
		t.Errorf("Open of a missing folder: %v, want an error pointing at files:", err)
	}
	bad := diary()
	bad.SubjectBy = "bsn"
	if _, err := Open(filepath.Join(t.TempDir(), "*.csv"), bad); err == nil {
		t.Error("Open with an invalid profile: no error")
	}
}

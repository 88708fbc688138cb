package archive_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/archive"
	"github.com/retentiond/retentiond/scanners/localfs"
	"github.com/retentiond/retentiond/scanners/scannertest"
)

// rawZip writes a zip whose entry names are exactly the bytes given,
// whatever they hold: each entry is written under a placeholder name of
// the same length, which is then patched in the local header and the
// central directory. A name ending in "/" still gets its data, as a
// crafted zip can.
func rawZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	var patches [][2]string
	for i, e := range entries {
		ph := []byte(e.name)
		for j := range ph {
			ph[j] = byte('A' + (i+j)%26)
		}
		ph[0] = 'Q' // placeholders differ from every real name below
		fw, err := w.CreateHeader(&zip.FileHeader{Name: string(ph), Method: zip.Store, Modified: modified})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(fw, e.data); err != nil {
			t.Fatal(err)
		}
		patches = append(patches, [2]string{string(ph), e.name})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	for _, p := range patches {
		if n := bytes.Count(b, []byte(p[0])); n != 2 {
			t.Fatalf("placeholder %q found %d times, want 2", p[0], n)
		}
		b = bytes.ReplaceAll(b, []byte(p[0]), []byte(p[1]))
	}
	return b
}

// TestUnnamableEntriesAreCounted: an entry that cannot be named safely is
// not listed, and the zip's record counts it, so that the zip is never
// taken for one whose every entry was decided.
func TestUnnamableEntriesAreCounted(t *testing.T) {
	good := zipEntry{name: "Piet Jansen/scan.pdf", data: "scan"}
	tests := []struct {
		name string
		bad  zipEntry
	}{
		{"NUL byte", zipEntry{name: "Anna\x00Berg/scan.pdf", data: "hidden"}},
		{"dot-dot", zipEntry{name: "..", data: "hidden"}},
		{"dot-dot element", zipEntry{name: "x/../Anna Berg/scan.pdf", data: "hidden"}},
		{"escaping", zipEntry{name: "../Anna Berg.pdf", data: "hidden"}},
		{"windows escaping", zipEntry{name: `..\Anna Berg.pdf`, data: "hidden"}},
		{"absolute", zipEntry{name: "/Anna Berg/scan.pdf", data: "hidden"}},
		{"drive letter", zipEntry{name: "C:/Anna Berg/scan.pdf", data: "hidden"}},
		{"folder with data", zipEntry{name: "Anna Berg/", data: "hidden data"}},
		{"nothing left", zipEntry{name: "./", data: "hidden data"}},
		{"duplicate", zipEntry{name: "Piet Jansen/scan.pdf", data: "another scan"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "2015.zip"), rawZip(t, good, tc.bad), 0o600); err != nil {
				t.Fatal(err)
			}
			fsys, err := localfs.Open(dir, localfs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer fsys.Close()
			s := archive.Wrap(fsys, archive.Options{})
			got := scannertest.MustCollect(t, s)
			z := got["2015.zip"]
			if z.Kind != scanners.KindArchive || z.Unlisted != 1 {
				t.Errorf("zip record %+v: want an archive with 1 unlisted entry", z)
			}
			if len(got) != 2 || got["2015.zip!/Piet Jansen/scan.pdf"].Kind != scanners.KindArchiveEntry {
				t.Errorf("listed %d records, want the zip and its one nameable entry: %v", len(got), got)
			}
			st, err := s.Stat(t.Context(), "2015.zip")
			if err != nil || st.Unlisted != 1 {
				t.Errorf("Stat of the zip = %+v, %v; want 1 unlisted entry", st, err)
			}
		})
	}
	// An empty folder entry is no entry at all, and not unlisted.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.zip"), rawZip(t, zipEntry{name: "Piet Jansen/"}, good), 0o600); err != nil {
		t.Fatal(err)
	}
	fsys, err := localfs.Open(dir, localfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	got := scannertest.MustCollect(t, archive.Wrap(fsys, archive.Options{}))
	if z := got["ok.zip"]; z.Unlisted != 0 || len(got) != 2 {
		t.Errorf("a zip with an empty folder entry: %+v, %d records", z, len(got))
	}
}

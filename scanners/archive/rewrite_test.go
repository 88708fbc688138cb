package archive_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/archive"
	"github.com/retentiond/retentiond/scanners/localfs"
	"github.com/retentiond/retentiond/scanners/memstore"
	"github.com/retentiond/retentiond/scanners/scannertest"
)

func localZip(t *testing.T, name string, data []byte) (*archive.Store, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
	fsys, err := localfs.Open(dir, localfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return archive.Wrap(fsys, archive.Options{}), path
}

// TestRewriteTakesEntriesOut: the zip is written again without one child's
// entries; the other child's entries, the folder entries and the comment
// stay as they were, and the zip's version changes.
func TestRewriteTakesEntriesOut(t *testing.T) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range []zipEntry{
		{name: "Piet Jansen/"},
		{name: "Piet Jansen/intake.pdf", data: strings.Repeat("piet ", 100)},
		{name: "Anna Berg/intake.pdf", data: strings.Repeat("anna ", 100)},
		{name: "Piet Jansen/verslag.pdf", data: "piet 2"},
	} {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(e.data))
	}
	w.SetComment("archief 2015")
	w.Close()
	s, path := localZip(t, "Archief/2015.zip", buf.Bytes())
	ctx := t.Context()
	before, err := s.Stat(ctx, "Archief/2015.zip")
	if err != nil {
		t.Fatal(err)
	}

	if _, _, err := s.Rewrite(ctx, "Archief/2015.zip", before.Version+"x", func(string) bool { return true }); !errors.Is(err, scanners.ErrChanged) {
		t.Errorf("Rewrite at another version: %v, want ErrChanged", err)
	}
	v, n, err := s.Rewrite(ctx, "Archief/2015.zip", before.Version, func(string) bool { return false })
	if err != nil || n != 0 || v != before.Version {
		t.Errorf("Rewrite dropping nothing: %q, %d, %v; want the zip left alone", v, n, err)
	}

	v, n, err = s.Rewrite(ctx, "Archief/2015.zip", before.Version, func(p string) bool { return strings.HasPrefix(p, "Piet Jansen/") })
	if err != nil || n != 2 {
		t.Fatalf("Rewrite = %q, %d, %v; want 2 entries taken out", v, n, err)
	}
	after, err := s.Stat(ctx, "Archief/2015.zip")
	if err != nil || after.Version != v || v == before.Version {
		t.Errorf("after the rewrite: version %q (returned %q, before %q), %v", after.Version, v, before.Version, err)
	}
	got := scannertest.MustCollect(t, s)
	if len(got) != 2 || got["Archief/2015.zip!/Anna Berg/intake.pdf"].Kind != scanners.KindArchiveEntry {
		t.Errorf("after the rewrite Scan listed %v", got)
	}
	if data, err := scannertest.ReadAll(ctx, s, "Archief/2015.zip!/Anna Berg/intake.pdf"); err != nil || string(data) != strings.Repeat("anna ", 100) {
		t.Errorf("the kept entry reads %q, %v", data, err)
	}
	if _, err := s.Stat(ctx, "Archief/2015.zip!/Piet Jansen/intake.pdf"); !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("a dropped entry: %v, want ErrNotFound", err)
	}
	raw, _ := os.ReadFile(path)
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil || zr.Comment != "archief 2015" || len(zr.File) != 2 || zr.File[0].Name != "Piet Jansen/" {
		t.Errorf("new zip: %v, comment %q, %d entries", err, zr.Comment, len(zr.File))
	}
	if bytes.Contains(raw, []byte("piet")) {
		t.Error("the new zip still holds the dropped entries' bytes")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the original's 0640", fi.Mode().Perm())
	}
	assertEmptyDirButZip(t, filepath.Dir(path))
}

func assertEmptyDirButZip(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".zip") {
			t.Errorf("left behind: %q", e.Name())
		}
	}
}

// TestRewriteRefuses: a zip with entries that cannot be named, and a zip
// in a store that cannot replace files, are left alone.
func TestRewriteRefuses(t *testing.T) {
	data := rawZip(t, zipEntry{name: "Piet Jansen/a.pdf", data: "a"}, zipEntry{name: "../Anna.pdf", data: "b"})
	s, path := localZip(t, "x.zip", data)
	r, _ := s.Stat(t.Context(), "x.zip")
	if _, _, err := s.Rewrite(t.Context(), "x.zip", r.Version, func(string) bool { return true }); !errors.Is(err, archive.ErrUnlisted) {
		t.Errorf("Rewrite of a zip with an unnamed entry: %v, want ErrUnlisted", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, data) {
		t.Error("the zip changed")
	}
	assertEmptyDirButZip(t, filepath.Dir(path))

	mem := archive.Wrap(memstore.New(map[string][]byte{"x.zip": makeZip(t, zipEntry{name: "a", data: "a"})}), archive.Options{})
	if mem.CanRewrite("x.zip") {
		t.Error("CanRewrite over a memstore")
	}
	mr, _ := mem.Stat(t.Context(), "x.zip")
	if _, _, err := mem.Rewrite(t.Context(), "x.zip", mr.Version, func(string) bool { return true }); !errors.Is(err, scanners.ErrReadOnly) {
		t.Errorf("Rewrite over a memstore: %v, want ErrReadOnly", err)
	}
	if !s.CanRewrite("x.zip") {
		t.Error("CanRewrite over a local folder is false")
	}
}

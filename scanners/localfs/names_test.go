package localfs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/scannertest"
)

// TestDotPlaceholdersAreTheirOwnFiles (issue 12, item 17): "....icloud"
// and "...icloud" would stand for ".." and ".": they are no placeholders,
// and are listed as the ordinary files they are, never as a record "X/.."
// or "X/.".
func TestDotPlaceholdersAreTheirOwnFiles(t *testing.T) {
	files := map[string][]byte{
		"X/....icloud": fixture(t, "ascii.icloud"),
		"X/...icloud":  fixture(t, "ascii.icloud"),
		"X/..icloud":   nil,
	}
	s := harness{opts: Options{ICloud: true}}.Make(t, files)
	got := scannertest.MustCollect(t, s)
	want := []string{"X/....icloud", "X/...icloud", "X/..icloud"}
	if ids := slices.Sorted(func(yield func(string) bool) {
		for id := range got {
			if !yield(id) {
				return
			}
		}
	}); !slices.Equal(ids, want) {
		t.Fatalf("Scan listed %q, want %q", ids, want)
	}
	for _, id := range want {
		if _, err := scanners.CleanID(id); err != nil || got[id].Kind != scanners.KindFile {
			t.Errorf("%q: %+v, %v; want an ordinary file", id, got[id], err)
		}
		if r, err := s.Stat(t.Context(), id); err != nil || !scannertest.SameRecord(r, got[id]) {
			t.Errorf("Stat(%q) = %+v, %v", id, r, err)
		}
	}
	if err := s.Delete(t.Context(), "X/....icloud"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(s.(*Store).Path(), "X", "...icloud")); err != nil {
		t.Errorf("deleting ....icloud touched ...icloud: %v", err)
	}
}

// TestVersionSeesInodeAndCtime (issue 12, item 17): a file rewritten with
// content of the same size and its mtime set back, or replaced by another
// file of the same size and mtime, is a new version: the version holds the
// inode and the change time, which a user cannot set back.
func TestVersionSeesInodeAndCtime(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", []byte("12345"))
	path := filepath.Join(dir, "a.txt")
	when := time.Unix(1700000000, 123456789)
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir, Options{})
	v1, err := s.Stat(t.Context(), "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // past the change time's clock tick
	if err := os.WriteFile(path, []byte("54321"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
	v2, err := s.Stat(t.Context(), "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	if v1.Size != v2.Size || !v1.ModTime.Equal(v2.ModTime) || v1.Version == v2.Version {
		t.Errorf("same size and mtime, new content: versions %q and %q, want different", v1.Version, v2.Version)
	}
	other := filepath.Join(dir, ".other")
	if err := os.WriteFile(other, []byte("abcde"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(other, when, when); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	v3, err := s.Stat(t.Context(), "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	if v3.Version == v2.Version || v3.Version == v1.Version {
		t.Errorf("replaced by another file of the same size and mtime: version %q, before %q", v3.Version, v2.Version)
	}
	listed := scannertest.MustCollect(t, s)
	if listed["a.txt"].Version != v3.Version {
		t.Errorf("Scan's version %q, Stat's %q", listed["a.txt"].Version, v3.Version)
	}
}

// TestNamesRoundTrip (issue 12, item 5): a file name that is not valid
// UTF-8 is listed with each invalid byte as %XX (and "%", control bytes
// and U+FFFD escaped too), so that the ID is valid UTF-8 and survives
// plan.json byte for byte; Stat, Open and Delete find the exact file.
func TestNamesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	names := map[string]string{ // on disk -> ID
		"scan\xff.pdf":            "scan%FF.pdf",
		"100%.pdf":                "100%25.pdf",
		"a%41.pdf":                "a%2541.pdf",
		"tab\there.pdf":           "tab%09here.pdf",
		"u\ufffd.pdf":             "u%EF%BF%BD.pdf",
		"caf\xe9/x\xc3.pdf":       "caf%E9/x%C3.pdf",
		"Jansen, Piet/intake.pdf": "Jansen, Piet/intake.pdf",
		"Zoë/é.pdf":               "Zoë/é.pdf",
	}
	for disk := range names {
		writeFile(t, dir, disk, []byte(disk))
	}
	s := open(t, dir, Options{})
	got := scannertest.MustCollect(t, s)
	if len(got) != len(names) {
		t.Fatalf("Scan listed %d records, want %d: %v", len(got), len(names), got)
	}
	ctx := t.Context()
	for disk, id := range names {
		r, ok := got[id]
		if !ok || !utf8.ValidString(r.ID) {
			t.Errorf("%q: not listed as %q", disk, id)
			continue
		}
		if st, err := s.Stat(ctx, id); err != nil || !scannertest.SameRecord(st, r) {
			t.Errorf("Stat(%q) = %+v, %v", id, st, err)
		}
		if data, err := scannertest.ReadAll(ctx, s, id); err != nil || string(data) != disk {
			t.Errorf("Open(%q) = %q, %v; want the file %q", id, data, err, disk)
		}
	}
	// Names that no listing gives are refused, not "not found": a lossy
	// or forged copy of a name must never pass for a file that is gone.
	for _, id := range []string{"scan\ufffd.pdf", "scan%ff.pdf", "scan%zz.pdf", "100%.pdf", "a%41.pdf", "x%2Fy.pdf", "%2E%2E/x.pdf", "tab\there.pdf"} {
		if _, err := s.Stat(ctx, id); err == nil || errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Stat(%q) = %v; want an error other than ErrNotFound", id, err)
		}
		if err := s.Delete(ctx, id); err == nil || errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Delete(%q) = %v; want an error other than ErrNotFound", id, err)
		}
	}
	if _, err := s.Stat(ctx, "scan%FE.pdf"); !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("Stat of a missing escaped name: %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "scan%FF.pdf"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "scan\xff.pdf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Delete the file is still there: %v", err)
	}
	if _, err := s.Stat(ctx, "scan%FF.pdf"); !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("Stat after Delete: %v, want ErrNotFound", err)
	}
}

func TestEscapeName(t *testing.T) {
	for _, name := range []string{"", "plain", "%", "%%", "%4", "%41", "%%41", "\xff\xfe", "%\xff", "a\x7fb", "\ufffd", "é\xc3", "\x00"} {
		esc := escapeName(name)
		if !utf8.ValidString(esc) {
			t.Errorf("escapeName(%q) = %q: not UTF-8", name, esc)
		}
		back, ok := unescapeName(esc)
		if !ok || back != name {
			t.Errorf("unescapeName(escapeName(%q) = %q) = %q, %v", name, esc, back, ok)
		}
	}
}

func FuzzEscapeName(f *testing.F) {
	for _, s := range []string{"scan\xff.pdf", "100%.pdf", "%41", "\ufffd", "a\tb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		esc := escapeName(name)
		if !utf8.ValidString(esc) {
			t.Fatalf("escapeName(%q) = %q: not UTF-8", name, esc)
		}
		if back, ok := unescapeName(esc); !ok || back != name {
			t.Fatalf("round trip of %q: %q, %v", name, back, ok)
		}
		// Any string decodes to at most one name, and only from that
		// name's own escaping.
		if back, ok := unescapeName(name); ok && escapeName(back) != name {
			t.Fatalf("unescapeName(%q) = %q, which escapes to %q", name, back, escapeName(back))
		}
	})
}

// TestRewriteTempIsNoRecord: a rewrite's temporary file (a full copy of
// the file being replaced) is never listed as a record, so no plan acts
// on it; other dotfiles are.
func TestRewriteTempIsNoRecord(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a/.2015.zip.0123456789ab.retentiond-tmp", []byte("copy"))
	writeFile(t, dir, "a/.notes", []byte("dotfile"))
	got := ids(t, open(t, dir, Options{}))
	if !slices.Equal(got, []string{"a/.notes"}) {
		t.Errorf("Scan listed %q, want only a/.notes", got)
	}
}

// TestAbsent: only a name that is not there at all is absent.
func TestAbsent(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a/file.pdf", []byte("x"))
	writeFile(t, dir, "a/dir/x.pdf", []byte("x"))
	writeFile(t, dir, "b/.c.pdf.icloud", fixture(t, "ascii.icloud"))
	s := open(t, dir, Options{ICloud: true})
	for id, want := range map[string]bool{
		"a/missing.pdf": true, "missing/x.pdf": true, "a/file.pdf/x": true,
		"a/file.pdf": false, "a/dir": false, "b/c.pdf": false,
	} {
		got, err := s.Absent(t.Context(), id)
		if err != nil || got != want {
			t.Errorf("Absent(%q) = %v, %v; want %v", id, got, err, want)
		}
	}
	if _, err := s.Absent(t.Context(), "scan\ufffd.pdf"); err == nil {
		t.Error("Absent of a lossy name: no error")
	}
}

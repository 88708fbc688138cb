package archive_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/archive"
	"github.com/retentiond/retentiond/scanners/localfs"
	"github.com/retentiond/retentiond/scanners/memstore"
)

// fuzzSeeds are zips the fuzz targets start from, besides the corpus in
// testdata/fuzz.
func fuzzSeeds(f *testing.F) {
	f.Add(scansZip(f))
	f.Add(makeZip(f, zipEntry{name: "Piet Jansen/a.pdf", data: "a"}, zipEntry{name: "Anna Berg/b.pdf", data: "b"}))
	f.Add(rawZip(f, zipEntry{name: "Piet Jansen/a.pdf", data: "a"}, zipEntry{name: "Anna\x00/b.pdf", data: "b"}))
	f.Add(rawZip(f, zipEntry{name: "dir/", data: "data in a folder"}))
	f.Add(makeZip(f))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte("not a zip"))
}

// FuzzZipListing lists whatever bytes as a zip: it must never panic, and
// what it lists must be safe to act on. Every ID is canonical, unique and
// inside the zip; Stat gives each entry as the listing did; every entry of
// the zip is listed, skipped as an empty folder, or counted as unlisted;
// and a zip that cannot be read is one plain file.
func FuzzZipListing(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := archive.Wrap(memstore.New(map[string][]byte{"a/x.zip": data}), archive.Options{MaxSpool: -1})
		var recs []scanners.Record
		if err := s.Scan(t.Context(), func(r scanners.Record) error { recs = append(recs, r); return nil }); err != nil {
			t.Fatalf("Scan: %v", err)
		}
		if len(recs) == 0 || recs[0].ID != "a/x.zip" {
			t.Fatalf("the zip itself is not listed first: %v", recs)
		}
		zr, zerr := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if recs[0].Kind == scanners.KindFile {
			if len(recs) != 1 {
				t.Fatalf("an unreadable zip with %d entries listed", len(recs)-1)
			}
			if zerr == nil || errors.Is(zerr, zip.ErrInsecurePath) {
				t.Fatalf("a zip archive/zip reads was listed as a plain file")
			}
			return
		}
		seen := map[string]bool{}
		for _, r := range recs[1:] {
			if _, err := scanners.CleanID(r.ID); err != nil {
				t.Fatalf("entry ID %q: %v", r.ID, err)
			}
			zipID, entry, ok := archive.Split(r.ID)
			if !ok || zipID != "a/x.zip" || r.Archive != "a/x.zip" || r.Kind != scanners.KindArchiveEntry {
				t.Fatalf("entry %q is not one of a/x.zip: %+v", entry, r)
			}
			if seen[r.ID] {
				t.Fatalf("entry %q listed twice", r.ID)
			}
			seen[r.ID] = true
			st, err := s.Stat(t.Context(), r.ID)
			if err != nil || st.ID != r.ID || st.Version != r.Version || st.Size != r.Size {
				t.Fatalf("Stat(%q) = %+v, %v; listed %+v", r.ID, st, err, r)
			}
			if rc, err := s.Open(t.Context(), r.ID); err == nil {
				io.Copy(io.Discard, io.LimitReader(rc, 1<<20))
				rc.Close()
			}
		}
		folders := 0
		for _, f := range zr.File {
			if (strings.HasSuffix(f.Name, "/") || f.FileInfo().IsDir()) && f.UncompressedSize64 == 0 && f.CompressedSize64 <= 2 &&
				!strings.Contains(f.Name, "\x00") {
				folders++
			}
		}
		if got := len(recs) - 1 + recs[0].Unlisted; got > len(zr.File) || got < len(zr.File)-folders {
			t.Fatalf("%d listed + %d unlisted, of %d entries (%d folders)", len(recs)-1, recs[0].Unlisted, len(zr.File), folders)
		}
	})
}

// FuzzZipRewrite rewrites whatever zip a local folder holds without its
// first listed entry: the new zip lists exactly the other entries, with
// their versions' checksums, or the zip is left byte for byte as it was.
func FuzzZipRewrite(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "x.zip")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fsys, err := localfs.Open(dir, localfs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer fsys.Close()
		s := archive.Wrap(fsys, archive.Options{})
		var before []scanners.Record
		s.Scan(t.Context(), func(r scanners.Record) error { before = append(before, r); return nil })
		if len(before) < 2 || before[0].Kind != scanners.KindArchive {
			return
		}
		_, first, _ := archive.Split(before[1].ID)
		_, n, err := s.Rewrite(t.Context(), "x.zip", before[0].Version, func(p string) bool { return p == first })
		if err != nil {
			if now, _ := os.ReadFile(path); !bytes.Equal(now, data) {
				t.Fatalf("Rewrite failed (%v) and changed the zip", err)
			}
			return
		}
		if n != 1 {
			t.Fatalf("Rewrite took out %d entries, want 1", n)
		}
		var after []scanners.Record
		if err := s.Scan(t.Context(), func(r scanners.Record) error { after = append(after, r); return nil }); err != nil {
			t.Fatal(err)
		}
		crc := func(rs []scanners.Record) []string {
			var out []string
			for _, r := range rs {
				_, e, _ := archive.Split(r.ID)
				out = append(out, e+" "+r.Version[strings.LastIndexByte(r.Version, ':')+1:])
			}
			return out
		}
		if after[0].Unlisted != 0 || !slices.Equal(crc(after[1:]), crc(before[2:])) {
			t.Fatalf("after the rewrite: %v, want %v", crc(after[1:]), crc(before[2:]))
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != 1 {
			t.Fatalf("the folder holds %d files after the rewrite", len(ents))
		}
	})
}

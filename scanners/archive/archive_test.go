package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/archive"
	"github.com/retentiond/retentiond/scanners/localfs"
	"github.com/retentiond/retentiond/scanners/memstore"
	"github.com/retentiond/retentiond/scanners/scannertest"
)

type harness struct{}

func (harness) Make(t *testing.T, files map[string][]byte) scanners.Store {
	return archive.Wrap(memstore.New(files), archive.Options{TempDir: t.TempDir()})
}

func (harness) Write(t *testing.T, s scanners.Store, id string, data []byte) {
	s.(*archive.Store).Unwrap().(*memstore.Store).Put(id, data, time.Now())
}

func TestConformance(t *testing.T) {
	scannertest.RunConformance(t, harness{})
}

var modified = time.Date(2015, 6, 30, 14, 5, 0, 0, time.UTC)

type zipEntry struct {
	name string
	data string
	raw  bool // name is not UTF-8
}

func makeZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: modified, NonUTF8: e.raw}
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(fw, e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// scansZip is a zip with folders, a nested zip, escaping, absolute and
// Windows names, a duplicate and a name in code page 437.
func scansZip(t testing.TB) []byte {
	nested := makeZip(t, zipEntry{name: "inner.txt", data: "inner"})
	return makeZip(t,
		zipEntry{name: "Jansen, Piet/"},
		zipEntry{name: "Jansen, Piet/intake é.pdf", data: "%PDF intake"},
		zipEntry{name: "notes.txt", data: "first notes"},
		zipEntry{name: "nested.zip", data: string(nested)},
		zipEntry{name: "../evil.txt", data: "escape attempt"},
		zipEntry{name: "../../../../etc/cron.d/x", data: "deeper escape"},
		zipEntry{name: "/abs/path.txt", data: "absolute"},
		zipEntry{name: `win\dir\file.txt`, data: "windows"},
		zipEntry{name: "./a/./b/../c.txt", data: "dots"},
		zipEntry{name: "notes.txt", data: "duplicate, later"},
		zipEntry{name: "../", data: ""},
		zipEntry{name: "caf\x82.txt", data: "cp437", raw: true},
	)
}

var scansEntries = map[string]string{ // entry path -> content
	"Jansen, Piet/intake é.pdf": "%PDF intake",
	"notes.txt":                 "first notes",
	"nested.zip":                "", // checked by size only
	"win/dir/file.txt":          "windows",
	"café.txt":                  "cp437",
}

// scansUnlisted counts the entries of scansZip that cannot be named
// safely: the two escapes, the absolute name, the one with "..", and the
// duplicate notes.txt.
const scansUnlisted = 5

func TestZipEntriesListed(t *testing.T) {
	zipData := scansZip(t)
	mem := memstore.New(map[string][]byte{"2015/Scans.ZIP": zipData, "other.txt": []byte("plain")})
	s := archive.Wrap(mem, archive.Options{MaxSpool: -1}) // memstore reads in place
	got := scannertest.MustCollect(t, s)

	zr, _ := mem.Stat(t.Context(), "2015/Scans.ZIP")
	want := []string{"2015/Scans.ZIP", "other.txt"}
	for p := range scansEntries {
		want = append(want, "2015/Scans.ZIP!/"+p)
	}
	slices.Sort(want)
	if ids := slices.Sorted(maps.Keys(got)); !slices.Equal(ids, want) {
		t.Fatalf("Scan listed\n%q\nwant\n%q", ids, want)
	}
	if r := got["2015/Scans.ZIP"]; r.Kind != scanners.KindArchive || r.Version != zr.Version || r.Size != int64(len(zipData)) || r.Unlisted != scansUnlisted {
		t.Errorf("zip record = %+v, want Kind archive, the store's version and size, %d unlisted", r, scansUnlisted)
	}
	if r := got["other.txt"]; r.Kind != scanners.KindFile {
		t.Errorf("other.txt Kind = %q, want file", r.Kind)
	}
	for p, content := range scansEntries {
		id := "2015/Scans.ZIP!/" + p
		r := got[id]
		if r.Kind != scanners.KindArchiveEntry || r.Archive != "2015/Scans.ZIP" || !r.ModTime.Equal(modified) {
			t.Errorf("%q = %+v, want an entry of 2015/Scans.ZIP modified %v", id, r, modified)
		}
		if strings.Contains(r.ID, "..") {
			t.Errorf("%q: ID holds \"..\"", id)
		}
		if _, err := scanners.CleanID(r.ID); err != nil {
			t.Errorf("%q: %v", id, err)
		}
		if p == "nested.zip" {
			if r.Size <= 0 {
				t.Errorf("nested zip listed with size %d", r.Size)
			}
			continue
		}
		wantVersion := zr.Version + ":" + crcHex(content)
		if r.Size != int64(len(content)) || r.Version != wantVersion {
			t.Errorf("%q: size %d version %q, want %d %q", id, r.Size, r.Version, len(content), wantVersion)
		}
	}
}

func crcHex(s string) string {
	const digits = "0123456789abcdef"
	c := crc32.ChecksumIEEE([]byte(s))
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = digits[c&0xF]
		c >>= 4
	}
	return string(b)
}

func TestEntriesStatOpenDelete(t *testing.T) {
	mem := memstore.New(map[string][]byte{"scans.zip": scansZip(t)})
	s := archive.Wrap(mem, archive.Options{})
	ctx := t.Context()
	listed := scannertest.MustCollect(t, s)
	for id, want := range listed {
		got, err := s.Stat(ctx, id)
		if err != nil || !scannertest.SameRecord(got, want) {
			t.Errorf("Stat(%q) = %+v, %v; Scan listed %+v", id, got, err, want)
		}
	}
	for p, content := range scansEntries {
		if p == "nested.zip" {
			continue
		}
		got, err := scannertest.ReadAll(ctx, s, "scans.zip!/"+p)
		if err != nil || string(got) != content {
			t.Errorf("Open(%q) = %q, %v; want %q", p, got, err, content)
		}
	}
	for _, id := range []string{"scans.zip!/missing.txt", "scans.zip!/Jansen, Piet", "scans.zip!/../evil.txt", "scans.zip!/evil.txt", "scans.zip!/abs/path.txt"} {
		if _, err := s.Stat(ctx, id); err == nil {
			t.Errorf("Stat(%q) succeeded", id)
		}
	}
	for _, id := range []string{"scans.zip!/notes.txt", "scans.zip!/missing.txt"} {
		if err := s.Delete(ctx, id); !errors.Is(err, scanners.ErrReadOnly) {
			t.Errorf("Delete(%q) = %v, want ErrReadOnly", id, err)
		}
	}
	if !mem.Has("scans.zip") {
		t.Fatal("the zip is gone after deleting an entry was refused")
	}
	if err := s.Delete(ctx, "scans.zip"); err != nil {
		t.Fatalf("Delete of the zip: %v", err)
	}
	if got := scannertest.MustCollect(t, s); len(got) != 0 {
		t.Errorf("after deleting the zip Scan listed %d records", len(got))
	}
	if _, err := s.Stat(ctx, "scans.zip!/notes.txt"); !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("Stat of an entry of a deleted zip: %v, want ErrNotFound", err)
	}
}

func TestUnreadableZipIsAPlainFile(t *testing.T) {
	good := makeZip(t, zipEntry{name: "a.txt", data: strings.Repeat("a", 1000)})
	tests := []struct {
		name     string
		data     []byte
		opts     archive.Options
		wrap     func(scanners.Store) scanners.Store
		entryErr error // from Stat of an entry, if not nil
	}{
		{name: "not a zip", data: []byte("this is not a zip archive at all")},
		{name: "empty file", data: nil},
		{name: "truncated", data: good[:len(good)-10]},
		{name: "central directory damaged", data: damage(good)},
		{name: "larger than the spool limit", data: good, opts: archive.Options{MaxSpool: 100}, wrap: streamOnly},
		{name: "spooling off", data: good, opts: archive.Options{MaxSpool: -1}, wrap: streamOnly},
		// The store's own error says more than ErrNotFound would.
		{name: "open fails", data: good, wrap: failingOpen, entryErr: errDenied},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var inner scanners.Store = memstore.New(map[string][]byte{"x/broken.zip": tc.data})
			if tc.wrap != nil {
				inner = tc.wrap(inner)
			}
			tc.opts.TempDir = t.TempDir()
			s := archive.Wrap(inner, tc.opts)
			got := scannertest.MustCollect(t, s)
			r, ok := got["x/broken.zip"]
			if len(got) != 1 || !ok || r.Kind != scanners.KindFile {
				t.Fatalf("Scan listed %+v, want only x/broken.zip as a plain file", got)
			}
			if st, err := s.Stat(t.Context(), "x/broken.zip"); err != nil || st.Kind != scanners.KindFile {
				t.Errorf("Stat = %+v, %v; want a plain file", st, err)
			}
			// The entry may well still be in the zip: it is not "gone"
			// (issue 12, item 5), which would let apply ledger it so.
			_, err := s.Stat(t.Context(), "x/broken.zip!/a.txt")
			if err == nil || errors.Is(err, scanners.ErrNotFound) || tc.entryErr != nil && !errors.Is(err, tc.entryErr) {
				t.Errorf("Stat of an entry: %v, want an error other than ErrNotFound (%v)", err, tc.entryErr)
			}
			assertEmptyDir(t, tc.opts.TempDir)
		})
	}
}

// damage breaks the end-of-central-directory signature.
func damage(z []byte) []byte {
	z = slices.Clone(z)
	i := bytes.LastIndex(z, []byte("PK\x05\x06"))
	z[i+2] = 0
	return z
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	left, err := os.ReadDir(dir)
	if err != nil || len(left) != 0 {
		t.Errorf("temporary folder holds %v (%v), want nothing", left, err)
	}
}

// streamStore hides the seekable reader of the store it wraps, as a
// network store's response body would.
type streamStore struct {
	scanners.Store
	failOpen bool
}

var errDenied = errors.New("permission denied")

func streamOnly(s scanners.Store) scanners.Store  { return streamStore{Store: s} }
func failingOpen(s scanners.Store) scanners.Store { return streamStore{Store: s, failOpen: true} }

func (s streamStore) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	if s.failOpen {
		return nil, errDenied
	}
	rc, err := s.Store.Open(ctx, id)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{rc, rc}, nil
}

func TestSpooledZip(t *testing.T) {
	dir := t.TempDir()
	zipData := scansZip(t)
	s := archive.Wrap(streamOnly(memstore.New(map[string][]byte{"s.zip": zipData})),
		archive.Options{MaxSpool: int64(len(zipData)), TempDir: dir})
	got := scannertest.MustCollect(t, s)
	if len(got) != 1+len(scansEntries) || got["s.zip"].Kind != scanners.KindArchive {
		t.Fatalf("Scan over a store that cannot seek listed %d records, want %d", len(got), 1+len(scansEntries))
	}
	assertEmptyDir(t, dir)
	rc, err := s.Open(t.Context(), "s.zip!/notes.txt")
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("while an entry is open the spool folder holds %d files, want 1", len(left))
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(data) != "first notes" {
		t.Errorf("Open read %q, %v", data, err)
	}
	assertEmptyDir(t, dir)
}

// TestZipInLocalFolder reads a zip on disk in place: spooling is off.
func TestZipInLocalFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "Archief"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Archief", "2015.zip"), scansZip(t), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys, err := localfs.Open(dir, localfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	s := archive.Wrap(fsys, archive.Options{MaxSpool: -1})
	got := scannertest.MustCollect(t, s)
	if len(got) != 1+len(scansEntries) || got["Archief/2015.zip"].Kind != scanners.KindArchive {
		t.Fatalf("Scan listed %d records, want %d", len(got), 1+len(scansEntries))
	}
	if data, err := scannertest.ReadAll(t.Context(), s, "Archief/2015.zip!/win/dir/file.txt"); err != nil || string(data) != "windows" {
		t.Errorf("Open of an entry: %q, %v", data, err)
	}
}

func TestScanStopsInsideAZip(t *testing.T) {
	mem := memstore.New(map[string][]byte{"s.zip": scansZip(t)})
	s := archive.Wrap(mem, archive.Options{})
	stop := errors.New("stop")
	calls := 0
	err := s.Scan(t.Context(), func(r scanners.Record) error {
		calls++
		if r.Kind == scanners.KindArchiveEntry {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Errorf("callback error at the first entry: %v after %d calls, want it after 2", err, calls)
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	calls = 0
	err = s.Scan(ctx, func(scanners.Record) error { calls++; cancel(); return nil })
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("cancelled at the zip record: %v after %d calls, want context.Canceled after 1", err, calls)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		id, zip, entry string
		ok             bool
	}{
		{"a.zip!/b.txt", "a.zip", "b.txt", true},
		{"2015/Scans.ZIP!/Jansen, Piet/intake.pdf", "2015/Scans.ZIP", "Jansen, Piet/intake.pdf", true},
		{"a.zip!/nested.zip!/x", "a.zip", "nested.zip!/x", true},
		{"Wow!/a.zip!/b", "Wow!/a.zip", "b", true},
		{"Wow!/b.txt", "", "", false},
		{"a.zip", "", "", false},
		{"a.zip!/", "", "", false},
		{".zip!/x", "", "", false},
		{"a.zipper!/x", "", "", false},
	}
	for _, tc := range tests {
		z, e, ok := archive.Split(tc.id)
		if z != tc.zip || e != tc.entry || ok != tc.ok {
			t.Errorf("Split(%q) = %q, %q, %v; want %q, %q, %v", tc.id, z, e, ok, tc.zip, tc.entry, tc.ok)
		}
	}
}

// TestFolderNamedLikeAZip: "x.zip!/a" is an ordinary path when there is no
// zip x.zip, and can be deleted.
func TestFolderNamedLikeAZip(t *testing.T) {
	mem := memstore.New(map[string][]byte{"x.zip!/a.txt": []byte("in a folder")})
	s := archive.Wrap(mem, archive.Options{})
	r, err := s.Stat(t.Context(), "x.zip!/a.txt")
	if err != nil || r.Kind != scanners.KindFile {
		t.Fatalf("Stat = %+v, %v", r, err)
	}
	if err := s.Delete(t.Context(), "x.zip!/a.txt"); err != nil || mem.Has("x.zip!/a.txt") {
		t.Fatalf("Delete = %v; still there: %v", err, mem.Has("x.zip!/a.txt"))
	}
}

func TestPlaceholderZipIsNotOpened(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".scans.zip.icloud"), []byte("placeholder"), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys, err := localfs.Open(dir, localfs.Options{ICloud: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	got := scannertest.MustCollect(t, archive.Wrap(fsys, archive.Options{}))
	if r, ok := got["scans.zip"]; len(got) != 1 || !ok || r.Kind != scanners.KindPlaceholder {
		t.Fatalf("Scan listed %+v, want only the placeholder scans.zip", got)
	}
}

func TestScanOne(t *testing.T) {
	ms := memstore.New(map[string][]byte{
		"a.zip":   makeZip(t, zipEntry{name: "x/1.pdf", data: "1"}, zipEntry{name: "x/2.pdf", data: "2"}),
		"b.pdf":   []byte("b"),
		"bad.zip": []byte("not a zip"),
	})
	s := archive.Wrap(ms, archive.Options{TempDir: t.TempDir()})
	ctx := context.Background()
	list := func(id string) ([]string, error) {
		var got []string
		err := s.ScanOne(ctx, id, func(r scanners.Record) error {
			got = append(got, string(r.Kind)+" "+r.ID)
			return nil
		})
		return got, err
	}
	tests := []struct {
		id   string
		want []string
	}{
		{"a.zip", []string{"archive a.zip", "archive-entry a.zip!/x/1.pdf", "archive-entry a.zip!/x/2.pdf"}},
		{"b.pdf", []string{"file b.pdf"}},
		{"bad.zip", []string{"file bad.zip"}},
		{"a.zip!/x/2.pdf", []string{"archive-entry a.zip!/x/2.pdf"}},
	}
	for _, tt := range tests {
		got, err := list(tt.id)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ScanOne(%s) = %v, %v; want %v", tt.id, got, err, tt.want)
		}
	}
	if _, err := list("gone.zip"); !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("ScanOne of a missing zip: %v, want ErrNotFound", err)
	}
	if _, err := list("../a.zip"); !errors.Is(err, scanners.ErrOutsideRoot) {
		t.Errorf("ScanOne(../a.zip): %v, want ErrOutsideRoot", err)
	}
}

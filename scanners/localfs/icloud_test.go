package localfs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/scannertest"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParsePlaceholder(t *testing.T) {
	tests := []struct {
		file     string
		wantName string
		wantSize int64
		wantOK   bool
	}{
		{"ascii.icloud", "intake.pdf", 12345, true},
		{"utf16.icloud", "intake é.pdf", 300, true},
		{"large.icloud", "Verslag oudergesprek 2019 definitief.docx", 5000000000, true},
		{"nosize.icloud", "x.pdf", 0, false},
		{"xml.icloud", "", 0, false},
	}
	for _, tc := range tests {
		name, size, ok := parsePlaceholder(fixture(t, tc.file))
		if ok != tc.wantOK || size != tc.wantSize || (ok && name != tc.wantName) {
			t.Errorf("%s: got %q, %d, %v; want %q, %d, %v", tc.file, name, size, ok, tc.wantName, tc.wantSize, tc.wantOK)
		}
	}
}

func TestParsePlaceholderDamaged(t *testing.T) {
	good := fixture(t, "ascii.icloud")
	for n := range len(good) {
		if _, _, ok := parsePlaceholder(good[:n]); ok {
			t.Errorf("truncated to %d bytes: parsed as valid", n)
		}
	}
	for i := range len(good) {
		bad := slices.Clone(good)
		bad[i] ^= 0xFF
		parsePlaceholder(bad) // must not panic; any result is acceptable
	}
}

func FuzzParsePlaceholder(f *testing.F) {
	for _, name := range []string{"ascii.icloud", "utf16.icloud", "large.icloud", "nosize.icloud"} {
		f.Add(fixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, size, ok := parsePlaceholder(data); ok && size < 0 {
			t.Errorf("negative size %d reported as valid", size)
		}
	})
}

func TestPlaceholders(t *testing.T) {
	plist := fixture(t, "ascii.icloud")
	type want struct {
		kind scanners.Kind
		size int64
	}
	tests := []struct {
		name  string
		files map[string][]byte
		want  map[string]want // ID -> record in iCloud mode
	}{
		{
			name:  "placeholder only",
			files: map[string][]byte{"Jansen, Piet/.intake.pdf.icloud": plist},
			want:  map[string]want{"Jansen, Piet/intake.pdf": {scanners.KindPlaceholder, 12345}},
		},
		{
			name:  "placeholder at the root",
			files: map[string][]byte{".intake.pdf.icloud": plist},
			want:  map[string]want{"intake.pdf": {scanners.KindPlaceholder, 12345}},
		},
		{
			name:  "placeholder and downloaded file",
			files: map[string][]byte{"d/.intake.pdf.icloud": plist, "d/intake.pdf": []byte("real")},
			want:  map[string]want{"d/intake.pdf": {scanners.KindFile, 4}},
		},
		{
			name:  "unreadable placeholder",
			files: map[string][]byte{"d/.scan.jpg.icloud": []byte("not a plist")},
			want:  map[string]want{"d/scan.jpg": {scanners.KindPlaceholder, 0}},
		},
		{
			name:  "placeholder of clutter, and names that are not placeholders",
			files: map[string][]byte{"d/..DS_Store.icloud": plist, "d/.icloud": nil, "d/x.icloud": nil, "d/.x.iCloud": nil},
			want: map[string]want{
				"d/.icloud": {scanners.KindFile, 0}, "d/x.icloud": {scanners.KindFile, 0}, "d/.x.iCloud": {scanners.KindFile, 0},
			},
		},
		{
			name:  "placeholder of a dotfile",
			files: map[string][]byte{"..env.icloud": plist},
			want:  map[string]want{".env": {scanners.KindPlaceholder, 12345}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := harness{opts: Options{ICloud: true}}.Make(t, tc.files)
			got := scannertest.MustCollect(t, s)
			if len(got) != len(tc.want) {
				t.Errorf("Scan listed %v, want %v", got, tc.want)
			}
			for id, w := range tc.want {
				r, ok := got[id]
				if !ok || r.Kind != w.kind || r.Size != w.size {
					t.Errorf("Scan: %q = %+v (listed %v), want kind %s size %d", id, r, ok, w.kind, w.size)
					continue
				}
				st, err := s.Stat(t.Context(), id)
				if err != nil || !scannertest.SameRecord(st, r) {
					t.Errorf("Stat(%q) = %+v, %v; Scan listed %+v", id, st, err, r)
				}
			}
			// Without iCloud mode, every file is an ordinary file.
			plain := open(t, s.(*Store).Path(), Options{})
			if got := scannertest.MustCollect(t, plain); len(got) != len(tc.files) {
				t.Errorf("without ICloud: Scan listed %d records, want %d", len(got), len(tc.files))
			}
		})
	}
}

func TestPlaceholderRecordFields(t *testing.T) {
	s := harness{opts: Options{ICloud: true}}.Make(t, map[string][]byte{"d/.a.pdf.icloud": fixture(t, "ascii.icloud")})
	when := time.Unix(1600000000, 42)
	if err := os.Chtimes(filepath.Join(s.(*Store).Path(), "d", ".a.pdf.icloud"), when, when); err != nil {
		t.Fatal(err)
	}
	r, err := s.Stat(t.Context(), "d/a.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if !r.ModTime.Equal(when) || !strings.HasPrefix(r.Version, "icloud-s12345-m1600000000000000042-i") {
		t.Errorf("placeholder record = %+v; want the placeholder's mtime and an icloud- version", r)
	}
}

func TestPlaceholderOpenStatDelete(t *testing.T) {
	plist := fixture(t, "ascii.icloud")
	s := harness{opts: Options{ICloud: true}}.Make(t, map[string][]byte{
		"d/.a.pdf.icloud": plist,
		"d/.b.pdf.icloud": plist, "d/b.pdf": []byte("downloaded"),
		"d/keep.txt": []byte("keep"),
	})
	dir := s.(*Store).Path()
	ctx := t.Context()

	if _, err := s.Open(ctx, "d/a.pdf"); !errors.Is(err, ErrNotDownloaded) {
		t.Errorf("Open of a placeholder: %v, want ErrNotDownloaded", err)
	}
	if got, err := scannertest.ReadAll(ctx, s, "d/b.pdf"); err != nil || string(got) != "downloaded" {
		t.Errorf("Open of a downloaded file: %q, %v", got, err)
	}
	for _, id := range []string{"d/.a.pdf.icloud", "d/.b.pdf.icloud"} {
		if _, err := s.Stat(ctx, id); !errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Stat(%q), a placeholder's own name: %v, want ErrNotFound", id, err)
		}
		if err := s.Delete(ctx, id); !errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Delete(%q), a placeholder's own name: %v, want ErrNotFound", id, err)
		}
	}

	if err := s.Delete(ctx, "d/a.pdf"); err != nil {
		t.Fatalf("Delete of a placeholder's file: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "d", ".a.pdf.icloud")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("placeholder still there after Delete: %v", err)
	}
	if _, err := s.Stat(ctx, "d/a.pdf"); !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("Stat after Delete: %v, want ErrNotFound", err)
	}

	if err := s.Delete(ctx, "d/b.pdf"); err != nil {
		t.Fatalf("Delete of a downloaded file with a placeholder: %v", err)
	}
	for _, name := range []string{"b.pdf", ".b.pdf.icloud"} {
		if _, err := os.Lstat(filepath.Join(dir, "d", name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there after Delete: %v", name, err)
		}
	}
	if got := ids(t, s); !slices.Equal(got, []string{"d/keep.txt"}) {
		t.Errorf("after deletes Scan listed %q, want [d/keep.txt]", got)
	}
}

func TestDownloadChangesVersion(t *testing.T) {
	s := harness{opts: Options{ICloud: true}}.Make(t, map[string][]byte{"a.pdf": make([]byte, 12345)})
	dir := s.(*Store).Path()
	real, err := s.Stat(t.Context(), "a.pdf")
	if err != nil {
		t.Fatal(err)
	}
	// Evicted: the file gives way to a placeholder with the same mtime.
	if err := os.Remove(filepath.Join(dir, "a.pdf")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, ".a.pdf.icloud", fixture(t, "ascii.icloud"))
	if err := os.Chtimes(filepath.Join(dir, ".a.pdf.icloud"), real.ModTime, real.ModTime); err != nil {
		t.Fatal(err)
	}
	ph, err := s.Stat(t.Context(), "a.pdf")
	if err != nil || ph.Kind != scanners.KindPlaceholder || ph.Size != real.Size {
		t.Fatalf("Stat after eviction = %+v, %v", ph, err)
	}
	if ph.Version == real.Version {
		t.Errorf("Version %q is the same for the file and its placeholder", ph.Version)
	}
}

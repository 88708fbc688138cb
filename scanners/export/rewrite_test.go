package export

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/retentiond/retentiond/scanners"
)

const diaryCSV = "Naam kind;Datum;Notitie;E-mail\nPiet Jansen;15-03-2024;sliep;p@example.nl\nAnna de Vries;16-03-2024;at;\n"

// formats holds one small export per format with the same two rows.
var formats = map[string]string{
	"f.csv":   diaryCSV,
	"f.json":  `[{"Naam kind":"Piet Jansen","Datum":"15-03-2024","Notitie":"sliep","E-mail":"p@example.nl"},{"Naam kind":"Anna de Vries","Datum":"16-03-2024","Notitie":"at","E-mail":""}]`,
	"f.jsonl": "{\"Naam kind\":\"Piet Jansen\",\"Datum\":\"15-03-2024\",\"Notitie\":\"sliep\",\"E-mail\":\"p@example.nl\"}\n{\"Naam kind\":\"Anna de Vries\",\"Datum\":\"16-03-2024\",\"Notitie\":\"at\",\"E-mail\":\"\"}\n",
}

// makeFormat writes the export file of formats, or for f.xlsx a workbook,
// and returns its path and content.
func makeFormat(t *testing.T, dir, file string) (string, string) {
	t.Helper()
	if file == "f.xlsx" {
		path := filepath.Join(dir, file)
		makeWorkbook(t, path)
		return path, readString(t, path)
	}
	return writeFile(t, dir, file, formats[file]), formats[file]
}

var formatNames = []string{"f.csv", "f.json", "f.jsonl", "f.xlsx"}

func TestRewriteVersionMismatch(t *testing.T) {
	for _, file := range formatNames {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			path, content := makeFormat(t, dir, file)
			s := openStore(t, filepath.Join(dir, "f.*"), diary())
			v := fileVersion(t, s, file)
			// The file changes after the scan: same size, other time.
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(path, later, later); err != nil {
				t.Fatal(err)
			}
			_, err := s.Rewrite(context.Background(), file, v, upper, func(int, string) bool { return true })
			if !errors.Is(err, ErrChanged) {
				t.Fatalf("Rewrite: %v, want ErrChanged", err)
			}
			if got := readString(t, path); got != content {
				t.Error("the file was changed")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("%d files in the folder, want 1", len(entries))
			}
		})
	}
}

// TestRewriteCrash fails the rewrite after the new file is complete and
// synced, before the rename: the original must be intact, the temporary
// file gone, and a second attempt must then succeed.
func TestRewriteCrash(t *testing.T) {
	for _, file := range formatNames {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			path, content := makeFormat(t, dir, file)
			s := openStore(t, filepath.Join(dir, "f.*"), diary())
			crash := errors.New("power cut")
			var tmpContent string
			s.beforeRename = func() error {
				entries, _ := os.ReadDir(dir)
				for _, e := range entries {
					if strings.HasSuffix(e.Name(), ".retentiond-tmp") {
						tmpContent = content2text(t, filepath.Join(dir, e.Name()), file)
					}
				}
				return crash
			}
			v := fileVersion(t, s, file)
			_, err := s.Rewrite(context.Background(), file, v, upper, nil)
			if !errors.Is(err, crash) {
				t.Fatalf("Rewrite: %v, want the injected failure", err)
			}
			if !strings.Contains(tmpContent, "PIET JANSEN") {
				t.Fatalf("at the failure the temporary file held %q, want the new content", tmpContent)
			}
			if got := readString(t, path); got != content {
				t.Errorf("the original was changed:\n%s", got)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("%d files in the folder after the failure, want 1 (the temporary file removed)", len(entries))
			}
			s.beforeRename = nil
			if _, err := s.Rewrite(context.Background(), file, v, upper, nil); err != nil {
				t.Fatalf("Rewrite after the failure: %v", err)
			}
			if got := content2text(t, path, file); !strings.Contains(got, "PIET JANSEN") || strings.Contains(got, "Piet") {
				t.Errorf("the retry did not rewrite:\n%s", got)
			}
		})
	}
}

func TestRewriteKeepsMode(t *testing.T) {
	for _, mode := range []os.FileMode{0o640, 0o604} {
		dir := t.TempDir()
		path := writeFile(t, dir, "f.csv", diaryCSV)
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		s := openStore(t, filepath.Join(dir, "*.csv"), diary())
		if _, err := s.Rewrite(context.Background(), "f.csv", fileVersion(t, s, "f.csv"), upper, nil); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("mode after rewrite %v, want %v", fi.Mode().Perm(), mode)
		}
		if !strings.Contains(readString(t, path), "PIET") {
			t.Error("not rewritten")
		}
	}
}

func TestRewriteChangesVersion(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "f.csv", diaryCSV)
	s := openStore(t, filepath.Join(dir, "*.csv"), diary())
	ctx := context.Background()
	before, err := s.Stat(ctx, "f.csv#2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rewrite(ctx, "f.csv", before.Version, upper, nil); err != nil {
		t.Fatal(err)
	}
	after, err := s.Stat(ctx, "f.csv#2")
	if err != nil {
		t.Fatal(err)
	}
	if after.Version == before.Version || after.Row.Subject != "PIET JANSEN" {
		t.Errorf("after the rewrite: version %q (was %q), subject %q", after.Version, before.Version, after.Row.Subject)
	}
	if _, err := s.Rewrite(ctx, "f.csv", before.Version, upper, nil); !errors.Is(err, ErrChanged) {
		t.Errorf("second rewrite with the old version: %v, want ErrChanged", err)
	}
}

func TestStatOpenDelete(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "f.csv", diaryCSV)
	s := openStore(t, filepath.Join(dir, "*.csv"), diary())
	ctx := context.Background()
	recs, err := scanAll(t, s)
	if err != nil || len(recs) != 2 {
		t.Fatalf("Scan: %d, %v", len(recs), err)
	}
	for _, r := range recs {
		got, err := s.Stat(ctx, r.ID)
		if err != nil || summary(got) != summary(r) || !scannersSame(got, r) {
			t.Errorf("Stat(%s) = %s, %v; Scan gave %s", r.ID, summary(got), err, summary(r))
		}
	}
	file, err := s.Stat(ctx, "f.csv")
	fi, _ := os.Stat(path)
	if err != nil || file.Kind != scanners.KindFile || file.Size != fi.Size() || file.Version != recs[0].Version {
		t.Errorf("Stat(f.csv) = %+v, %v", file, err)
	}

	rc, err := s.Open(ctx, "f.csv#3")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	rc.Close()
	var row struct {
		File  string
		Sheet string
		Row   int
		Cells map[string]string
	}
	if err := json.Unmarshal(data, &row); err != nil {
		t.Fatalf("Open gave %q: %v", data, err)
	}
	if row.File != "f.csv" || row.Row != 3 || row.Cells["Naam kind"] != "Anna de Vries" || row.Cells["Notitie"] != "at" || len(row.Cells) != 4 {
		t.Errorf("Open(f.csv#3) = %s", data)
	}
	if !strings.HasPrefix(string(data), `{"file":"f.csv","sheet":"","row":3,"cells":{"Naam kind":`) {
		t.Errorf("Open(f.csv#3) = %s, want the cells in column order", data)
	}
	rc, err = s.Open(ctx, "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	data, _ = io.ReadAll(rc)
	rc.Close()
	if string(data) != diaryCSV {
		t.Errorf("Open(f.csv) = %q", data)
	}

	for _, id := range []string{"f.csv#2", "f.csv"} {
		err := s.Delete(ctx, id)
		if !errors.Is(err, ErrUseRewrite) || !errors.Is(err, scanners.ErrReadOnly) {
			t.Errorf("Delete(%s): %v, want ErrUseRewrite and ErrReadOnly", id, err)
		}
	}
	if got := readString(t, path); got != diaryCSV {
		t.Error("Delete changed the file")
	}
}

func scannersSame(a, b scanners.Record) bool {
	return a.ID == b.ID && a.Kind == b.Kind && a.Size == b.Size && a.ModTime.Equal(b.ModTime) && a.Version == b.Version
}

func TestScanStopsOnCallbackError(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.csv", diaryCSV)
	writeFile(t, dir, "b.csv", diaryCSV)
	s := openStore(t, filepath.Join(dir, "*.csv"), diary())
	stop := errors.New("stop")
	n := 0
	err := s.Scan(context.Background(), func(scanners.Record) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("Scan: %v after %d rows, want the callback's own error after 1", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Scan(ctx, func(scanners.Record) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Scan with a cancelled context: %v", err)
	}
}

// content2text is a file's text, or for a workbook its cells' values.
func content2text(t *testing.T, path, file string) string {
	t.Helper()
	if file != "f.xlsx" {
		return readString(t, path)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for _, r := range rows {
			b.WriteString(strings.Join(r, ";") + "\n")
		}
	}
	return b.String()
}

// TestRewriteJournalled: the prepared hook hears the version the file has
// after the rename, and an error from it leaves the file alone.
func TestRewriteJournalled(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kinderen.csv")
	os.WriteFile(path, []byte("Kindnummer;Naam kind\n1;Piet Jansen\n2;Anna de Vries\n"), 0o644)
	s, err := Open(filepath.Join(dir, "*.csv"), Profile{Name: "t", Subject: "child", SubjectBy: "id", SubjectColumn: "Kindnummer", Category: "contract", Fields: map[string]string{"name": "Naam kind"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	rec, err := s.Stat(ctx, "kinderen.csv")
	if err != nil {
		t.Fatal(err)
	}
	drop := func(row int, _ string) bool { return row == 2 }
	_, err = s.RewriteJournalled(ctx, "kinderen.csv", rec.Version, nil, drop, func(string) error { return errors.New("journal full") })
	if err == nil || !strings.Contains(err.Error(), "journal full") {
		t.Fatalf("a failing hook: %v", err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "Piet") {
		t.Fatal("the file changed although the hook refused")
	}
	var promised string
	if _, err := s.RewriteJournalled(ctx, "kinderen.csv", rec.Version, nil, drop, func(v string) error { promised = v; return nil }); err != nil {
		t.Fatal(err)
	}
	now, err := s.Stat(ctx, "kinderen.csv")
	if err != nil || now.Version != promised || promised == rec.Version {
		t.Errorf("version after the rename %q, promised %q (before %q), %v", now.Version, promised, rec.Version, err)
	}
	var rows int
	s.ScanFile(ctx, "kinderen.csv", func(scanners.Record) error { rows++; return nil })
	if rows != 1 {
		t.Errorf("ScanFile lists %d rows after dropping one of two", rows)
	}
}

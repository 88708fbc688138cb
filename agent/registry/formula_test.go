package registry

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// formulaWorkbook writes medewerkers.xlsx with excelize: two employees,
// the second's labour-conflict cell a formula that no spreadsheet has
// calculated yet, so the file holds no value for it.
func formulaWorkbook(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"Personeelsnummer", "Naam", "Uit dienst", "Arbeidsconflict", "Hulp"},
		{"77", "Karin Bakker", "01-09-2022", "nee", "ja"},
		{"78", "Sanne Smit", "01-09-2022", nil, "ja"},
	}
	for r, row := range rows {
		for c, v := range row {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SetCellFormula("Sheet1", "D3", "E3"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "medewerkers.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// rewriteEntry replaces, in the zip at path, the text of the entry named
// name with what edit makes of it.
func rewriteEntry(t *testing.T, path, name string, edit func(string) string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, e := range zr.File {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if e.Name == name {
			data, found = []byte(edit(string(data))), true
		}
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	zr.Close()
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("%s has no entry %s", path, name)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

var formulaCell = regexp.MustCompile(`<c r="D3"([^>]*)><f>E3</f>(<v>[^<]*</v>)?</c>`)

// TestXLSXFormulaWithoutValue: a formula cell whose result the workbook
// does not hold (saved by a program that does not calculate) reads as
// empty, and an empty labour-conflict cell is "no". It is an error naming
// the file, row and column instead, and nothing is read from the file;
// so is a formula whose result is an error value (#N/A). A formula with
// a stored result is read as that result.
func TestXLSXFormulaWithoutValue(t *testing.T) {
	r := medewerkers(formulaWorkbook(t))
	r.Columns = map[string]string{"id": "Personeelsnummer", "name": "Naam", "end_of_employment": "Uit dienst", "labour_conflict": "Arbeidsconflict"}
	if !formulaCell.MatchString(readEntry(t, r.File, "xl/worksheets/sheet1.xml")) {
		t.Fatal("excelize did not write D3 as a formula without a value")
	}
	subs, err := Load(r, ams)
	if err == nil || subs != nil {
		t.Fatalf("got %d subjects and error %v", len(subs), err)
	}
	es := rowErrors(t, err)
	if len(es) != 1 {
		t.Fatalf("want 1 error, got\n%v", err)
	}
	if e := es[0]; e.Row != 3 || e.Column != 4 || e.Fact != "labour_conflict" || e.Header != "Arbeidsconflict" ||
		!strings.Contains(e.Msg, "formula") || e.Fix == "" {
		t.Errorf("got %+v", e)
	}
	noLeaks(t, err, r.File)

	// A calculated error value is no answer either.
	rewriteEntry(t, r.File, "xl/worksheets/sheet1.xml", func(s string) string {
		return formulaCell.ReplaceAllString(s, `<c r="D3" t="e"><f>E3</f><v>#N/A</v></c>`)
	})
	_, err = Load(r, ams)
	if es := rowErrors(t, err); len(es) != 1 || es[0].Row != 3 || es[0].Column != 4 || !strings.Contains(es[0].Msg, "error value") {
		t.Errorf("error value: got %v", err)
	}

	// With its result stored, the formula's cell is its result.
	rewriteEntry(t, r.File, "xl/worksheets/sheet1.xml", func(s string) string {
		return strings.Replace(s, `<c r="D3" t="e"><f>E3</f><v>#N/A</v></c>`, `<c r="D3" t="str"><f>E3</f><v>ja</v></c>`, 1)
	})
	subs = mustLoad(t, r)
	if len(subs) != 2 || !subs[1].Flags["labour_conflict"] || subs[0].Flags["labour_conflict"] {
		t.Errorf("got %+v", subs)
	}

	// A formula without a value in a column the config does not map
	// changes nothing.
	rewriteEntry(t, r.File, "xl/worksheets/sheet1.xml", func(s string) string {
		return strings.Replace(s, `<c r="E3" t="str"><v>ja</v></c>`, `<c r="E3"><f>1+1</f></c>`, 1)
	})
	if got := mustLoad(t, r); len(got) != 2 {
		t.Errorf("got %d subjects", len(got))
	}
}

func readEntry(t *testing.T, path, name string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, e := range zr.File {
		if e.Name == name {
			rc, _ := e.Open()
			defer rc.Close()
			b, _ := io.ReadAll(rc)
			return string(b)
		}
	}
	t.Fatalf("no entry %s", name)
	return ""
}

// TestXLSXTooLarge: a workbook that unpacks to more than the registry's
// max_unzipped_mb is refused before it is read, with an error that says
// what to do; a small file that expands hugely (a zip bomb) is no
// exception.
func TestXLSXTooLarge(t *testing.T) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"Personeelsnummer", "Naam"}); err != nil {
		t.Fatal(err)
	}
	filler := strings.Repeat("x", 1000)
	for i := 2; i < 3000; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		if err := sw.SetRow(cell, []any{i, filler}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "medewerkers.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(p)
	if fi.Size() > 1<<20 {
		t.Fatalf("the workbook is %d bytes: not the small file that expands", fi.Size())
	}
	r := medewerkers(p)
	r.Columns = map[string]string{"id": "Personeelsnummer", "name": "Naam"}
	r.MaxUnzippedMB = 2
	subs, err := Load(r, ams)
	if err == nil || subs != nil {
		t.Fatalf("got %d subjects and %v", len(subs), err)
	}
	if es := rowErrors(t, err); len(es) != 1 || !strings.Contains(es[0].Msg, "more than 2 MB") || !strings.Contains(es[0].Fix, "max_unzipped_mb") {
		t.Errorf("got %v", err)
	}
	r.MaxUnzippedMB = 10
	if got := mustLoad(t, r); len(got) != 2998 {
		t.Errorf("read %d subjects", len(got))
	}
}

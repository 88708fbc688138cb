package export

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// unzipAll is every part of the workbook at path, uncompressed, joined.
func unzipAll(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var all bytes.Buffer
	for _, e := range zr.File {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&all, rc)
		rc.Close()
	}
	return all.String()
}

// TestXLSXTooLarge: a workbook that expands past the store's limit is
// refused, naming the file, before any of it is read; Rewrite leaves it.
func TestXLSXTooLarge(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dagboek.xlsx")
	makeWorkbook(t, path)
	// A sheet of 40 MB of one repeated byte compresses to a few KB.
	patchZip(t, path, func(name string, data []byte) []byte {
		if name == "xl/worksheets/sheet3.xml" {
			return bytes.Replace(data, []byte("<sheetData>"), append([]byte("<sheetData>"), bytes.Repeat([]byte("<!-- padding -->"), 40<<16)...), 1)
		}
		return data
	})
	before, _ := os.ReadFile(path)
	s := openStore(t, filepath.Join(dir, "*.xlsx"), diary())
	s.SetMaxUnzipped(16 << 20)
	_, err := scanAll(t, s)
	if err == nil || !strings.Contains(err.Error(), "dagboek.xlsx") || !strings.Contains(err.Error(), "over the limit of 16 MB") {
		t.Fatalf("Scan: %v; want an error naming the file and the limit", err)
	}
	_, err = s.Rewrite(context.Background(), "dagboek.xlsx", fileVersion(t, s, "dagboek.xlsx"), upper, nil)
	if err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Fatalf("Rewrite: %v; want the limit error", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Error("a refused workbook was changed")
	}
	s.SetMaxUnzipped(0) // the default: 2 GB
	if recs, err := scanAll(t, s); err != nil || len(recs) != 4 {
		t.Errorf("with the default limit: %d rows, %v", len(recs), err)
	}
}

// TestXLSXRewriteLeavesNoCopy: a pseudonymised or dropped value is gone
// from every part of the workbook: not in the shared strings (where Excel
// keeps each text once), not in a formula's cached result.
func TestXLSXRewriteLeavesNoCopy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dagboek.xlsx")
	makeWorkbook(t, path)
	for _, v := range []string{"Piet Jansen", "Anna de Vries", "p@example.nl", "anna@example.nl"} {
		if !strings.Contains(unzipAll(t, path), v) {
			t.Fatalf("the test workbook has no %q: the check cannot be trusted", v)
		}
	}
	s := openStore(t, filepath.Join(dir, "*.xlsx"), diary())
	edit := func(_ int, sheet, field string, c Cell) (Cell, error) {
		if sheet == "2024" && (field == FieldName || field == FieldEmail) {
			return Cell{Kind: String, S: "TOKEN"}, nil
		}
		return c, nil
	}
	drop := func(row int, sheet string) bool { return sheet == "2024" && row == 2 }
	if _, err := s.Rewrite(context.Background(), "dagboek.xlsx", fileVersion(t, s, "dagboek.xlsx"), edit, drop); err != nil {
		t.Fatal(err)
	}
	all := unzipAll(t, path)
	for _, v := range []string{"Piet Jansen", "Anna de Vries", "Kim Bos", "p@example.nl", "anna@example.nl", "sliep"} {
		if strings.Contains(all, v) {
			t.Errorf("%q is still in the workbook", v)
		}
	}
	// What was not changed is still there.
	for _, v := range []string{"Oud Kind", "o@example.nl", "Export uit Konnect", "Vlinder"} {
		if !strings.Contains(all, v) {
			t.Errorf("%q, which was not changed, is gone", v)
		}
	}
}

// TestXLSXRewriteMovesRanges: when rows are dropped, merged cells,
// hyperlinks, conditional formats, data validations and tables below them
// move up with their rows, and one in a dropped row goes.
func TestXLSXRewriteMovesRanges(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.xlsx")
	f := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetRow("Sheet1", "A1", &[]any{"Naam kind", "Datum", "Notitie", "E-mail"}))
	for r := 2; r <= 9; r++ {
		must(f.SetSheetRow("Sheet1", "A"+itoa(r), &[]any{"r" + itoa(r), "", "n" + itoa(r), ""}))
	}
	must(f.MergeCell("Sheet1", "C3", "D3")) // in a dropped row: goes
	must(f.MergeCell("Sheet1", "C7", "D8")) // below: moves up by 3
	must(f.SetCellHyperLink("Sheet1", "C9", "https://example.nl", "External"))
	must(f.AddTable("Sheet1", &excelize.Table{Range: "A1:D9", Name: "Kinderen"}))
	must(f.SaveAs(path))
	f.Close()
	s := openStore(t, filepath.Join(dir, "*.xlsx"), diary())
	drop := func(row int, _ string) bool { return row == 3 || row == 4 || row == 6 }
	if _, err := s.Rewrite(context.Background(), "m.xlsx", fileVersion(t, s, "m.xlsx"), nil, drop); err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	rows, _ := g.GetRows("Sheet1")
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[0])
	}
	if strings.Join(got, ",") != "r2,r5,r7,r8,r9" {
		t.Errorf("rows %v, want r2,r5,r7,r8,r9", got)
	}
	merged, _ := g.GetMergeCells("Sheet1")
	if len(merged) != 1 || merged[0].GetStartAxis() != "C4" || merged[0].GetEndAxis() != "D5" {
		var refs []string
		for _, m := range merged {
			refs = append(refs, m.GetStartAxis()+":"+m.GetEndAxis())
		}
		t.Errorf("merged cells %v, want C4:D5", refs)
	}
	if ok, link, _ := g.GetCellHyperLink("Sheet1", "C6"); !ok || link != "https://example.nl" {
		t.Errorf("the hyperlink of r9 is not on C6: %v %q", ok, link)
	}
	tables, err := g.GetTables("Sheet1")
	if err != nil || len(tables) != 1 || tables[0].Range != "A1:D6" {
		t.Errorf("tables %+v, %v; want one on A1:D6", tables, err)
	}
	all := unzipAll(t, path)
	if strings.Contains(all, "calcChain") && strings.Contains(all, "<calcChain") {
		t.Error("the calculation chain was kept")
	}
	if !strings.Contains(all, `fullCalcOnLoad="1"`) {
		t.Error("the workbook does not compute its formulas when opened")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestXLSXCellRefs: column letters and cell references both ways.
func TestXLSXCellRefs(t *testing.T) {
	for col, name := range map[int]string{0: "A", 25: "Z", 26: "AA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := colName(col); got != name {
			t.Errorf("colName(%d) = %s, want %s", col, got, name)
		}
		c, r, ok := parseRef(name + "12")
		if !ok || c != col || r != 12 {
			t.Errorf("parseRef(%s12) = %d %d %v", name, c, r, ok)
		}
	}
	for _, bad := range []string{"", "A", "12", "A0", "XFE1", "A-1", "A+1", "AAAAA1", "A1048577"} {
		if _, _, ok := parseRef(bad); ok {
			t.Errorf("parseRef(%q) accepted", bad)
		}
	}
}

package export

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// makeWorkbook writes a workbook with a notes sheet and two data sheets.
// In "2024", B holds dates (one a date cell in a custom format), A2 is
// bold, D3 is a formula and row 4 is blank.
func makeWorkbook(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f.SetSheetName("Sheet1", "Toelichting")
	must(f.SetCellStr("Toelichting", "A1", "Export uit Konnect"))
	header := []any{"Naam kind", "Datum", "Notitie", "E-mail", "Groep"}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	custom := "dd-mm-yyyy"
	customStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
	must(err)
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	must(err)
	for _, sh := range []string{"2023", "2024"} {
		_, err := f.NewSheet(sh)
		must(err)
		must(f.SetSheetRow(sh, "A1", &header))
	}
	must(f.SetSheetRow("2023", "A2", &[]any{"Oud Kind", time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC), "oud", "o@example.nl", "Rups"}))
	must(f.SetCellStyle("2023", "B2", "B2", dateStyle))
	must(f.SetSheetRow("2024", "A2", &[]any{"Piet Jansen", time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), "sliep", "p@example.nl", "Rups"}))
	must(f.SetSheetRow("2024", "A3", &[]any{"Anna de Vries", time.Date(2024, 3, 16, 0, 0, 0, 0, time.UTC), "at", nil, "Vlinder"}))
	must(f.SetCellFormula("2024", "D3", `CONCATENATE("anna","@example.nl")`))
	// A formula outside the mapped columns that copies a name.
	must(f.SetCellStr("Toelichting", "B1", "Piet Jansen"))
	must(f.SetCellFormula("Toelichting", "B1", "'2024'!A2"))
	must(f.SetSheetRow("2024", "A5", &[]any{"Kim Bos", 45370, "", "k@example.nl", "Rups"}))
	must(f.SetCellStyle("2024", "B2", "B3", dateStyle))
	must(f.SetCellStyle("2024", "B5", "B5", customStyle))
	must(f.SetCellStyle("2024", "A2", "A2", bold))
	must(f.SetColWidth("2024", "C", "C", 40))
	must(f.SaveAs(path))
	// Give the formula its last result, as Excel saves it (excelize
	// does not compute formulas).
	patchZip(t, path, func(name string, data []byte) []byte {
		data = cachedRe.ReplaceAll(data, []byte(`${1}<v>anna@example.nl</v>`))
		return copyRe.ReplaceAll(data, []byte(`${1}<v>Piet Jansen</v>`))
	})
}

var (
	cachedRe = regexp.MustCompile(`(<c r="D3"[^>]*><f>[^<]*</f>)(?:<v>[^<]*</v>|<v/>)?`)
	copyRe   = regexp.MustCompile(`(<c r="B1"[^>]*><f>[^<]*</f>)(?:<v>[^<]*</v>|<v/>)?`)
)

// patchZip rewrites every entry of the zip at path through fn.
func patchZip(t *testing.T, path string, fn func(name string, data []byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
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
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(fn(e.Name, data))
	}
	zr.Close()
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestScanXLSX(t *testing.T) {
	dir := t.TempDir()
	makeWorkbook(t, filepath.Join(dir, "dagboek.xlsx"))
	s := openStore(t, filepath.Join(dir, "*.xlsx"), diary())
	recs, err := scanAll(t, s)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	want := "dagboek.xlsx#2023!2 | Oud Kind | 2023-05-01 | name,email,notes | dagboek.xlsx 2023 2\n" +
		"dagboek.xlsx#2024!2 | Piet Jansen | 2024-03-15 | name,email,notes | dagboek.xlsx 2024 2\n" +
		"dagboek.xlsx#2024!3 | Anna de Vries | 2024-03-16 | name,email,notes | dagboek.xlsx 2024 3\n" +
		"dagboek.xlsx#2024!5 | Kim Bos | 2024-03-19 | name,email | dagboek.xlsx 2024 5\n"
	if got := summaries(recs); got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}

	p := diary()
	p.Sheet = " 2023"
	s = openStore(t, filepath.Join(dir, "*.xlsx"), p)
	if recs, err = scanAll(t, s); err != nil || len(recs) != 1 || recs[0].Row.Sheet != "2023" {
		t.Errorf("Scan of sheet 2023: %d rows, %v", len(recs), err)
	}
	p.Sheet = "2025"
	s = openStore(t, filepath.Join(dir, "*.xlsx"), p)
	if _, err = scanAll(t, s); err == nil || !strings.Contains(err.Error(), `"2025"`) || !strings.Contains(err.Error(), `"2024"`) {
		t.Errorf("Scan of a missing sheet: %v, want an error naming it and the sheets there are", err)
	}
	p.Sheet = "Toelichting"
	s = openStore(t, filepath.Join(dir, "*.xlsx"), p)
	if _, err = scanAll(t, s); err == nil || !strings.Contains(err.Error(), `"Naam kind"`) {
		t.Errorf("Scan of a named sheet without the headers: %v, want an error", err)
	}
}

func TestScanXLSXMissingHeader(t *testing.T) {
	dir := t.TempDir()
	makeWorkbook(t, filepath.Join(dir, "dagboek.xlsx"))
	p := diary()
	p.Fields[FieldPhone] = "Telefoon"
	s := openStore(t, filepath.Join(dir, "*.xlsx"), p)
	_, err := scanAll(t, s)
	if err == nil || !strings.Contains(err.Error(), "dagboek.xlsx") || !strings.Contains(err.Error(), `"Telefoon"`) || !strings.Contains(err.Error(), `sheet "2023"`) {
		t.Fatalf("Scan: %v, want an error naming the file, sheet and header", err)
	}
	p = diary()
	p.SubjectColumn, p.DateColumn, p.Fields = "Kind", "Dag", map[string]string{FieldName: "Kind"}
	s = openStore(t, filepath.Join(dir, "*.xlsx"), p)
	if _, err := scanAll(t, s); err == nil || !strings.Contains(err.Error(), "no sheet") {
		t.Fatalf("Scan with headers no sheet has: %v, want an error", err)
	}
}

func TestXLSXRewrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dagboek.xlsx")
	makeWorkbook(t, path)
	before, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	boldBefore, _ := before.GetCellStyle("2024", "A2")
	before.Close()

	s := openStore(t, filepath.Join(dir, "*.xlsx"), diary())
	var kinds []string
	var formulaValue string
	edit := func(row int, sheet, field string, c Cell) (Cell, error) {
		if sheet != "2024" {
			return c, nil
		}
		kinds = append(kinds, field+"="+c.Kind.String())
		if c.Kind == Formula {
			formulaValue = c.S
		}
		switch field {
		case FieldName:
			return Cell{Kind: String, S: "KIND-" + sheet}, nil
		case FieldEmail:
			return Cell{}, nil
		}
		return c, nil
	}
	drop := func(row int, sheet string) bool { return sheet == "2024" && row == 2 }
	n, err := s.Rewrite(context.Background(), "dagboek.xlsx", fileVersion(t, s, "dagboek.xlsx"), edit, drop)
	if err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	if n != (Counts{Rows: 4, Dropped: 1, Changed: 4}) {
		t.Errorf("counts %+v, want 4 rows, 1 dropped, 4 changed", n)
	}
	if got, want := strings.Join(kinds, " "), "name=string email=formula notes=string name=string email=string notes=empty"; got != want {
		t.Errorf("edit saw %s, want %s", got, want)
	}
	if formulaValue != "anna@example.nl" {
		t.Errorf("the formula cell came with value %q, want its last result", formulaValue)
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cell := func(sheet, ref string) string {
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Row 2 (Piet) is gone: Anna's row moved up to 2, Kim's to 4.
	checks := []struct{ sheet, ref, want string }{
		{"Toelichting", "A1", "Export uit Konnect"},
		{"2023", "A2", "Oud Kind"},
		{"2023", "D2", "o@example.nl"},
		{"2024", "A1", "Naam kind"},
		{"2024", "A2", "KIND-2024"},
		{"2024", "C2", "at"},
		{"2024", "D2", ""},
		{"2024", "E2", "Vlinder"},
		{"2024", "A4", "KIND-2024"},
		{"2024", "D4", ""},
		{"2024", "A5", ""},
	}
	for _, c := range checks {
		if got := cell(c.sheet, c.ref); got != c.want {
			t.Errorf("%s!%s = %q, want %q", c.sheet, c.ref, got, c.want)
		}
	}
	if formula, _ := f.GetCellFormula("2024", "D2"); formula != "" {
		t.Errorf("the edited formula cell still has formula %q", formula)
	}
	// The copy of Piet's name in a formula's cached result is gone; the
	// formula itself stays (it now points at a deleted row).
	if v, _ := f.GetCellValue("Toelichting", "B1"); v != "" {
		t.Errorf("a formula's cached result still holds %q", v)
	}
	if formula, _ := f.GetCellFormula("Toelichting", "B1"); formula == "" {
		t.Error("the formula on the notes sheet was removed")
	}
	raw, _ := f.GetCellValue("2024", "B4", excelize.Options{RawCellValue: true})
	if raw != "45370" {
		t.Errorf("Kim's date cell is %q, want the serial 45370 kept", raw)
	}
	if style, _ := f.GetCellStyle("2024", "B4"); style == 0 {
		t.Error("Kim's date cell lost its date format")
	}
	if w, _ := f.GetColWidth("2024", "C"); w != 40 {
		t.Errorf("column C is %v wide, want 40", w)
	}

	// A styled cell keeps its style when its value is pseudonymised.
	makeWorkbook(t, path)
	_, err = s.Rewrite(context.Background(), "dagboek.xlsx", fileVersion(t, s, "dagboek.xlsx"), edit, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := excelize.OpenFile(path)
	defer g.Close()
	styleAfter, _ := g.GetCellStyle("2024", "A2")
	st, _ := g.GetStyle(styleAfter)
	if v, _ := g.GetCellValue("2024", "A2"); v != "KIND-2024" || styleAfter != boldBefore || st.Font == nil || !st.Font.Bold {
		t.Errorf("A2 = %q with style %d (%+v), want the pseudonym in style %d (bold)", v, styleAfter, st.Font, boldBefore)
	}
}

func TestXLSXRewriteCellKinds(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.xlsx")
	f := excelize.NewFile()
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetSheetRow("Sheet1", "A1", &[]any{"Naam kind", "Datum", "Notitie", "E-mail"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"A", time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC), true, 12.5})
	f.SetCellStyle("Sheet1", "B2", "B2", dateStyle)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p := diary()
	p.Fields[FieldBirthDate] = "Datum"
	s := openStore(t, filepath.Join(dir, "*.xlsx"), p)
	got := map[string]Cell{}
	edit := func(_ int, _, field string, c Cell) (Cell, error) {
		got[field] = c
		switch field {
		case FieldBirthDate: // generalise to the year's first day
			return Cell{Kind: Date, T: time.Date(c.T.Year(), 1, 1, 0, 0, 0, 0, time.UTC)}, nil
		case FieldNotes:
			return Cell{Kind: Bool, B: false}, nil
		case FieldEmail:
			return Cell{Kind: Number, N: 7}, nil
		}
		return c, nil
	}
	if _, err := s.Rewrite(context.Background(), "k.xlsx", fileVersion(t, s, "k.xlsx"), edit, nil); err != nil {
		t.Fatal(err)
	}
	if c := got[FieldBirthDate]; c.Kind != Date || !c.T.Equal(time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date cell came as %+v", c)
	}
	if c := got[FieldNotes]; c.Kind != Bool || !c.B {
		t.Errorf("bool cell came as %+v", c)
	}
	if c := got[FieldEmail]; c.Kind != Number || c.N != 12.5 {
		t.Errorf("number cell came as %+v", c)
	}
	g, _ := excelize.OpenFile(path)
	defer g.Close()
	for ref, want := range map[string]string{"B2": "01-01-15", "C2": "FALSE", "D2": "7"} {
		if v, _ := g.GetCellValue("Sheet1", ref); v != want {
			t.Errorf("%s = %q, want %q", ref, v, want)
		}
	}
}

// TestXLSXRewriteDropsMany drops rows that are not adjacent: removing a
// row shifts the rows below it, so removal must go bottom-up.
func TestXLSXRewriteDropsMany(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.xlsx")
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Naam kind", "Datum", "Notitie", "E-mail"})
	for r := 2; r <= 7; r++ {
		f.SetSheetRow("Sheet1", "A"+strconv.Itoa(r), &[]any{"r" + strconv.Itoa(r), "", "", ""})
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s := openStore(t, filepath.Join(dir, "*.xlsx"), diary())
	drop := func(row int, _ string) bool { return row == 3 || row == 5 || row == 6 }
	if _, err := s.Rewrite(context.Background(), "m.xlsx", fileVersion(t, s, "m.xlsx"), nil, drop); err != nil {
		t.Fatal(err)
	}
	g, _ := excelize.OpenFile(path)
	defer g.Close()
	rows, _ := g.GetRows("Sheet1")
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[0])
	}
	if strings.Join(got, ",") != "r2,r4,r7" {
		t.Errorf("rows left %v, want r2,r4,r7", got)
	}
}

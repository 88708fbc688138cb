package registry

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// checkLoad is what every registry file must give: subjects or problems,
// never both; problems that name the file and a place in it; subjects
// with an id each, no id twice, and the facts only of their type.
func checkLoad(t *testing.T, r config.Registry, subs []*rules.Subject, err error) {
	t.Helper()
	if err != nil {
		if subs != nil {
			t.Fatalf("%d subjects with error %v", len(subs), err)
		}
		var es *Errors
		if !errors.As(err, &es) || len(es.Errs) == 0 {
			t.Fatalf("error is not a list of problems: %T %v", err, err)
		}
		for _, e := range es.Errs {
			if e.File != r.File || e.Registry != r.Name || e.Row < 0 || e.Column < 0 || e.Msg == "" || e.Fix == "" {
				t.Fatalf("problem without file, place or fix: %#v", e)
			}
		}
		return
	}
	facts := rules.SubjectFacts[r.SubjectType()]
	seen := map[string]bool{}
	for _, s := range subs {
		if s.ID == "" || seen[s.ID] || s.Type != r.SubjectType() {
			t.Fatalf("subject without an id, twice, or of another type: %+v", s)
		}
		seen[s.ID] = true
		for ev := range s.Dates {
			if _, ok := facts[string(ev)]; !ok {
				t.Fatalf("date %s is not a fact of %s", ev, s.Type)
			}
		}
	}
}

// FuzzCSV reads any file as the kinderen registry.
func FuzzCSV(f *testing.F) {
	header := "Administratienummer;Naam;Geboortedatum;Einddatum opvang;Wachtlijst\n"
	for _, s := range []string{
		header + "1001;Piet Jansen;01-05-2019;15-03-2024;nee\n1002;An de Vries;2020-12-31;;ja\n",
		"\ufeffAdministratienummer,Naam,Geboortedatum,Einddatum opvang,Wachtlijst\r\n1002,\"An \"\"Anneke\"\"\r\nde Vries\",31-12-2020,,1\r\n",
		header + "1001;Piet Jansen;01-05-2019;15-03-2024\n",
		header + "1001;\"Piet Jansen;01-05-2019;;ja\n",
		header + "1001;Jansen; Piet;01-05-2019;;nee\n",
		"  wachtlijst ;EINDDATUM  OPVANG;administratienummer;naam;geboortedatum\nx;;1002;An de Vries;31-12-2020\n\n;;;;\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(dir, "kinderen.csv")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		r := kinderen(file)
		subs, err := Load(r, ams)
		checkLoad(t, r, subs, err)
	})
}

// FuzzXLSX reads any file as a workbook registry. Its seeds in
// testdata/fuzz/FuzzXLSX are workbooks excelize wrote (dates in
// built-in and custom formats, a formula without a stored result, a
// named sheet, inline strings).
func FuzzXLSX(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(dir, "medewerkers.xlsx")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		r := medewerkers(file)
		r.MaxUnzippedMB = 16
		subs, err := Load(r, ams)
		checkLoad(t, r, subs, err)
	})
}

// The fixed parts of the workbook FuzzXLSXParts builds around its input.
const (
	fuzzContentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`
	fuzzRootRels     = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	fuzzWorkbook = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="false"/>` +
		`<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	fuzzWorkbookRels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/>` +
		`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
)

// FuzzXLSXParts reads a workbook whose sheet, shared strings and styles
// are the fuzzer's, in a valid package: the XML readers get inputs that
// a mutated zip would rarely reach.
func FuzzXLSXParts(f *testing.F) {
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>Uit dienst</t></is></c>`+
		`<c r="D1" t="s"><v>2</v></c></row><row r="2"><c r="A2"><v>77</v></c><c r="B2" t="s"><v>3</v></c><c r="C2" s="1"><v>45000</v></c>`+
		`<c r="D2" t="b"><v>1</v></c></row><row r="4"><c r="A4" t="str"><v>78</v></c><c r="D4"><f>A1</f></c></row></sheetData></worksheet>`),
		[]byte(`<sst><si><t>Personeelsnummer</t></si><si><r><t>Na</t></r><r><t>am</t></r><rPh><t>x</t></rPh></si><si><t>Arbeidsconflict</t></si><si><t>Karin Bakker</t></si></sst>`),
		[]byte(`<styleSheet><numFmts><numFmt numFmtId="164" formatCode="dd-mm-yyyy"/></numFmts><cellStyleXfs><xf numFmtId="0"/></cellStyleXfs>`+
			`<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, sheet, sst, styles []byte) {
		file := partsWorkbook(t, dir, sheet, sst, styles)
		r := medewerkers(file)
		r.MaxUnzippedMB = 16
		subs, err := Load(r, ams)
		checkLoad(t, r, subs, err)
	})
}

// partsWorkbook writes a workbook around the given sheet, shared strings
// and styles, as FuzzXLSXParts does, and returns its path.
func partsWorkbook(t testing.TB, dir string, sheet, sst, styles []byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, part := range []struct {
		name string
		data []byte
	}{
		{"[Content_Types].xml", []byte(fuzzContentTypes)}, {"_rels/.rels", []byte(fuzzRootRels)},
		{"xl/workbook.xml", []byte(fuzzWorkbook)}, {"xl/_rels/workbook.xml.rels", []byte(fuzzWorkbookRels)},
		{"xl/worksheets/sheet1.xml", sheet}, {"xl/sharedStrings.xml", sst}, {"xl/styles.xml", styles},
	} {
		w, err := zw.Create(part.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(part.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "medewerkers.xlsx")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The export readers read files from outside (vendor systems, people with
// Excel). Each fuzz target reads a file through the store and checks:
// reading never panics; a rewrite that changes no cell gives back the
// same bytes (the file is not touched, and the format's writer, run over
// the whole file, writes the input again); a rewrite that changes cells
// gives a file that reads back with the same rows (for CSV and JSON, with
// the changed values). bench/fuzz.sh runs them
// for minutes; go test runs their seed corpora (testdata/fuzz) and the
// crashers found, kept there as regression cases.

// fuzzProfile reads every field kind the diary test files have, and a
// subject number, so that many columns are mapped.
func fuzzProfile() Profile {
	p := diary()
	p.Fields[FieldPhone] = "Telefoon"
	return p
}

// same returns every cell as it is.
func same(_ int, _, _ string, c Cell) (Cell, error) { return c, nil }

// fuzzExport checks one input file of the given name.
func fuzzExport(t *testing.T, name string, data []byte, rewrite func(*bufio.Writer, *editor) error) {
	dir := t.TempDir()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(filepath.Join(dir, "*"+filepath.Ext(name)), fuzzProfile())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recs, err := scanAll(t, s)
	if err != nil {
		return // a clear error is a fine answer to a bad file
	}
	version := fileVersion(t, s, name)
	// No cell changed: the file is left as it was.
	n, err := s.Rewrite(context.Background(), name, version, same, nil)
	if err != nil {
		t.Fatalf("a file that reads failed to rewrite: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, data) || n.Changed != 0 || n.Dropped != 0 {
		t.Fatalf("a rewrite that changes nothing changed the file (counts %+v)", n)
	}
	if rewrite != nil {
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		if err := rewrite(w, &editor{editFn: same}); err != nil {
			t.Fatalf("the writer failed on a file that reads: %v", err)
		}
		w.Flush()
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("the writer, changing nothing, wrote other bytes:\n in %q\nout %q", data, out.Bytes())
		}
	}
	// Cells changed: the file reads back, with the same rows.
	if _, err := s.Rewrite(context.Background(), name, version, upper, nil); err != nil {
		t.Fatalf("rewrite: %v", err)
	}
	again, err := scanAll(t, s)
	if err != nil {
		t.Fatalf("the rewritten file does not read: %v", err)
	}
	if len(again) != len(recs) {
		t.Fatalf("%d rows before the rewrite, %d after", len(recs), len(again))
	}
	if rewrite == nil {
		return // XLSX: formulas lose their cached results, by design
	}
	for i := range recs {
		if got, want := again[i].Row.Subject, strings.ToUpper(recs[i].Row.Subject); again[i].ID != recs[i].ID || got != want {
			t.Fatalf("row %s reads back as %s with subject %q, want %q", recs[i].ID, again[i].ID, got, want)
		}
	}
}

func FuzzCSVExport(f *testing.F) {
	for _, s := range []string{
		"Naam kind;Datum;Notitie;E-mail;Telefoon\nPiet Jansen;2024-03-15;sliep;p@example.nl;0612345678\n",
		"\ufeffNaam kind,Datum,Notitie,E-mail,Telefoon\r\n\"Anna, de Vries\",15-3-2024,\"twee\nregels\",,\r\n\r\n",
		"Naam kind;Datum;Notitie;E-mail;Telefoon\n\"Kim \"\"Bos\"\"\";;;;\nx;y\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzExport(t, "x.csv", data, func(w *bufio.Writer, ed *editor) error {
			return csvRewrite(context.Background(), bytes.NewReader(data), w, fuzzProfile(), ed)
		})
	})
}

func FuzzJSONExport(f *testing.F) {
	for _, s := range []string{
		`[{"Naam kind": "Piet Jansen", "Datum": "2024-03-15", "Notitie": "sliep", "E-mail": "p@example.nl", "Telefoon": "0612345678"}]`,
		"[\n  {\"Naam kind\":\"Anna\",\"Datum\":null,\"Notitie\":12.5,\"E-mail\":true,\"Telefoon\":[1]},\n  {}\n]\n",
		`[{"Naam kind":"\u00e9\"x","Datum":"2024","Notitie":"a\nb","E-mail":"","Telefoon":{"a":1}}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzExport(t, "x.json", data, func(w *bufio.Writer, ed *editor) error {
			return jsonRewrite(context.Background(), bytes.NewReader(data), w, fuzzProfile(), ed)
		})
	})
}

func FuzzJSONLExport(f *testing.F) {
	for _, s := range []string{
		`{"Naam kind": "Piet Jansen", "Datum": "2024-03-15", "Notitie": "sliep", "E-mail": "p@example.nl", "Telefoon": "0612345678"}` + "\n",
		"{\"Naam kind\":\"Anna\",\"Datum\":null,\"Notitie\":12.5,\"E-mail\":true,\"Telefoon\":\"x\"}\r\n\n{\"Naam kind\":\"Kim\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzExport(t, "x.jsonl", data, func(w *bufio.Writer, ed *editor) error {
			return jsonlRewrite(context.Background(), bytes.NewReader(data), w, fuzzProfile(), ed)
		})
	})
}

// fuzzWorkbook is a workbook with the given worksheet and shared strings,
// as Excel lays one out.
func fuzzWorkbook(sheet, sst []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	part := func(name string, data []byte) {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	part("[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`))
	part("_rels/.rels", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`))
	part("xl/workbook.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>`))
	part("xl/_rels/workbook.xml.rels", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`))
	part("xl/styles.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd-mm-yyyy"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>`))
	part("xl/worksheets/sheet1.xml", sheet)
	part("xl/sharedStrings.xml", sst)
	zw.Close()
	return buf.Bytes()
}

const fuzzSST = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6"><si><t>Naam kind</t></si><si><t>Datum</t></si><si><t>Notitie</t></si><si><t>E-mail</t></si><si><t>Telefoon</t></si><si><r><t>Piet </t></r><r><t>Jansen</t></r><rPh><t>x</t></rPh></si></sst>`

// FuzzXLSXExport fuzzes a workbook's worksheet and shared strings, the
// parts a vendor's export fills.
func FuzzXLSXExport(f *testing.F) {
	header := `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>`
	for _, sheet := range []string{
		`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:E3"/><sheetData>` + header +
			`<row r="2"><c r="A2" t="s"><v>5</v></c><c r="B2" s="1"><v>45366</v></c><c r="C2" t="inlineStr"><is><t>sliep &amp; at</t></is></c><c r="D2" t="str"><f>"p"&amp;"@example.nl"</f><v>p@example.nl</v></c><c r="E2"><v>612345678</v></c></row>` +
			`<row r="4"><c r="A4" t="inlineStr"><is><t xml:space="preserve"> Anna _x000D_</t></is></c><c r="B4" s="2"><v>45370.5</v></c><c r="C4" t="b"><v>1</v></c><c r="D4" t="e"><v>#N/A</v></c></row>` +
			`</sheetData><mergeCells count="1"><mergeCell ref="C4:D4"/></mergeCells></worksheet>`,
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + header + `<row><c t="s"><v>5</v></c><c><v>1</v></c></row><row/></sheetData></worksheet>`,
		`<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Naam kind</x:t></x:is></x:c></x:row><x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>Kim</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`,
	} {
		f.Add([]byte(sheet), []byte(fuzzSST))
	}
	f.Fuzz(func(t *testing.T, sheet, sst []byte) {
		fuzzExport(t, "x.xlsx", fuzzWorkbook(sheet, sst), nil)
	})
}

// FuzzXLSXBytes fuzzes a whole workbook file: reading it must fail with
// an error or succeed, never panic or run away.
func FuzzXLSXBytes(f *testing.F) {
	f.Add(fuzzWorkbook([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`), []byte(fuzzSST)))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "x.xlsx"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Open(filepath.Join(dir, "*.xlsx"), fuzzProfile())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.SetMaxUnzipped(64 << 20)
		if _, err := scanAll(t, s); err != nil && !strings.Contains(err.Error(), "x.xlsx") {
			t.Fatalf("an error that does not name the file: %v", err)
		}
	})
}

package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/retentiond/retentiond/agent/operators"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/export"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/rewrite")

// goldenKey is the pseudonym key of the golden rewrites: fixed, so that
// the tokens in the goldens are too.
const goldenKey = "rewrite-golden-key-0123456789abc"

// goldenHeader are the columns of the golden exports: every field kind the
// operators treat differently, and one unmapped column copied as it is.
var goldenHeader = []string{"Kindnummer", "Naam kind", "BSN", "Adres", "Postcode", "Woonplaats",
	"Geboortedatum", "IBAN", "E-mail", "Telefoon", "Notitie", "Overig"}

func goldenProfile() export.Profile {
	return export.Profile{
		Name: "golden", Subject: "child", SubjectBy: "id", SubjectColumn: "Kindnummer", Category: "child-dossier",
		Fields: map[string]string{
			export.FieldID: "Kindnummer", export.FieldName: "Naam kind", export.FieldBSN: "BSN",
			export.FieldAddress: "Adres", export.FieldPostcode: "Postcode", export.FieldTown: "Woonplaats",
			export.FieldBirthDate: "Geboortedatum", export.FieldIBAN: "IBAN", export.FieldEmail: "E-mail",
			export.FieldPhone: "Telefoon", export.FieldNotes: "Notitie",
		},
	}
}

// goldenValues are the values the generated rows cycle through, per
// column (the cycle lengths are coprime, so that the combinations vary).
// They are made up; among them are values the CSV writer must quote,
// non-ASCII names, values an earlier run already pseudonymised and cells
// that Excel would take for a formula.
var goldenValues = [][]string{
	nil, // Kindnummer: from the row number
	{"Piet Jansen", "  chloë  VISSER ", "Yılmaz Öztürk", "Jánsen, Anna", `"Bob" de Bouwer`, "=HYPERLINK(\"x\")",
		"KIND-3F9A2C4B", "", "Ångström Ærø", "anne-marie o'neil", "Daan;de Wit", "Zoë\tvan Dijk", "+31 Lotte"},
	{"123456782", "0123.45.672", "12345672", " 111222333 ", "", "BSN-0A1B2C3D", "1234-56-782"},
	{"Dorpsstraat 1", "Kerkweg 12a", "", "Molenlaan 3; achterom", "-5 Stationsplein"},
	{"1234 AB", "1234ab", "9999", "", "2345  CD", "1000"},
	{"Utrecht", "Den Haag", "", "'s-Hertogenbosch", "Zeist"},
	{"03-05-1980", "3-5-1980", "1980-05-03", "1980", "", "29-02-2020", "01/12/2001", "2001-12-01T10:00:00", "31.01.1999"},
	{"NL91 ABNA 0417 1643 00", "NL91ABNA0417164300", "", "**************4300", "nl91abna0417164300"},
	{"piet@example.nl", "", "  ", "@example", "ANNA@EXAMPLE.NL"},
	{"+31 (0)6-1234 5678", "0031612345678", "06 12345678", "612345678", "", "020-1234567", "******5678"},
	{"Moeder belt 06-12345678, BSN 123456782", "Allergie: pinda's; let op", "=1+2", "regel 1\r\nregel 2",
		"", "Mail j.jansen@example.nl of bel", "woont 1234 AB Utrecht, IBAN NL91ABNA0417164300", `zei "nee"`},
	{"-5", "@foo", "", "vrij", "=SUM(A1:A2)"},
}

// goldenOps is the configuration of the golden rewrites: the defaults for
// name, id, BSN, postcode and birth date, and a choice for the others.
var goldenOps = map[string]string{
	"iban": "mask:4", "phone": "mask:4", "notes": "scan", "town": "pseudonym", "email": "pseudonym",
}

func goldenCell(row, col int) string {
	if col == 0 {
		return strconv.Itoa(10000 + row)
	}
	v := goldenValues[col]
	return v[(row*(col+1)+row/len(v))%len(v)]
}

// csvField writes v as a CSV field: quoted if it must be, and some that
// need not be quoted too (a rewrite keeps a changed field's quotes).
func csvField(v string, quote bool) string {
	if quote || strings.ContainsAny(v, ";\"\r\n") {
		return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
	}
	return v
}

// goldenCSV is a Dutch Excel export (BOM, ";", CRLF) of rows rows, with
// blank records, some LF line endings and a last line without one.
func goldenCSV(rows int) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	b.WriteString(strings.Join(goldenHeader, ";") + "\r\n")
	for r := range rows {
		for c := range goldenHeader {
			if c > 0 {
				b.WriteByte(';')
			}
			b.WriteString(csvField(goldenCell(r, c), (r+c)%11 == 0))
		}
		switch {
		case r == rows-1:
		case r%97 == 0:
			b.WriteString("\n")
		default:
			b.WriteString("\r\n")
		}
		if r%500 == 250 {
			b.WriteString(";;;;;;;;;;;\r\n\r\n")
		}
	}
	return b.Bytes()
}

// goldenJSON is an export as a JSON array (jsonl false) or JSON lines,
// with numbers, booleans and nulls among the strings.
func goldenJSON(rows int, jsonl bool) []byte {
	var b bytes.Buffer
	if !jsonl {
		b.WriteString("[\n")
	}
	for r := range rows {
		if !jsonl {
			b.WriteString("  ")
		}
		b.WriteByte('{')
		for c, h := range goldenHeader {
			if c > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(h)
			b.Write(k)
			b.WriteString(": ")
			v := goldenCell(r, c)
			switch {
			case c == 2 && r%5 == 1:
				b.WriteString("12345672") // a BSN as a number
			case c == 11 && r%3 == 0:
				b.WriteString("true")
			case v == "":
				b.WriteString("null")
			default:
				j, _ := json.Marshal(v)
				b.Write(j)
			}
		}
		b.WriteByte('}')
		if !jsonl && r < rows-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	if !jsonl {
		b.WriteString("]\n")
	}
	return b.Bytes()
}

// goldenXLSX writes a workbook of rows rows: text cells, the BSN as a
// number in some rows and the date of birth as a date cell in others.
func goldenXLSX(t *testing.T, path string, rows int) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	header := make([]any, len(goldenHeader))
	for i, h := range goldenHeader {
		header[i] = h
	}
	if err := f.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for r := range rows {
		vals := make([]any, len(goldenHeader))
		for c := range goldenHeader {
			vals[c] = goldenCell(r, c)
		}
		if r%4 == 1 {
			vals[2] = 12345672
		}
		dated := r%4 == 2
		if dated {
			vals[6] = time.Date(1980+r%30, time.Month(1+r%12), 1+r%28, 0, 0, 0, 0, time.UTC)
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			t.Fatal(err)
		}
		if dated {
			g, _ := excelize.CoordinatesToCellName(7, r+2)
			if err := f.SetCellStyle("Sheet1", g, g, dateStyle); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// xlsxParts is the text of a workbook's worksheets and shared strings,
// each under its name: what a rewrite changes, without the zip's
// compression (which a Go release may change) or the document properties'
// timestamps.
func xlsxParts(t *testing.T, path string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	parts := map[string][]byte{}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") && f.Name != "xl/sharedStrings.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, f.Name)
		parts[f.Name] = b
	}
	sort.Strings(names)
	var out bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&out, "== %s\n%s\n", n, parts[n])
	}
	return out.Bytes()
}

// TestRewriteGolden pins the bytes of a pseudonymised export, per format:
// the real operators (operators.Set.Cell, keyed tokens under a fixed key)
// rewrite a generated export of a few thousand rows (many CSV batches),
// and the result must equal testdata/rewrite/<file>.golden byte for byte.
// A faster reader, writer or token must not change one byte of the
// output. go test ./scanners/export -run RewriteGolden -update rewrites
// the goldens.
func TestRewriteGolden(t *testing.T) {
	k, err := pseudonym.New([]byte(goldenKey))
	if err != nil {
		t.Fatal(err)
	}
	set, err := operators.Parse(goldenOps)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(row int, sheet, field string, c export.Cell) (export.Cell, error) {
		return set.Cell(k, rules.Child, field, c)
	}
	const rows = 1200
	cases := []struct {
		file  string
		write func(t *testing.T, path string)
	}{
		{"export.csv", func(t *testing.T, path string) { writeGolden(t, path, goldenCSV(rows)) }},
		{"export.json", func(t *testing.T, path string) { writeGolden(t, path, goldenJSON(150, false)) }},
		{"export.jsonl", func(t *testing.T, path string) { writeGolden(t, path, goldenJSON(150, true)) }},
		{"export.xlsx", func(t *testing.T, path string) { goldenXLSX(t, path, 150) }},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.file)
			tc.write(t, path)
			s, err := export.Open(filepath.Join(dir, "export.*"), goldenProfile())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			rec, err := s.Stat(context.Background(), tc.file)
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.Rewrite(context.Background(), tc.file, rec.Version, edit, func(row int, _ string) bool { return row%13 == 5 })
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if n.Changed == 0 || n.Dropped == 0 {
				t.Fatalf("Rewrite changed %d cells and dropped %d rows: the golden would pin nothing", n.Changed, n.Dropped)
			}
			var got []byte
			if strings.HasSuffix(tc.file, ".xlsx") {
				got = xlsxParts(t, path)
			} else if got, err = os.ReadFile(path); err != nil {
				t.Fatal(err)
			}
			got = fmt.Appendf(got, "\n== counts: %+v\n", n)
			golden := filepath.Join("testdata", "rewrite", tc.file+".golden")
			if *update {
				writeGolden(t, golden, got)
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -run RewriteGolden -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Errorf("the rewritten %s differs from %s from byte %d (line %d) on: %q, want %q",
					tc.file, golden, i, bytes.Count(want[:i], []byte{'\n'})+1, clip(got[i:]), clip(want[i:]))
			}
		})
	}
}

func clip(b []byte) []byte { return b[:min(len(b), 80)] }

func writeGolden(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

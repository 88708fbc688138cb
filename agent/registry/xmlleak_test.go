package registry

import (
	"strings"
	"testing"
)

// TestXLSXMalformedXMLNoValue: a workbook whose XML is damaged in a
// cell's text (an & that starts no entity, in the shared strings or in a
// sheet's inline string) is refused naming the file, never the text
// around the &, which is a person's name.
func TestXLSXMalformedXMLNoValue(t *testing.T) {
	for _, tc := range []struct {
		name, part string
		edit       func(string) string
	}{
		{"shared string, no semicolon", "xl/sharedStrings.xml", func(s string) string {
			return strings.Replace(s, "Karin Bakker", "&Bakker Karin", 1)
		}},
		{"shared string, unknown entity", "xl/sharedStrings.xml", func(s string) string {
			return strings.Replace(s, "Karin Bakker", "Karin &Bakker;", 1)
		}},
		{"inline string in the sheet", "xl/worksheets/sheet1.xml", func(s string) string {
			return strings.Replace(s, "</sheetData>", `<row r="9"><c r="B9" t="inlineStr"><is><t>&Bakker;</t></is></c></row></sheetData>`, 1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := medewerkers(formulaWorkbook(t))
			r.Columns = map[string]string{"id": "Personeelsnummer", "name": "Naam"}
			if !strings.Contains(readEntry(t, r.File, tc.part), "Karin Bakker") && tc.part != "xl/worksheets/sheet1.xml" {
				t.Fatalf("%s does not hold the name: the check cannot be trusted", tc.part)
			}
			rewriteEntry(t, r.File, tc.part, tc.edit)
			subs, err := Load(r, ams)
			if err == nil || subs != nil {
				t.Fatalf("got %d subjects and error %v", len(subs), err)
			}
			if !strings.Contains(err.Error(), r.File) {
				t.Errorf("the error does not name the file: %v", err)
			}
			noLeaks(t, err, r.File)
		})
	}
}

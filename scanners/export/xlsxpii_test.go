package export

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestXLSXBadCellErrorHoldsNoValue: a damaged workbook is refused with an
// error naming the sheet and cell, never the cell's text: here a shared
// string cell whose value is a name instead of an index, and a name with
// a stray "&…;" that is no entity.
func TestXLSXBadCellErrorHoldsNoValue(t *testing.T) {
	for _, tc := range []struct {
		name, from, to, secret string
	}{
		{"shared string not a number", `<c r="A2" s="3" t="s"><v>10</v></c>`, `<c r="A2" s="3" t="s"><v>Piet Jansen</v></c>`, "Piet"},
		{"unknown entity", `<c r="C2" t="s"><v>11</v></c>`, `<c r="C2" t="inlineStr"><is><t>Bos &amp;Zn; &Kim;</t></is></c>`, "Kim"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "dagboek.xlsx")
			makeWorkbook(t, path)
			patched := false
			patchZip(t, path, func(name string, data []byte) []byte {
				if name == "xl/worksheets/sheet3.xml" && bytes.Contains(data, []byte(tc.from)) {
					patched = true
					return bytes.Replace(data, []byte(tc.from), []byte(tc.to), 1)
				}
				return data
			})
			if !patched {
				t.Fatal("the test workbook has no such cell: the check cannot be trusted")
			}
			s := openStore(t, filepath.Join(dir, "*.xlsx"), diary())
			_, err := scanAll(t, s)
			if err == nil {
				t.Fatal("Scan accepted a damaged workbook")
			}
			if strings.Contains(err.Error(), tc.secret) {
				t.Errorf("the error holds the cell's text: %v", err)
			}
			if !strings.Contains(err.Error(), "dagboek.xlsx") {
				t.Errorf("the error does not name the file: %v", err)
			}
		})
	}
}

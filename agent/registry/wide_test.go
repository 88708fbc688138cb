package registry

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// TestXLSXFarColumns: a row of a few dozen bytes can put a cell in the
// last of a sheet's 16,384 columns. Reading every row out to that column
// would make a small sheet cost gigabytes of allocation; only the columns
// the registry reads are kept. A row whose only value is far out is still
// a row (it has no id).
func TestXLSXFarColumns(t *testing.T) {
	const rows = 20000
	var b strings.Builder
	b.WriteString(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Personeelsnummer</t></is></c>` +
		`<c r="B1" t="inlineStr"><is><t>Naam</t></is></c></row>`)
	for i := 2; i <= rows; i++ {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d"><v>%d</v></c><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>`, i, i, i, i)
	}
	b.WriteString(`</sheetData></worksheet>`)
	r := medewerkers(partsWorkbook(t, t.TempDir(), []byte(b.String()), []byte(`<sst/>`), []byte(`<styleSheet/>`)))
	r.Columns = map[string]string{"id": "Personeelsnummer", "name": "Naam"}

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	subs := mustLoad(t, r)
	runtime.ReadMemStats(&after)
	if len(subs) != rows-1 {
		t.Errorf("read %d subjects, want %d", len(subs), rows-1)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
		t.Errorf("reading %d rows allocated %d MB", rows, alloc>>20)
	}

	// Only a value far out: the row is there, and has no id.
	sheet := strings.Replace(b.String(), `<c r="A2"><v>2</v></c>`, ``, 1)
	r.File = partsWorkbook(t, t.TempDir(), []byte(sheet), []byte(`<sst/>`), []byte(`<styleSheet/>`))
	_, err := Load(r, ams)
	if es := rowErrors(t, err); len(es) != 1 || es[0].Row != 2 || !strings.Contains(es[0].Msg, "no id") {
		t.Errorf("got %v", err)
	}
}

package export

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestRowValues: a row's Values are its fields' values, trimmed, one per
// field of Fields, so that the planner can tell a field already
// pseudonymised.
func TestRowValues(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "dagboek.csv", "Naam kind;Datum;Notitie;E-mail\n"+
		"KIND-3F9A2C4B;2024-01-02;  Sliep goed ;\n"+
		"Piet Jansen;2024-01-03;;piet@example.nl\n")
	recs, err := scanAll(t, openStore(t, filepath.Join(dir, "*.csv"), diary()))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][][]string{
		2: {{FieldName, FieldNotes}, {"KIND-3F9A2C4B", "Sliep goed"}},
		3: {{FieldName, FieldEmail}, {"Piet Jansen", "piet@example.nl"}},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d rows, want %d", len(recs), len(want))
	}
	for _, r := range recs {
		w := want[r.Row.Index]
		if !slices.Equal(r.Row.Fields, w[0]) || !slices.Equal(r.Row.Values, w[1]) {
			t.Errorf("row %d: fields %v, %d values; want %v", r.Row.Index, r.Row.Fields, len(r.Row.Values), w[0])
		}
	}
}

package agent

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPackageRowsCSV (issue 12, item 17): the access package's rows/*.csv
// has a real header and one column per column of the export, in the
// file's order, not Go's map syntax in one column; the JSON keeps the
// rows as the store gave them.
func TestPackageRowsCSV(t *testing.T) {
	var rows []pkgRow
	for _, raw := range []string{
		`{"file":"kinderen.csv","sheet":"","row":2,"cells":{"Naam":"Piet Jansen","BSN":"111222333","Naam":"Jansen"}}`,
		`{"file":"kinderen.csv","sheet":"","row":5,"cells":{"Naam":"Piet Jansen","Opmerking":"=HYPERLINK(\"x\")"}}`,
	} {
		r, err := parseRow([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	out := t.TempDir()
	if err := writeRows(out, map[string][]pkgRow{"kidsadmin": rows}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(out, "rows", "kidsadmin.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	got, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"\ufefffile", "sheet", "row", "Naam", "BSN", "Naam (2)", "Opmerking"},
		{"kinderen.csv", "", "2", "Piet Jansen", "111222333", "Jansen", ""},
		{"kinderen.csv", "", "5", "Piet Jansen", "", "", `'=HYPERLINK("x")`},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("rows CSV:\n%q\nwant\n%q", got, want)
	}
	b, _ := os.ReadFile(filepath.Join(out, "rows", "kidsadmin.csv"))
	if strings.Contains(string(b), "map[") {
		t.Error("the CSV holds Go map syntax")
	}
	var js []map[string]any
	b, _ = os.ReadFile(filepath.Join(out, "rows", "kidsadmin.json"))
	if err := json.Unmarshal(b, &js); err != nil || len(js) != 2 || js[1]["row"] != float64(5) {
		t.Errorf("rows JSON: %v, %s", err, b)
	}
}

package export

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

const jsonArray = `[
  {"Datum": "2024-03-15", "Naam kind": "Piet Jansen", "Notitie": "sliep \"goed\"", "E-mail": "p@example.nl", "Groep": {"naam": "Rups", "nr": 1}},
  {"Naam kind": "Anna de Vries", "Datum": "2024-03-16", "Notitie": null, "E-mail": "a@example.nl"},
  {},
  {"E-mail": 42, "Naam kind": "Kim Bos", "Datum": "2024-03-17", "Extra": true}
]
`

const jsonLines = "{\"Naam kind\":\"Piet Jansen\",\"Datum\":\"2024-03-15\",\"Notitie\":\"x\",\"E-mail\":\"p@example.nl\"}\r\n" +
	"\n" +
	"  {\"Naam kind\":\"Anna de Vries\",\"Datum\":\"2024-03-16\"}  \n" +
	"{\"Naam kind\":\"Kim Bos\",\"Datum\":\"2024-03-17\",\"E-mail\":\"k@example.nl\"}"

func TestScanJSON(t *testing.T) {
	tests := []struct {
		name, file, content, want string
	}{
		{"array", "f.json", jsonArray,
			"f.json#1 | Piet Jansen | 2024-03-15 | name,email,notes | f.json  1\n" +
				"f.json#2 | Anna de Vries | 2024-03-16 | name,email | f.json  2\n" +
				"f.json#4 | Kim Bos | 2024-03-17 | name,email | f.json  4\n"},
		{"lines", "f.jsonl", jsonLines,
			"f.jsonl#1 | Piet Jansen | 2024-03-15 | name,email,notes | f.jsonl  1\n" +
				"f.jsonl#3 | Anna de Vries | 2024-03-16 | name | f.jsonl  3\n" +
				"f.jsonl#4 | Kim Bos | 2024-03-17 | name,email | f.jsonl  4\n"},
		{"ndjson", "f.ndjson", jsonLines,
			"f.ndjson#1 | Piet Jansen | 2024-03-15 | name,email,notes | f.ndjson  1\n" +
				"f.ndjson#3 | Anna de Vries | 2024-03-16 | name | f.ndjson  3\n" +
				"f.ndjson#4 | Kim Bos | 2024-03-17 | name,email | f.ndjson  4\n"},
		{"empty array", "f.json", "[]", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, tc.file, tc.content)
			s := openStore(t, filepath.Join(dir, "f.*"), diary())
			recs, err := scanAll(t, s)
			if err != nil {
				t.Fatalf("Scan: %v", err)
			}
			if got := summaries(recs); got != tc.want {
				t.Errorf("rows:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestScanJSONBad(t *testing.T) {
	tests := []struct {
		name, file, content, want string
	}{
		{"missing key", "f.json", `[{"Naam kind": "Piet Jansen", "Datum": "x", "Notitie": "y"}]`, `"E-mail"`},
		{"not an array", "f.json", `{"Naam kind": "Piet Jansen"}`, "not a JSON array"},
		{"element not an object", "f.json", `[{"Naam kind":"A","Datum":"","Notitie":"","E-mail":""}, "Piet Jansen"]`, "element 2"},
		{"truncated", "f.json", `[{"Naam kind": "Piet Jansen", "Datum"`, "export again"},
		{"trailing data", "f.json", `[] []`, "more after"},
		{"duplicate key", "f.jsonl", "{\"Naam kind\":\"A\",\"Datum\":\"\",\"Notitie\":\"\",\"E-mail\":\"\",\"notitie\":\"Piet Jansen\"}\n", "two columns"},
		{"bad line", "f.jsonl", "{\"Naam kind\":\"A\",\"Datum\":\"\",\"Notitie\":\"\",\"E-mail\":\"\"}\nPiet Jansen\n", "line 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, tc.file, tc.content)
			s := openStore(t, filepath.Join(dir, "f.*"), diary())
			_, err := scanAll(t, s)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.file) {
				t.Fatalf("Scan: %v, want an error naming %s and saying %q", err, tc.file, tc.want)
			}
			if strings.Contains(err.Error(), "Piet") {
				t.Errorf("error %q holds a value", err)
			}
		})
	}
}

// pseudo pseudonymises names and blanks e-mails in JSON tests.
func pseudo(_ int, _, field string, c Cell) (Cell, error) {
	switch field {
	case FieldName:
		return Cell{Kind: String, S: "KIND-" + strings.ToUpper(c.S[:1])}, nil
	case FieldEmail:
		return Cell{}, nil
	}
	return c, nil
}

func TestJSONRewrite(t *testing.T) {
	tests := []struct {
		name, file, content string
		drop                int
		want                string
	}{
		{"array, drop the first", "f.json", jsonArray, 1, `[
  {"Naam kind": "KIND-A", "Datum": "2024-03-16", "Notitie": null, "E-mail": null},
  {},
  {"E-mail": null, "Naam kind": "KIND-K", "Datum": "2024-03-17", "Extra": true}
]
`},
		{"array, drop the second", "f.json", jsonArray, 2, `[
  {"Datum": "2024-03-15", "Naam kind": "KIND-P", "Notitie": "sliep \"goed\"", "E-mail": null, "Groep": {"naam": "Rups", "nr": 1}},
  {},
  {"E-mail": null, "Naam kind": "KIND-K", "Datum": "2024-03-17", "Extra": true}
]
`},
		{"array, drop the last", "f.json", jsonArray, 4, `[
  {"Datum": "2024-03-15", "Naam kind": "KIND-P", "Notitie": "sliep \"goed\"", "E-mail": null, "Groep": {"naam": "Rups", "nr": 1}},
  {"Naam kind": "KIND-A", "Datum": "2024-03-16", "Notitie": null, "E-mail": null},
  {}
]
`},
		{"array, compact", "f.json", `[{"Naam kind":"Piet","E-mail":"p","Datum":"","Notitie":""},{"Naam kind":"Anna"}]`, 1,
			`[{"Naam kind":"KIND-A"}]`},
		{"lines", "f.jsonl", jsonLines, 3,
			"{\"Naam kind\":\"KIND-P\",\"Datum\":\"2024-03-15\",\"Notitie\":\"x\",\"E-mail\":null}\r\n" +
				"\n" +
				"{\"Naam kind\":\"KIND-K\",\"Datum\":\"2024-03-17\",\"E-mail\":null}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, tc.file, tc.content)
			s := openStore(t, filepath.Join(dir, "f.*"), diary())
			_, err := s.Rewrite(context.Background(), tc.file, fileVersion(t, s, tc.file), pseudo, func(row int, _ string) bool { return row == tc.drop })
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if got := readString(t, path); got != tc.want {
				t.Errorf("rewritten:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestJSONCellKinds(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "f.json", `[{"Naam kind": "A", "Datum": "x", "Notitie": {"a": [1]}, "E-mail": 1.5e3},
 {"Naam kind": "B", "Datum": "x", "Notitie": false, "E-mail": ""}]`)
	s := openStore(t, filepath.Join(dir, "f.json"), diary())
	var got []string
	edit := func(row int, _, field string, c Cell) (Cell, error) {
		got = append(got, field+":"+c.Kind.String()+":"+c.S)
		return c, nil
	}
	n, err := s.Rewrite(context.Background(), "f.json", fileVersion(t, s, "f.json"), edit, nil)
	if err != nil || n.Changed != 0 {
		t.Fatalf("Rewrite: %+v, %v", n, err)
	}
	want := `name:string:A email:number:1.5e3 notes:string:{"a": [1]} name:string:B email:empty: notes:bool:`
	if strings.Join(got, " ") != want {
		t.Errorf("cells:\n%s\nwant:\n%s", strings.Join(got, " "), want)
	}
}

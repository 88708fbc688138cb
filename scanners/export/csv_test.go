package export

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/scanners"
)

func TestScanCSV(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{
			name:    "semicolon, BOM, CRLF, blank line",
			content: "\ufeffNaam kind;Datum;Notitie;E-mail\r\nPiet Jansen;15-03-2024;Sliep goed;p@example.nl\r\n\r\nAnna de Vries;16-03-2024;;\r\n",
			want: "f.csv#2 | Piet Jansen | 15-03-2024 | name,email,notes | f.csv  2\n" +
				"f.csv#4 | Anna de Vries | 16-03-2024 | name | f.csv  4\n",
		},
		{
			name:    "comma, quoted comma and newline, no final newline",
			content: "Naam kind,Datum,Notitie,E-mail\n\"Jansen, Piet\",2024-03-15,\"regel 1\nregel 2\",\n\"Bos, Kim\",2024-03-16,ok,k@example.nl",
			want: "f.csv#2 | Jansen, Piet | 2024-03-15 | name,notes | f.csv  2\n" +
				"f.csv#4 | Bos, Kim | 2024-03-16 | name,email,notes | f.csv  4\n",
		},
		{
			name:    "semicolon file with commas in values",
			content: "Naam kind;Datum;Notitie;E-mail\nPiet;1-1-2024;a, b, c, d;x@example.nl\n",
			want:    "f.csv#2 | Piet | 1-1-2024 | name,email,notes | f.csv  2\n",
		},
		{
			name:    "headers in other case and spacing, other column order, doubled quotes",
			content: "Extra; e-MAIL ;NOTITIE;naam kind;datum\n1;;\"zei \"\"hoi\"\"\";Kim;2024-01-02\n;;;;\n",
			want:    "f.csv#2 | Kim | 2024-01-02 | name,notes | f.csv  2\n",
		},
		{
			name:    "header only",
			content: "Naam kind;Datum;Notitie;E-mail\n",
			want:    "",
		},
		{
			name:    "empty file",
			content: "",
			want:    "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "f.csv", tc.content)
			s := openStore(t, filepath.Join(dir, "*.csv"), diary())
			recs, err := scanAll(t, s)
			if err != nil {
				t.Fatalf("Scan: %v", err)
			}
			if got := summaries(recs); got != tc.want {
				t.Errorf("rows:\n%s\nwant:\n%s", got, tc.want)
			}
			for _, r := range recs {
				if r.Kind != scanners.KindRow || r.Size != 0 || r.Version == "" || r.ModTime.IsZero() {
					t.Errorf("%s: kind %q size %d version %q modtime %v", r.ID, r.Kind, r.Size, r.Version, r.ModTime)
				}
			}
		})
	}
}

func TestScanCSVBadFiles(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string // in the error
	}{
		{"missing header", "Naam kind;Datum;Notitie\nPiet Jansen;1-1-2024;x\n", []string{"f.csv", `"E-mail"`, "test-diary"}},
		{"two missing", "Naam kind;Notitie\nPiet Jansen;x\n", []string{`"Datum"`, `"E-mail"`}},
		{"duplicate header", "Naam kind;Datum;Notitie;E-mail;notitie\nPiet Jansen;1-1-2024;x;y;z\n", []string{"two columns", `"Notitie"`}},
		{"unclosed quote", "Naam kind;Datum;Notitie;E-mail\nPiet Jansen;1-1-2024;\"x;y\n", []string{"line 2", "not closed"}},
		{"text after closing quote", "Naam kind;Datum;Notitie;E-mail\nPiet Jansen;\"1-1\"2024;x;y\n", []string{"line 2, field 2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "f.csv", tc.content)
			s := openStore(t, filepath.Join(dir, "*.csv"), diary())
			var n int
			err := s.Scan(context.Background(), func(scanners.Record) error { n++; return nil })
			if err == nil {
				t.Fatal("Scan: no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "Piet") {
				t.Errorf("error %q holds a cell's value", err)
			}
			if strings.Contains(tc.name, "header") && n != 0 {
				t.Errorf("Scan listed %d rows of a file whose header is wrong", n)
			}
		})
	}
}

func TestScanUnknownExtension(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "dagboek-2024.csv", "Naam kind;Datum;Notitie;E-mail\nA;1-1-2024;;\n")
	writeFile(t, dir, "dagboek-2024.csv.bak", "old")
	writeFile(t, dir, ".dagboek-2024.csv.123.retentiond-tmp", "stray")
	writeFile(t, dir, "~$dagboek.csv", "lock")
	s := openStore(t, filepath.Join(dir, "dagboek-*"), diary())
	_, err := scanAll(t, s)
	if err == nil || !strings.Contains(err.Error(), "dagboek-2024.csv.bak") {
		t.Fatalf("Scan: %v, want an error naming the .bak file", err)
	}
	os.Remove(filepath.Join(dir, "dagboek-2024.csv.bak"))
	recs, err := scanAll(t, s)
	if err != nil || len(recs) != 1 {
		t.Fatalf("Scan without the .bak: %d rows, %v; want 1 row (dotfiles and lock files skipped)", len(recs), err)
	}
}

func TestCSVRewrite(t *testing.T) {
	const in = "\ufeffNr;Naam kind;Datum;Notitie;E-mail\r\n" +
		"1;\"Piet Jansen\";15-03-2024;\"zei \"\"hoi\"\"\";p@example.nl\r\n" +
		"2;Anna de Vries;16-03-2024;\"twee\r\nregels\";a@example.nl\r\n" +
		"\r\n" +
		"3;Kim Bos;17-03-2024;;\r\n" +
		"4;Sam;18-03-2024;\"a;b\";s@example.nl"
	// Row 3 (Anna, lines 3-4) is dropped; names and e-mails pseudonymised:
	// quotes stay where they were, a new value with ";" gets them; the rest
	// of each line, the BOM, CRLF and the blank line stay byte for byte.
	const want = "\ufeffNr;Naam kind;Datum;Notitie;E-mail\r\n" +
		"1;\"KIND-1\";15-03-2024;\"zei \"\"hoi\"\"\";\"x;y\"\r\n" +
		"\r\n" +
		"3;KIND-3;17-03-2024;;\r\n" +
		"4;KIND-4;18-03-2024;\"a;b\";\"x;y\""
	dir := t.TempDir()
	path := writeFile(t, dir, "f.csv", in)
	s := openStore(t, filepath.Join(dir, "*.csv"), diary())
	ids := map[string]string{"Piet Jansen": "KIND-1", "Anna de Vries": "KIND-2", "Kim Bos": "KIND-3", "Sam": "KIND-4"}
	var seen []string
	edit := func(row int, sheet, field string, c Cell) (Cell, error) {
		seen = append(seen, field)
		switch field {
		case FieldName:
			return Cell{Kind: String, S: ids[c.S]}, nil
		case FieldEmail:
			if c.Kind == Empty {
				return c, nil
			}
			return Cell{Kind: String, S: "x;y"}, nil
		}
		return c, nil
	}
	drop := func(row int, sheet string) bool { return row == 3 }
	n, err := s.Rewrite(context.Background(), "f.csv", fileVersion(t, s, "f.csv"), edit, drop)
	if err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	if got := readString(t, path); got != want {
		t.Errorf("rewritten:\n%q\nwant:\n%q", got, want)
	}
	if n != (Counts{Rows: 4, Dropped: 1, Changed: 5}) {
		t.Errorf("counts %+v, want 4 rows, 1 dropped, 5 changed", n)
	}
	if got := strings.Join(seen[:3], ","); got != "name,email,notes" {
		t.Errorf("edit saw fields %s for the first row, want name,email,notes (profile order, mapped columns only)", got)
	}
}

func TestCSVRewriteNoChange(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "f.csv", "Naam kind;Datum;Notitie;E-mail\nA;1-1-2024;;\n")
	before, _ := os.Stat(path)
	s := openStore(t, filepath.Join(dir, "*.csv"), diary())
	v := fileVersion(t, s, "f.csv")
	n, err := s.Rewrite(context.Background(), "f.csv", v, func(_ int, _, _ string, c Cell) (Cell, error) { return c, nil }, nil)
	if err != nil || n.Rows != 1 || n.Changed != 0 {
		t.Fatalf("Rewrite: %+v, %v", n, err)
	}
	after, _ := os.Stat(path)
	if !os.SameFile(before, after) || fileVersion(t, s, "f.csv") != v {
		t.Error("a rewrite that changes nothing replaced the file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the folder, want 1 (no temporary file left)", len(entries))
	}
}

func TestCSVRewriteEditError(t *testing.T) {
	dir := t.TempDir()
	const content = "Naam kind;Datum;Notitie;E-mail\nA;1-1-2024;;\nB;1-1-2024;;\n"
	path := writeFile(t, dir, "f.csv", content)
	s := openStore(t, filepath.Join(dir, "*.csv"), diary())
	boom := errors.New("no key")
	_, err := s.Rewrite(context.Background(), "f.csv", fileVersion(t, s, "f.csv"), func(row int, _, _ string, c Cell) (Cell, error) {
		if row == 3 {
			return c, boom
		}
		return Cell{Kind: String, S: "X"}, nil
	}, nil)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "row 3") {
		t.Fatalf("Rewrite: %v, want the edit's error with its row", err)
	}
	if got := readString(t, path); got != content {
		t.Error("a failed edit changed the file")
	}
}

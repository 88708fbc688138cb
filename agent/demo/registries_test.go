package demo

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/retentiond/retentiond/rules"
)

// table is a registry export read back: its header and rows by column.
type table struct {
	header []string
	rows   []map[string]string
}

// readCSV reads an export the way the registry code must: a BOM is
// optional, the separator is whichever of ; and , the header uses.
func readCSV(t testing.TB, path string) table {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(b))
	if first, _, _ := bytes.Cut(b, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tb := table{header: recs[0]}
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range tb.header {
			row[h] = rec[i]
		}
		tb.rows = append(tb.rows, row)
	}
	return tb
}

// xlsxRows reads a sheet; raw gives stored values (an Excel date as its
// serial number) instead of formatted ones.
func xlsxRows(t testing.TB, path, sheet string, raw bool) [][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: raw})
	if err != nil {
		t.Fatalf("%s sheet %s: %v", path, sheet, err)
	}
	return rows
}

var nlDate = regexp.MustCompile(`^(\d{1,2})-(\d{1,2})-(\d{4})$`)

// parseNL parses 04-03-2021 and 4-3-2021; "" is the zero date.
func parseNL(t testing.TB, s string) rules.Date {
	t.Helper()
	if s == "" {
		return rules.Date{}
	}
	m := nlDate.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%q is not a Dutch date", s)
	}
	d, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	y, _ := strconv.Atoi(m[3])
	return rules.MakeDate(y, time.Month(mo), d)
}

func parseISO(t testing.TB, s string) rules.Date {
	t.Helper()
	if s == "" {
		return rules.Date{}
	}
	d, err := rules.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// staff is medewerkers.xlsx read back.
type staff struct {
	id, name, conflict string
	end                rules.Date
	text               bool // a date typed as text
}

func readStaff(t testing.TB, root string) []staff {
	t.Helper()
	path := filepath.Join(root, "exports", "medewerkers.xlsx")
	raw := xlsxRows(t, path, "Medewerkers", true)
	shown := xlsxRows(t, path, "Medewerkers", false)
	var out []staff
	for i, row := range raw[1:] {
		row = append(row, make([]string, 6-len(row))...)
		s := staff{id: row[0], name: row[1], conflict: row[5]}
		for _, j := range []int{3, 4} {
			v := row[j]
			if v == "" {
				continue
			}
			var d rules.Date
			if serial, err := strconv.ParseFloat(v, 64); err == nil {
				tm, err := excelize.ExcelDateToTime(serial, false)
				if err != nil {
					t.Fatal(err)
				}
				d = rules.DateIn(tm, time.UTC)
				if got := shown[i+1][j]; got != nl(d) {
					t.Errorf("medewerkers row %d: a date cell shows %q, want dd-mm-yyyy %q", i+2, got, nl(d))
				}
			} else {
				d, s.text = parseNL(t, v), true
			}
			if j == 4 {
				s.end = d
			}
		}
		out = append(out, s)
	}
	return out
}

func TestRegistriesParse(t *testing.T) {
	root := demoAt(t, testAsOf, 1)
	ex := func(name string) table { return readCSV(t, filepath.Join(root, "exports", name)) }
	kinderen := ex("kinderen.csv")
	raw, _ := os.ReadFile(filepath.Join(root, "exports", "kinderen.csv"))
	if !bytes.HasPrefix(raw, []byte("\ufeffKindnummer;")) || !bytes.Contains(raw, []byte("\r\n")) {
		t.Error("kinderen.csv is not a ;-separated Excel export with a BOM and CRLF lines")
	}
	if raw, _ := os.ReadFile(filepath.Join(root, "exports", "ouders.csv")); !bytes.HasPrefix(raw, []byte("Relatienummer,Naam,")) {
		t.Error("ouders.csv is not ,-separated without a BOM")
	}

	ids := map[string]bool{}
	ends := map[string]rules.Date{}
	current, years := 0, map[int]bool{}
	for _, r := range kinderen.rows {
		if ids[r["Kindnummer"]] || r["Naam kind"] == "" {
			t.Errorf("kinderen: duplicate number or empty name in %v", r)
		}
		ids[r["Kindnummer"]] = true
		parseNL(t, r["Geboortedatum"])
		end := parseNL(t, r["Einddatum opvang"])
		ends[r["Kindnummer"]] = end
		if end.IsZero() {
			current++
		} else if end.Before(testAsOf.AddMonths(-120)) || !end.Before(testAsOf) {
			t.Errorf("kinderen: end of care %s outside the ten years before asOf", end)
		}
		years[end.Year] = true
		for _, f := range []string{"Wachtlijst", "Tijdelijk uitgeschreven"} {
			if r[f] != "ja" && r[f] != "nee" {
				t.Errorf("kinderen: %s is %q, want ja or nee", f, r[f])
			}
		}
	}
	if n := len(kinderen.rows); n < 280 || n > 320 || current < n/4 || current > n/2 || len(years) < 10 {
		t.Errorf("kinderen: %d children, %d in care, ends in %d years; want ~300, a third in care, over ten years", n, current, len(years))
	}

	ouders := ex("ouders.csv")
	if n := len(ouders.rows); n < 380 || n > 460 {
		t.Errorf("ouders: %d parents, want ~420", n)
	}
	for _, r := range ouders.rows {
		if end, ok := ends[r["Kindnummer"]]; !ok || parseISO(t, r["Einde contract"]) != end {
			t.Errorf("ouders: a parent's end of contract %q is not their child's end of care", r["Einde contract"])
		}
	}

	sizes := []struct {
		file     string
		min, max int
		dates    []string
		flag     string
	}{
		{"sollicitanten.csv", 75, 85, []string{"Procedure afgerond", "Toestemming tot"}, "Aangenomen"},
		{"stagiaires.csv", 13, 17, []string{"Einde stage"}, "In dienst"},
		{"vrijwilligers.csv", 8, 12, []string{"Vertrokken"}, ""},
	}
	for _, s := range sizes {
		tb := ex(s.file)
		if n := len(tb.rows); n < s.min || n > s.max {
			t.Errorf("%s: %d rows, want %d to %d", s.file, n, s.min, s.max)
		}
		for _, r := range tb.rows {
			for _, c := range s.dates {
				if d := parseNL(t, r[c]); c != "Toestemming tot" && d.After(testAsOf) {
					t.Errorf("%s: %s %s is after asOf", s.file, c, d)
				}
			}
			if s.flag != "" && r[s.flag] != "ja" && r[s.flag] != "nee" {
				t.Errorf("%s: %s is %q", s.file, s.flag, r[s.flag])
			}
		}
	}

	st := readStaff(t, root)
	left, text := 0, 0
	for _, s := range st {
		if !s.end.IsZero() {
			left++
		}
		if s.text {
			text++
		}
		if s.conflict != "" && s.conflict != "ja" && s.conflict != "nee" {
			t.Errorf("medewerkers: Arbeidsconflict %q", s.conflict)
		}
	}
	if len(st) < 55 || len(st) > 65 || left < 10 || text < 2 || text > len(st)/5 {
		t.Errorf("medewerkers: %d employees, %d left, %d with text dates; want ~60, some left, a few text dates", len(st), left, text)
	}
	notes := xlsxRows(t, filepath.Join(root, "exports", "medewerkers.xlsx"), "Toelichting", false)
	if len(notes) < 2 || !strings.Contains(notes[0][0], "Zonnebloem") {
		t.Error("medewerkers.xlsx has no Toelichting sheet with notes")
	}
}

// nameKey is the matcher's view of a name: no case, no accents, any order.
func nameKey(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(' ')
		}
	}
	toks := strings.Fields(b.String())
	sort.Strings(toks)
	return strings.Join(toks, " ")
}

// zips opens every zip of the archive.
func zips(t testing.TB, root string) map[string]*zip.Reader {
	t.Helper()
	out := map[string]*zip.Reader{}
	paths, _ := filepath.Glob(filepath.Join(root, "data", "Archief", "*.zip"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[filepath.Base(p)] = z
	}
	return out
}

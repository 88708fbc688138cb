package registry

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// secrets are the personal data and bad values in the fixtures below; no
// error may repeat any of them.
var secrets = []string{"Jansen", "Piet", "Vries", "Bakker", "31-02-2020", "5-3-24", "misschien", "1001", "1002", "15 maart"}

// noLeaks checks err's text with the files' paths taken out, since a
// temporary directory's random name may contain any digits.
func noLeaks(t *testing.T, err error, files ...string) {
	t.Helper()
	text := err.Error()
	for _, f := range files {
		text = strings.ReplaceAll(text, f, "FILE")
	}
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("error leaks %q:\n%v", s, err)
		}
	}
}

func rowErrors(t *testing.T, err error) []*Error {
	t.Helper()
	var es *Errors
	if !errors.As(err, &es) {
		t.Fatalf("want *Errors, got %T: %v", err, err)
	}
	return es.Errs
}

func TestBadRows(t *testing.T) {
	header := "Administratienummer;Naam;Geboortedatum;Einddatum opvang;Wachtlijst\n"
	tests := []struct {
		name, row        string
		col              int
		headerText, fact string
		msg              string
	}{
		{"bad date", "1001;Piet Jansen;15 maart 2019;;nee", 3, "Geboortedatum", "birth_date", "is not a date"},
		{"impossible date", "1001;Piet Jansen;01-05-2019;31-02-2020;nee", 4, "Einddatum opvang", "end_of_care", "not a possible date"},
		{"two-digit year", "1001;Piet Jansen;5-3-24;;nee", 3, "Geboortedatum", "birth_date", "four digits"},
		{"number in a CSV date column", "1001;Piet Jansen;43586;;nee", 3, "Geboortedatum", "birth_date", "holds a number"},
		{"bad flag", "1001;Piet Jansen;01-05-2019;;misschien", 5, "Wachtlijst", "waiting_list", "is not yes or no"},
		{"empty id", ";Piet Jansen;01-05-2019;;nee", 1, "Administratienummer", "id", "has no id"},
		{"duplicate id", "1002;An de Vries;;;nee\n1002;Piet Jansen;;;nee", 1, "Administratienummer", "id", "same id as row 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, "kinderen.csv", header+"1003;Bakker;;;\n"+tt.row+"\n")
			subs, err := Load(kinderen(file), ams)
			if err == nil || subs != nil {
				t.Fatalf("got %d subjects and error %v", len(subs), err)
			}
			es := rowErrors(t, err)
			if len(es) != 1 {
				t.Fatalf("want 1 error, got:\n%v", err)
			}
			e := es[0]
			row := 3 + strings.Count(tt.row, "\n")
			if e.File != file || e.Registry != "kinderen" || e.Row != row || e.Column != tt.col ||
				e.Header != tt.headerText || e.Fact != tt.fact || !strings.Contains(e.Msg, tt.msg) || e.Fix == "" {
				t.Errorf("got %+v\nwant row %d column %d %q (%s) and a message containing %q", e, row, tt.col, tt.headerText, tt.fact, tt.msg)
			}
			want := fmt.Sprintf(`(%s) row %d, column %s %q (columns.%s): `, file, row, columnName(tt.col), tt.headerText, tt.fact)
			if !strings.Contains(e.Error(), want) {
				t.Errorf("message %q does not contain %q", e.Error(), want)
			}
			noLeaks(t, err, file)
		})
	}
}

func TestMissingHeader(t *testing.T) {
	file := writeFile(t, "kinderen.csv", "Administratienummer;Naam;Geb. datum;Wachtlijst;Wachtlijst\n1001;Piet Jansen;;;\n")
	_, err := Load(kinderen(file), ams)
	es := rowErrors(t, err)
	got := map[string]*Error{}
	for _, e := range es {
		got[e.Fact] = e
	}
	if len(es) != 3 {
		t.Errorf("want 3 errors, got:\n%v", err)
	}
	for _, fact := range []string{"birth_date", "end_of_care"} {
		e := got[fact]
		if e == nil || e.Row != 1 || !strings.Contains(e.Msg, `no column "`+kinderen("").Columns[fact]+`" (columns.`+fact) || e.Fix == "" {
			t.Errorf("%s: got %+v", fact, e)
		}
	}
	if e := got["waiting_list"]; e == nil || !strings.Contains(e.Msg, "twice (columns D and E)") {
		t.Errorf("waiting_list: got %+v", e)
	}
	if !strings.Contains(err.Error(), file) {
		t.Errorf("error does not name the file: %v", err)
	}
	noLeaks(t, err, file)
}

func TestEmptyFile(t *testing.T) {
	for _, text := range []string{"", "\ufeff", "\n\n;;;\n"} {
		_, err := Load(kinderen(writeFile(t, "k.csv", text)), ams)
		if err == nil || !strings.Contains(err.Error(), "no header row") {
			t.Errorf("%q: got %v", text, err)
		}
	}
}

func TestMalformedCSV(t *testing.T) {
	file := writeFile(t, "k.csv", "Administratienummer;Naam\n1001;\"Piet \"Jansen\"\n")
	r := kinderen(file)
	r.Columns = map[string]string{"id": "Administratienummer", "name": "Naam"}
	_, err := Load(r, ams)
	// The row (a CSV record's first line) and the column the bad quote
	// is in.
	if es := rowErrors(t, err); len(es) != 1 || es[0].Row != 2 || es[0].Column != 2 || !strings.Contains(err.Error(), `row 2, column B "Naam"`) {
		t.Fatalf("got %v", err)
	}
	noLeaks(t, err, file)
}

func TestErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("Administratienummer;Geboortedatum\n")
	for i := range MaxErrors + 5 {
		fmt.Fprintf(&b, "%d;31-02-2020\n", i+1)
	}
	r := kinderen(writeFile(t, "k.csv", b.String()))
	r.Columns = map[string]string{"id": "Administratienummer", "birth_date": "Geboortedatum"}
	_, err := Load(r, ams)
	var es *Errors
	if !errors.As(err, &es) || len(es.Errs) != MaxErrors || es.Omitted != 5 || !strings.HasSuffix(err.Error(), "and 5 more problems in "+r.File) {
		t.Errorf("got %d errors, %d omitted:\n%v", len(es.Errs), es.Omitted, err)
	}
}

func TestUnreadable(t *testing.T) {
	for _, name := range []string{"missing.csv", "missing.xlsx"} {
		r := kinderen(t.TempDir() + "/" + name)
		_, err := Load(r, ams)
		if err == nil || !strings.Contains(err.Error(), r.File) {
			t.Errorf("%s: got %v", name, err)
		}
	}
	r := kinderen(writeFile(t, "k.xlsx", "Administratienummer;Naam\n"))
	if _, err := Load(r, ams); err == nil || !strings.Contains(err.Error(), "cannot be opened as an Excel workbook") {
		t.Errorf("CSV named .xlsx: got %v", err)
	}
}

func TestSetAndLoadAll(t *testing.T) {
	k1 := kinderen(writeFile(t, "a.csv", "Administratienummer;Naam\n1001;Piet Jansen\n1002;An de Vries\n"))
	k2 := kinderen(writeFile(t, "b.csv", "\n\nAdministratienummer;Naam\n1001;Piet Jansen\n"))
	k2.Name = "kinderen-oud"
	parents := config.Registry{Name: "ouders", Subject: "parent", File: writeFile(t, "o.csv", "Nr;Naam\n1001;Kees Jansen\n"),
		Columns: map[string]string{"id": "Nr", "name": "Naam"}}
	for _, r := range []*config.Registry{&k1, &k2} {
		r.Columns = map[string]string{"id": "Administratienummer", "name": "Naam"}
	}

	// The same id as a child and as a parent is two people.
	set, err := LoadAll([]config.Registry{k1, parents}, ams)
	if err != nil {
		t.Fatal(err)
	}
	if s := set.ByID(rules.Child, "1002"); s == nil || s.Name != "An de Vries" {
		t.Errorf("ByID(child, 1002) = %+v", s)
	}
	if s := set.ByID(rules.Parent, "1001"); s == nil || s.Name != "Kees Jansen" {
		t.Errorf("ByID(parent, 1001) = %+v", s)
	}
	if s := set.ByID(rules.Parent, "1002"); s != nil {
		t.Errorf("ByID(parent, 1002) = %+v", s)
	}
	if all := set.All(rules.Child); len(all) != 2 || all[0].ID != "1001" || all[1].ID != "1002" {
		t.Errorf("All(child) = %v", all)
	}

	// The same child in two registries is an error naming both rows.
	_, err = LoadAll([]config.Registry{k1, k2}, ams)
	var de *DuplicateError
	if !errors.As(err, &de) || de.First != `registry "kinderen" row 2` || de.Second != `registry "kinderen-oud" row 4` {
		t.Fatalf("got %v", err)
	}
	noLeaks(t, err, k1.File, k2.File)

	// Every registry's problems are reported, not just the first's.
	bad1 := kinderen(writeFile(t, "c.csv", "Administratienummer;Naam\n;Piet Jansen\n"))
	bad2 := parents
	bad2.Columns = map[string]string{"id": "Relatienummer"}
	set, err = LoadAll([]config.Registry{bad1, k1, bad2}, ams)
	if set != nil || err == nil || !strings.Contains(err.Error(), bad1.File) || !strings.Contains(err.Error(), `no column "Relatienummer"`) {
		t.Errorf("got %v, %v", set, err)
	}
}

func TestAddDirect(t *testing.T) {
	s := NewSet()
	a := &rules.Subject{Type: rules.Employee, ID: "7", Source: "x row 1"}
	b := &rules.Subject{Type: rules.Employee, ID: "7", Source: "y row 9"}
	c := &rules.Subject{Type: rules.Employee, ID: "8", Source: "y row 10"}
	err := s.Add([]*rules.Subject{a, b, c})
	if err == nil || !strings.Contains(err.Error(), "y row 9 has the same employee id as x row 1") {
		t.Errorf("got %v", err)
	}
	if s.ByID(rules.Employee, "7") != a || s.ByID(rules.Employee, "8") != c {
		t.Error("first subject should win and others be added")
	}
}

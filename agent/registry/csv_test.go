package registry

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

var ams = func() *time.Location {
	l, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return l
}()

// kinderen is a child registry as the DESIGN.md sample maps it.
func kinderen(file string) config.Registry {
	return config.Registry{Name: "kinderen", Subject: "child", File: file, Columns: map[string]string{
		"id": "Administratienummer", "name": "Naam", "birth_date": "Geboortedatum",
		"end_of_care": "Einddatum opvang", "waiting_list": "Wachtlijst",
	}}
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustLoad(t *testing.T, r config.Registry) []*rules.Subject {
	t.Helper()
	subs, err := Load(r, ams)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return subs
}

// piet and an are the two children of the CSV fixtures below.
func piet(row int) *rules.Subject {
	return &rules.Subject{Type: rules.Child, ID: "1001", Name: "Piet Jansen",
		Dates:    map[rules.Event]rules.Date{rules.BirthDate: rules.MakeDate(2019, 5, 1), rules.EndOfCare: rules.MakeDate(2024, 3, 15)},
		Flags:    map[string]bool{rules.WaitingList: false},
		Recorded: map[rules.Event]bool{rules.BirthDate: true, rules.EndOfCare: true},
		Source:   `registry "kinderen" row ` + strconv.Itoa(row)}
}

func an(row int, name string) *rules.Subject {
	return &rules.Subject{Type: rules.Child, ID: "1002", Name: name,
		Dates:    map[rules.Event]rules.Date{rules.BirthDate: rules.MakeDate(2020, 12, 31)},
		Flags:    map[string]bool{rules.WaitingList: true},
		Recorded: map[rules.Event]bool{rules.BirthDate: true, rules.EndOfCare: true},
		Source:   `registry "kinderen" row ` + strconv.Itoa(row)}
}

func TestCSV(t *testing.T) {
	semi := "Administratienummer;Naam;Geboortedatum;Einddatum opvang;Wachtlijst;Groep\n" +
		"1001;Piet Jansen;01-05-2019;15-03-2024;nee;Bijtjes\n" +
		"1002;An de Vries;2020-12-31;;ja;Rupsen\n"
	tests := []struct {
		name, text string
		want       []*rules.Subject
	}{
		{"semicolon", semi, []*rules.Subject{piet(2), an(3, "An de Vries")}},
		{"comma", strings.ReplaceAll(semi, ";", ","), []*rules.Subject{piet(2), an(3, "An de Vries")}},
		{"BOM and CRLF", "\ufeff" + strings.ReplaceAll(semi, "\n", "\r\n"), []*rules.Subject{piet(2), an(3, "An de Vries")}},
		{"headers in another case and spacing, other order",
			"  wachtlijst ;EINDDATUM  OPVANG;administratienummer;naam;geboortedatum\n" +
				"x;;1002;An de Vries;31-12-2020\n\n;;;;\n" +
				"nee;15-03-2024;1001;Piet Jansen;2019-05-01\n",
			[]*rules.Subject{an(2, "An de Vries"), piet(5)}},
		{"quoted newline and quotes", "Administratienummer,Naam,Geboortedatum,Einddatum opvang,Wachtlijst\n" +
			"1002,\"An \"\"Anneke\"\"\nde Vries\",31-12-2020,,1\n" +
			"1001,Piet Jansen,01-05-2019,15-03-2024,0\n",
			[]*rules.Subject{an(2, "An \"Anneke\"\nde Vries"), piet(4)}},
		{"empty header cells at the end, rows without them", "Administratienummer;Naam;Geboortedatum;Einddatum opvang;Wachtlijst;;\n" +
			"1002;An de Vries;31-12-2020;;X\n1001;Piet Jansen;01-05-2019;15-03-2024;nee;;\n",
			[]*rules.Subject{an(2, "An de Vries"), piet(3)}},
		{"empty cells after the header's last column", "Administratienummer;Naam;Geboortedatum;Einddatum opvang;Wachtlijst\n" +
			"1002;An de Vries;31-12-2020;;X;;\n1001;Piet Jansen;01-05-2019;15-03-2024;nee\n",
			[]*rules.Subject{an(2, "An de Vries"), piet(3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := kinderen(writeFile(t, "kinderen.csv", tt.text))
			got := mustLoad(t, r)
			if !reflect.DeepEqual(got, tt.want) {
				for i := range got {
					t.Logf("got  %+v", got[i])
				}
				for i := range tt.want {
					t.Logf("want %+v", tt.want[i])
				}
				t.Error("subjects differ")
			}
		})
	}
}

func TestConfiguredDelimiter(t *testing.T) {
	// The header line has more commas than semicolons, so detection picks
	// ","; the config's delimiter overrides it.
	text := "Administratienummer;Naam, voluit\n1001;Jansen, Piet\n"
	r := config.Registry{Name: "ouders", Subject: "parent", File: writeFile(t, "o.csv", "Administratienummer;Naam, voluit;x,y,z\n1001;Jansen, Piet;\n"),
		Columns: map[string]string{"id": "Administratienummer", "name": "Naam, voluit"}}
	if _, err := Load(r, ams); err == nil {
		t.Fatal("detected delimiter should be , here")
	}
	r.File = writeFile(t, "o.csv", text)
	r.Delimiter = ";"
	got := mustLoad(t, r)
	if len(got) != 1 || got[0].Name != "Jansen, Piet" || got[0].Type != rules.Parent {
		t.Errorf("got %+v", got)
	}
}

func TestNotUTF8(t *testing.T) {
	r := kinderen(writeFile(t, "k.csv", "Administratienummer;Naam\n1001;Ren\xe9e\n"))
	r.Columns = map[string]string{"id": "Administratienummer"}
	_, err := Load(r, ams)
	var es *Errors
	if !errors.As(err, &es) || !strings.Contains(err.Error(), "not UTF-8 text (first at line 2)") {
		t.Errorf("got %v", err)
	}
}

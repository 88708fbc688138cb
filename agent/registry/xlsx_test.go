package registry

import (
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// workbook writes an .xlsx with the given sheets; each cell value is set
// with SetCellValue, so time.Time values become real date cells (with the
// style given by dateStyle) and strings stay text.
type sheet struct {
	name string
	rows [][]any
}

func workbook(t *testing.T, dateFmt string, sheets ...sheet) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	style := &excelize.Style{NumFmt: 14}
	if dateFmt != "" {
		style = &excelize.Style{CustomNumFmt: &dateFmt}
	}
	dateStyle, err := f.NewStyle(style)
	if err != nil {
		t.Fatal(err)
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sh.rows {
			for c, v := range row {
				if v == nil {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellValue(sh.name, cell, v); err != nil {
					t.Fatal(err)
				}
				if _, ok := v.(time.Time); ok {
					if err := f.SetCellStyle(sh.name, cell, cell, dateStyle); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	p := filepath.Join(t.TempDir(), "medewerkers.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func medewerkers(file string) config.Registry {
	return config.Registry{Name: "medewerkers", Subject: "employee", File: file, Columns: map[string]string{
		"id": "Personeelsnummer", "name": "Naam", "end_of_employment": "Uit dienst", "labour_conflict": "Arbeidsconflict",
	}}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func employee(id, name string, row int, end rules.Date, conflict bool) *rules.Subject {
	s := &rules.Subject{Type: rules.Employee, ID: id, Name: name, Dates: map[rules.Event]rules.Date{},
		Flags: map[string]bool{rules.LabourConflict: conflict}, Source: `registry "medewerkers" row ` + strconv.Itoa(row),
		Recorded: map[rules.Event]bool{rules.EndOfEmployment: true}}
	if !end.IsZero() {
		s.Dates[rules.EndOfEmployment] = end
	}
	return s
}

func TestXLSX(t *testing.T) {
	header := []any{"Personeelsnummer", "Naam", "Functie", "Uit dienst", "Arbeidsconflict"}
	rows := [][]any{
		header,
		{123456789012, "Karin Bakker", "Pedagogisch medewerker", day(2023, time.August, 31), "nee"},
		{"0042", "Sanne Smit", nil, "01-09-2022", true},
		{}, // an empty row is skipped
		{"77", "Ahmed Yilmaz", nil, "2021-02-28", "x"},
		{"78", "Lotte de Boer", nil, day(2024, time.February, 29), nil},
		{"79", "Nog in dienst", nil, nil, "Nee"},
	}
	want := []*rules.Subject{
		employee("123456789012", "Karin Bakker", 2, rules.MakeDate(2023, 8, 31), false),
		employee("0042", "Sanne Smit", 3, rules.MakeDate(2022, 9, 1), true),
		employee("77", "Ahmed Yilmaz", 5, rules.MakeDate(2021, 2, 28), true),
		employee("78", "Lotte de Boer", 6, rules.MakeDate(2024, 2, 29), false),
		employee("79", "Nog in dienst", 7, rules.Date{}, false),
	}
	for _, tt := range []struct{ name, dateFmt, sheet string }{
		{"built-in date format, first sheet", "", ""},
		{"custom Dutch date format, named sheet", "dd-mm-yyyy", "Medewerkers"},
		{"custom format with locale, sheet name in other case", "[$-413]d mmmm yyyy", "medewerkers"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			decoy := sheet{"Oud", [][]any{header, {"1", "Iemand Anders", nil, "01-01-2000", "nee"}}}
			main := sheet{"Medewerkers", rows}
			sheets := []sheet{main, decoy}
			if tt.sheet != "" {
				sheets = []sheet{decoy, main} // the named sheet is not the first
			}
			r := medewerkers(workbook(t, tt.dateFmt, sheets...))
			r.Sheet = tt.sheet
			got := mustLoad(t, r)
			if !reflect.DeepEqual(got, want) {
				for _, s := range got {
					t.Logf("got %+v", s)
				}
				t.Error("subjects differ")
			}
		})
	}
}

func TestXLSXNumberIsNotDate(t *testing.T) {
	// 2024 typed as a number in a General cell must not become 1905.
	p := workbook(t, "", sheet{"Blad1", [][]any{
		{"Personeelsnummer", "Uit dienst"},
		{"1", 2024},
	}})
	r := config.Registry{Name: "medewerkers", Subject: "employee", File: p,
		Columns: map[string]string{"id": "Personeelsnummer", "end_of_employment": "Uit dienst"}}
	_, err := Load(r, ams)
	if err == nil || !strings.Contains(err.Error(), `row 2, column B "Uit dienst" (columns.end_of_employment): the cell holds a number, not a date`) {
		t.Errorf("got %v", err)
	}
}

func TestXLSXMissingSheet(t *testing.T) {
	r := medewerkers(workbook(t, "", sheet{"Blad1", [][]any{{"Personeelsnummer"}}}))
	r.Sheet = "Personeel"
	_, err := Load(r, ams)
	if err == nil || !strings.Contains(err.Error(), `has no sheet "Personeel"`) || !strings.Contains(err.Error(), `"Blad1"`) {
		t.Errorf("got %v", err)
	}
}

func TestCustomIsDate(t *testing.T) {
	tests := map[string]bool{
		"dd-mm-yyyy": true, "d/m/yy": true, "[$-413]d mmmm yyyy": true, "yyyy": true,
		"0.00": false, "#,##0": false, `"dag" 0`: false, "[Red]0": false, `\d0`: false, "h:mm": false, "General": false,
	}
	for f, want := range tests {
		if got := customIsDate(f); got != want {
			t.Errorf("%q: %v, want %v", f, got, want)
		}
	}
}

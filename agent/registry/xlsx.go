package registry

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/retentiond/retentiond/rules"
)

// xlsxTable streams the rows of one sheet of a workbook. Cells are read
// raw (unformatted), so that ids are not shown as 1.2E+10 and date cells
// come as serial numbers, which numericDate turns into dates after
// checking that the cell really has a date format.
type xlsxTable struct {
	f        *excelize.File
	sheet    string
	rows     *excelize.Rows
	row      int
	date1904 bool
	problem  *problem
}

func openXLSX(path, sheet string) (table, *problem) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, &problem{"cannot be opened as an Excel workbook: " + errText(err),
			"check the path in file:, and that the export is an .xlsx workbook (not .xls or a CSV renamed)"}
	}
	t := &xlsxTable{f: f}
	list := f.GetSheetList()
	switch {
	case len(list) == 0:
		f.Close()
		return nil, &problem{"has no sheets", "export the registry again"}
	case sheet == "":
		t.sheet = list[0]
	default:
		for _, s := range list {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(sheet)) {
				t.sheet = s
			}
		}
		if t.sheet == "" {
			f.Close()
			quoted := make([]string, len(list))
			for i, s := range list {
				quoted[i] = strconv.Quote(s)
			}
			return nil, &problem{fmt.Sprintf("has no sheet %q", sheet),
				"set sheet: in the config to one of " + strings.Join(quoted, ", ") + ", or leave it out to read the first sheet"}
		}
	}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		t.date1904 = *props.Date1904
	}
	rows, err := f.Rows(t.sheet)
	if err != nil {
		f.Close()
		return nil, &problem{"sheet " + strconv.Quote(t.sheet) + " cannot be read: " + err.Error(), "export the registry again"}
	}
	t.rows = rows
	return t, nil
}

func (t *xlsxTable) next() (int, []string, bool) {
	if !t.rows.Next() {
		if err := t.rows.Error(); err != nil {
			t.problem = &problem{fmt.Sprintf("sheet %q cannot be read after row %d: %v", t.sheet, t.row, err), "export the registry again"}
		}
		return t.row, nil, false
	}
	t.row++ // Next visits every row number, also rows absent from the file
	cells, err := t.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		t.problem = &problem{fmt.Sprintf("row %d cannot be read: %v", t.row, err), "export the registry again"}
		return t.row, nil, false
	}
	return t.row, cells, true
}

func (t *xlsxTable) err() *problem { return t.problem }

// numericDate turns a serial number into a date if the cell is formatted
// as a date. A number in a General or number-formatted cell is not taken
// for a date: 2024 typed as a year would otherwise become 16 July 1905.
func (t *xlsxTable) numericDate(row, col int, raw string) (rules.Date, bool) {
	v, err := strconv.ParseFloat(raw, 64)
	// 2958465 is 31-12-9999, Excel's last date.
	if err != nil || v < 1 || v > 2958465 {
		return rules.Date{}, false
	}
	cell, err := excelize.CoordinatesToCellName(col+1, row)
	if err != nil {
		return rules.Date{}, false
	}
	id, err := t.f.GetCellStyle(t.sheet, cell)
	if err != nil {
		return rules.Date{}, false
	}
	st, err := t.f.GetStyle(id)
	if err != nil || !isDateFormat(st) {
		return rules.Date{}, false
	}
	tm, err := excelize.ExcelDateToTime(math.Floor(v), t.date1904)
	if err != nil {
		return rules.Date{}, false
	}
	// ExcelDateToTime gives the wall-clock date in UTC; no zone applies.
	y, m, d := tm.Date()
	return rules.MakeDate(y, m, d), true
}

// isDateFormat reports whether a cell style shows numbers as dates: one of
// the built-in date formats (14-17, 22, and the East Asian 27-36, 50-58),
// or a custom format with a day or year part.
func isDateFormat(st *excelize.Style) bool {
	if st.CustomNumFmt != nil {
		return customIsDate(*st.CustomNumFmt)
	}
	n := st.NumFmt
	return n >= 14 && n <= 17 || n == 22 || n >= 27 && n <= 36 || n >= 50 && n <= 58
}

// customIsDate looks for d or y outside quoted text, [colour]/[$-413]
// sections and \-escaped characters.
func customIsDate(f string) bool {
	quoted, bracket, escaped := false, false, false
	for _, c := range strings.ToLower(f) {
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '[':
			bracket = true
		case c == ']':
			bracket = false
		case bracket:
		case c == 'd' || c == 'y':
			return true
		}
	}
	return false
}

func (t *xlsxTable) close() error {
	err := t.rows.Close()
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	return err
}

package export

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// workbook is an open XLSX export.
type workbook struct {
	f        *excelize.File
	date1904 bool
	isDate   map[int]bool // style id -> has a date format
	sawData  bool         // some sheet read had a non-blank row
}

func openWorkbook(r io.Reader) (*workbook, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("cannot be opened as an Excel workbook (%v); fix: check that it is an .xlsx workbook, not an .xls or a CSV renamed", err)
	}
	wb := &workbook{f: f, isDate: make(map[int]bool)}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		wb.date1904 = *props.Date1904
	}
	return wb, nil
}

// sheets lists the sheets p reads: its one sheet, or every sheet.
func (wb *workbook) sheets(p Profile) ([]string, error) {
	list := wb.f.GetSheetList()
	if p.Sheet == "" {
		return list, nil
	}
	for _, s := range list {
		if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(p.Sheet)) {
			return []string{s}, nil
		}
	}
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return nil, fmt.Errorf("has no sheet %q, which profile %q names; fix: set the profile's sheet to one of %s, or leave it out to read every sheet", p.Sheet, p.Name, strings.Join(q, ", "))
}

// dateStyled reports whether cell shows its number as a date.
func (wb *workbook) dateStyled(sheet, cell string) bool {
	id, err := wb.f.GetCellStyle(sheet, cell)
	if err != nil {
		return false
	}
	if v, ok := wb.isDate[id]; ok {
		return v
	}
	st, err := wb.f.GetStyle(id)
	v := err == nil && isDateFormat(st)
	wb.isDate[id] = v
	return v
}

// serialTime turns a date serial into a time, if it is one.
func (wb *workbook) serialTime(v float64) (t time.Time, ok bool) {
	// 2958465 is 31-12-9999, Excel's last date.
	if v < 0 || v > 2958466 {
		return time.Time{}, false
	}
	t, err := excelize.ExcelDateToTime(v, wb.date1904)
	return t, err == nil
}

// rows calls fn for each data row of sheet: every non-blank row after the
// header, the first non-blank row. Values are raw (an id is not shown as
// 1.2E+10), except that numbers in date-formatted cells are written as
// dates (yyyy-mm-dd). It returns false, without error, for a sheet
// without any of the profile's headers when the profile names no sheet: a
// workbook may hold notes or totals beside its data.
func (wb *workbook) rows(ctx context.Context, sheet string, p Profile, fn func(t *table, row int, vals []string) error) (bool, error) {
	rows, err := wb.f.Rows(sheet)
	if err != nil {
		return false, fmt.Errorf("sheet %q cannot be read (%v); fix: export again", sheet, err)
	}
	defer rows.Close()
	var t *table
	for n := 1; rows.Next(); n++ { // Next visits every row number, also absent rows
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return false, err
			}
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return false, fmt.Errorf("sheet %q, row %d cannot be read (%v); fix: export again", sheet, n, err)
		}
		if blank(cells) {
			continue
		}
		wb.sawData = true
		if t == nil {
			var missing []string
			if t, missing, err = resolve(p, sheet, cells); err != nil {
				return false, fmt.Errorf("sheet %q, row %d: %w", sheet, n, err)
			}
			if p.Sheet == "" && t.none() {
				return false, nil
			}
			if len(missing) > 0 {
				return false, missingErr(p, fmt.Sprintf("sheet %q (header on row %d)", sheet, n), missing)
			}
			continue
		}
		for i, v := range cells {
			if x, err := strconv.ParseFloat(v, 64); err == nil && v != "" {
				cell, _ := excelize.CoordinatesToCellName(i+1, n)
				if wb.dateStyled(sheet, cell) {
					if tm, ok := wb.serialTime(x); ok {
						cells[i] = dateText(tm)
					}
				}
			}
		}
		if err := fn(t, n, cells); err != nil {
			return false, err
		}
	}
	if err := rows.Error(); err != nil {
		return false, fmt.Errorf("sheet %q cannot be read (%v); fix: export again", sheet, err)
	}
	return t != nil, nil
}

// none reports whether the header had none of the profile's columns.
func (t *table) none() bool {
	if t.subject >= 0 || t.date >= 0 {
		return false
	}
	for _, f := range t.fields {
		if f.col >= 0 {
			return false
		}
	}
	return true
}

// each calls fn for the data rows of every sheet p reads, and fails if no
// sheet has the profile's headers although some sheet has data.
func (wb *workbook) each(ctx context.Context, p Profile, fn func(t *table, row int, vals []string) error) error {
	sheets, err := wb.sheets(p)
	if err != nil {
		return err
	}
	anyData := false
	for _, sh := range sheets {
		ok, err := wb.rows(ctx, sh, p, fn)
		if err != nil {
			return err
		}
		anyData = anyData || ok
	}
	if !anyData && wb.sawData {
		return missingErr(p, "no sheet of the workbook", p.headers())
	}
	return nil
}

func xlsxRows(ctx context.Context, r io.Reader, p Profile, fn func(t *table, index int, vals []string) error) error {
	wb, err := openWorkbook(r)
	if err != nil {
		return err
	}
	defer wb.f.Close()
	return wb.each(ctx, p, fn)
}

// isDateFormat reports whether a cell style shows numbers as dates: one of
// the built-in date formats (14-17, 22, and the East Asian 27-36, 50-58),
// or a custom format with a day or year part. (As agent/registry reads
// registries; scanners do not import agent.)
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

// excelSerial is t's wall-clock date and time as an Excel serial number.
func excelSerial(t time.Time, date1904 bool) float64 {
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	secs := wall.Unix() - base.Unix()
	days := float64(secs/86400) + float64(secs%86400)/86400 + float64(wall.Nanosecond())/86400e9
	return math.Round(days*1e9) / 1e9
}

package export

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// workbook is an open XLSX export, read as a stream (book).
type workbook struct {
	*book
	sawData bool // some sheet read had a non-blank row
}

// openWorkbook opens the workbook in f, refusing one that expands to more
// than maxUnzipped bytes.
func openWorkbook(f *os.File, maxUnzipped int64) (*workbook, error) {
	b, err := openBook(f, maxUnzipped)
	if err != nil {
		return nil, err
	}
	return &workbook{book: b}, nil
}

// sheetNames lists the workbook's sheets.
func (wb *workbook) sheetNames() []string {
	out := make([]string, len(wb.book.sheets))
	for i, s := range wb.book.sheets {
		out[i] = s.name
	}
	return out
}

// sheets lists the sheets p reads: its one sheet, or every sheet.
func (wb *workbook) sheets(p Profile) ([]bookSheet, error) {
	list := wb.book.sheets
	if p.Sheet == "" {
		return list, nil
	}
	for _, s := range list {
		if strings.EqualFold(strings.TrimSpace(s.name), strings.TrimSpace(p.Sheet)) {
			return []bookSheet{s}, nil
		}
	}
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s.name)
	}
	return nil, fmt.Errorf("has no sheet %q, which profile %q names; fix: set the profile's sheet to one of %s, or leave it out to read every sheet", p.Sheet, p.Name, strings.Join(q, ", "))
}

// serialTime turns a date serial into a time, if it is one.
func (b *book) serialTime(v float64) (t time.Time, ok bool) {
	// 2958465 is 31-12-9999, Excel's last date.
	if v < 0 || v > 2958466 {
		return time.Time{}, false
	}
	t, err := excelize.ExcelDateToTime(v, b.date1904)
	return t, err == nil
}

// openSheet starts streaming a sheet; close the returned closer after.
func (wb *workbook) openSheet(sh bookSheet, outside func(t *xmlTok) error) (*sheetReader, io.Closer, error) {
	e, ok := wb.parts[sh.part]
	if !ok {
		return nil, nil, fmt.Errorf("sheet %q cannot be read (its part %s is missing); fix: export again", sh.name, sh.part)
	}
	rc, err := e.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("sheet %q cannot be read (%v); fix: export again", sh.name, bare(err))
	}
	return &sheetReader{sc: newXMLScanner(rc), sheet: sh.name, outside: outside}, rc, nil
}

// dataRows calls fn for each data row of a sheet's rows as next gives
// them: every non-blank row after the header, the first non-blank row.
// Values are raw (an id is not shown as 1.2E+10), except that numbers in
// date-formatted cells are written as dates (yyyy-mm-dd). other, if set,
// hears every row fn does not: blank rows, the header, and all rows of a
// sheet without the profile's headers. It returns the sheet's table: nil,
// without error, for a sheet without any of the profile's headers when
// the profile names no sheet (a workbook may hold notes or totals beside
// its data).
func (wb *workbook) dataRows(ctx context.Context, sheet string, p Profile, next func() (*xrow, error),
	fn func(t *table, row *xrow, vals []string) error, other func(row *xrow) error) (*table, error) {
	var t *table
	skip := false
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		row, err := next()
		if err != nil {
			return nil, fmt.Errorf("sheet %q cannot be read (%v); fix: export again", sheet, err)
		}
		if row == nil {
			break
		}
		vals, err := wb.values(sheet, row)
		if err != nil {
			return nil, fmt.Errorf("%v; fix: export again", err)
		}
		if skip || blank(vals) {
			if other != nil {
				if err := other(row); err != nil {
					return nil, err
				}
			}
			continue
		}
		wb.sawData = true
		if t == nil {
			var missing []string
			if t, missing, err = resolve(p, sheet, vals); err != nil {
				return nil, fmt.Errorf("sheet %q, row %d: %w", sheet, row.num, err)
			}
			if p.Sheet == "" && t.none() {
				if other == nil {
					return nil, nil
				}
				t, skip = nil, true
			} else if len(missing) > 0 {
				return nil, missingErr(p, fmt.Sprintf("sheet %q (header on row %d)", sheet, row.num), missing)
			}
			if other != nil {
				if err := other(row); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := fn(t, row, vals); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// rows calls fn for each data row of sheet (see dataRows), and reports
// whether the sheet has the profile's headers.
func (wb *workbook) rows(ctx context.Context, sh bookSheet, p Profile, fn func(t *table, row int, vals []string) error) (bool, error) {
	r, c, err := wb.openSheet(sh, nil)
	if err != nil {
		return false, err
	}
	defer c.Close()
	t, err := wb.dataRows(ctx, sh.name, p, r.next, func(t *table, row *xrow, vals []string) error { return fn(t, row.num, vals) }, nil)
	return t != nil, err
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

func xlsxRows(ctx context.Context, f *os.File, p Profile, maxUnzipped int64, fn func(t *table, index int, vals []string) error) error {
	wb, err := openWorkbook(f, maxUnzipped)
	if err != nil {
		return err
	}
	return wb.each(ctx, p, fn)
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

package registry

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// xlsxTable streams the rows of one sheet of a workbook, token by token,
// so that memory stays small however many rows the sheet has. Cells are
// read raw (unformatted), so that ids are not shown as 1.2E+10 and date
// cells come as serial numbers, which numericDate turns into dates when
// the cell's style is a date format. A formula cell whose result the file
// does not hold, or whose result is an error value (#N/A), is marked so
// that the loader refuses it rather than read it as empty.
type xlsxTable struct {
	pkg      *pkg
	sheet    string
	rc       io.ReadCloser
	dec      *xml.Decoder
	strings  *stringTable
	dates    []bool // by style index: is a date format
	date1904 bool
	row      int
	cur      []cellInfo // the current row's cells
	// limit, once the header is read, is the number of columns the
	// loader reads; cells beyond it are not kept (see limitColumns).
	limit int

	problem *problem
}

// cellInfo is what a cell is besides its text.
type cellInfo struct {
	date     bool // a number in a date-formatted cell
	uncached bool // a formula without a stored result
	errValue bool // an error value such as #N/A or #REF!
}

const workbookFix = "check the path in file:, and that the export is an .xlsx workbook (not .xls or a CSV renamed)"

func openXLSX(path, sheet string, limitMB int) (table, *problem) {
	if limitMB <= 0 {
		limitMB = config.DefaultRegistryMaxUnzippedMB
	}
	p, err := openPkg(path, limitMB)
	var big errTooLarge
	switch {
	case errors.As(err, &big):
		return nil, &problem{"is a workbook that unpacks to " + big.Error() + ", so it is not read",
			"export the registry again (a registry of 10,000 people is a few MB); if it really is this large, raise max_unzipped_mb of this registry in the config, or export it as CSV"}
	case err != nil:
		return nil, &problem{"cannot be opened as an Excel workbook: " + errText(err), workbookFix}
	}
	t := &xlsxTable{pkg: p}
	if pr := t.open(sheet); pr != nil {
		p.close()
		return nil, pr
	}
	return t, nil
}

// open reads the workbook's parts and positions the decoder at the first
// row of the chosen sheet.
func (t *xlsxTable) open(sheet string) *problem {
	bad := func(err error) *problem {
		return &problem{"cannot be read as an Excel workbook: " + errText(err), workbookFix}
	}
	b, err := t.pkg.book()
	if err != nil {
		return bad(err)
	}
	var ref sheetRef
	switch {
	case len(b.sheets) == 0:
		return &problem{"has no sheets", "export the registry again"}
	case sheet == "":
		ref = b.sheets[0]
	default:
		for _, s := range b.sheets {
			if strings.EqualFold(strings.TrimSpace(s.name), strings.TrimSpace(sheet)) {
				ref = s
				break
			}
		}
		if ref.part == "" {
			quoted := make([]string, len(b.sheets))
			for i, s := range b.sheets {
				quoted[i] = strconv.Quote(s.name)
			}
			return &problem{fmt.Sprintf("has no sheet %q", sheet),
				"set sheet: in the config to one of " + strings.Join(quoted, ", ") + ", or leave it out to read the first sheet"}
		}
	}
	t.sheet, t.date1904 = ref.name, b.date1904
	if t.strings, err = t.pkg.sharedStrings(b.strings); err != nil {
		return bad(err)
	}
	if t.dates, err = t.pkg.dateStyles(b.styles); err != nil {
		return bad(err)
	}
	if t.rc, err = t.pkg.open(ref.part); err != nil {
		return bad(err)
	}
	t.dec = newDecoder(t.rc)
	for {
		tok, err := t.dec.Token()
		if err == io.EOF {
			return nil // no sheetData: an empty sheet
		}
		if err != nil {
			return &problem{fmt.Sprintf("sheet %q cannot be read: %s", t.sheet, errText(err)), "export the registry again"}
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "sheetData" {
			return nil
		}
	}
}

// Spreadsheet limits: a cell or row beyond them is a damaged file.
const (
	maxColumns = 16384
	maxRows    = 1048576
)

func (t *xlsxTable) next() (int, []string, bool) {
	fail := func(format string, a ...any) (int, []string, bool) {
		t.problem = &problem{fmt.Sprintf("sheet %q cannot be read after row %d: ", t.sheet, t.row) + fmt.Sprintf(format, a...),
			"export the registry again"}
		return t.row, nil, false
	}
	if t.dec == nil || t.problem != nil {
		return t.row, nil, false
	}
	for {
		tok, err := t.dec.Token()
		if err == io.EOF {
			return t.row, nil, false
		}
		if err != nil {
			return fail("%s", errText(err))
		}
		switch el := tok.(type) {
		case xml.EndElement:
			if el.Name.Local == "sheetData" {
				t.dec = nil
				return t.row, nil, false
			}
		case xml.StartElement:
			if el.Name.Local != "row" {
				if err := t.dec.Skip(); err != nil {
					return fail("%s", errText(err))
				}
				continue
			}
			n := t.row + 1
			if r := attr(el, "r"); r != "" {
				if n, err = strconv.Atoi(r); err != nil || n < 1 || n > maxRows {
					return fail("a row number is not a number from 1 to %d", maxRows)
				}
			}
			t.row = n
			cells, err := t.rowCells()
			if err != nil {
				return fail("row %d: %s", t.row, errText(err))
			}
			return t.row, cells, true
		}
	}
}

// rowCells reads the cells of the row the decoder is in, up to its end.
func (t *xlsxTable) rowCells() ([]string, error) {
	var cells []string
	t.cur = t.cur[:0]
	col := 0
	for {
		tok, err := t.dec.Token()
		if err != nil {
			return nil, err
		}
		switch el := tok.(type) {
		case xml.EndElement:
			if el.Name.Local == "row" {
				return cells, nil
			}
		case xml.StartElement:
			if el.Name.Local != "c" {
				if err := t.dec.Skip(); err != nil {
					return nil, err
				}
				continue
			}
			col++
			if r := attr(el, "r"); r != "" {
				c, _, err := excelize.CellNameToCoordinates(r)
				if err != nil || c > maxColumns {
					return nil, errors.New("a cell reference is not a cell")
				}
				col = c
			}
			if col > maxColumns {
				return nil, errors.New("a row has more columns than a spreadsheet can")
			}
			v, info, err := t.cell(el)
			if err != nil {
				return nil, err
			}
			if v == "" && info == (cellInfo{}) {
				continue // an empty cell, as a styled blank is
			}
			if t.limit > 0 && col > t.limit {
				// Past the columns the loader reads: keep only that
				// the row is not blank, in one cell after them.
				if len(cells) <= t.limit && strings.TrimSpace(v) != "" {
					for len(cells) < t.limit {
						cells = append(cells, "")
						t.cur = append(t.cur, cellInfo{})
					}
					cells = append(cells, v)
					t.cur = append(t.cur, cellInfo{})
				}
				continue
			}
			for len(cells) < col {
				cells = append(cells, "")
				t.cur = append(t.cur, cellInfo{})
			}
			cells[col-1], t.cur[col-1] = v, info
		}
	}
}

// cell reads one <c> element: its value as text, and what it is.
func (t *xlsxTable) cell(start xml.StartElement) (string, cellInfo, error) {
	typ := attr(start, "t")
	var info cellInfo
	var v, inline string
	hasV, hasF := false, false
	for {
		tok, err := t.dec.Token()
		if err != nil {
			return "", info, err
		}
		switch el := tok.(type) {
		case xml.EndElement:
			if el.Name.Local != "c" {
				continue
			}
			switch typ {
			case "s":
				i, err := strconv.Atoi(strings.TrimSpace(v))
				if hasV && (err != nil || i < 0 || i >= t.strings.len()) {
					return "", info, errors.New("a cell refers to a shared string the workbook does not have")
				}
				if hasV {
					v = t.strings.at(i)
				}
			case "inlineStr":
				v, hasV = inline, true
			case "e":
				info.errValue = true
			case "", "n":
				if s, err := strconv.Atoi(attr(start, "s")); err == nil && s >= 0 && s < len(t.dates) {
					info.date = hasV && t.dates[s]
				}
			}
			info.uncached = hasF && !hasV
			return v, info, nil
		case xml.StartElement:
			switch el.Name.Local {
			case "v":
				hasV = true
				if err := t.dec.DecodeElement(&v, &el); err != nil {
					return "", info, err
				}
			case "f":
				hasF = true
				if err := t.dec.Skip(); err != nil {
					return "", info, err
				}
			case "is":
				if inline, err = itemText(t.dec, el); err != nil {
					return "", info, err
				}
			default:
				if err := t.dec.Skip(); err != nil {
					return "", info, err
				}
			}
		}
	}
}

func (t *xlsxTable) err() (*problem, int, int) { return t.problem, 0, 0 }

// limitColumns tells the table that only the first n columns are read
// from now on. A row of a few bytes can name a cell in the last of
// 16,384 columns; without the limit every such row would cost a
// 16,384-cell slice.
func (t *xlsxTable) limitColumns(n int) { t.limit = n }

// fixedWidth: a workbook leaves empty cells out of its rows.
func (t *xlsxTable) fixedWidth() bool { return false }

// cellProblem says why a cell of the current row has no value to read:
// a formula whose result the file does not hold, or an error value.
func (t *xlsxTable) cellProblem(col int) *problem {
	if col >= len(t.cur) {
		return nil
	}
	switch c := t.cur[col]; {
	case c.uncached:
		return &problem{"is a formula whose result the workbook does not hold (it was saved by a program that does not calculate formulas)",
			"open the export in Excel or LibreOffice and save it again, so that every formula's result is stored, or export the registry without formulas"}
	case c.errValue:
		return &problem{"holds an error value (such as #N/A or #REF!), not a value",
			"correct the formula or the value in the spreadsheet, then export the registry again"}
	}
	return nil
}

// numericDate turns a serial number into a date if the cell is formatted
// as a date. A number in a General or number-formatted cell is not taken
// for a date: 2024 typed as a year would otherwise become 16 July 1905.
func (t *xlsxTable) numericDate(_, col int, raw string) (rules.Date, bool) {
	v, err := strconv.ParseFloat(raw, 64)
	// 2958465 is 31-12-9999, Excel's last date.
	if err != nil || v < 1 || v > 2958465 || col >= len(t.cur) || !t.cur[col].date {
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

// isDateFormat reports whether a number format shows numbers as dates:
// one of the built-in date formats (14-17, 22, and the East Asian 27-36,
// 50-58), or a custom format with a day or year part.
func isDateFormat(id int, code string, custom bool) bool {
	if custom {
		return customIsDate(code)
	}
	return id >= 14 && id <= 17 || id == 22 || id >= 27 && id <= 36 || id >= 50 && id <= 58
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
	var err error
	if t.rc != nil {
		err = t.rc.Close()
	}
	if cerr := t.pkg.close(); err == nil {
		err = cerr
	}
	return err
}

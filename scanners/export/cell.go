package export

import (
	"fmt"
	"strconv"
	"time"
)

// CellKind says what a cell holds.
type CellKind int

// Cell kinds. CSV cells are String or Empty; JSON values are String,
// Number, Bool or Empty (null); XLSX cells may be any kind.
const (
	// Empty is a blank cell, or JSON null.
	Empty CellKind = iota
	// String is text in S.
	String
	// Number is N; S holds the number as the file writes it, if known.
	Number
	// Date is T (an XLSX cell with a date format); N holds its serial
	// number and S its raw text, if known.
	Date
	// Bool is B.
	Bool
	// Formula is an XLSX cell computed by a formula; S holds its last
	// computed value as text (N too if it is a number). The formula itself
	// is not passed: a changed formula cell becomes a plain value, never a
	// formula that could compute the original again.
	Formula
)

var cellKindNames = [...]string{"empty", "string", "number", "date", "bool", "formula"}

// String returns the kind's name.
func (k CellKind) String() string {
	if k >= 0 && int(k) < len(cellKindNames) {
		return cellKindNames[k]
	}
	return "CellKind(" + strconv.Itoa(int(k)) + ")"
}

// Cell is the value of one cell of a mapped field column, as Rewrite passes
// it to an edit function and takes it back. A returned cell equal to the
// one passed is left alone (the file keeps its bytes, an XLSX formula
// stays); any other is written in the returned kind: as text in CSV, as a
// JSON value (Empty as null, Date as "yyyy-mm-dd"), as a typed XLSX cell
// (Formula as text in S). Cells hold personal data: never log them.
type Cell struct {
	Kind CellKind
	S    string
	N    float64
	T    time.Time
	B    bool
}

func sameCell(a, b Cell) bool {
	return a.Kind == b.Kind && a.S == b.S && a.N == b.N && a.B == b.B && a.T.Equal(b.T)
}

// textCell is a cell of a text format (CSV).
func textCell(v string) Cell {
	if v == "" {
		return Cell{}
	}
	return Cell{Kind: String, S: v}
}

// cellText is the text a returned cell is written as in a text format.
func cellText(c Cell) string {
	switch c.Kind {
	case String, Formula:
		return c.S
	case Number:
		return strconv.FormatFloat(c.N, 'f', -1, 64)
	case Date:
		return dateText(c.T)
	case Bool:
		return strconv.FormatBool(c.B)
	}
	return ""
}

// dateText writes a date as yyyy-mm-dd, with the time if it has one:
// unambiguous in every locale, unlike 03-04-2024.
func dateText(t time.Time) string {
	if h, m, s := t.Clock(); h == 0 && m == 0 && s == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.DateTime)
}

// Counts says what a Rewrite did.
type Counts struct {
	// Rows is the number of data rows read.
	Rows int
	// Dropped is the number of rows removed.
	Dropped int
	// Changed is the number of cells changed.
	Changed int
}

// editor applies the caller's edit and drop functions and counts.
type editor struct {
	editFn func(row int, sheet, field string, c Cell) (Cell, error)
	dropFn func(row int, sheet string) bool
	// prepared, if set, hears the new version before the rename.
	prepared func(newVersion string) error
	counts   Counts
}

func (e *editor) dropRow(row int, sheet string) bool {
	if e.dropFn != nil && e.dropFn(row, sheet) {
		e.counts.Dropped++
		return true
	}
	return false
}

// editErr is the error of an edit that failed: where, and the field kind
// (never the value).
func (e *editor) editErr(row int, sheet, field string, err error) error {
	return fmt.Errorf("row %s, field %s: %w", where(sheet, row), field, err)
}

// edit returns the cell to write and whether it differs from in.
func (e *editor) edit(row int, sheet, field string, in Cell) (Cell, bool, error) {
	if e.editFn == nil {
		return in, false, nil
	}
	out, err := e.editFn(row, sheet, field, in)
	if err != nil {
		return in, false, e.editErr(row, sheet, field, err)
	}
	if sameCell(in, out) {
		return in, false, nil
	}
	e.counts.Changed++
	return out, true, nil
}

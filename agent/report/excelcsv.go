package report

import (
	"encoding/csv"
	"io"
)

// ExcelCSV writes a CSV file for people to open in Excel (Dutch
// settings): a byte-order mark, semicolons, and every cell escaped so that
// Excel never runs it as a formula (SafeCell). Every CSV the program
// writes for people goes through it, so that a name in a registry or a
// folder such as =HYPERLINK(…) stays text everywhere.
type ExcelCSV struct{ w *csv.Writer }

// NewExcelCSV writes the byte-order mark and returns the writer.
func NewExcelCSV(w io.Writer) (*ExcelCSV, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	c := csv.NewWriter(w)
	c.Comma = ';'
	return &ExcelCSV{w: c}, nil
}

// Write writes one row, each cell escaped.
func (e *ExcelCSV) Write(row []string) error {
	safe := make([]string, len(row))
	for i, v := range row {
		safe[i] = SafeCell(v)
	}
	return e.w.Write(safe)
}

// Flush writes what is buffered and returns the first error of any write.
func (e *ExcelCSV) Flush() error {
	e.w.Flush()
	return e.w.Error()
}

// SafeCell keeps Excel from running a cell as a formula (CSV injection):
// a cell that starts with =, +, -, @, a tab or a carriage return gets a
// leading apostrophe, which Excel shows as text.
func SafeCell(s string) string { return safeCell(s) }

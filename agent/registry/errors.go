package registry

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// MaxErrors is how many problems of one file are listed; the rest are
// counted. A wrong date format usually breaks every row, and a thousand
// lines that say the same help nobody.
const MaxErrors = 20

// Error is one problem in a registry export. It names the file, the row
// and the column as a spreadsheet shows them, and the config key; it never
// holds a cell's value, since that is personal data.
type Error struct {
	Registry string // the registry's name in the config
	File     string
	// Row is the row as a spreadsheet shows it; for a CSV file, the line
	// the record starts on. 0 when the problem is about the whole file.
	Row int
	// Column is 1-based (1 is column A); 0 when not about one column.
	Column int
	Header string // the column's header text, as the config names it
	Fact   string // the config's key under columns:, such as end_of_care
	Msg    string
	Fix    string
}

// Error formats e as: registry "kinderen" (file) row 12, column C
// "Einddatum opvang" (columns.end_of_care): msg; fix: fix.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "registry %q (%s)", e.Registry, e.File)
	if e.Row > 0 {
		fmt.Fprintf(&b, " row %d", e.Row)
	}
	if e.Column > 0 {
		if e.Row > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " column %s", columnName(e.Column))
		if e.Header != "" {
			fmt.Fprintf(&b, " %q", e.Header)
		}
		if e.Fact != "" {
			fmt.Fprintf(&b, " (columns.%s)", e.Fact)
		}
	}
	fmt.Fprintf(&b, ": %s", e.Msg)
	if e.Fix != "" {
		fmt.Fprintf(&b, "; fix: %s", e.Fix)
	}
	return b.String()
}

// columnName returns a spreadsheet's name of column n (1 is "A").
func columnName(n int) string {
	s, err := excelize.ColumnNumberToName(n)
	if err != nil {
		return fmt.Sprint(n)
	}
	return s
}

// Errors is every problem found in one file: the first MaxErrors, and how
// many more there were.
type Errors struct {
	Errs    []*Error
	Omitted int
}

func (e *Errors) add(err *Error) {
	if len(e.Errs) < MaxErrors {
		e.Errs = append(e.Errs, err)
		return
	}
	e.Omitted++
}

// Error lists the problems, one per line.
func (e *Errors) Error() string {
	lines := make([]string, 0, len(e.Errs)+1)
	for _, err := range e.Errs {
		lines = append(lines, err.Error())
	}
	if e.Omitted > 0 {
		lines = append(lines, fmt.Sprintf("and %d more problems in %s", e.Omitted, e.Errs[0].File))
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the listed problems.
func (e *Errors) Unwrap() []error {
	out := make([]error, len(e.Errs))
	for i, err := range e.Errs {
		out[i] = err
	}
	return out
}

func (e *Errors) err() error {
	if len(e.Errs) == 0 {
		return nil
	}
	return e
}

// DuplicateError reports one subject found twice: in two rows of one
// registry, or in two registries of the same subject type. It names both
// sources but not the id, which is personal data.
type DuplicateError struct {
	Type          string // subject type
	First, Second string // Subject.Source of each
}

// Error says where the duplicate is.
func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s has the same %s id as %s; fix: remove one of the two rows, or correct the id",
		e.Second, e.Type, e.First)
}

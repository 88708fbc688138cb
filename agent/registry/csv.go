package registry

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/retentiond/retentiond/rules"
)

// csvTable reads a CSV export. The whole file is read at once: registries
// are small, and the delimiter and encoding are checked before parsing.
type csvTable struct {
	r                *csv.Reader
	data             []byte // the file, for finding where a parse error is
	problem          *problem
	problemRow, pCol int
}

const utf8Fix = `save the export as UTF-8 text (in Excel: "CSV UTF-8 (door komma's gescheiden)")`

func openCSV(path, delimiter string) (table, *problem) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &problem{"cannot be read: " + errText(err), "check the path in file: and the file's permissions"}
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return nil, &problem{fmt.Sprintf("is not UTF-8 text (first at line %d)", line), utf8Fix}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = detectDelimiter(data)
	switch delimiter {
	case ";":
		r.Comma = ';'
	case ",":
		r.Comma = ','
	}
	r.FieldsPerRecord = -1 // exports often drop trailing empty cells
	return &csvTable{r: r, data: data}, nil
}

// errText is an OS error without the path (the caller names the file).
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	// encoding/xml quotes the text at a syntax error (an & in a name
	// gives "invalid character entity &Bakker"): the line only.
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("its XML is malformed at line %d (the text there is not shown: it may be personal data)", se.Line)
	}
	return err.Error()
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// detectDelimiter picks ";" or "," by which occurs more often, outside
// quotes, in the first non-empty line. Dutch Excel writes ";" because ","
// is the decimal separator; most other software writes ",".
func detectDelimiter(data []byte) rune {
	semi, comma, quoted, started := 0, 0, false, false
scan:
	for _, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n' || c == '\r':
			if started {
				break scan
			}
			continue
		case c == ';':
			semi++
		case c == ',':
			comma++
		}
		started = true
	}
	if semi > comma {
		return ';'
	}
	return ','
}

func (t *csvTable) next() (int, []string, bool) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return 0, nil, false
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			t.problemRow, t.pCol = pe.StartLine, fieldAt(t.data, t.r.Comma, pe)
			// Say what csv found without its text, which may quote a cell.
			if errors.Is(pe.Err, csv.ErrQuote) && atEnd(t.data, pe) {
				t.problem = &problem{"the last line is cut off: a quoted cell is not closed before the end of the file",
					"export the registry again; if a value holds a \" it must be doubled (\"\")"}
			} else {
				t.problem = &problem{fmt.Sprintf("the CSV is malformed (%v)", pe.Err),
					"check the quotes on that line: a field with a \" or a line break in it must be enclosed in double quotes, with inner quotes doubled"}
			}
		} else {
			t.problem = &problem{"cannot be read: " + errText(err), "check the file"}
		}
		return 0, nil, false
	}
	line, _ := t.r.FieldPos(0)
	return line, rec, true
}

func (t *csvTable) err() (*problem, int, int) { return t.problem, t.problemRow, t.pCol }

// cellProblem: a CSV cell always holds its text.
func (t *csvTable) cellProblem(int) *problem { return nil }

// fixedWidth: a CSV line has a cell for every column, empty or not.
func (t *csvTable) fixedWidth() bool { return true }

// offsetOf returns the byte offset of line (1-based) and column (1-based
// byte index in the line) in data, as csv.ParseError counts them.
func offsetOf(data []byte, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return len(data)
		}
		off += i + 1
	}
	return min(off+max(col-1, 0), len(data))
}

// atEnd reports whether a parse error was found at the end of the file
// (trailing line ends aside): the last line was cut off.
func atEnd(data []byte, pe *csv.ParseError) bool {
	return len(bytes.TrimRight(data[offsetOf(data, pe.Line, pe.Column):], "\r\n")) == 0
}

// fieldAt returns the 1-based field of a record that a parse error is in:
// the delimiters outside quotes from the record's first line up to the
// place of the error, plus one.
func fieldAt(data []byte, comma rune, pe *csv.ParseError) int {
	from, to := offsetOf(data, pe.StartLine, 1), offsetOf(data, pe.Line, pe.Column)
	field, quoted := 1, false
	for _, c := range string(data[from:to]) {
		switch {
		case c == '"':
			quoted = !quoted
		case c == comma && !quoted:
			field++
		}
	}
	return field
}

// numericDate: a CSV has no date cells; a number in a date column is an
// error.
func (t *csvTable) numericDate(int, int, string) (rules.Date, bool) { return rules.Date{}, false }

func (t *csvTable) close() error { return nil }

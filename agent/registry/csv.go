package registry

import (
	"bytes"
	"encoding/csv"
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
	r       *csv.Reader
	problem *problem
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
	return &csvTable{r: r}, nil
}

// errText is an OS error without the path (the caller names the file).
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
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
			// Say what csv found without its text, which may quote a cell.
			t.problem = &problem{fmt.Sprintf("line %d, column %d: the CSV is malformed (%v)", pe.Line, pe.Column, pe.Err),
				"check the quotes on that line: a field with a \" or a line break in it must be enclosed in double quotes, with inner quotes doubled"}
		} else {
			t.problem = &problem{"cannot be read: " + errText(err), "check the file"}
		}
		return 0, nil, false
	}
	line, _ := t.r.FieldPos(0)
	return line, rec, true
}

func (t *csvTable) err() *problem { return t.problem }

// numericDate: a CSV has no date cells; a number in a date column is an
// error.
func (t *csvTable) numericDate(int, int, string) (rules.Date, bool) { return rules.Date{}, false }

func (t *csvTable) close() error { return nil }

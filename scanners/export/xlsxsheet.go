package export

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// savedTok is a token kept for a row being read or rewritten.
type savedTok struct {
	kind  byte
	name  string
	attrs []xmlAttr
	raw   []byte
}

func save(t *xmlTok) savedTok {
	return savedTok{t.kind, t.name, t.attrs, bytes.Clone(t.raw)}
}

func (t *savedTok) local() string {
	if i := strings.IndexByte(t.name, ':'); i >= 0 {
		return t.name[i+1:]
	}
	return t.name
}

// xcell is one <c> of a row: its tokens and what they say.
type xcell struct {
	col   int // 0-based
	style int
	typ   string // the t attribute: s, str, inlineStr, b, e, d, n or ""
	v     string // <v>'s text
	vb    strings.Builder
	is    string // an inline string's text
	hasV  bool
	hasF  bool
	toks  []savedTok
}

// xrow is one <row> of a sheet: its start tag, and its content as tokens,
// cells among them.
type xrow struct {
	num   int
	start savedTok
	empty bool  // <row/>
	items []any // savedTok or *xcell, in order
	cells []*xcell
}

// maxCols is Excel's column limit (XFD).
const maxCols = 16384

// sheetReader streams a worksheet's rows. Tokens outside <sheetData> go to
// outside (which may be nil); each row goes to the caller of next.
type sheetReader struct {
	sc      *xmlScanner
	sheet   string
	outside func(t *xmlTok) error
	inData  bool
	lastRow int
}

// next returns the next row, or nil at the end of the sheet.
func (r *sheetReader) next() (*xrow, error) {
	for {
		t, err := r.sc.next()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if !r.inData {
			if t.kind == tokStart && t.local() == "sheetData" {
				r.inData = true
			}
			if r.outside != nil {
				if err := r.outside(t); err != nil {
					return nil, err
				}
			}
			continue
		}
		switch {
		case t.kind == tokEnd && t.local() == "sheetData":
			r.inData = false
			if r.outside != nil {
				if err := r.outside(t); err != nil {
					return nil, err
				}
			}
			continue
		case (t.kind == tokStart || t.kind == tokEmpty) && t.local() == "row":
			return r.row(t)
		}
		// Text between rows: whitespace. Nothing else belongs here.
		if t.kind != tokText && t.kind != tokOther {
			return nil, fmt.Errorf("sheet %q: unexpected <%s> in the sheet data", r.sheet, t.name)
		}
	}
}

// row reads a row from its start tag t.
func (r *sheetReader) row(t *xmlTok) (*xrow, error) {
	row := &xrow{start: save(t), empty: t.kind == tokEmpty}
	if v, ok := t.attr("r"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= r.lastRow || n > 1<<20 {
			return nil, fmt.Errorf("sheet %q: row number %q after row %d is not valid", r.sheet, v, r.lastRow)
		}
		row.num = n
	} else {
		row.num = r.lastRow + 1
	}
	r.lastRow = row.num
	if row.empty {
		return row, nil
	}
	var c *xcell
	inV, inIs := false, false
	var si siReader
	lastCol := -1
	for {
		t, err := r.sc.next()
		if err != nil {
			if err == io.EOF {
				err = fmt.Errorf("sheet %q: row %d is not closed", r.sheet, row.num)
			}
			return nil, err
		}
		if c == nil {
			switch {
			case t.kind == tokEnd && t.local() == "row":
				row.items = append(row.items, save(t))
				return row, nil
			case (t.kind == tokStart || t.kind == tokEmpty) && t.local() == "c":
				c = &xcell{col: lastCol + 1}
				if ref, ok := t.attr("r"); ok {
					col, rn, ok := parseRef(ref)
					if !ok || rn != row.num {
						return nil, fmt.Errorf("sheet %q, row %d: cell reference %q is not valid", r.sheet, row.num, ref)
					}
					c.col = col
				}
				if c.col <= lastCol || c.col >= maxCols {
					return nil, fmt.Errorf("sheet %q, row %d: cell %d is out of order or beyond column XFD", r.sheet, row.num, c.col+1)
				}
				lastCol = c.col
				if s, ok := t.attr("s"); ok {
					c.style, _ = strconv.Atoi(s)
				}
				c.typ, _ = t.attr("t")
				c.toks = append(c.toks, save(t))
				if t.kind == tokEmpty {
					row.items = append(row.items, c)
					row.cells = append(row.cells, c)
					c = nil
				}
			default:
				row.items = append(row.items, save(t))
			}
			continue
		}
		c.toks = append(c.toks, save(t))
		switch t.kind {
		case tokStart, tokEmpty:
			switch t.local() {
			case "v":
				inV, c.hasV = t.kind == tokStart, true
			case "f":
				c.hasF = true
			case "is":
				inIs = t.kind == tokStart
				if inIs {
					si.tok(t)
				}
			default:
				if inIs {
					si.tok(t)
				}
			}
		case tokEnd:
			switch {
			case t.local() == "c":
				row.items = append(row.items, c)
				row.cells = append(row.cells, c)
				c, inV, inIs = nil, false, false
			case t.local() == "v":
				inV = false
				c.v = c.vb.String()
			case inIs:
				s, done, err := si.tok(t)
				if err != nil {
					return nil, err
				}
				if done {
					c.is, inIs = s, false
				}
			}
		case tokText:
			switch {
			case inV:
				s, err := t.text()
				if err != nil {
					return nil, fmt.Errorf("sheet %q, row %d: %w", r.sheet, row.num, err)
				}
				if c.vb.Len()+len(s) > maxTok {
					return nil, fmt.Errorf("sheet %q, row %d: a value over %d bytes", r.sheet, row.num, maxTok)
				}
				c.vb.WriteString(s)
			case inIs:
				if _, _, err := si.tok(t); err != nil {
					return nil, err
				}
			}
		}
	}
}

// parseRef reads a cell reference such as "AB12" ($ signs allowed).
func parseRef(ref string) (col, row int, ok bool) {
	ref = strings.ReplaceAll(ref, "$", "")
	i := 0
	for i < len(ref) && i < 4 && ('A' <= ref[i] && ref[i] <= 'Z' || 'a' <= ref[i] && ref[i] <= 'z') {
		c := ref[i] | 0x20
		col = col*26 + int(c-'a'+1)
		i++
	}
	if i == 0 || i == len(ref) || col > maxCols {
		return 0, 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	if err != nil || row < 1 || row > 1<<20 || ref[i] == '+' || ref[i] == '-' {
		return 0, 0, false
	}
	return col - 1, row, true
}

// colName is the letters of a 0-based column.
func colName(col int) string {
	var b [4]byte
	i := len(b)
	for col++; col > 0; col = (col - 1) / 26 {
		i--
		b[i] = byte('A' + (col-1)%26)
	}
	return string(b[i:])
}

// value is the cell's value as scanning reads it: the text of a string,
// the raw number (a date-styled number as a date), a bool's 1 or 0.
func (b *book) value(sheet string, row int, c *xcell) (string, error) {
	switch c.typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(c.v))
		if err != nil {
			return "", fmt.Errorf("sheet %q, cell %s%d: a shared string cell whose value is not a number (not shown: it may be personal data)", sheet, colName(c.col), row)
		}
		s, ok := b.sst.get(i)
		if !ok {
			return "", fmt.Errorf("sheet %q, cell %s%d: shared string %d does not exist", sheet, colName(c.col), row, i)
		}
		return s, nil
	case "inlineStr":
		if !c.hasV {
			return c.is, nil
		}
		return unescapeBstr(c.v), nil
	case "str":
		return unescapeBstr(c.v), nil
	case "b", "e", "d":
		return c.v, nil
	}
	if c.v != "" && b.dateStyled(c.style) {
		if x, err := strconv.ParseFloat(c.v, 64); err == nil {
			if tm, ok := b.serialTime(x); ok {
				return dateText(tm), nil
			}
		}
	}
	return c.v, nil
}

// values is the row's cell values by column.
func (b *book) values(sheet string, row *xrow) ([]string, error) {
	if len(row.cells) == 0 {
		return nil, nil
	}
	vals := make([]string, row.cells[len(row.cells)-1].col+1)
	for _, c := range row.cells {
		v, err := b.value(sheet, row.num, c)
		if err != nil {
			return nil, err
		}
		vals[c.col] = v
	}
	return vals, nil
}

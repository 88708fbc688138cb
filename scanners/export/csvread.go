package export

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxRecord bounds one CSV record (or JSON line). A longer one is nearly
// always an unclosed quote that would otherwise swallow the rest of the
// file into memory.
const maxRecord = 64 << 20

// bom is the UTF-8 byte order mark Excel writes at the start of a CSV.
var bom = []byte{0xEF, 0xBB, 0xBF}

// csvReader splits a CSV stream into records and keeps each record's raw
// bytes and its fields' spans in them, so that a rewrite can copy what it
// does not change byte for byte. It reads RFC 4180 CSV: fields in double
// quotes may hold the delimiter, newlines and doubled quotes; a quote
// inside an unquoted field is kept as a character.
type csvReader struct {
	br    *bufio.Reader
	comma byte
	bom   bool
	next  int // line the next record starts on

	raw    []byte   // the record, with its line ending
	end    int      // length of raw without the line ending
	fields [][2]int // each field's raw span in raw
	line   int      // line the record starts on
}

func newCSVReader(r io.Reader) (*csvReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	c := &csvReader{br: br, next: 1}
	if b, _ := br.Peek(len(bom)); bytes.Equal(b, bom) {
		c.bom = true
		br.Discard(len(bom))
	}
	head, err := br.Peek(br.Size())
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	c.comma = sniffComma(head)
	return c, nil
}

// sniffComma picks the delimiter of the first line: ";" (Dutch Excel) if
// it has more semicolons than commas outside quotes, else ",".
func sniffComma(head []byte) byte {
	semi, comma, quoted := 0, 0, false
	for _, b := range head {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n':
			if semi > comma {
				return ';'
			}
			return ','
		case b == ';':
			semi++
		case b == ',':
			comma++
		}
	}
	if semi > comma {
		return ';'
	}
	return ','
}

// read reads the next record. It returns io.EOF after the last.
func (c *csvReader) read() error {
	_, err := c.readAppend(c.raw[:0])
	return err
}

// readAppend reads the next record, appending its raw bytes to dst, and
// returns the longer slice; c.raw is the record's part of it, until the
// next read. It returns io.EOF after the last record. On an error, what
// it appended is undefined: the caller cuts dst back.
func (c *csvReader) readAppend(dst []byte) ([]byte, error) {
	start := len(dst)
	c.line = c.next
	for {
		chunk, err := c.br.ReadSlice('\n')
		dst = append(dst, chunk...)
		c.raw = dst[start:]
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			if len(c.raw) > maxRecord {
				return dst, fmt.Errorf("line %d: a record is longer than %d MiB, probably because a quote is not closed; fix: check the quotes on that line, or export again", c.line, maxRecord>>20)
			}
			continue
		case errors.Is(err, io.EOF):
			if len(c.raw) == 0 {
				return dst, io.EOF
			}
		case err != nil:
			return dst, err
		}
		done, perr := c.split()
		if perr != nil {
			return dst, perr
		}
		if done {
			c.next += bytes.Count(c.raw, []byte{'\n'})
			if c.end == len(c.raw) {
				c.next++ // the last line, without a line ending
			}
			return dst, nil
		}
		if errors.Is(err, io.EOF) {
			return dst, fmt.Errorf("line %d: a quoted field is not closed before the end of the file; fix: check the quotes on that line, or export again", c.line)
		}
		if len(c.raw) > maxRecord {
			return dst, fmt.Errorf("line %d: a record is longer than %d MiB, probably because a quote is not closed; fix: check the quotes on that line, or export again", c.line, maxRecord>>20)
		}
	}
}

// split finds the fields of c.raw. It returns false if a quoted field runs
// past the end: the record goes on on the next line.
func (c *csvReader) split() (bool, error) {
	end := len(c.raw)
	if end > 0 && c.raw[end-1] == '\n' {
		end--
		if end > 0 && c.raw[end-1] == '\r' {
			end--
		}
	}
	content := c.raw[:end]
	c.end = end
	c.fields = c.fields[:0]
	pos := 0
	for {
		if pos < end && content[pos] == '"' {
			i := pos + 1
			for {
				j := bytes.IndexByte(content[i:], '"')
				if j < 0 {
					return false, nil
				}
				i += j + 1
				if i < end && content[i] == '"' {
					i++
					continue
				}
				break
			}
			if i < end && content[i] != c.comma {
				return false, fmt.Errorf("line %d, field %d: a quoted field goes on after its closing quote; fix: double the quotes inside the field (\"\"), or export again",
					c.line+bytes.Count(content[:i], []byte{'\n'}), len(c.fields)+1)
			}
			c.fields = append(c.fields, [2]int{pos, i})
			if i >= end {
				return true, nil
			}
			pos = i + 1
			continue
		}
		j := bytes.IndexByte(content[pos:], c.comma)
		if j < 0 {
			c.fields = append(c.fields, [2]int{pos, end})
			return true, nil
		}
		c.fields = append(c.fields, [2]int{pos, pos + j})
		pos += j + 1
	}
}

// field returns the raw text of field i, quotes included.
func (c *csvReader) field(i int) []byte { return c.raw[c.fields[i][0]:c.fields[i][1]] }

// value returns the value of field i: unquoted, with doubled quotes undone.
func (c *csvReader) value(i int) string {
	f := c.field(i)
	if len(f) >= 2 && f[0] == '"' {
		f = f[1 : len(f)-1]
		if bytes.IndexByte(f, '"') >= 0 {
			return string(bytes.ReplaceAll(f, []byte(`""`), []byte(`"`)))
		}
	}
	return string(f)
}

// quoted reports whether field i is in quotes.
func (c *csvReader) quoted(i int) bool {
	f := c.field(i)
	return len(f) >= 2 && f[0] == '"'
}

// values returns every field's value.
func (c *csvReader) values() []string {
	out := make([]string, len(c.fields))
	for i := range c.fields {
		out[i] = c.value(i)
	}
	return out
}

// isBlank reports whether every field of the record is empty or spaces.
func (c *csvReader) isBlank() bool {
	for i := range c.fields {
		f := c.field(i)
		if len(f) >= 2 && f[0] == '"' {
			f = f[1 : len(f)-1]
		}
		if len(bytes.TrimSpace(f)) > 0 {
			return false
		}
	}
	return true
}

// appendField appends v as a CSV field, quoted if it must be or if the
// field it replaces was.
func appendField(dst []byte, v string, comma byte, quote bool) []byte {
	if !quote {
		for i := 0; i < len(v); i++ {
			if b := v[i]; b == comma || b == '"' || b == '\n' || b == '\r' {
				quote = true
				break
			}
		}
	}
	if !quote {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, v[i])
	}
	return append(dst, '"')
}

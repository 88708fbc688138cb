package export

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
)

// csvRows calls fn for each data row of a CSV export: every non-blank
// record after the header, which is the first non-blank record.
func csvRows(ctx context.Context, r io.Reader, p Profile, fn func(t *table, index int, vals []string) error) error {
	c, err := newCSVReader(r)
	if err != nil {
		return err
	}
	var t *table
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := c.read(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		if c.isBlank() {
			continue
		}
		if t == nil {
			if t, err = csvHeader(c, p); err != nil {
				return err
			}
			continue
		}
		if err := fn(t, c.line, c.values()); err != nil {
			return err
		}
	}
	return nil
}

func csvHeader(c *csvReader, p Profile) (*table, error) {
	t, missing, err := resolve(p, "", c.values())
	if err != nil {
		return nil, fmt.Errorf("line %d: %w", c.line, err)
	}
	if len(missing) > 0 {
		return nil, missingErr(p, fmt.Sprintf("the header on line %d", c.line), missing)
	}
	return t, nil
}

// csvRewrite copies a CSV export from r to w, dropping and editing rows.
// Records it does not change are copied byte for byte, as are the BOM,
// the line endings, blank lines and the fields of a changed record that
// did not change; a changed field keeps its quotes if it had them. It
// holds one record in memory at a time.
func csvRewrite(ctx context.Context, r io.Reader, w *bufio.Writer, p Profile, ed *editor) error {
	c, err := newCSVReader(r)
	if err != nil {
		return err
	}
	if c.bom {
		w.Write(bom)
	}
	var t *table
	var out []byte
	changed := make([]bool, 0, 16)
	newVals := make([]string, 0, 16)
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := c.read(); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if t == nil || c.isBlank() {
			if t == nil && !c.isBlank() {
				if t, err = csvHeader(c, p); err != nil {
					return err
				}
			}
			w.Write(c.raw)
			continue
		}
		ed.counts.Rows++
		if ed.dropRow(c.line, "") {
			continue
		}
		changed, newVals = changed[:0], newVals[:0]
		edited := false
		for _, f := range t.fields {
			if f.col < 0 || f.col >= len(c.fields) {
				continue
			}
			outCell, ok, err := ed.edit(c.line, "", f.kind, textCell(c.value(f.col)))
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			for len(changed) <= f.col {
				changed, newVals = append(changed, false), append(newVals, "")
			}
			changed[f.col], newVals[f.col] = true, cellText(outCell)
			edited = true
		}
		if !edited {
			w.Write(c.raw)
			continue
		}
		out = out[:0]
		for i := range c.fields {
			if i > 0 {
				out = append(out, c.comma)
			}
			if i < len(changed) && changed[i] {
				out = appendField(out, newVals[i], c.comma, c.quoted(i))
			} else {
				out = append(out, c.field(i)...)
			}
		}
		w.Write(append(out, c.raw[c.end:]...))
	}
}

package export

import (
	"bufio"
	"context"
	"errors"
	"io"
)

// csvRewriteSerial is csvRewrite as it was before the pipeline: one
// record at a time, in one goroutine. The tests hold the pipeline to its
// output, counts and errors.
func csvRewriteSerial(ctx context.Context, r io.Reader, w *bufio.Writer, p Profile, ed *editor) error {
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

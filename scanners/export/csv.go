package export

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
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
// holds a few batches of records in memory at a time, and runs ed's
// callbacks on runtime.GOMAXPROCS(0) goroutines (see csvRecords).
func csvRewrite(ctx context.Context, r io.Reader, w *bufio.Writer, p Profile, ed *editor) error {
	return csvRewriteWith(ctx, r, w, p, ed, csvBatchRows, runtime.GOMAXPROCS(0))
}

// csvRewriteWith is csvRewrite with batches of batchRows records and
// workers goroutines.
func csvRewriteWith(ctx context.Context, r io.Reader, w *bufio.Writer, p Profile, ed *editor, batchRows, workers int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, err := newCSVReader(r)
	if err != nil {
		return err
	}
	if c.bom {
		w.Write(bom)
	}
	// Blank lines before the header, and the header.
	for n := 1; ; n++ {
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
		if c.isBlank() {
			w.Write(c.raw)
			continue
		}
		t, err := csvHeader(c, p)
		if err != nil {
			return err
		}
		w.Write(c.raw)
		first := newCSVBatch()
		first.fill(ctx, c, batchRows)
		return csvRecords(ctx, c, w, t, ed, first, batchRows, workers)
	}
}

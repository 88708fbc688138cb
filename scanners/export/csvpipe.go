package export

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"unicode/utf8"
)

// A CSV rewrite reads records in batches. With more than one CPU and more
// records than fit in one batch, the batches go through a pipeline: one
// goroutine reads and splits them, workers run drop and edit on them and
// build their output (the keyed pseudonyms cost far more than the
// reading), and the calling goroutine writes them in input order. The
// batch size bounds the memory: csvInFlight batches at most exist, a few
// MiB however large the file. Batches of a few hundred records keep the
// hand-overs between goroutines (each a possible wake-up of a thread)
// few.
const (
	csvBatchRows  = 512       // records in a batch, at most
	csvBatchBytes = 256 << 10 // a batch ends after the record that reaches this size
)

// csvInFlight is the number of batches a pipeline of workers workers
// uses: enough for each worker to have one while the reader fills one
// and the writer writes one, and slack for uneven batches and for a
// stage whose thread the system puts aside for a moment (on a busy
// machine), during which the others go on with the batches in hand.
func csvInFlight(workers int) int { return 3*workers + 2 }

// csvRec is one record of a batch.
type csvRec struct {
	line        int // the line it starts on
	start, stop int // its raw bytes in the batch's buf, line ending included
	end         int // the length of its raw bytes without the line ending
	f0, f1      int // its fields' spans in the batch's spans, relative to start
}

// csvBatch is a run of consecutive records, copied out of the reader, and
// once a worker has been at it, their output and counts. A batch is
// reused: the writer hands it back to the reader when it is written.
type csvBatch struct {
	buf   []byte
	recs  []csvRec
	spans [][2]int
	// last says that no batch follows: the reader reached the end of the
	// file, or readErr.
	last    bool
	readErr error

	// Set by the worker.
	out      []byte
	counts   Counts
	err      error // the first edit error; the batch's later records are not edited
	panicked any   // what edit or drop panicked with, to panic with again in the caller's goroutine
	ready    chan struct{}
}

func newCSVBatch() *csvBatch { return &csvBatch{ready: make(chan struct{}, 1)} }

// fill reads the next records into b, resetting it first.
func (b *csvBatch) fill(ctx context.Context, c *csvReader, maxRows int) {
	b.buf, b.recs, b.spans = b.buf[:0], b.recs[:0], b.spans[:0]
	b.last, b.readErr = false, nil
	if err := ctx.Err(); err != nil {
		b.last, b.readErr = true, err
		return
	}
	// The reader reads each record straight into the batch's buf; after
	// the batch, its raw must not point there, where a plain read would
	// write over the batch.
	defer func() { c.raw = nil }()
	for len(b.recs) < maxRows && len(b.buf) < csvBatchBytes {
		start, f0 := len(b.buf), len(b.spans)
		buf, err := c.readAppend(b.buf)
		if err != nil {
			b.buf = buf[:start]
			b.last = true
			if !errors.Is(err, io.EOF) {
				b.readErr = err
			}
			return
		}
		b.buf = buf
		b.spans = append(b.spans, c.fields...)
		b.recs = append(b.recs, csvRec{line: c.line, start: start, stop: len(b.buf), end: c.end, f0: f0, f1: len(b.spans)})
	}
}

// csvEditor runs drop and edit on the records of a batch. Each worker has
// its own: it counts into its own copy of the editor, so that the counts
// are summed, in order, by the writer alone.
type csvEditor struct {
	t       *table
	ed      editor
	rec     csvReader // the record at hand: raw, end, fields, line and comma
	changed []bool
	newVals []string

	batch *csvBatch // the batch at hand
	index int       // rec's index in the batch
	// text holds the values of the batch's mapped fields, unquoted, one
	// after another, made when edit first needs a value: the values are
	// substrings of it, one allocation a batch rather than one a field,
	// and a copy of the mapped fields only, not of every record. (An edit
	// that holds on to a value holds the batch's text in memory with it:
	// a few hundred records' mapped fields.) spans[i*len(t.fields)+j] is
	// where the value of record i's field j is in text; scratch is the
	// buffer text is built in.
	text    string
	spans   [][2]int
	scratch []byte
}

func newCSVEditor(t *table, comma byte, ed *editor) *csvEditor {
	return &csvEditor{
		t:   t,
		ed:  editor{editFn: ed.editFn, dropFn: ed.dropFn},
		rec: csvReader{comma: comma},
	}
}

// process sets b's output, counts and error.
func (e *csvEditor) process(b *csvBatch) {
	e.ed.counts = Counts{}
	e.batch, e.text = b, ""
	b.out, b.err, b.panicked = b.out[:0], nil, nil
	for i := range b.recs {
		r := &b.recs[i]
		e.index = i
		e.rec.raw, e.rec.end, e.rec.fields, e.rec.line = b.buf[r.start:r.stop], r.end, b.spans[r.f0:r.f1], r.line
		var err error
		if b.out, err = e.record(b.out); err != nil {
			b.err = err
			break
		}
	}
	b.counts = e.ed.counts
	e.batch, e.text = nil, ""
}

// run is process for a worker goroutine: a panic in edit or drop is
// handed to the writer, which panics with it in the caller's goroutine,
// as the rewrite did when it ran there.
func (e *csvEditor) run(b *csvBatch) {
	defer func() {
		if p := recover(); p != nil {
			b.panicked = p
		}
	}()
	e.process(b)
}

// record appends the output of the record at hand to out: nothing if it
// is dropped, its raw bytes if it is blank or unchanged, else its fields,
// changed ones as edit returned them.
func (e *csvEditor) record(out []byte) ([]byte, error) {
	c := &e.rec
	if !hasText(c.raw[:c.end], c.comma) && c.isBlank() {
		return append(out, c.raw...), nil
	}
	e.ed.counts.Rows++
	if e.ed.dropRow(c.line, "") {
		return out, nil
	}
	if e.ed.editFn == nil {
		return append(out, c.raw...), nil
	}
	// changed and newVals are indexed by column; the columns this record
	// changes are set, and cleared again once it is written.
	if len(e.changed) < len(c.fields) {
		e.changed, e.newVals = make([]bool, len(c.fields)), make([]string, len(c.fields))
	}
	edited := false
	for j, f := range e.t.fields {
		if f.col < 0 || f.col >= len(c.fields) {
			continue
		}
		// editor.edit, by hand: this runs for every mapped cell.
		in := textCell(e.value(j))
		outCell, err := e.ed.editFn(c.line, "", f.kind, in)
		if err != nil {
			e.clear()
			return out, e.ed.editErr(c.line, "", f.kind, err)
		}
		if sameCell(in, outCell) {
			continue
		}
		e.ed.counts.Changed++
		e.changed[f.col], e.newVals[f.col] = true, cellText(outCell)
		edited = true
	}
	if !edited {
		return append(out, c.raw...), nil
	}
	for i := range c.fields {
		if i > 0 {
			out = append(out, c.comma)
		}
		if e.changed[i] {
			out = appendField(out, e.newVals[i], c.comma, c.quoted(i))
		} else {
			out = append(out, c.field(i)...)
		}
	}
	e.clear()
	return append(out, c.raw[c.end:]...), nil
}

// clear resets changed and newVals for the next record.
func (e *csvEditor) clear() {
	for _, f := range e.t.fields {
		if f.col >= 0 && f.col < len(e.changed) {
			e.changed[f.col], e.newVals[f.col] = false, ""
		}
	}
}

// hasText reports whether content has an ASCII character other than the
// delimiter, a quote or white space: a quick proof, for nearly every
// record, that it is not blank. Without one, isBlank decides.
func hasText(content []byte, comma byte) bool {
	for _, b := range content {
		switch b {
		case comma, '"', ' ', '\t', '\n', '\v', '\f', '\r':
			continue
		}
		return b < utf8.RuneSelf
	}
	return false
}

// value is csvReader.value of the record at hand's mapped field j (its
// column e.t.fields[j].col, which it has), as a substring of the batch's
// text.
func (e *csvEditor) value(j int) string {
	if e.text == "" {
		e.values()
	}
	sp := e.spans[e.index*len(e.t.fields)+j]
	return e.text[sp[0]:sp[1]]
}

// values makes the batch's text and spans: the value of every mapped
// field every record has, quotes removed and doubled quotes undone.
func (e *csvEditor) values() {
	b := e.batch
	e.scratch, e.spans = e.scratch[:0], e.spans[:0]
	for i := range b.recs {
		r := &b.recs[i]
		raw, fields := b.buf[r.start:r.stop], b.spans[r.f0:r.f1]
		for _, f := range e.t.fields {
			start := len(e.scratch)
			if f.col >= 0 && f.col < len(fields) {
				v := raw[fields[f.col][0]:fields[f.col][1]]
				if len(v) >= 2 && v[0] == '"' {
					e.scratch = appendUnquoted(e.scratch, v[1:len(v)-1])
				} else {
					e.scratch = append(e.scratch, v...)
				}
			}
			e.spans = append(e.spans, [2]int{start, len(e.scratch)})
		}
	}
	e.text = string(e.scratch)
	if e.text == "" {
		e.text = " " // made: every value is empty
	}
}

// appendUnquoted appends the content of a quoted field, v without its
// quotes, to dst with its doubled quotes undone.
func appendUnquoted(dst, v []byte) []byte {
	for {
		i := bytes.IndexByte(v, '"')
		if i < 0 {
			return append(dst, v...)
		}
		dst = append(dst, v[:i+1]...)
		v = v[i+1:]
		if len(v) > 0 && v[0] == '"' {
			v = v[1:]
		}
	}
}

// put writes a processed batch and adds its counts. It returns the
// batch's edit error, or else the error the reader stopped at.
func putCSVBatch(w *bufio.Writer, ed *editor, b *csvBatch) error {
	ed.counts.Rows += b.counts.Rows
	ed.counts.Dropped += b.counts.Dropped
	ed.counts.Changed += b.counts.Changed
	if b.err != nil {
		return b.err
	}
	w.Write(b.out)
	return b.readErr
}

// csvRecords rewrites the data records of c, from the one after the
// header on, first already read into the batch first. It runs the
// batches one after another in the calling goroutine if first is the
// last or workers is 1, else through a pipeline of workers goroutines.
func csvRecords(ctx context.Context, c *csvReader, w *bufio.Writer, t *table, ed *editor, first *csvBatch, batchRows, workers int) error {
	if first.last || workers <= 1 {
		e := newCSVEditor(t, c.comma, ed)
		for b := first; ; b.fill(ctx, c, batchRows) {
			e.process(b)
			if err := putCSVBatch(w, ed, b); err != nil || b.last {
				return err
			}
		}
	}
	n := csvInFlight(workers)
	free := make(chan *csvBatch, n)
	for range n - 1 {
		free <- newCSVBatch()
	}
	// work and order hold every batch at most once: sends to them never
	// block.
	work, order := make(chan *csvBatch, n), make(chan *csvBatch, n)
	done := make(chan struct{}) // closed when the writer stops early
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(order)
		defer close(work)
		for b := first; ; {
			order <- b
			work <- b
			if b.last {
				return
			}
			select {
			case b = <-free:
			case <-done:
				return
			}
			b.fill(ctx, c, batchRows)
		}
	})
	for range workers {
		wg.Go(func() {
			e := newCSVEditor(t, c.comma, ed)
			for b := range work {
				select {
				case <-done: // the rewrite failed: no use editing more rows
				default:
					e.run(b)
				}
				b.ready <- struct{}{}
			}
		})
	}
	var err error
	var panicked any
	for b := range order {
		<-b.ready
		if b.panicked != nil {
			panicked = b.panicked
			break
		}
		if err = putCSVBatch(w, ed, b); err != nil {
			break
		}
		free <- b
	}
	close(done)
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
	return err
}

package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// lineReader reads lines of any length up to maxRecord, with their line
// endings, numbering them from 1.
type lineReader struct {
	br   *bufio.Reader
	buf  []byte
	line int
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

func (l *lineReader) read() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.br.ReadSlice('\n')
		l.buf = append(l.buf, chunk...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			if len(l.buf) > maxRecord {
				return nil, fmt.Errorf("line %d is longer than %d MiB; fix: export again", l.line+1, maxRecord>>20)
			}
			continue
		case errors.Is(err, io.EOF) && len(l.buf) == 0:
			return nil, io.EOF
		case err != nil && !errors.Is(err, io.EOF):
			return nil, err
		}
		l.line++
		return l.buf, nil
	}
}

// jsonlRewrite copies a JSON-lines export from r to w, line by line,
// dropping and editing objects; other lines are copied byte for byte.
func jsonlRewrite(ctx context.Context, r io.Reader, w *bufio.Writer, p Profile, ed *editor) error {
	lr := newLineReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := lr.read()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		lead := len(line) - len(bytes.TrimLeft(line, " \t\r\n"))
		obj := bytes.TrimSpace(line)
		if len(obj) == 0 {
			w.Write(line)
			continue
		}
		out, keep, err := editElement(p, ed, lr.line, obj)
		if err != nil {
			return fmt.Errorf("line %d: %w", lr.line, err)
		}
		if !keep {
			continue
		}
		w.Write(line[:lead])
		w.Write(out)
		w.Write(line[lead+len(obj):])
	}
}

// editElement decides one object: it returns the object to write (obj if
// unchanged) and false if the row is dropped. Blank objects are not rows
// (Scan does not list them) and are kept as they are.
func editElement(p Profile, ed *editor, index int, obj []byte) ([]byte, bool, error) {
	_, _, vals, err := objectRow(p, obj)
	if err != nil {
		return nil, false, err
	}
	if blank(vals) {
		return obj, true, nil
	}
	ed.counts.Rows++
	if ed.dropRow(index, "") {
		return nil, false, nil
	}
	out, _, err := editObject(p, ed, index, obj)
	return out, true, err
}

// spanReader remembers the bytes read through it from offset base on, so
// that a json.Decoder's offsets can be mapped back to the original text.
type spanReader struct {
	r    io.Reader
	buf  []byte
	base int64
}

func (s *spanReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.buf = append(s.buf, p[:n]...)
	return n, err
}

func (s *spanReader) span(a, b int64) []byte { return s.buf[a-s.base : b-s.base] }

// discard forgets the bytes before offset to.
func (s *spanReader) discard(to int64) {
	n := to - s.base
	s.buf = s.buf[:copy(s.buf, s.buf[n:])]
	s.base = to
}

// jsonRewrite copies a JSON array export from r to w, streaming element by
// element: the text between elements, unchanged elements and unchanged
// values in changed ones are copied byte for byte. A dropped element goes
// with the separator before it (or, for the first kept, after it).
func jsonRewrite(ctx context.Context, r io.Reader, w *bufio.Writer, p Profile, ed *editor) error {
	sr := &spanReader{r: r}
	dec := json.NewDecoder(sr)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return errors.New("is not a JSON array of objects; fix: export the rows as a JSON array, or name a JSON-lines file .jsonl")
	}
	prevEnd := dec.InputOffset()
	w.Write(sr.span(0, prevEnd))
	sr.discard(prevEnd)
	var lead []byte // the text between "[" and the first element
	wrote := false
	for i := 1; dec.More(); i++ {
		if i&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("element %d: %w", i, jsonErr(err))
		}
		end := dec.InputOffset()
		start := end - int64(len(raw))
		sep := sr.span(prevEnd, start)
		if i == 1 {
			lead = bytes.Clone(sep)
		}
		out, keep, err := editElement(p, ed, i, raw)
		if err != nil {
			return fmt.Errorf("element %d: %w", i, err)
		}
		if keep {
			if wrote {
				w.Write(sep)
			} else {
				w.Write(lead)
			}
			w.Write(out)
			wrote = true
		}
		prevEnd = end
		sr.discard(end)
	}
	if _, err := dec.Token(); err != nil {
		return jsonErr(err)
	}
	w.Write(sr.buf[prevEnd-sr.base:])
	_, err := io.Copy(w, sr.r)
	return err
}

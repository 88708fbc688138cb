package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// member is one key of a JSON object and the span of its value in the
// object's bytes.
type member struct {
	key        string
	start, end int
}

// members lists obj's keys in order, with their values' spans.
func members(obj []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("is not a JSON object; fix: export the rows as objects ({\"header\": value, ...})")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonErr(err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonErr(err)
		}
		end := int(dec.InputOffset())
		out = append(out, member{key: key, start: end - len(raw), end: end})
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonErr(err)
	}
	return out, nil
}

// jsonErr keeps the offset and kind of a JSON error, which say where and
// what without quoting the data.
func jsonErr(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("invalid JSON at byte %d; fix: export again", syn.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the JSON ends too early (a truncated export?); fix: export again")
	}
	return err
}

// jsonText is a JSON value as text: strings unquoted, null empty, others
// as written.
func jsonText(raw []byte) string {
	switch {
	case len(raw) == 0 || raw[0] == 'n':
		return ""
	case raw[0] == '"':
		var s string
		json.Unmarshal(raw, &s)
		return s
	}
	return string(raw)
}

// jsonCell is a JSON value as a Cell. Objects and arrays come as String
// with their JSON text.
func jsonCell(raw []byte) Cell {
	switch {
	case len(raw) == 0 || raw[0] == 'n':
		return Cell{}
	case raw[0] == '"':
		return textCell(jsonText(raw))
	case raw[0] == 't' || raw[0] == 'f':
		return Cell{Kind: Bool, B: raw[0] == 't'}
	case raw[0] == '{' || raw[0] == '[':
		return Cell{Kind: String, S: string(raw)}
	}
	n, _ := strconv.ParseFloat(string(raw), 64)
	return Cell{Kind: Number, N: n, S: string(raw)}
}

// jsonValue is the JSON a returned cell is written as.
func jsonValue(c Cell) ([]byte, error) {
	switch c.Kind {
	case String, Formula:
		return jsonString(c.S), nil
	case Number:
		if math.IsNaN(c.N) || math.IsInf(c.N, 0) {
			return nil, errors.New("the edit returned a number JSON cannot hold (NaN or infinity)")
		}
		return strconv.AppendFloat(nil, c.N, 'f', -1, 64), nil
	case Date:
		return jsonString(dateText(c.T)), nil
	case Bool:
		return strconv.AppendBool(nil, c.B), nil
	}
	return []byte("null"), nil
}

func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
}

// objectRow reads obj as a row: its keys as the header, resolved against
// the profile.
func objectRow(p Profile, obj []byte) (*table, []member, []string, error) {
	ms, err := members(obj)
	if err != nil {
		return nil, nil, nil, err
	}
	keys := make([]string, len(ms))
	vals := make([]string, len(ms))
	for i, m := range ms {
		keys[i], vals[i] = m.key, jsonText(obj[m.start:m.end])
	}
	t, _, err := resolve(p, "", keys)
	if err != nil {
		return nil, nil, nil, err
	}
	return t, ms, vals, nil
}

// jsonObjects calls fn with each object of a JSON array (index from 1) or
// of a JSON-lines file (the line number), streaming.
func jsonObjects(ctx context.Context, r io.Reader, lines bool, fn func(index int, obj []byte) error) error {
	if lines {
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
			obj := bytes.TrimSpace(line)
			if len(obj) == 0 {
				continue
			}
			if err := fn(lr.line, obj); err != nil {
				return err
			}
		}
	}
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return errors.New("is not a JSON array of objects; fix: export the rows as a JSON array, or name a JSON-lines file .jsonl")
	}
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
		if err := fn(i, raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return jsonErr(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("has more after the JSON array; fix: export again")
	}
	return nil
}

// jsonRowsOf calls fn for each object of a JSON or JSON-lines export. A
// first pass checks that every header of the profile is a key of some
// object (exports leave out empty keys, so not every object has all).
func jsonRowsOf(ctx context.Context, r io.ReadSeeker, p Profile, lines bool, fn func(t *table, index int, vals []string) error) error {
	unit := "element"
	if lines {
		unit = "line"
	}
	seen := make(map[string]bool)
	n := 0
	err := jsonObjects(ctx, r, lines, func(i int, obj []byte) error {
		ms, err := members(obj)
		if err != nil {
			return fmt.Errorf("%s %d: %w", unit, i, err)
		}
		for _, m := range ms {
			seen[normHeader(m.key)] = true
		}
		n++
		return nil
	})
	if err != nil || n == 0 {
		return err
	}
	var missing []string
	for _, h := range p.headers() {
		if !seen[normHeader(h)] {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		return missingErr(p, "no object in the file", missing)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return jsonObjects(ctx, r, lines, func(i int, obj []byte) error {
		t, _, vals, err := objectRow(p, obj)
		if err != nil {
			return fmt.Errorf("%s %d: %w", unit, i, err)
		}
		if blank(vals) {
			return nil
		}
		return fn(t, i, vals)
	})
}

func jsonRows(ctx context.Context, r io.ReadSeeker, p Profile, fn func(t *table, index int, vals []string) error) error {
	return jsonRowsOf(ctx, r, p, false, fn)
}

func jsonlRows(ctx context.Context, r io.ReadSeeker, p Profile, fn func(t *table, index int, vals []string) error) error {
	return jsonRowsOf(ctx, r, p, true, fn)
}

// editObject applies ed to the mapped keys of obj, row index, and returns
// obj with only the changed values replaced.
func editObject(p Profile, ed *editor, index int, obj []byte) ([]byte, bool, error) {
	t, ms, _, err := objectRow(p, obj)
	if err != nil {
		return nil, false, err
	}
	repl := make(map[int][]byte)
	for _, f := range t.fields {
		if f.col < 0 {
			continue
		}
		m := ms[f.col]
		out, ok, err := ed.edit(index, "", f.kind, jsonCell(obj[m.start:m.end]))
		if err != nil {
			return nil, false, err
		}
		if !ok {
			continue
		}
		if repl[f.col], err = jsonValue(out); err != nil {
			return nil, false, fmt.Errorf("row %d, field %s: %w", index, f.kind, err)
		}
	}
	if len(repl) == 0 {
		return obj, false, nil
	}
	var b []byte
	prev := 0
	for i, m := range ms {
		if v, ok := repl[i]; ok {
			b = append(b, obj[prev:m.start]...)
			b = append(b, v...)
			prev = m.end
		}
	}
	return append(b, obj[prev:]...), true, nil
}

package export

import (
	"fmt"
	"github.com/retentiond/retentiond/ids"
	"strconv"
	"strings"

	"github.com/retentiond/retentiond/scanners"
)

// table is where a profile's columns are in one header: a CSV file's, an
// XLSX sheet's, or one JSON object's keys.
type table struct {
	sheet   string
	cols    []string // the header as the file writes it
	subject int      // column index, or -1
	date    int      // column index, or -1
	fields  []fieldCol
}

// fieldCol is a mapped field's column, in FieldKinds order.
type fieldCol struct {
	kind string
	col  int // -1 if the header lacks it
}

// resolve finds p's columns in cols. A header that two columns share is an
// error: we would not know which one to change. Missing headers are
// returned, in profile order, for the caller to judge.
func resolve(p Profile, sheet string, cols []string) (*table, []string, error) {
	idx := make(map[string]int, len(cols))
	for i, c := range cols {
		k := normHeader(c)
		if k == "" {
			continue
		}
		if _, dup := idx[k]; dup {
			idx[k] = -2
			continue
		}
		idx[k] = i
	}
	var missing []string
	find := func(h string) (int, error) {
		i, ok := idx[normHeader(h)]
		switch {
		case !ok:
			missing = append(missing, h)
			return -1, nil
		case i == -2:
			return -1, fmt.Errorf("has two columns headed %q; fix: rename one in the export, or export again", h)
		}
		return i, nil
	}
	t := &table{sheet: sheet, cols: cols, date: -1}
	var err error
	if t.subject, err = find(p.SubjectColumn); err != nil {
		return nil, nil, err
	}
	if p.DateColumn != "" {
		if t.date, err = find(p.DateColumn); err != nil {
			return nil, nil, err
		}
	}
	for _, k := range p.fieldKinds() {
		h := p.Fields[k]
		var c int
		if normHeader(h) == normHeader(p.SubjectColumn) {
			c = t.subject
		} else if p.DateColumn != "" && normHeader(h) == normHeader(p.DateColumn) {
			c = t.date
		} else if c, err = find(h); err != nil {
			return nil, nil, err
		}
		t.fields = append(t.fields, fieldCol{kind: k, col: c})
	}
	return t, missing, nil
}

// missingErr says which configured headers a file (or sheet) lacks.
func missingErr(p Profile, where string, missing []string) error {
	q := make([]string, len(missing))
	for i, m := range missing {
		q[i] = strconv.Quote(m)
	}
	return fmt.Errorf("%s has no column headed %s, which profile %q needs; fix: check the headers in the export's first row and correct the profile (built-in profiles guess their headers: see PROFILES.md)",
		where, strings.Join(q, ", "), p.Name)
}

// record builds the record of data row index, whose values are vals
// (parallel to t.cols; shorter if the row is).
func (t *table) record(file string, st fileStamp, index int, vals []string) scanners.Record {
	get := func(i int) string {
		if i < 0 || i >= len(vals) {
			return ""
		}
		return strings.TrimSpace(vals[i])
	}
	row := &scanners.Row{File: file, Sheet: t.sheet, Index: index, Subject: get(t.subject), Date: get(t.date)}
	for _, f := range t.fields {
		v := get(f.col)
		if v == "" {
			continue
		}
		row.Fields = append(row.Fields, f.kind)
		row.Values = append(row.Values, v)
		if k, ok := checked[f.kind]; ok && !k.Valid(v) && !looksPseudonymised(v) {
			row.Invalid = append(row.Invalid, f.kind)
		}
	}
	return scanners.Record{ID: rowID(file, t.sheet, index), Kind: scanners.KindRow, ModTime: st.mtime, Version: st.version, Row: row}
}

// blank reports whether a row has no value at all: such rows are not
// records (exports end with them, and spreadsheets hold them).
func blank(vals []string) bool {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// rowID is a row's record ID: "<file>#<index>", or "<file>#<sheet>!<index>"
// for XLSX.
func rowID(file, sheet string, index int) string {
	if sheet != "" {
		return file + "#" + sheet + "!" + strconv.Itoa(index)
	}
	return file + "#" + strconv.Itoa(index)
}

// parseID splits a record ID into a file, and for a row its sheet and
// index. ok is false for an ID that names a file (no row).
func parseID(id string) (file, sheet string, index int, ok bool) {
	for i := 0; i < len(id); i++ {
		if id[i] != '#' {
			continue
		}
		f, rest := id[:i], id[i+1:]
		format, known := formatOf(f)
		if !known {
			continue
		}
		sh := ""
		if format == formatXLSX {
			j := strings.LastIndexByte(rest, '!')
			if j <= 0 {
				continue
			}
			sh, rest = rest[:j], rest[j+1:]
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 || strconv.Itoa(n) != rest {
			continue
		}
		return f, sh, n, true
	}
	return id, "", 0, false
}

// checked are the field kinds whose values are validated as Dutch
// identifiers: a BSN column full of values that fail the 11-test is
// probably mapped to the wrong column, and the plan says so.
var checked = map[string]ids.Kind{
	FieldBSN: ids.BSN, FieldIBAN: ids.IBAN, FieldPostcode: ids.Postcode, FieldEmail: ids.Email, FieldPhone: ids.Phone,
}

// looksPseudonymised reports whether v is what pseudonymisation leaves in
// a field (a keyed token, a mask, a generalised postcode): not an invalid
// identifier.
func looksPseudonymised(v string) bool {
	if strings.Contains(v, "*") {
		return true
	}
	if len(v) == 4 && strings.Trim(v, "0123456789") == "" {
		return true
	}
	prefix, rest, ok := strings.Cut(v, "-")
	return ok && prefix != "" && strings.ToUpper(prefix) == prefix && len(rest) == 8 && strings.Trim(rest, "0123456789ABCDEF") == ""
}

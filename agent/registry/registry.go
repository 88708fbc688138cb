// Package registry reads the lifecycle facts of data subjects (end of care,
// end of employment, waiting list, consent...) from the CSV and XLSX
// exports an organisation's administration software writes, as a config's
// registries: section maps them.
//
// A registry that cannot be read completely is not read at all: Load
// returns no subjects and every problem found, because planning on half a
// registry would treat the missing people as unknown and their records as
// unlinked. Errors name the file, row, column and config key, never a
// cell's value.
package registry

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// table is a CSV or XLSX file read row by row.
type table interface {
	// next returns the next row's number (as a spreadsheet shows it; for
	// CSV, the line the record starts on) and its cells; ok is false at
	// the end or on a read error, which err then returns.
	next() (row int, cells []string, ok bool)
	// err returns the read error that ended next, and the row and
	// column (1-based; 0 when not known) where it was found.
	err() (p *problem, row, col int)
	// cellProblem says why the cell at col (0-based) of the current row
	// holds no value to read, such as a formula whose result the file
	// does not store; nil if it does.
	cellProblem(col int) *problem
	// fixedWidth reports whether every row must have a cell for every
	// header column (CSV, where a missing cell means a cut-off line),
	// rather than leaving empty cells out (XLSX).
	fixedWidth() bool
	// numericDate reads a cell that holds a number as a date, if the
	// cell is a spreadsheet date cell; ok is false otherwise.
	numericDate(row, col int, raw string) (d rules.Date, ok bool)
	close() error
}

// column is a configured fact and where it is in the file.
type column struct {
	fact   string
	header string
	kind   rules.FactKind
	index  int // 0-based
}

// loader reads one registry.
type loader struct {
	r    config.Registry
	loc  *time.Location
	errs *Errors
}

func (l *loader) fail(row, col int, c *column, msg, fix string) {
	e := &Error{Registry: l.r.Name, File: l.r.File, Row: row, Column: col, Msg: msg, Fix: fix}
	if c != nil {
		e.Header, e.Fact = c.header, c.fact
	}
	l.errs.add(e)
}

// Load reads the subjects of one registry. Dates in timestamps with a zone
// are taken in loc. On any problem it returns nil subjects and an *Errors.
func Load(r config.Registry, loc *time.Location) ([]*rules.Subject, error) {
	l := &loader{r: r, loc: loc, errs: &Errors{}}
	if loc == nil {
		l.loc = time.UTC
	}
	facts, ok := rules.SubjectFacts[r.SubjectType()]
	if !ok {
		l.fail(0, 0, nil, fmt.Sprintf("%q is not a subject type", r.Subject), "correct subject: in the config")
		return nil, l.errs
	}
	var t table
	var p *problem
	switch strings.ToLower(filepath.Ext(r.File)) {
	case ".csv":
		t, p = openCSV(r.File, r.Delimiter)
	case ".xlsx":
		t, p = openXLSX(r.File, r.Sheet, r.MaxUnzippedMB)
	default:
		p = &problem{"is not a .csv or .xlsx file", "export the registry as CSV or as an Excel workbook (.xlsx)"}
	}
	if p != nil {
		l.fail(0, 0, nil, p.msg, p.fix)
		return nil, l.errs
	}
	defer t.close()
	subjects := l.read(t, facts)
	if err := l.errs.err(); err != nil {
		return nil, err
	}
	return subjects, nil
}

func (l *loader) read(t table, facts map[string]rules.FactKind) []*rules.Subject {
	headerRow, header, ok := nextNonEmpty(t)
	if !ok {
		if p, row, col := t.err(); p != nil {
			l.fail(row, col, nil, p.msg, p.fix)
		} else {
			l.fail(0, 0, nil, "has no header row (the file or sheet is empty)", "export the registry again, with column headers in the first row")
		}
		return nil
	}
	cols := l.mapHeader(headerRow, header, facts)
	if cols == nil {
		return nil
	}
	if lt, ok := t.(interface{ limitColumns(int) }); ok {
		n := 0
		for _, c := range cols {
			n = max(n, c.index+1)
		}
		lt.limitColumns(n)
	}
	var out []*rules.Subject
	firstRow := map[string]int{} // id -> row, for duplicates
	for {
		row, cells, ok := nextNonEmpty(t)
		if !ok {
			break
		}
		if t.fixedWidth() && !l.fullRow(row, cells, header, cols) {
			continue
		}
		s := l.subject(t, row, cells, cols)
		if s == nil {
			continue
		}
		if prev, dup := firstRow[s.ID]; dup {
			l.fail(row, cols[0].index+1, &cols[0], fmt.Sprintf("has the same id as row %d", prev),
				"each person must have one row: remove the duplicate row or correct the id")
			continue
		}
		firstRow[s.ID] = row
		out = append(out, s)
	}
	if p, row, col := t.err(); p != nil {
		l.fail(row, col, headerColumn(col, header, cols), p.msg, p.fix)
	}
	return out
}

// nextNonEmpty skips rows whose cells are all blank.
func nextNonEmpty(t table) (int, []string, bool) {
	for {
		row, cells, ok := t.next()
		if !ok {
			return row, nil, false
		}
		if slices.ContainsFunc(cells, func(c string) bool { return strings.TrimSpace(c) != "" }) {
			return row, cells, true
		}
	}
}

func normHeader(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// mapHeader finds each configured column in the header row; the id column
// comes first in the result. It returns nil if any is missing.
func (l *loader) mapHeader(row int, header []string, facts map[string]rules.FactKind) []column {
	keys := make([]string, 0, len(l.r.Columns))
	for k := range l.r.Columns {
		if k != "id" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	keys = append([]string{"id"}, keys...)
	var cols []column
	bad := false
	for _, fact := range keys {
		want, ok := l.r.Columns[fact]
		kind, known := facts[fact]
		c := column{fact: fact, header: want, kind: kind, index: -1}
		switch {
		case !ok:
			l.fail(row, 0, &c, "the config maps no id column", "add id: under columns: in the config")
			bad = true
			continue
		case !known:
			l.fail(row, 0, &c, fmt.Sprintf("%s is not a fact of subject type %s", fact, l.r.Subject),
				"use one of "+strings.Join(rules.FactNames(l.r.SubjectType()), ", "))
			bad = true
			continue
		}
		for i, h := range header {
			if normHeader(h) != normHeader(want) {
				continue
			}
			if c.index >= 0 {
				l.fail(row, i+1, &c, fmt.Sprintf("the header row has column %q twice (columns %s and %s)", want, columnName(c.index+1), columnName(i+1)),
					"rename or remove one of the two columns in the export")
				bad = true
				break
			}
			c.index = i
		}
		if c.index < 0 {
			l.fail(row, 0, &c, fmt.Sprintf("the header row has no column %q (columns.%s in the config)", want, fact),
				"check that row "+fmt.Sprint(row)+" of the export holds the column headers and that columns."+fact+" in the config spells the header as the export does (case and spaces do not matter)")
			bad = true
			continue
		}
		cols = append(cols, c)
	}
	if bad {
		return nil
	}
	return cols
}

// subject builds one subject from a row, or reports its problems and
// returns nil.
func (l *loader) subject(t table, row int, cells []string, cols []column) *rules.Subject {
	s := &rules.Subject{
		Type:   l.r.SubjectType(),
		Dates:  map[rules.Event]rules.Date{},
		Flags:  map[string]bool{},
		Source: fmt.Sprintf("registry %q row %d", l.r.Name, row),
	}
	ok := true
	for i := range cols {
		c := &cols[i]
		v := ""
		if c.index < len(cells) {
			v = strings.TrimSpace(cells[c.index])
		}
		if p := t.cellProblem(c.index); p != nil {
			l.fail(row, c.index+1, c, "the cell "+p.msg, p.fix)
			ok = false
			continue
		}
		switch {
		case c.fact == "id":
			if v == "" {
				l.fail(row, c.index+1, c, "the row has no id", "fill in the id, or delete the row if it is not a person (such as a totals row)")
				ok = false
			}
			s.ID = v
		case c.fact == "name":
			s.Name = v
		case c.kind == rules.DateFact:
			// The column is there even when the cell is empty: an empty
			// end date then says "not ended" (rules.Subject.Recorded).
			if s.Recorded == nil {
				s.Recorded = map[rules.Event]bool{}
			}
			s.Recorded[rules.Event(c.fact)] = true
			d, p := l.date(t, row, c.index, v)
			if p != nil {
				l.fail(row, c.index+1, c, "the cell "+p.msg, p.fix)
				ok = false
			} else if !d.IsZero() {
				s.Dates[rules.Event(c.fact)] = d
			}
		case c.kind == rules.FlagFact:
			b, p := parseFlag(v)
			if p != nil {
				l.fail(row, c.index+1, c, "the cell "+p.msg, p.fix)
				ok = false
			}
			s.Flags[c.fact] = b
		}
	}
	if !ok {
		return nil
	}
	return s
}

// date reads a date cell: text as Dutch exports write it, or a spreadsheet
// date cell.
func (l *loader) date(t table, row, col int, v string) (rules.Date, *problem) {
	if isNumber(v) {
		if d, ok := t.numericDate(row, col, v); ok {
			return d, nil
		}
		return rules.Date{}, &problem{"holds a number, not a date",
			"format the column as a date in the spreadsheet, or write the date as dd-mm-yyyy; leave the cell empty if it is not known"}
	}
	return parseDate(v, l.loc)
}

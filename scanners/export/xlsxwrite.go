package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// xlsxRewrite rewrites an XLSX export as a stream: each worksheet is read
// and written row by row, never whole, and every other part of the
// workbook is copied as it is (compressed bytes and all), so that other
// sheets, styles, column widths and formats stay.
//
// In the profile's sheets, dropped rows are left out and the rows below
// move up (their numbers, cell references, merged cells, hyperlinks,
// conditional formats, data validations, auto filters and tables follow);
// a changed cell is written anew in its style (text as an inline string).
// Formulas stay, but their cached results are cleared in every sheet, as
// one may hold a copy of a changed or dropped value; the workbook is set
// to compute them again when opened, and its calculation chain (which
// lists formula cells by position) is left out for Excel to rebuild.
// Shared strings no cell uses any more (a changed or dropped value) are
// blanked, so that no copy of them stays in the file. Formulas that
// referred to a dropped row are not changed.
func xlsxRewrite(ctx context.Context, src *os.File, w *bufio.Writer, p Profile, maxUnzipped int64, ed *editor) error {
	wb, err := openWorkbook(src, maxUnzipped)
	if err != nil {
		return err
	}
	mine, err := wb.sheets(p)
	if err != nil {
		return err
	}
	rw := &bookWriter{wb: wb, zw: zip.NewWriter(w), ed: ed, p: p, drops: map[string][]int{},
		used: make([]uint64, (len(wb.sst.ends)+63)/64)}
	anyData := false
	for _, sh := range wb.book.sheets {
		edit := slices.Contains(mine, sh)
		ok, err := rw.sheet(ctx, sh, edit)
		if err != nil {
			return err
		}
		anyData = anyData || ok && edit
	}
	if !anyData && wb.sawData {
		return missingErr(p, "no sheet of the workbook", p.headers())
	}
	if ed.counts.Dropped == 0 && ed.counts.Changed == 0 {
		return nil // nothing to write: the file is left alone
	}
	if err := rw.rest(); err != nil {
		return err
	}
	if err := rw.zw.Close(); err != nil {
		return fmt.Errorf("writing the workbook: %w", bare(err))
	}
	return nil
}

// bookWriter writes the new workbook.
type bookWriter struct {
	wb    *workbook
	zw    *zip.Writer
	ed    *editor
	p     Profile
	drops map[string][]int // dropped row numbers, ascending, by sheet part
	used  []uint64         // shared strings some cell still uses
	buf   bytes.Buffer
}

func (rw *bookWriter) markUsed(c *xcell) {
	if c.typ != "s" {
		return
	}
	if i, err := strconv.Atoi(strings.TrimSpace(c.v)); err == nil && i >= 0 && i/64 < len(rw.used) {
		rw.used[i/64] |= 1 << (i % 64)
	}
}

func (rw *bookWriter) isUsed(i int) bool {
	return i/64 < len(rw.used) && rw.used[i/64]&(1<<(i%64)) != 0
}

// create starts a new entry like e, to be compressed anew.
func (rw *bookWriter) create(e *zip.File) (io.Writer, error) {
	return rw.zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: e.Modified, Comment: e.Comment})
}

// sheet writes one worksheet: the profile's data rows edited and dropped
// if edit, and in any case formula results cleared and shared strings
// marked. It reports whether the sheet had the profile's headers.
func (rw *bookWriter) sheet(ctx context.Context, sh bookSheet, edit bool) (bool, error) {
	e := rw.wb.parts[sh.part]
	out, err := rw.create(e)
	if err != nil {
		return false, err
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	var drops []int
	var merges []savedTok // a <mergeCells> block, held to fix its count
	inMerges := false
	outside := func(t *xmlTok) error {
		if len(drops) == 0 {
			_, err := bw.Write(t.raw)
			return err
		}
		switch l := t.local(); {
		case t.kind == tokStart && l == "mergeCells":
			inMerges, merges = true, []savedTok{save(t)}
			return nil
		case inMerges && t.kind == tokEnd && l == "mergeCells":
			inMerges = false
			return rw.writeMerges(bw, append(merges, save(t)), drops)
		case inMerges:
			merges = append(merges, save(t))
			return nil
		}
		st := save(t)
		_, err := bw.Write(shiftedTag(&st, drops))
		return err
	}
	r, closer, err := rw.wb.openSheet(sh, outside)
	if err != nil {
		return false, err
	}
	defer closer.Close()
	emit := func(row *xrow) error {
		rw.writeRow(bw, row, row.num-len(drops), nil, drops)
		return nil
	}
	var t *table
	if edit {
		t, err = rw.wb.dataRows(ctx, sh.name, rw.p, r.next, func(t *table, row *xrow, _ []string) error {
			rw.ed.counts.Rows++
			if rw.ed.dropRow(row.num, sh.name) {
				drops = append(drops, row.num)
				return nil
			}
			changed, err := rw.editRow(t, sh.name, row)
			if err != nil {
				return err
			}
			rw.writeRow(bw, row, row.num-len(drops), changed, drops)
			return nil
		}, emit)
		if err != nil {
			return false, err
		}
	} else {
		for n := 0; ; n++ {
			if n&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return false, err
				}
			}
			row, err := r.next()
			if err != nil {
				return false, fmt.Errorf("sheet %q cannot be read (%v); fix: export again", sh.name, err)
			}
			if row == nil {
				break
			}
			emit(row)
		}
	}
	if err := bw.Flush(); err != nil {
		return false, fmt.Errorf("writing the workbook: %w", bare(err))
	}
	if len(drops) > 0 {
		rw.drops[sh.part] = drops
	}
	return t != nil, nil
}

// editRow asks the editor about every mapped cell of a data row and
// returns the new cells by column, for those it changed.
func (rw *bookWriter) editRow(t *table, sheet string, row *xrow) (map[int]Cell, error) {
	var changed map[int]Cell
	for _, f := range t.fields {
		if f.col < 0 {
			continue
		}
		c := row.cell(f.col)
		in := rw.cellOf(sheet, row.num, c)
		out, ok, err := rw.ed.edit(row.num, sheet, f.kind, in)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if changed == nil {
			changed = map[int]Cell{}
		}
		if in.Kind == Date && in.N != 0 && out.Kind == Date {
			// A date-formatted number: keep the format, change the number.
			out = Cell{Kind: Number, N: excelSerial(out.T, rw.wb.date1904)}
		}
		changed[f.col] = out
	}
	return changed, nil
}

// cell returns the row's cell in column col, or nil.
func (row *xrow) cell(col int) *xcell {
	i, ok := slices.BinarySearchFunc(row.cells, col, func(c *xcell, col int) int { return c.col - col })
	if !ok {
		return nil
	}
	return row.cells[i]
}

// cellOf is a cell as the editor sees it, typed by its XLSX type and
// format.
func (rw *bookWriter) cellOf(sheet string, row int, c *xcell) Cell {
	if c == nil {
		return Cell{}
	}
	raw, err := rw.wb.value(sheet, row, c)
	if err != nil {
		raw = c.v
	}
	num := func(k Cell) Cell {
		if n, err := strconv.ParseFloat(c.v, 64); err == nil {
			k.N = n
		}
		return k
	}
	if c.hasF {
		return num(Cell{Kind: Formula, S: c.v})
	}
	if raw == "" {
		return Cell{}
	}
	switch c.typ {
	case "b":
		return Cell{Kind: Bool, B: c.v == "1" || strings.EqualFold(c.v, "true")}
	case "d":
		if tm, err := time.Parse(time.RFC3339Nano, c.v); err == nil {
			return Cell{Kind: Date, T: tm, S: c.v}
		}
		return Cell{Kind: String, S: raw}
	case "", "n":
		n, err := strconv.ParseFloat(c.v, 64)
		if err != nil {
			return Cell{Kind: String, S: raw}
		}
		if rw.wb.dateStyled(c.style) {
			if tm, ok := rw.wb.serialTime(n); ok {
				return Cell{Kind: Date, T: tm, N: n, S: c.v}
			}
		}
		return Cell{Kind: Number, N: n, S: c.v}
	}
	return Cell{Kind: String, S: raw}
}

// writeRow writes a row as row number num, with the cells of changed
// replaced (or added, in column order), formula results cleared, and the
// shared strings of the cells kept marked as used.
func (rw *bookWriter) writeRow(w *bufio.Writer, row *xrow, num int, changed map[int]Cell, drops []int) {
	shifted := num != row.num
	if shifted {
		writeTag(w, &row.start, map[string]string{"r": strconv.Itoa(num)})
	} else {
		w.Write(row.start.raw)
	}
	if row.empty {
		return
	}
	var added []int // columns of changed cells the row did not have
	for col := range changed {
		if row.cell(col) == nil {
			added = append(added, col)
		}
	}
	slices.Sort(added)
	addUpTo := func(col int) {
		for len(added) > 0 && added[0] < col {
			rw.newCell(w, added[0], num, -1, changed[added[0]])
			added = added[1:]
		}
	}
	for _, it := range row.items {
		switch x := it.(type) {
		case *xcell:
			addUpTo(x.col)
			if out, ok := changed[x.col]; ok {
				style := -1
				if _, has := x.toks[0].attr("s"); has {
					style = x.style
				}
				rw.newCell(w, x.col, num, style, out)
				continue
			}
			rw.markUsed(x)
			writeCell(w, x, num, shifted, drops)
		case savedTok:
			if x.kind == tokEnd && x.local() == "row" {
				addUpTo(maxCols)
			}
			w.Write(x.raw)
		}
	}
}

func (t *savedTok) attr(n string) (string, bool) {
	tok := xmlTok{attrs: t.attrs}
	return tok.attr(n)
}

// writeCell writes an unchanged cell: as it was, but in row num, and
// without a formula's cached result.
func writeCell(w *bufio.Writer, c *xcell, num int, shifted bool, drops []int) {
	strip := c.hasF && c.hasV
	inV := false
	for i := range c.toks {
		t := &c.toks[i]
		switch {
		case i == 0 && (shifted || strip):
			set := map[string]string{}
			if shifted {
				set["r"] = colName(c.col) + strconv.Itoa(num)
			}
			if strip {
				set["t"] = "" // the type was the cached result's
			}
			writeTag(w, t, set)
			continue
		case strip && t.local() == "v" && t.kind == tokStart:
			inV = true
			continue
		case strip && t.local() == "v" && t.kind == tokEmpty:
			continue
		case inV:
			if t.kind == tokEnd && t.local() == "v" {
				inV = false
			}
			continue
		case shifted && t.local() == "f" && (t.kind == tokStart || t.kind == tokEmpty):
			if ref, ok := t.attr("ref"); ok {
				if nr, ok := shiftSqref(ref, drops); ok {
					writeTag(w, t, map[string]string{"ref": nr})
					continue
				}
			}
		}
		w.Write(t.raw)
	}
}

// newCell writes a changed cell in column col of row num, in style (-1:
// none).
func (rw *bookWriter) newCell(w *bufio.Writer, col, num, style int, out Cell) {
	b := &rw.buf
	b.Reset()
	b.WriteString(`<c r="`)
	b.WriteString(colName(col))
	b.WriteString(strconv.Itoa(num))
	b.WriteByte('"')
	if style >= 0 {
		fmt.Fprintf(b, ` s="%d"`, style)
	}
	text := func(s string) {
		b.WriteString(` t="inlineStr"><is><t xml:space="preserve">`)
		escapeXML(b, s)
		b.WriteString(`</t></is></c>`)
	}
	switch out.Kind {
	case Empty:
		b.WriteString("/>")
	case String, Formula:
		text(out.S)
	case Number:
		b.WriteString("><v>")
		b.WriteString(strconv.FormatFloat(out.N, 'f', -1, 64))
		b.WriteString("</v></c>")
	case Date:
		text(dateText(out.T))
	case Bool:
		v := "0"
		if out.B {
			v = "1"
		}
		b.WriteString(` t="b"><v>` + v + `</v></c>`)
	}
	w.Write(b.Bytes())
}

// writeTag writes a start or empty tag with some attributes set ("" drops
// one); attributes not there yet are added.
func writeTag(w io.Writer, t *savedTok, set map[string]string) {
	var b bytes.Buffer
	b.WriteByte('<')
	b.WriteString(t.name)
	done := map[string]bool{}
	for _, a := range t.attrs {
		v := a.value
		if nv, ok := set[a.name]; ok {
			v, done[a.name] = nv, true
			if nv == "" {
				continue
			}
		}
		b.WriteByte(' ')
		b.WriteString(a.name)
		b.WriteString(`="`)
		escapeXML(&b, v)
		b.WriteByte('"')
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range set {
			if !yield(k) {
				return
			}
		}
	}) {
		if !done[k] && set[k] != "" {
			fmt.Fprintf(&b, ` %s="`, k)
			escapeXML(&b, set[k])
			b.WriteByte('"')
		}
	}
	if t.kind == tokEmpty {
		b.WriteString("/>")
	} else {
		b.WriteByte('>')
	}
	w.Write(b.Bytes())
}

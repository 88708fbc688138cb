package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
)

type zipFile = zip.File

// shiftRow is row r's number once the rows of drops (ascending) are gone.
func shiftRow(r int, drops []int, inclusive bool) int {
	n := sort.SearchInts(drops, r)
	if inclusive && n < len(drops) && drops[n] == r {
		n++
	}
	return r - n
}

// shiftRange moves a range ("A2:C5", "B3", "A:A", "2:4") as the rows of
// drops go: ok is false if all its rows went.
func shiftRange(ref string, drops []int) (string, bool) {
	a, b, isRange := strings.Cut(ref, ":")
	if !isRange {
		b = a
	}
	ca, ra, okA := splitRef(a)
	cb, rb, okB := splitRef(b)
	if !okA || !okB || ra == 0 || rb == 0 {
		return ref, true // whole columns, or not a reference: unchanged
	}
	top, bottom := shiftRow(ra, drops, false), shiftRow(rb, drops, true)
	if bottom < top {
		return "", false
	}
	if !isRange {
		return ca + strconv.Itoa(top), true
	}
	return ca + strconv.Itoa(top) + ":" + cb + strconv.Itoa(bottom), true
}

// splitRef splits "$A$12" into "$A$" and 12; a reference without a row
// gives row 0.
func splitRef(ref string) (string, int, bool) {
	i := strings.IndexAny(ref, "0123456789")
	if i < 0 {
		return ref, 0, true
	}
	n, err := strconv.Atoi(ref[i:])
	if err != nil || n < 1 {
		return "", 0, false
	}
	return ref[:i], n, true
}

// shiftSqref shifts a space-separated list of ranges; ok is false if all
// went.
func shiftSqref(sqref string, drops []int) (string, bool) {
	var out []string
	for _, r := range strings.Fields(sqref) {
		if nr, ok := shiftRange(r, drops); ok {
			out = append(out, nr)
		}
	}
	return strings.Join(out, " "), len(out) > 0
}

// refAttrs are the attributes holding ranges, by element, in the parts of
// a sheet after its rows and in tables.
var refAttrs = map[string]string{
	"dimension": "ref", "mergeCell": "ref", "hyperlink": "ref", "autoFilter": "ref", "table": "ref",
	"conditionalFormatting": "sqref", "dataValidation": "sqref", "protectedRange": "sqref", "selection": "sqref",
}

// shiftedTag is a token's bytes with its range attribute moved as the rows
// of drops go. A range all of whose rows went keeps its first row.
func shiftedTag(t *savedTok, drops []int) []byte {
	if t.kind != tokStart && t.kind != tokEmpty {
		return t.raw
	}
	name, ok := refAttrs[t.local()]
	if !ok {
		return t.raw
	}
	v, ok := t.attr(name)
	if !ok {
		return t.raw
	}
	nv, ok := shiftSqref(v, drops)
	if !ok {
		first, _, _ := strings.Cut(strings.Fields(v + " x")[0], ":")
		col, r, _ := splitRef(first)
		nv = col + strconv.Itoa(max(1, shiftRow(r, drops, false)))
	}
	var b bytes.Buffer
	writeTag(&b, t, map[string]string{name: nv})
	return b.Bytes()
}

// writeMerges writes a <mergeCells> block with its merges moved, those in
// dropped rows left out, and its count fixed.
func (rw *bookWriter) writeMerges(w io.Writer, toks []savedTok, drops []int) error {
	var kept [][]byte
	for _, t := range toks[1 : len(toks)-1] {
		if t.local() == "mergeCell" && (t.kind == tokStart || t.kind == tokEmpty) {
			ref, _ := t.attr("ref")
			nr, ok := shiftRange(ref, drops)
			if !ok || !strings.Contains(nr, ":") || func() bool { a, b, _ := strings.Cut(nr, ":"); return a == b }() {
				continue
			}
			var b bytes.Buffer
			t.kind = tokEmpty // <mergeCell ...></mergeCell> is written <mergeCell .../>
			writeTag(&b, &t, map[string]string{"ref": nr})
			kept = append(kept, b.Bytes())
			continue
		}
		if t.kind == tokText {
			kept = append(kept, t.raw)
		}
	}
	n := 0
	for _, k := range kept {
		if bytes.HasPrefix(k, []byte("<")) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	writeTag(w, &toks[0], map[string]string{"count": strconv.Itoa(n)})
	for _, k := range kept {
		w.Write(k)
	}
	_, err := w.Write(toks[len(toks)-1].raw)
	return err
}

// rest writes the parts other than worksheets: the shared strings with
// those no cell uses blanked, the workbook set to compute formulas when
// opened, without its calculation chain, tables moved as their sheet's
// rows went; every other part copied as it is.
func (rw *bookWriter) rest() error {
	wb := rw.wb
	sheetParts := map[string]bool{}
	for _, sh := range wb.book.sheets {
		sheetParts[sh.part] = true
	}
	wbPart, _ := wb.officeDocument()
	calcChain := ""
	if rels, err := wb.rels(relsOf(wbPart), path.Dir(wbPart)); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/calcChain") {
				calcChain = r.target
			}
		}
	}
	tableDrops := map[string][]int{}
	for part, drops := range rw.drops {
		rels, err := wb.rels(relsOf(part), path.Dir(part))
		if err != nil {
			return err
		}
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/table") {
				tableDrops[r.target] = drops
			}
		}
	}
	for _, e := range wb.zr.File {
		name := strings.TrimPrefix(e.Name, "/")
		var err error
		switch {
		case sheetParts[name]:
			continue
		case name == calcChain:
			continue
		case name == wb.sstPart:
			err = rw.transform(e, rw.blankUnused())
		case name == "[Content_Types].xml":
			err = rw.transform(e, dropElement("Override", "PartName", "/"+calcChain))
		case name == relsOf(wbPart):
			err = rw.transform(e, dropElement("Relationship", "Target", path.Base(calcChain)))
		case name == wbPart:
			err = rw.transform(e, fullCalcOnLoad())
		case tableDrops[name] != nil:
			drops := tableDrops[name]
			err = rw.transform(e, func(w io.Writer, t *xmlTok) error {
				st := save(t)
				_, err := w.Write(shiftedTag(&st, drops))
				return err
			})
		default:
			err = rw.copyRaw(e)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// copyRaw copies a part as it is, compressed bytes and all.
func (rw *bookWriter) copyRaw(f *zipFile) error {
	r, err := f.OpenRaw()
	if err != nil {
		return fmt.Errorf("part %s cannot be read (%v); fix: export again", f.Name, bare(err))
	}
	h := f.FileHeader
	out, err := rw.zw.CreateRaw(&h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		return fmt.Errorf("part %s cannot be copied (%v)", f.Name, bare(err))
	}
	return nil
}

// transform writes part e through fn, token by token.
func (rw *bookWriter) transform(e *zipFile, fn func(w io.Writer, t *xmlTok) error) error {
	out, err := rw.create(e)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	if err := rw.wb.eachTok(e, func(t *xmlTok) error { return fn(bw, t) }); err != nil {
		return err
	}
	return bw.Flush()
}

// blankUnused copies the shared strings, writing those no cell uses any
// more as empty strings: indexes stay, the text goes.
func (rw *bookWriter) blankUnused() func(w io.Writer, t *xmlTok) error {
	i, skip := -1, false
	return func(w io.Writer, t *xmlTok) error {
		l := t.local()
		switch {
		case skip:
			if t.kind == tokEnd && l == "si" {
				skip = false
			}
			return nil
		case t.kind == tokEmpty && l == "si":
			i++
		case t.kind == tokStart && l == "si":
			i++
			if !rw.isUsed(i) {
				skip = true
				_, err := io.WriteString(w, "<si><t/></si>")
				return err
			}
		}
		_, err := w.Write(t.raw)
		return err
	}
}

// dropElement copies a part without the empty element name whose attr
// ends with value (nothing is dropped when value is "/" or "").
func dropElement(name, attr, value string) func(w io.Writer, t *xmlTok) error {
	return func(w io.Writer, t *xmlTok) error {
		if value != "" && value != "/" && value != "." && t.kind == tokEmpty && t.local() == name {
			if v, _ := t.attr(attr); strings.HasSuffix(v, value) {
				return nil
			}
		}
		_, err := w.Write(t.raw)
		return err
	}
}

// fullCalcOnLoad sets the workbook to compute every formula when opened:
// the existing <calcPr> gets fullCalcOnLoad="1", or one is added where the
// schema has it (before the elements that follow it).
func fullCalcOnLoad() func(w io.Writer, t *xmlTok) error {
	after := map[string]bool{"oleSize": true, "customWorkbookViews": true, "pivotCaches": true, "smartTagPr": true,
		"smartTagTypes": true, "webPublishing": true, "fileRecoveryPr": true, "webPublishObjects": true, "extLst": true}
	done, depth := false, 0
	return func(w io.Writer, t *xmlTok) error {
		switch t.kind {
		case tokStart:
			depth++
		case tokEnd:
			depth--
		}
		l := t.local()
		switch {
		case !done && (t.kind == tokStart || t.kind == tokEmpty) && l == "calcPr":
			done = true
			st := save(t)
			writeTag(w, &st, map[string]string{"fullCalcOnLoad": "1"})
			return nil
		case !done && (t.kind == tokStart && depth == 2 || t.kind == tokEmpty && depth == 1) && after[l],
			!done && t.kind == tokEnd && l == "workbook":
			done = true
			prefix := ""
			if i := strings.IndexByte(t.name, ':'); i >= 0 {
				prefix = t.name[:i+1]
			}
			if _, err := io.WriteString(w, "<"+prefix+`calcPr fullCalcOnLoad="1"/>`); err != nil {
				return err
			}
		}
		_, err := w.Write(t.raw)
		return err
	}
}

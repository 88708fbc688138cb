package export

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
)

// DefaultMaxUnzipped is the largest a workbook may expand to (the sum of
// its parts, uncompressed) unless Store.SetMaxUnzipped says otherwise.
// A real export of a million rows is well under it; a zip bomb (a few MB
// that expand to many GB) is refused before anything is read.
const DefaultMaxUnzipped = 2 << 30

// maxPart bounds the parts read whole into memory (the workbook, its
// relationships, styles, content types, tables); worksheets and shared
// strings are streamed.
const maxPart = 32 << 20

// book is an open XLSX workbook: its zip, and what reading its sheets
// needs (sheet names and parts, date formats, shared strings). Worksheets
// are never read whole: each is streamed row by row when it is read or
// rewritten. Its memory is that of the shared strings (the distinct texts
// of the workbook), held compactly.
type book struct {
	zr       *zip.Reader
	parts    map[string]*zip.File // by name, without a leading /
	sheets   []bookSheet
	date1904 bool
	isDate   []bool // by cell style (xf) index
	sst      strTable
	sstPart  string // "" if the workbook has no shared strings
}

type bookSheet struct {
	name, part string
}

// strTable holds the shared strings in one block.
type strTable struct {
	data []byte
	ends []uint32
}

func (t *strTable) add(s string) {
	t.data = append(t.data, s...)
	t.ends = append(t.ends, uint32(len(t.data)))
}

func (t *strTable) get(i int) (string, bool) {
	if i < 0 || i >= len(t.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return string(t.data[start:t.ends[i]]), true
}

// openBook opens the workbook in f. Its error says what is wrong, for
// the caller to prefix with the file's name.
func openBook(f *os.File, maxUnzipped int64) (*book, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("cannot be opened as an Excel workbook (%v); fix: check that it is an .xlsx workbook, not an .xls or a CSV renamed", bare(err))
	}
	b := &book{zr: zr, parts: map[string]*zip.File{}}
	var total uint64
	for _, e := range zr.File {
		total += e.UncompressedSize64
		b.parts[strings.TrimPrefix(e.Name, "/")] = e
	}
	if maxUnzipped <= 0 {
		maxUnzipped = DefaultMaxUnzipped
	}
	if total > uint64(maxUnzipped) {
		return nil, fmt.Errorf("expands to %d MB uncompressed, over the limit of %d MB; fix: split the export, or raise the export store's limit if the file is genuine",
			total>>20, maxUnzipped>>20)
	}
	wbPart, err := b.officeDocument()
	if err != nil {
		return nil, err
	}
	if err := b.readWorkbook(wbPart); err != nil {
		return nil, err
	}
	return b, nil
}

var errNotWorkbook = errors.New("cannot be opened as an Excel workbook (no workbook part); fix: check that it is an .xlsx workbook, not an .xls or a CSV renamed")

// officeDocument finds the workbook part from the package relationships.
func (b *book) officeDocument() (string, error) {
	rels, err := b.rels("_rels/.rels", "")
	if err != nil {
		return "", err
	}
	for _, r := range rels {
		if strings.HasSuffix(r.typ, "/officeDocument") {
			return r.target, nil
		}
	}
	if _, ok := b.parts["xl/workbook.xml"]; ok {
		return "xl/workbook.xml", nil
	}
	return "", errNotWorkbook
}

type rel struct{ id, typ, target string }

// rels reads a relationships part; targets are resolved against dir.
func (b *book) rels(part, dir string) ([]rel, error) {
	e, ok := b.parts[part]
	if !ok {
		return nil, nil
	}
	var out []rel
	err := b.eachTok(e, func(t *xmlTok) error {
		if (t.kind == tokStart || t.kind == tokEmpty) && t.local() == "Relationship" {
			id, _ := t.attr("Id")
			typ, _ := t.attr("Type")
			target, _ := t.attr("Target")
			if mode, _ := t.attr("TargetMode"); mode == "External" {
				return nil
			}
			out = append(out, rel{id, typ, resolvePart(dir, target)})
		}
		return nil
	})
	return out, err
}

// resolvePart resolves a relationship target against the folder of the
// part that holds it.
func resolvePart(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return path.Clean(strings.TrimPrefix(target, "/"))
	}
	return strings.TrimPrefix(path.Clean(path.Join("/", dir, target)), "/")
}

// relsOf is the relationships part of part.
func relsOf(part string) string {
	dir, name := path.Split(part)
	return dir + "_rels/" + name + ".rels"
}

// eachTok streams the tokens of a part.
func (b *book) eachTok(e *zip.File, fn func(t *xmlTok) error) error {
	rc, err := e.Open()
	if err != nil {
		return fmt.Errorf("part %s cannot be read (%v); fix: export again", e.Name, bare(err))
	}
	defer rc.Close()
	sc := newXMLScanner(io.LimitReader(rc, int64(e.UncompressedSize64)+1))
	for {
		t, err := sc.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("part %s cannot be read (%v); fix: export again", e.Name, bare(err))
		}
		if err := fn(t); err != nil {
			return err
		}
	}
}

// readWorkbook reads the sheet list, the date system, styles and shared
// strings.
func (b *book) readWorkbook(part string) error {
	e, ok := b.parts[part]
	if !ok {
		return errNotWorkbook
	}
	if e.UncompressedSize64 > maxPart {
		return fmt.Errorf("its workbook part is over %d MB; fix: export again", maxPart>>20)
	}
	dir := path.Dir(part)
	rels, err := b.rels(relsOf(part), dir)
	if err != nil {
		return err
	}
	byID := map[string]rel{}
	stylesPart := ""
	for _, r := range rels {
		byID[r.id] = r
		switch {
		case strings.HasSuffix(r.typ, "/sharedStrings"):
			b.sstPart = r.target
		case strings.HasSuffix(r.typ, "/styles"):
			stylesPart = r.target
		}
	}
	err = b.eachTok(e, func(t *xmlTok) error {
		if t.kind != tokStart && t.kind != tokEmpty {
			return nil
		}
		switch t.local() {
		case "workbookPr":
			v, _ := t.attr("date1904")
			b.date1904 = v == "1" || v == "true"
		case "sheet":
			name, _ := t.attr("name")
			id, _ := t.attr("id")
			if r, ok := byID[id]; ok && strings.HasSuffix(r.typ, "/worksheet") {
				b.sheets = append(b.sheets, bookSheet{name, r.target})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if stylesPart != "" {
		if err := b.readStyles(stylesPart); err != nil {
			return err
		}
	}
	if b.sstPart != "" {
		return b.readSST()
	}
	return nil
}

// readStyles works out which cell styles show numbers as dates.
func (b *book) readStyles(part string) error {
	e, ok := b.parts[part]
	if !ok {
		return nil
	}
	if e.UncompressedSize64 > maxPart {
		return fmt.Errorf("its styles part is over %d MB; fix: export again", maxPart>>20)
	}
	custom := map[int]string{}
	inXfs := false
	return b.eachTok(e, func(t *xmlTok) error {
		switch {
		case t.kind == tokStart && t.local() == "cellXfs":
			inXfs = true
		case t.kind == tokEnd && t.local() == "cellXfs":
			inXfs = false
		case (t.kind == tokStart || t.kind == tokEmpty) && t.local() == "numFmt":
			id, _ := t.attr("numFmtId")
			code, _ := t.attr("formatCode")
			if n, err := strconv.Atoi(id); err == nil {
				custom[n] = code
			}
		case inXfs && (t.kind == tokStart || t.kind == tokEmpty) && t.local() == "xf":
			id, _ := t.attr("numFmtId")
			n, _ := strconv.Atoi(id)
			code, isCustom := custom[n]
			b.isDate = append(b.isDate, isDateFormat(n, code, isCustom))
		}
		return nil
	})
}

// readSST reads the shared strings: each <si>'s text, its runs joined,
// without phonetic hints.
func (b *book) readSST() error {
	e, ok := b.parts[b.sstPart]
	if !ok {
		b.sstPart = ""
		return nil
	}
	var si siReader
	return b.eachTok(e, func(t *xmlTok) error {
		if s, done, err := si.tok(t); err != nil {
			return fmt.Errorf("part %s: %w", e.Name, err)
		} else if done {
			b.sst.add(s)
		}
		return nil
	})
}

// siReader collects the text of a string item (<si>, or a cell's <is>):
// its <t> elements, also inside rich-text runs, but not phonetic hints.
type siReader struct {
	in, inT, inPh bool
	sb            strings.Builder
}

// tok takes the next token; at the item's end it returns its text.
func (r *siReader) tok(t *xmlTok) (string, bool, error) {
	switch t.kind {
	case tokStart:
		switch t.local() {
		case "si", "is":
			r.in, r.inT, r.inPh = true, false, false
			r.sb.Reset()
		case "t":
			r.inT = r.in
		case "rPh":
			r.inPh = true
		}
	case tokEnd:
		switch t.local() {
		case "si", "is":
			r.in = false
			return unescapeBstr(r.sb.String()), true, nil
		case "t":
			r.inT = false
		case "rPh":
			r.inPh = false
		}
	case tokEmpty:
		if l := t.local(); l == "si" || l == "is" {
			return "", true, nil
		}
	case tokText:
		if r.inT && !r.inPh {
			s, err := t.text()
			if err != nil {
				return "", false, err
			}
			if r.sb.Len()+len(s) > maxTok {
				return "", false, fmt.Errorf("a string over %d bytes", maxTok)
			}
			r.sb.WriteString(s)
		}
	}
	return "", false, nil
}

// dateStyled reports whether cells of style s show numbers as dates.
func (b *book) dateStyled(s int) bool {
	return s >= 0 && s < len(b.isDate) && b.isDate[s]
}

// isDateFormat reports whether a number format shows numbers as dates: one
// of the built-in date formats (14-17, 22, and the East Asian 27-36,
// 50-58), or a custom format with a day or year part. (As agent/registry
// reads registries; scanners do not import agent.)
func isDateFormat(id int, code string, custom bool) bool {
	if custom {
		return customIsDate(code)
	}
	return id >= 14 && id <= 17 || id == 22 || id >= 27 && id <= 36 || id >= 50 && id <= 58
}

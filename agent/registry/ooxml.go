package registry

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
)

// The parts of a workbook read before its sheet: where the workbook is,
// its sheets and their parts, its shared strings and its cell styles.
// They are read with encoding/xml token by token, like the sheet itself,
// because excelize's row iterator cannot say whether a cell is a formula
// without a stored result, and its cell-style lookups load the whole
// sheet into memory.

// pkg is an opened workbook: a zip whose entries are found by name in
// any case, with \ read as /, as Excel does.
type pkg struct {
	zr    *zip.ReadCloser
	files map[string]*zip.File
}

// errTooLarge reports a workbook over its unpacked size limit.
type errTooLarge struct{ limitMB int }

func (e errTooLarge) Error() string { return fmt.Sprintf("more than %d MB", e.limitMB) }

// openPkg opens the zip at file and checks, from its directory, that its
// entries unpack to at most limitMB megabytes together. archive/zip
// refuses to unpack more than an entry's recorded size, so the check
// holds however the sizes were written.
func openPkg(file string, limitMB int) (*pkg, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, err
	}
	p := &pkg{zr: zr, files: map[string]*zip.File{}}
	var total uint64
	limit := uint64(limitMB) << 20
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > limit || f.UncompressedSize64 > limit {
			zr.Close()
			return nil, errTooLarge{limitMB}
		}
		p.files[normPart(f.Name)] = f
	}
	return p, nil
}

func normPart(name string) string {
	return strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(name, `\`, "/"), "/"))
}

func (p *pkg) close() error { return p.zr.Close() }

// open opens a part; a missing part is fs-style "not found".
func (p *pkg) open(name string) (io.ReadCloser, error) {
	f, ok := p.files[normPart(name)]
	if !ok {
		return nil, fmt.Errorf("the workbook has no part %s", name)
	}
	return f.Open()
}

func (p *pkg) has(name string) bool {
	_, ok := p.files[normPart(name)]
	return ok
}

// decoder returns a token reader over a part.
func newDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	// Workbooks are UTF-8; a declared other encoding is refused by
	// encoding/xml, which is the right answer for a registry.
	return d
}

// each calls fn for every start element of the part, with the decoder
// positioned after it; fn may consume the element's content.
func (p *pkg) each(name string, fn func(d *xml.Decoder, se xml.StartElement) error) error {
	rc, err := p.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	d := newDecoder(rc)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if err := fn(d, se); err != nil {
				return err
			}
		}
	}
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// rel is one relationship: its id, type (the last part of the type URI,
// such as "worksheet") and target part.
type rel struct{ id, typ, target string }

// rels reads the relationships of the part at owner; targets are made
// absolute part names.
func (p *pkg) rels(owner string) ([]rel, error) {
	dir, file := path.Split(owner)
	name := dir + "_rels/" + file + ".rels"
	if !p.has(name) {
		return nil, nil
	}
	var out []rel
	err := p.each(name, func(_ *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local != "Relationship" || attr(se, "TargetMode") == "External" {
			return nil
		}
		target := attr(se, "Target")
		if strings.HasPrefix(target, "/") {
			target = strings.TrimPrefix(target, "/")
		} else {
			target = path.Join(dir, target)
		}
		typ := attr(se, "Type")
		out = append(out, rel{id: attr(se, "Id"), typ: typ[strings.LastIndex(typ, "/")+1:], target: target})
		return nil
	})
	return out, err
}

// sheetRef is a sheet as the workbook lists it.
type sheetRef struct{ name, part string }

// book is what is read of the workbook part.
type book struct {
	sheets   []sheetRef
	date1904 bool
	strings  string // the shared strings part, "" if none
	styles   string // the styles part, "" if none
}

func (p *pkg) book() (*book, error) {
	wb := "xl/workbook.xml"
	root, err := p.rels("")
	if err != nil {
		return nil, err
	}
	for _, r := range root {
		if r.typ == "officeDocument" {
			wb = r.target
		}
	}
	rs, err := p.rels(wb)
	if err != nil {
		return nil, err
	}
	b := &book{}
	byID := map[string]string{}
	for _, r := range rs {
		switch r.typ {
		case "worksheet":
			byID[r.id] = r.target
		case "sharedStrings":
			b.strings = r.target
		case "styles":
			b.styles = r.target
		}
	}
	err = p.each(wb, func(_ *xml.Decoder, se xml.StartElement) error {
		switch se.Name.Local {
		case "workbookPr":
			v := attr(se, "date1904")
			b.date1904 = v == "1" || v == "true"
		case "sheet":
			// The relationship id is r:id; chart sheets and dialog
			// sheets have no worksheet part and are not offered.
			if part, ok := byID[attr(se, "id")]; ok {
				b.sheets = append(b.sheets, sheetRef{name: attr(se, "name"), part: part})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// stringTable is the shared string table, kept as one block of text and
// where each item ends: a table of millions of short items costs little
// more than its text.
type stringTable struct {
	text []byte
	ends []uint32
}

func (s *stringTable) len() int { return len(s.ends) }

func (s *stringTable) at(i int) string {
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return string(s.text[start:s.ends[i]])
}

// sharedStrings reads the shared string table: each item's text, its
// runs joined, phonetic hints left out.
func (p *pkg) sharedStrings(part string) (*stringTable, error) {
	st := &stringTable{}
	if part == "" {
		return st, nil
	}
	err := p.each(part, func(d *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local != "si" {
			return nil
		}
		s, err := itemText(d, se)
		if len(st.text)+len(s) > math.MaxUint32 {
			return errors.New("the shared strings are too large")
		}
		st.text = append(st.text, s...)
		st.ends = append(st.ends, uint32(len(st.text)))
		return err
	})
	return st, err
}

// itemText reads the text of a string item (<si> or <is>) up to its end:
// the <t> elements, also those in rich-text runs, but not in <rPh>.
func itemText(d *xml.Decoder, start xml.StartElement) (string, error) {
	var b strings.Builder
	depth, phonetic, inT := 0, 0, false
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch t.Name.Local {
			case "rPh":
				phonetic++
			case "t":
				inT = phonetic == 0
			}
		case xml.EndElement:
			if depth == 0 && t.Name == start.Name {
				return b.String(), nil
			}
			depth--
			switch t.Name.Local {
			case "rPh":
				phonetic--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				b.Write(t)
			}
		}
	}
}

// dateStyles reads the cell formats (cellXfs) and reports, by style
// index, whether each shows numbers as dates.
func (p *pkg) dateStyles(part string) ([]bool, error) {
	if part == "" {
		return nil, nil
	}
	custom := map[int]string{}
	var xfs []int
	err := p.each(part, func(d *xml.Decoder, se xml.StartElement) error {
		switch se.Name.Local {
		case "numFmt":
			id, err := strconv.Atoi(attr(se, "numFmtId"))
			if err == nil {
				custom[id] = attr(se, "formatCode")
			}
		case "cellXfs":
			// The <xf> children of cellXfs, not of cellStyleXfs, are
			// what a cell's s= attribute counts.
			for depth := 0; ; {
				tok, err := d.Token()
				if err != nil {
					return err
				}
				switch t := tok.(type) {
				case xml.StartElement:
					if depth == 0 && t.Name.Local == "xf" {
						id, _ := strconv.Atoi(attr(t, "numFmtId"))
						xfs = append(xfs, id)
					}
					depth++
				case xml.EndElement:
					if depth == 0 {
						return nil
					}
					depth--
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(xfs))
	for i, id := range xfs {
		code, ok := custom[id]
		out[i] = isDateFormat(id, code, ok)
	}
	return out, nil
}

package report

import (
	"unicode"
	"unicode/utf8"
)

// appendCSVRow appends the cells of one row of plan.csv, each made safe
// from Excel's formulas (safeCell), as encoding/csv's Writer with Comma ';'
// and UseCRLF writes them, byte for byte: without the Writer's per-row
// cost, which showed in a large plan. TestCSVRowAsWriter holds it to the
// Writer.
func appendCSVRow(b []byte, cells []string) []byte {
	for i, cell := range cells {
		if i > 0 {
			b = append(b, ';')
		}
		cell = safeCell(cell)
		if !csvNeedsQuotes(cell) {
			b = append(b, cell...)
			continue
		}
		b = append(b, '"')
		for j := 0; j < len(cell); j++ {
			switch c := cell[j]; c {
			case '"':
				b = append(b, '"', '"')
			case '\r':
				// dropped: UseCRLF writes every line break as \r\n
			case '\n':
				b = append(b, '\r', '\n')
			default:
				b = append(b, c)
			}
		}
		b = append(b, '"')
	}
	return append(b, '\r', '\n')
}

// csvNeedsQuotes is encoding/csv's fieldNeedsQuotes for Comma ';'.
func csvNeedsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s == `\.` {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\n' || c == '\r' || c == '"' || c == ';' {
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

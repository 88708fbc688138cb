package registry

import (
	"fmt"
	"strings"
)

// fullRow checks that a CSV row has a cell for every header column and no
// value beyond them, and reports the row if not. A row with fewer cells
// than the header is a line cut off (a file copied while it was written,
// an export that stopped) or broken by a line break; reading its missing
// cells as empty would turn a waiting-list or labour-conflict flag into
// "no". A value beyond the header's last column means the cells shifted
// (a delimiter in an unquoted value), so each cell is read under the
// wrong header. Neither row is read.
func (l *loader) fullRow(row int, cells, header []string, cols []column) bool {
	width := headerWidth(header)
	if len(cells) < width {
		col := len(cells) + 1
		l.fail(row, col, headerColumn(col, header, cols),
			fmt.Sprintf("the row has fewer cells than the header row (%d of %d): it ends before column %s", len(cells), width, columnName(col)),
			"the line is cut off or broken: export the registry again, and check that values with a line break are enclosed in double quotes")
		return false
	}
	for i := width; i < len(cells); i++ {
		if strings.TrimSpace(cells[i]) != "" {
			l.fail(row, i+1, headerColumn(i+1, header, cols),
				fmt.Sprintf("the row has more cells than the header row (%d columns): there is a value in column %s, which has no header", width, columnName(i+1)),
				"the cells have shifted: a value holding the delimiter must be enclosed in double quotes; export the registry again")
			return false
		}
	}
	return true
}

// headerWidth is the number of header columns, not counting empty header
// cells at the end (a trailing delimiter).
func headerWidth(header []string) int {
	n := len(header)
	for n > 0 && strings.TrimSpace(header[n-1]) == "" {
		n--
	}
	return n
}

// headerColumn describes column col (1-based) for an error: its header
// text and, when the config maps it, the fact. nil if col is 0.
func headerColumn(col int, header []string, cols []column) *column {
	if col <= 0 {
		return nil
	}
	for i := range cols {
		if cols[i].index == col-1 {
			return &cols[i]
		}
	}
	c := &column{index: col - 1}
	if col <= len(header) {
		c.header = strings.TrimSpace(header[col-1])
	}
	return c
}

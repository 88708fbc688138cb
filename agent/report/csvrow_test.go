package report

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestCSVRowAsWriter: plan.csv's rows, written by hand, are byte for byte
// what encoding/csv's Writer (";", CRLF) writes of the same safe cells:
// cells with the separator, quotes, line breaks, leading spaces, a leading
// formula character, "\." and characters beyond ASCII.
func TestCSVRowAsWriter(t *testing.T) {
	rows := [][]string{
		{},
		{""},
		{"", ""},
		{"plain", "Jansen, Piet/Contracten/c.pdf", "1234", `\.`, `\.x`, "a;b", `say "hi"`, "line\nbreak", "cr\rlf\r\n", " lead", "\tlead", "\u00a0nbsp", "\u0085nel", "=1+2", "+31", "-5", "@x", "Zoë", "\xff bad"},
	}
	rnd := rand.New(rand.NewPCG(5, 6))
	alphabet := []string{"a", " ", ";", "\"", "\r", "\n", "\t", "=", "+", "-", "@", "\\", ".", "é", "\u00a0", "\u2028", "\xff", "'"}
	for range 3000 {
		var row []string
		for range rnd.IntN(6) {
			var b strings.Builder
			for range rnd.IntN(6) {
				b.WriteString(alphabet[rnd.IntN(len(alphabet))])
			}
			row = append(row, b.String())
		}
		rows = append(rows, row)
	}
	for i, row := range rows {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		w.Comma, w.UseCRLF = ';', true
		safe := make([]string, len(row))
		for j, c := range row {
			safe[j] = safeCell(c)
		}
		if err := w.Write(safe); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if got := appendCSVRow(nil, row); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("row %d %q:\n got %q\nwant %q", i, row, got, want.Bytes())
		}
	}
}

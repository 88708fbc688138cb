package registry

import (
	"strconv"
	"strings"
	"testing"
)

// TestCutOffCSV: a row with fewer cells than the header, a last line cut
// off in a quoted cell or before its last cells, and a row whose cells
// have shifted are errors naming the file, line and column, never a
// value, and no subject is read from the file: a missing waiting-list cell
// read as "no" would make a protected record due.
func TestCutOffCSV(t *testing.T) {
	header := "Administratienummer;Naam;Geboortedatum;Einddatum opvang;Wachtlijst\n"
	tests := []struct {
		name, rows       string
		row, col         int
		headerText, fact string
		msg              string
	}{
		{"row without its last cell", "1001;Piet Jansen;01-05-2019;15-03-2024\n1003;Bakker;;;ja\n",
			2, 5, "Wachtlijst", "waiting_list", "fewer cells than the header"},
		{"row with two cells", "1003;Bakker;;;ja\n1001;Piet Jansen\n",
			3, 3, "Geboortedatum", "birth_date", "fewer cells than the header"},
		{"last line cut off before its last cells", "1003;Bakker;;;ja\n1001;Piet Jansen;01-05",
			3, 4, "Einddatum opvang", "end_of_care", "fewer cells than the header"},
		{"last line cut off in a quoted cell", "1003;Bakker;;;ja\n1001;\"Piet Jansen;01-05-2019;;ja\n",
			3, 2, "Naam", "name", "not closed"},
		{"last line cut off in a quoted cell, no line end", "1003;Bakker;;;ja\n1001;Piet Jansen;01-05-2019;;\"j",
			3, 5, "Wachtlijst", "waiting_list", "not closed"},
		{"cells shifted by an unquoted delimiter", "1003;Bakker;;;ja\n1001;Jansen; Piet;01-05-2019;;nee\n",
			3, 6, "", "", "more cells than the header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, "kinderen.csv", header+tt.rows)
			subs, err := Load(kinderen(file), ams)
			if err == nil || subs != nil {
				t.Fatalf("got %d subjects and error %v", len(subs), err)
			}
			es := rowErrors(t, err)
			if len(es) != 1 {
				t.Fatalf("want 1 error, got:\n%v", err)
			}
			e := es[0]
			if e.File != file || e.Row != tt.row || e.Column != tt.col || e.Header != tt.headerText || e.Fact != tt.fact ||
				!strings.Contains(e.Msg, tt.msg) || e.Fix == "" {
				t.Errorf("got %+v\nwant row %d column %d %q (%s), a message containing %q and a fix", e, tt.row, tt.col, tt.headerText, tt.fact, tt.msg)
			}
			if !strings.Contains(e.Error(), "row "+strconv.Itoa(tt.row)+", column "+columnName(tt.col)) {
				t.Errorf("message %q does not name row and column", e.Error())
			}
			noLeaks(t, err, file)
		})
	}
}

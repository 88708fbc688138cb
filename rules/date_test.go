package rules

import (
	"strings"
	"testing"
)

// TestParseTypedDate: a date a person types is read as YYYY-MM-DD or as
// DD-MM-YYYY (the Dutch order); anything else, or a day the calendar
// lacks, is an error giving both forms.
func TestParseTypedDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-11-23", MakeDate(2026, 11, 23), true},
		{"23-11-2026", MakeDate(2026, 11, 23), true},
		{" 01-02-2027 ", MakeDate(2027, 2, 1), true},
		{"1-2-2027", MakeDate(2027, 2, 1), true},
		{"29-02-2028", MakeDate(2028, 2, 29), true},
		{"29-02-2027", Date{}, false},
		{"31-04-2026", Date{}, false},
		{"12-31-2027", Date{}, false},
		{"2026/11/23", Date{}, false},
		{"23/11/2026", Date{}, false},
		{"23-11-26", Date{}, false},
		{"2026-11-23T10:00:00Z", Date{}, false},
		{"gisteren", Date{}, false},
		{"", Date{}, false},
	}
	for _, tt := range tests {
		got, err := ParseTypedDate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseTypedDate(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && (!strings.Contains(err.Error(), "YYYY-MM-DD") || !strings.Contains(err.Error(), "DD-MM-YYYY")) {
			t.Errorf("ParseTypedDate(%q): the error does not give both forms: %v", tt.in, err)
		}
	}
}

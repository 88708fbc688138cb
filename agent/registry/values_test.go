package registry

import (
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/rules"
)

func TestParseDate(t *testing.T) {
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	tests := []struct {
		in   string
		want rules.Date
		err  string // part of the problem; "" if none
	}{
		{"15-03-2024", rules.MakeDate(2024, 3, 15), ""},
		{"5-3-2024", rules.MakeDate(2024, 3, 5), ""},
		{"05/03/2024", rules.MakeDate(2024, 3, 5), ""},
		{"5/3/2024", rules.MakeDate(2024, 3, 5), ""},
		{"05.03.2024", rules.MakeDate(2024, 3, 5), ""},
		{"2024-03-15", rules.MakeDate(2024, 3, 15), ""},
		{" 2024-03-15 ", rules.MakeDate(2024, 3, 15), ""},
		{"2024-03-15 00:00:00", rules.MakeDate(2024, 3, 15), ""},
		{"15-03-2024 14:30", rules.MakeDate(2024, 3, 15), ""},
		{"29-02-2024", rules.MakeDate(2024, 2, 29), ""},
		{"31-12-9999", rules.MakeDate(9999, 12, 31), ""},
		// 23:30 UTC on 15 March is 16 March in Amsterdam.
		{"2024-03-15T23:30:00Z", rules.MakeDate(2024, 3, 16), ""},
		{"", rules.Date{}, ""},
		{"  ", rules.Date{}, ""},
		{"5-3-24", rules.Date{}, "four digits"},
		{"05/03/24", rules.Date{}, "four digits"},
		{"31-02-2020", rules.Date{}, "fewer days"},
		{"29-02-2023", rules.Date{}, "fewer days"},
		{"2023-02-29", rules.Date{}, "fewer days"},
		{"31-04-2024", rules.Date{}, "fewer days"},
		{"15-13-2024", rules.Date{}, "out of range"},
		{"00-01-2024", rules.Date{}, "out of range"},
		{"03/15/2024", rules.Date{}, "out of range"},
		{"15 maart 2024", rules.Date{}, "not a date"},
		{"2024/03/15", rules.Date{}, "not a date"},
		{"onbekend", rules.Date{}, "not a date"},
		{"20240315", rules.Date{}, "not a date"},
	}
	for _, tt := range tests {
		got, p := parseDate(tt.in, ams)
		switch {
		case tt.err == "" && p != nil:
			t.Errorf("%q: unexpected problem %q", tt.in, p.msg)
		case tt.err != "" && (p == nil || !strings.Contains(p.msg, tt.err) || p.fix == ""):
			t.Errorf("%q: problem %+v, want one containing %q with a fix", tt.in, p, tt.err)
		case got != tt.want:
			t.Errorf("%q = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseFlag(t *testing.T) {
	yes := []string{"ja", "Ja", "JA", "j", "J", "yes", "Yes", "y", "Y", "true", "TRUE", "True", "1", "waar", "Waar", "x", "X", " ja "}
	no := []string{"nee", "Nee", "n", "N", "no", "NO", "false", "False", "0", "onwaar", "ONWAAR", "", "  "}
	for _, s := range yes {
		if v, p := parseFlag(s); p != nil || !v {
			t.Errorf("%q = %v, %v; want yes", s, v, p)
		}
	}
	for _, s := range no {
		if v, p := parseFlag(s); p != nil || v {
			t.Errorf("%q = %v, %v; want no", s, v, p)
		}
	}
	for _, s := range []string{"misschien", "2", "jaa", "ok", "-"} {
		if _, p := parseFlag(s); p == nil || p.fix == "" {
			t.Errorf("%q: no problem reported", s)
		}
	}
}

func TestDetectDelimiter(t *testing.T) {
	tests := []struct {
		in   string
		want rune
	}{
		{"a;b;c\n1,5;2;3\n", ';'},
		{"a,b,c\n1;2;3;4;5;6\n", ','},
		{"\n\na;b\n", ';'},
		{`"a,b";c` + "\n", ';'},
		{"a\n", ','},
		{"\"naam\r\n, x\";b;c\r\n", ';'},
	}
	for _, tt := range tests {
		if got := detectDelimiter([]byte(tt.in)); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.in, got, tt.want)
		}
	}
}

package pseudonym

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestValueText(t *testing.T) {
	tests := []struct {
		v     Value
		text  string
		empty bool
	}{
		{Value{}, "", true},
		{StringValue(""), "", true},
		{StringValue(" \t\n"), " \t\n", true},
		{StringValue("Piet"), "Piet", false},
		{NumberValue(12345672), "12345672", false},
		{NumberValue(3.25), "3.25", false},
		{NumberValue(0), "0", false},
		{DateValue(time.Date(2019, 3, 2, 14, 30, 0, 0, time.UTC)), "02-03-2019", false},
		{BoolValue(false), "false", false},
		{FormulaValue("Piet Jansen"), "Piet Jansen", false},
		{FormulaValue(""), "", true},
	}
	for _, tt := range tests {
		if got := tt.v.Text(); got != tt.text {
			t.Errorf("%s.Text() = %q, want %q", tt.v.Kind, got, tt.text)
		}
		if got := tt.v.IsEmpty(); got != tt.empty {
			t.Errorf("%s(%q).IsEmpty() = %v", tt.v.Kind, tt.text, got)
		}
	}
}

// TestValueFormatHidesContent guards the no-personal-data-in-logs rule: a
// Value that reaches fmt by mistake prints only its kind and length.
func TestValueFormatHidesContent(t *testing.T) {
	vs := []Value{
		StringValue("Piet Jansen"), FormulaValue("Piet Jansen"),
		NumberValue(123456782), DateValue(time.Date(2019, 3, 12, 0, 0, 0, 0, time.UTC)),
	}
	for _, v := range vs {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
			out := fmt.Sprintf(verb, v) + fmt.Sprintf(verb, []Value{v}) + fmt.Sprintf(verb, struct{ V Value }{v})
			for _, secret := range []string{"Piet", "123456782", "1.23456782e+08", "2019", "12"} {
				if strings.Contains(out, secret) {
					t.Errorf("%s of a %s prints %q", verb, v.Kind, out)
				}
			}
			if !strings.Contains(out, v.Kind.String()) {
				t.Errorf("%s of a %s prints %q, without its kind", verb, v.Kind, out)
			}
		}
	}
	if got := StringValue("Piet Jansen").String(); got != "string(11 chars)" {
		t.Errorf("String() = %q", got)
	}
	if got := ValueKind(9).String(); got != "kind(9)" {
		t.Errorf("ValueKind(9) = %q", got)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		s    string
		want string // yyyy-mm-dd, or "" for not a date
	}{
		{"12-03-2019", "2019-03-12"},
		{"2-3-2019", "2019-03-02"},
		{" 2-3-2019 ", "2019-03-02"},
		{"12/03/2019", "2019-03-12"},
		{"12.03.2019", "2019-03-12"},
		{"2019-03-12", "2019-03-12"},
		{"2019-3-2", "2019-03-02"},
		{"2019-03-12T10:00:00", "2019-03-12"},
		{"2019-03-12 10:00:00", "2019-03-12"},
		{"2019-03-12T10:00:00Z", "2019-03-12"},
		{"2019-03-12T10:00:00.123+02:00", "2019-03-12"},
		{"12-03-19", ""},
		{"03/12/19", ""},
		{"31-02-2019", ""},
		{"12-13-2019", ""},
		{"2019", ""},
		{"12 maart 2019", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.s)
		if ok != (tt.want != "") || ok && got.Format("2006-01-02") != tt.want {
			t.Errorf("parseDate(%q) = %v, %v; want %q", tt.s, got, ok, tt.want)
		}
	}
}

func TestParseDayFirstAgreesWithTimeParse(t *testing.T) {
	for _, s := range []string{"01-02-1980", "31-12-2024", "29-02-2024", "29-02-2023", "31-04-2024", "00-01-2020", "15/03/2024", "15.03.2024", "15-03/2024", "1a-03-2024", "15-13-2024"} {
		fast, ok := parseDayFirst(s)
		layout := "02" + string(s[2]) + "01" + string(s[2]) + "2006"
		want, err := time.Parse(layout, s)
		if ok != (err == nil) || ok && !fast.Equal(want) {
			t.Errorf("%s: fast %v %v, time.Parse %v %v", s, fast, ok, want, err)
		}
	}
}

package pseudonym

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ValueKind is the type of a cell of an export: what a CSV field, an XLSX
// cell or a JSON scalar holds.
type ValueKind uint8

// The kinds of Value. The zero Value is Empty.
const (
	// Empty is a missing or blank cell: an empty CSV field, an XLSX cell
	// without a value, a JSON null or "".
	Empty ValueKind = iota
	// String is text: every CSV field, an XLSX text cell, a JSON string.
	String
	// Number is an XLSX numeric cell or a JSON number.
	Number
	// Date is an XLSX date-formatted cell, or a date the reader recognised.
	Date
	// Bool is an XLSX boolean cell or a JSON true/false.
	Bool
	// Formula is an XLSX formula cell, carried as its cached (displayed)
	// value in S. Operators work on that value and never output a formula:
	// the formula itself may compute the personal data from other cells.
	Formula
)

var kindNames = [...]string{"empty", "string", "number", "date", "bool", "formula"}

// String returns the name of the kind, such as "number".
func (k ValueKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one cell of any type. Only the member of its Kind is meaningful:
// S for String and Formula, N for Number, T for Date (its calendar date;
// the time of day is ignored), B for Bool.
//
// A Value prints as its kind and length only (see Format), so that a cell
// passed to a logger or an error by mistake does not leak its content; use
// Text to read it.
type Value struct {
	Kind ValueKind
	S    string
	N    float64
	T    time.Time
	B    bool
}

// StringValue returns a String cell holding s.
func StringValue(s string) Value { return Value{Kind: String, S: s} }

// NumberValue returns a Number cell holding n.
func NumberValue(n float64) Value { return Value{Kind: Number, N: n} }

// DateValue returns a Date cell holding the calendar date of t.
func DateValue(t time.Time) Value { return Value{Kind: Date, T: t} }

// BoolValue returns a Bool cell holding b.
func BoolValue(b bool) Value { return Value{Kind: Bool, B: b} }

// FormulaValue returns a Formula cell whose cached value displays as
// cached.
func FormulaValue(cached string) Value { return Value{Kind: Formula, S: cached} }

// IsEmpty reports whether v holds nothing: the Empty kind, or a String or
// Formula of only white space. Every operator maps an empty value to
// Empty.
func (v Value) IsEmpty() bool {
	switch v.Kind {
	case Empty:
		return true
	case String, Formula:
		return strings.TrimSpace(v.S) == ""
	}
	return false
}

// Text returns the text form of v: S for String and Formula, the shortest
// decimal for Number (12345672, 3.5), dd-mm-yyyy for Date (the form Dutch
// exports use, so that a mask keeping 4 characters keeps the year),
// "true"/"false" for Bool and "" for Empty.
func (v Value) Text() string {
	switch v.Kind {
	case String, Formula:
		return v.S
	case Number:
		return strconv.FormatFloat(v.N, 'f', -1, 64)
	case Date:
		return v.T.Format("02-01-2006")
	case Bool:
		return strconv.FormatBool(v.B)
	}
	return ""
}

// String describes v without its content, such as "string(11 chars)".
func (v Value) String() string {
	switch v.Kind {
	case String, Formula:
		return fmt.Sprintf("%s(%d chars)", v.Kind, utf8.RuneCountInString(v.S))
	}
	return v.Kind.String()
}

// Format prints String() for every verb, %#v and %d included, so that no
// fmt verb prints the content of a cell.
func (v Value) Format(f fmt.State, _ rune) { fmt.Fprint(f, v.String()) }

// dateLayouts are the date forms exports write: Dutch day-first with '-',
// '/' or '.', ISO, and ISO date-times (JSON). A one-digit day or month is
// accepted; a two-digit year is not (1-2-19 could be 1919 or 2019).
var dateLayouts = []string{
	"2-1-2006", "2/1/2006", "2.1.2006",
	"2006-1-2", "2006-01-02T15:04:05", "2006-01-02 15:04:05",
	time.RFC3339, time.RFC3339Nano,
}

// parseDate reads a date in one of dateLayouts. It reports only success:
// time.Parse's errors quote the input, which may be personal data.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, ok := parseDayFirst(s); ok {
		return t, true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// dateOf returns the date v holds: a Date, or a String or Formula whose
// text is a date.
func dateOf(v Value) (time.Time, bool) {
	switch v.Kind {
	case Date:
		return v.T, true
	case String, Formula:
		return parseDate(v.S)
	}
	return time.Time{}, false
}

// parseDayFirst is parseDate's fast path for the form most exports write,
// dd-mm-yyyy (or with / or .): by hand, without time.Parse's generality.
// It checks the calendar (31-02-2020 is no date) and reports false for
// anything else, which then takes the slow path.
func parseDayFirst(s string) (time.Time, bool) {
	if len(s) != 10 || s[2] != s[5] || (s[2] != '-' && s[2] != '/' && s[2] != '.') {
		return time.Time{}, false
	}
	num := func(a, b int) (int, bool) {
		n := 0
		for i := a; i < b; i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int(s[i]-'0')
		}
		return n, true
	}
	d, ok1 := num(0, 2)
	m, ok2 := num(3, 5)
	y, ok3 := num(6, 10)
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || y < 1000 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // no such day in that month
	}
	return t, true
}

package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date with no time of day and no zone. Retention terms
// are counted in calendar days, months and years in the organisation's time
// zone (Europe/Amsterdam by default); converting an instant to a Date is the
// caller's job (see DateIn), so that rule evaluation never reads a clock.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// MakeDate returns the date y-m-d. It does not normalise: callers pass a
// valid date or use ParseDate.
func MakeDate(y int, m time.Month, d int) Date { return Date{y, m, d} }

// DateIn returns the calendar date of t in loc.
func DateIn(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// IsZero reports whether d is the zero Date (unknown).
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as YYYY-MM-DD, or "" for the zero date. A plan calls
// it for every record, so it is written by hand where it can be.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	if d.Year < 0 || d.Year > 9999 || d.Month < 0 || d.Month > 99 || d.Day < 0 || d.Day > 99 {
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	y, m := d.Year, int(d.Month)
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d.Day/10), byte('0' + d.Day%10)}
	return string(b[:])
}

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AddDays returns d plus n days (n may be negative).
func (d Date) AddDays(n int) Date {
	t := time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC)
	return DateIn(t, time.UTC)
}

// AddMonths returns d plus n calendar months, clamped to the end of the
// target month: 31 March + 1 month is 30 April, not 1 May, and 29 February
// + 12 months is 28 February.
func (d Date) AddMonths(n int) Date {
	m := int(d.Month) - 1 + n
	y := d.Year + m/12
	m %= 12
	if m < 0 {
		m += 12
		y--
	}
	day := d.Day
	if last := daysIn(y, time.Month(m+1)); day > last {
		day = last
	}
	return Date{y, time.Month(m + 1), day}
}

// EndOfYear returns 31 December of d's year.
func (d Date) EndOfYear() Date { return Date{d.Year, time.December, 31} }

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// ParseDate parses an ISO date (YYYY-MM-DD).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	return DateIn(t, time.UTC), nil
}

// ParseTypedDate parses a date a person typed (a command line flag): an
// ISO date (YYYY-MM-DD) or a date in the Dutch order (DD-MM-YYYY, the
// day and month with one digit or two). A day the calendar lacks
// (31-04-2026) is an error, which gives both forms.
func ParseTypedDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	layout := "2-1-2006"
	if first, _, _ := strings.Cut(s, "-"); len(first) == 4 {
		layout = "2006-01-02"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date: write YYYY-MM-DD or DD-MM-YYYY, such as 2026-11-23 or 23-11-2026", s)
	}
	return DateIn(t, time.UTC), nil
}

// Term is a retention period: a count of days, weeks, months or years.
// "4 weeks" is 28 days; months and years are calendar months.
type Term struct {
	N    int
	Unit byte // 'd', 'w', 'm' or 'y'
}

// ParseTerm parses terms such as 0d, 28d, 4w, 3m, 1y, 10y.
func ParseTerm(s string) (Term, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return Term{}, fmt.Errorf("%q is not a term: write a number and a unit d, w, m or y, such as 28d, 4w, 3m or 2y", s)
	}
	unit := s[len(s)-1]
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 || !strings.ContainsRune("dwmy", rune(unit)) {
		return Term{}, fmt.Errorf("%q is not a term: write a number and a unit d, w, m or y, such as 28d, 4w, 3m or 2y", s)
	}
	return Term{N: n, Unit: unit}, nil
}

// String formats t as it is written in configs (for example "2y").
func (t Term) String() string { return strconv.Itoa(t.N) + string(t.Unit) }

// From returns the date on which a term that started on d ends: from that
// date on, the item is due.
func (t Term) From(d Date) Date {
	switch t.Unit {
	case 'd':
		return d.AddDays(t.N)
	case 'w':
		return d.AddDays(7 * t.N)
	case 'm':
		return d.AddMonths(t.N)
	case 'y':
		return d.AddMonths(12 * t.N)
	}
	panic("rules: invalid term unit " + string(t.Unit))
}

// Expires returns the day from which a retention term counted from the
// trigger date d has run out, per RETENTION-RULES.md: trigger dates are last
// days (of care, of employment), so a "0 days" term ("removed right after
// the last day") runs out the day after d, never on d itself; any other
// term runs out on d plus the term.
func (t Term) Expires(d Date) Date {
	if t.N == 0 {
		return d.AddDays(1)
	}
	return t.From(d)
}

// Describe says the term in words, in English or Dutch.
func (t Term) Describe(lang string) string {
	type words struct{ one, many string }
	en := map[byte]words{'d': {"day", "days"}, 'w': {"week", "weeks"}, 'm': {"month", "months"}, 'y': {"year", "years"}}
	nl := map[byte]words{'d': {"dag", "dagen"}, 'w': {"week", "weken"}, 'm': {"maand", "maanden"}, 'y': {"jaar", "jaar"}}
	w := en[t.Unit]
	if lang == "nl" {
		w = nl[t.Unit]
	}
	if t.N == 1 {
		return "1 " + w.one
	}
	return strconv.Itoa(t.N) + " " + w.many
}

// MarshalText writes d as YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a YYYY-MM-DD date; an empty text is the zero date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

package rotation

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/rules"
)

func term(s string) rules.Term {
	t, err := rules.ParseTerm(s)
	if err != nil {
		panic(err)
	}
	return t
}

func date(s string) rules.Date {
	d, err := rules.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

var (
	v4 = Keep{Daily: term("1y"), Monthly: term("7y"), Max: term("7y")}
	v2 = Keep{Max: term("2y")}
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		k    Keep
		want string // substring of the error; "" for valid
	}{
		{"V4", v4, ""},
		{"V2", v2, ""},
		{"all periods", Keep{Daily: term("10d"), Weekly: term("5w"), Monthly: term("4m"), Yearly: term("1y")}, ""},
		{"equal terms", Keep{Daily: term("1y"), Monthly: term("12m"), Max: term("1y")}, ""},
		{"monthly alone", Keep{Monthly: term("3m")}, ""},
		{"max in days over months", Keep{Monthly: term("6m"), Max: term("184d")}, ""},
		{"empty", Keep{}, "no keep term is set"},
		{"negative", Keep{Daily: term("1y"), Monthly: rules.Term{N: -1, Unit: 'y'}}, "monthly: the term -1y is negative"},
		{"zero", Keep{Max: term("0d")}, "max: the term 0d keeps nothing"},
		{"no unit", Keep{Daily: rules.Term{N: 3}}, "daily: the term has no unit"},
		{"monthly shorter than daily", Keep{Daily: term("1y"), Monthly: term("6m")}, "monthly (6m) is shorter than daily (1y)"},
		{"yearly shorter than weekly", Keep{Weekly: term("2y"), Yearly: term("1y")}, "yearly (1y) is shorter than weekly (2y)"},
		{"max shorter than monthly", Keep{Daily: term("1y"), Monthly: term("7y"), Max: term("2y")}, "max (2y) is shorter than monthly (7y): max is the longest"},
		{"max 52w under 1y", Keep{Daily: term("1y"), Max: term("52w")}, "max (52w) is shorter than daily (1y)"},
		{"max 183d under 6m", Keep{Monthly: term("6m"), Max: term("183d")}, "max (183d) is shorter than monthly (6m)"},
	}
	for _, c := range cases {
		err := c.k.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if !errors.Is(Keep{}.Validate(), ErrNoPolicy) {
		t.Error("an empty policy must return ErrNoPolicy")
	}
}

func TestAtLeast(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"1y", "12m", true}, {"12m", "1y", true}, {"11m", "1y", false},
		{"1y", "365d", true}, {"1y", "366d", false}, {"366d", "1y", true}, {"365d", "1y", false},
		{"1y", "52w", true}, {"52w", "1y", false},
		{"1m", "28d", true}, {"1m", "29d", false}, // 31 January + 1 month is 28 February
		{"31d", "1m", true}, {"30d", "1m", false},
		{"4w", "28d", true}, {"28d", "4w", true}, {"27d", "4w", false},
		{"6m", "181d", true}, {"6m", "182d", false}, // 31 August + 6 months is 28 February
		{"184d", "6m", true}, {"183d", "6m", false},
	}
	for _, c := range cases {
		if got := atLeast(term(c.a), term(c.b)); got != c.want {
			t.Errorf("atLeast(%s, %s) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestSpans: the fewest and most days a term spans, as spans works them
// out, match rules.Term.From on every day of a 400-year cycle.
func TestSpans(t *testing.T) {
	noon := func(d rules.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }
	for _, s := range []string{"1m", "6m", "13m", "1y", "4y", "101y", "30d", "2w"} {
		tm := term(s)
		lo, hi := 1<<62, 0
		start := rules.MakeDate(2000, time.January, 1)
		for d := start; d.Year < 2400; d = d.AddDays(1) {
			n := int(noon(tm.From(d)).Sub(noon(d)).Hours() / 24)
			lo, hi = min(lo, n), max(hi, n)
		}
		if gl, gh := spans(tm); gl != lo || gh != hi {
			t.Errorf("spans(%s) = %d, %d; want %d, %d", s, gl, gh, lo, hi)
		}
	}
	if lo, hi := spans(term("800y")); lo != 2*cycleDays || hi != 2*cycleDays {
		t.Errorf("spans(800y) = %d, %d; want %d both", lo, hi, 2*cycleDays)
	}
}

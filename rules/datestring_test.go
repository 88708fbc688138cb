package rules

import (
	"fmt"
	"testing"
	"time"
)

// TestDateStringAsSprintf: Date.String, written by hand, writes what
// fmt.Sprintf("%04d-%02d-%02d") writes, for every date and for values
// out of range.
func TestDateStringAsSprintf(t *testing.T) {
	check := func(d Date) {
		t.Helper()
		want := fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
		if d.IsZero() {
			want = ""
		}
		if got := d.String(); got != want {
			t.Errorf("%#v: %q, want %q", d, got, want)
		}
	}
	for day := MakeDate(1, time.January, 1); day.Year < 3000; day = day.AddDays(1) {
		if day.Year > 50 && day.Year < 1890 {
			day = MakeDate(1890, time.January, 1)
		}
		check(day)
	}
	for _, d := range []Date{{}, {0, 0, 1}, {9999, 12, 31}, {10000, 1, 1}, {-1, 1, 1}, {2024, 0, 0}, {2024, 100, 5}, {2024, 1, 100}, {2024, -1, 5}, {2024, 1, -5}, {5, 1, 1}} {
		check(d)
	}
}

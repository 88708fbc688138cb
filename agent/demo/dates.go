package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/retentiond/retentiond/rules"
)

// noon turns a date into an instant for day arithmetic; noon UTC keeps
// every date on its own day whatever the zone.
func noon(d rules.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }

// daysBetween returns b - a in days.
func daysBetween(a, b rules.Date) int { return int(noon(b).Sub(noon(a)).Hours() / 24) }

// between returns a date drawn uniformly from [a, b], or a if b is before a.
func between(r *rand.Rand, a, b rules.Date) rules.Date {
	n := daysBetween(a, b)
	if n <= 0 {
		return a
	}
	return a.AddDays(r.IntN(n + 1))
}

func minDate(a, b rules.Date) rules.Date {
	if b.Before(a) {
		return b
	}
	return a
}

func maxDate(a, b rules.Date) rules.Date {
	if b.After(a) {
		return b
	}
	return a
}

// lastOfMonth returns the last day of d's month: care usually ends there.
func lastOfMonth(d rules.Date) rules.Date {
	return rules.MakeDate(d.Year, d.Month, 1).AddMonths(1).AddDays(-1)
}

// firstOfMonth returns the first day of d's month.
func firstOfMonth(d rules.Date) rules.Date { return rules.MakeDate(d.Year, d.Month, 1) }

// triggerFor returns a date d with d + months calendar months = target, so
// that an item whose clock starts on d falls due exactly on target. Month
// arithmetic clamps at month ends, so some targets (29 February with a
// 24-month term) have no such date; then the nearest earlier candidate is
// returned and the item falls due a day or two before target.
func triggerFor(target rules.Date, months int) rules.Date {
	guess := target.AddMonths(-months)
	for delta := 3; delta >= -3; delta-- {
		if d := guess.AddDays(delta); d.AddMonths(months) == target {
			return d
		}
	}
	return guess
}

// nl formats d as Dutch registries do: 04-03-2021.
func nl(d rules.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d-%02d-%04d", d.Day, int(d.Month), d.Year)
}

// nlShort formats d as typed by hand into a spreadsheet cell: 4-3-2021.
func nlShort(d rules.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d-%d-%d", d.Day, int(d.Month), d.Year)
}

// yesNo writes a flag as Dutch exports do.
func yesNo(b bool) string {
	if b {
		return "ja"
	}
	return "nee"
}

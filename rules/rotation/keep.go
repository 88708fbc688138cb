package rotation

import (
	"errors"
	"fmt"

	"github.com/retentiond/retentiond/rules"
)

// Keep is a rotation policy: how long each kind of backup is kept, counted
// from the backup's own date with the rules package's calendar arithmetic
// (rules.Term.From). A zero Term (rules.Term{}) is unset.
//
// V4 (Kidsadmin: daily backups for 1 year, then one a month up to 7 years)
// is Keep{Daily: 1y, Monthly: 7y, Max: 7y}; V2 (Tactiplan: 2 years) is
// Keep{Max: 2y}.
type Keep struct {
	// Daily keeps every backup, all backups of a day included, for this term.
	Daily rules.Term
	// Weekly keeps the newest backup of each ISO week (Monday to Sunday).
	Weekly rules.Term
	// Monthly keeps the newest backup of each calendar month.
	Monthly rules.Term
	// Yearly keeps the newest backup of each calendar year.
	Yearly rules.Term
	// Max is the retention rule's maximum: no backup outlives it. Validate
	// requires it to be at least as long as every other term, so that it
	// never cuts a keep term short unnoticed. Set alone, it keeps every
	// backup for its term (it then acts as Daily).
	Max rules.Term
}

// ErrNoPolicy is returned for a Keep with no term set. Like restic's
// "no policy was specified, no snapshots will be removed", an empty policy
// is refused rather than read as "keep nothing".
var ErrNoPolicy = errors.New("rotation: no keep term is set, so no backups will be removed: set at least one of daily, weekly, monthly, yearly or max")

// field is one term of a Keep with its config name.
type field struct {
	name string
	term rules.Term
}

// fields lists the keep terms from the finest period to the coarsest, then
// Max; Validate relies on this order.
func (k Keep) fields() []field {
	return []field{{"daily", k.Daily}, {"weekly", k.Weekly}, {"monthly", k.Monthly}, {"yearly", k.Yearly}, {"max", k.Max}}
}

func isSet(t rules.Term) bool { return t != rules.Term{} }

// Validate checks the policy. It fails on an empty policy (ErrNoPolicy), on
// a term that is negative, zero or has no valid unit, on a coarser period
// kept shorter than a finer one (monthly shorter than daily: the newest
// backup of a month is also a daily one, so the monthly term would say
// nothing), and on a Max shorter than another term. "Shorter" means
// shorter from some start date: 52w is shorter than 1y, 12m is not shorter
// than 365d, 30d is shorter than 1m.
func (k Keep) Validate() error {
	fs := k.fields()
	var set []field
	for _, f := range fs {
		if !isSet(f.term) {
			continue
		}
		switch {
		case f.term.Unit != 'd' && f.term.Unit != 'w' && f.term.Unit != 'm' && f.term.Unit != 'y':
			return fmt.Errorf("rotation: %s: the term has no unit: write a number and d, w, m or y, such as 1y", f.name)
		case f.term.N < 0:
			return fmt.Errorf("rotation: %s: the term %s is negative: write a positive term such as 1y", f.name, f.term)
		case f.term.N == 0:
			return fmt.Errorf("rotation: %s: the term %s keeps nothing: leave it unset instead", f.name, f.term)
		}
		set = append(set, f)
	}
	if len(set) == 0 {
		return ErrNoPolicy
	}
	for i, a := range set {
		for _, b := range set[:i] {
			if !atLeast(a.term, b.term) {
				what := "the newest backup of a longer period must be kept at least as long"
				if a.name == "max" {
					what = "max is the longest any backup may be kept"
				}
				return fmt.Errorf("rotation: %s (%s) is shorter than %s (%s): %s; lengthen %s or shorten %s",
					a.name, a.term, b.name, b.term, what, a.name, b.name)
			}
		}
	}
	return nil
}

// daily returns the term every backup is kept for: Daily, or Max when Max
// is the only term set (V2: everything for 2 years).
func (k Keep) daily() rules.Term {
	if !isSet(k.Daily) && !isSet(k.Weekly) && !isSet(k.Monthly) && !isSet(k.Yearly) {
		return k.Max
	}
	return k.Daily
}

// atLeast reports whether term a ends on or after term b for every start
// date. Terms of one family (days and weeks, or months and years) compare
// by length; otherwise the fewest days a can span must be at least the most
// days b can span (see spans).
func atLeast(a, b rules.Term) bool {
	na, da := length(a)
	nb, db := length(b)
	if da == db {
		return na >= nb
	}
	lo, _ := spans(a)
	_, hi := spans(b)
	return lo >= hi
}

// length returns t in days, or in months for month and year terms (then
// inDays is false).
func length(t rules.Term) (n int, inDays bool) {
	switch t.Unit {
	case 'd':
		return t.N, true
	case 'w':
		return 7 * t.N, true
	case 'y':
		return 12 * t.N, false
	}
	return t.N, false
}

// cycleMonths and cycleDays measure 400 years, after which the Gregorian
// calendar repeats.
const (
	cycleMonths = 400 * 12
	cycleDays   = 146097
)

// spans returns the fewest and the most days from a start date d to
// t.From(d), over every d. For a month term, From(d)-d does not grow with
// the day of the month (31 January + 1 month is 28 February), so the
// extremes over a start month lie on its first and last day; and from the
// last day of month i the term spans exactly as many days as from the first
// day of month i or of month i+1, whichever is fewer. So the first days of
// the months of one 400-year cycle, after which the calendar repeats, give
// the exact extremes. Decide validates on every call, so this sums month
// lengths rather than calling the time package.
func spans(t rules.Term) (lo, hi int) {
	n, inDays := length(t)
	if inDays {
		return n, n
	}
	whole := n / cycleMonths * cycleDays
	n %= cycleMonths
	days := make([]int, cycleMonths+n) // month lengths from January 2000
	for i := range days {
		days[i] = monthDays(2000+i/12, i%12+1)
	}
	sum := 0 // days from the first of month i to the first of month i+n
	for i := range n {
		sum += days[i]
	}
	lo, hi = sum, sum
	for i := range cycleMonths {
		lo, hi = min(lo, sum), max(hi, sum)
		sum += days[i+n] - days[i]
	}
	return whole + lo, whole + hi
}

func monthDays(y, m int) int {
	switch {
	case m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0):
		return 29
	case m == 2:
		return 28
	case m == 4 || m == 6 || m == 9 || m == 11:
		return 30
	}
	return 31
}

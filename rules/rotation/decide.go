// Package rotation decides which backups of a backup set to keep and which
// are due for deletion, in the manner of restic's forget --keep-daily,
// --keep-weekly and --keep-monthly, but with retention terms counted from
// each backup's date, so that backup rows such as V4 (daily backups for 1
// year, then one a month up to 7 years) and V2 (2 years) become rules.
//
// Decide is pure: the evaluation date is an argument, and every decision
// carries its due date and its reasons in English and Dutch.
package rotation

import (
	"fmt"
	"time"

	"github.com/retentiond/retentiond/rules"
)

// Backup is one backup of a set: its ID (key or name in the store) and its
// date, taken by the caller from the key or the recorded creation time in
// the organisation's time zone. A zero Date means the date is unknown.
type Backup struct {
	ID   string
	Date rules.Date
}

// Kind says why a backup is kept or was last kept.
type Kind string

// Kinds of Reason.
const (
	Daily   Kind = "daily"   // every backup, for Keep.Daily (or Keep.Max alone)
	Weekly  Kind = "weekly"  // the newest backup of an ISO week
	Monthly Kind = "monthly" // the newest backup of a calendar month
	Yearly  Kind = "yearly"  // the newest backup of a calendar year
	None    Kind = "none"    // no term keeps the backup
	Future  Kind = "future"  // dated after the evaluation date: kept
	Undated Kind = "undated" // no date known: kept
)

// Reason is one role a backup has under the policy.
type Reason struct {
	Kind Kind
	// Period is the week, month or year the backup is the newest of:
	// "2021-W09", "2021-03" or "2021"; "" for the other kinds.
	Period string
	// Provisional is set while Period is not over (the evaluation date is
	// on or before its last day): a newer backup of the period may still
	// come and take the role over.
	Provisional bool
	Term        rules.Term // the keep term; zero for None, Future, Undated
	Until       rules.Date // Date + Term: the first day the role no longer keeps the backup
}

// Decision is what to do with one backup.
type Decision struct {
	ID   string
	Date rules.Date
	// Keep is false when the backup is due for deletion.
	Keep bool
	// Due is the day the backup became or becomes deletable: the latest
	// Until of its roles, or its own date when no term keeps it. Zero for
	// future and undated backups, which are never due.
	Due rules.Date
	// Reasons are, for a kept backup, the roles that keep it now (finest
	// period first); for a deletable one, the role that kept it longest (of
	// equal ones the finest), or a None reason.
	Reasons []Reason
	// Text says the reasons in English and Dutch, for the plan.
	Text rules.Text
}

// Decide decides every backup of set as of asOf; the i-th decision is for
// set[i]. It is pure and reads no clock.
//
// Every backup is kept for Keep.Daily; the newest backup of each ISO week,
// calendar month and calendar year (ties on the day broken by the greatest
// ID) is kept for Weekly, Monthly and Yearly, each counted from that
// backup's own date, like the rules' "max" terms counted from the backup
// date. A backup is due on the latest day one of its roles ends, so a
// backup made on D under "daily for 1 year" is kept through D+1y-1 and is
// due on D+1y (29 February + 1 year is 28 February).
//
// Why the newest of a period: it holds the period's last state, as restic
// keeps the last snapshot of a month. Why roles count from the backup's own
// date: then deleting what Decide calls due never changes a later
// decision. When the newest backup of a period goes, an older one of the
// period still there becomes the newest, but its role would have ended
// before the deleted one's did (same term, earlier date), so it is kept
// and due exactly as before, and the period is not represented again: the
// representatives do not shift and no later run wants a backup an earlier
// run deleted (TestStableOverTime checks this day by day). Kept backups
// list only their live roles and deletable ones the role that lasted
// longest, so the reasons do not change either. If the newest backup of a
// period is missing, or was removed by someone else while still kept, the
// newest one left represents the period. A newer backup arriving for a
// period takes the role over; the role is marked provisional until the
// period is over, and only then are the backup's roles and due date final.
//
// Backups dated after asOf and undated backups are kept, with a reason, and
// take no role. Decide returns an error for an invalid policy (see
// Validate; an empty policy is never "delete everything"), a zero asOf, an
// empty ID or an ID that occurs twice; then nothing is decided.
func Decide(set []Backup, k Keep, asOf rules.Date) ([]Decision, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		return nil, fmt.Errorf("rotation: no evaluation date given: pass the date to decide as of")
	}
	seen := make(map[string]int, len(set))
	for i, b := range set {
		if b.ID == "" {
			return nil, fmt.Errorf("rotation: backup %d has no ID: give every backup its key or name", i)
		}
		if j, dup := seen[b.ID]; dup {
			return nil, fmt.Errorf("rotation: backups %d and %d have the same ID %q: list each backup once", j, i, b.ID)
		}
		seen[b.ID] = i
	}
	periods := []struct {
		kind Kind
		term rules.Term
	}{{Weekly, k.Weekly}, {Monthly, k.Monthly}, {Yearly, k.Yearly}}
	roles := make([][]Reason, len(set))
	if t := k.daily(); isSet(t) {
		for i, b := range set {
			if dated(b, asOf) {
				roles[i] = append(roles[i], Reason{Kind: Daily, Term: t, Until: t.From(b.Date)})
			}
		}
	}
	for _, p := range periods {
		if !isSet(p.term) {
			continue
		}
		newest := make(map[string]int) // period label -> index in set
		for i, b := range set {
			if !dated(b, asOf) {
				continue
			}
			key, _ := period(p.kind, b.Date)
			if j, ok := newest[key]; !ok || newer(b, set[j]) {
				newest[key] = i
			}
		}
		for key, i := range newest {
			_, end := period(p.kind, set[i].Date)
			roles[i] = append(roles[i], Reason{Kind: p.kind, Period: key, Provisional: !asOf.After(end),
				Term: p.term, Until: p.term.From(set[i].Date)})
		}
	}
	out := make([]Decision, len(set))
	for i, b := range set {
		out[i] = decideOne(b, roles[i], asOf)
	}
	return out, nil
}

// dated reports whether b takes part in the rotation: it has a date and it
// is not dated after asOf (a clock error, or a date read wrongly from a
// name, must not push older backups out).
func dated(b Backup, asOf rules.Date) bool { return !b.Date.IsZero() && !b.Date.After(asOf) }

// newer reports whether a represents a period rather than b: the later
// date, and on the same day the greater ID, so that the choice does not
// depend on the order of the set.
func newer(a, b Backup) bool {
	if c := a.Date.Compare(b.Date); c != 0 {
		return c > 0
	}
	return a.ID > b.ID
}

// period returns the label of d's period of the given kind and the
// period's last day.
func period(k Kind, d rules.Date) (string, rules.Date) {
	switch k {
	case Weekly:
		t := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
		y, w := t.ISOWeek()
		wd := int(t.Weekday()+6)%7 + 1 // Monday 1 … Sunday 7
		return fmt.Sprintf("%04d-W%02d", y, w), d.AddDays(7 - wd)
	case Monthly:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month), rules.MakeDate(d.Year, d.Month, 1).AddMonths(1).AddDays(-1)
	}
	return fmt.Sprintf("%04d", d.Year), d.EndOfYear()
}

// decideOne turns a backup's roles into its decision.
func decideOne(b Backup, roles []Reason, asOf rules.Date) Decision {
	d := Decision{ID: b.ID, Date: b.Date}
	switch {
	case b.Date.IsZero():
		d.Keep, d.Reasons = true, []Reason{{Kind: Undated}}
	case b.Date.After(asOf):
		d.Keep, d.Reasons = true, []Reason{{Kind: Future}}
	case len(roles) == 0:
		d.Due, d.Reasons = b.Date, []Reason{{Kind: None, Until: b.Date}}
	default:
		longest := roles[0]
		for _, r := range roles[1:] {
			if r.Until.After(longest.Until) {
				longest = r
			}
		}
		d.Due, d.Keep = longest.Until, asOf.Before(longest.Until)
		if !d.Keep {
			d.Reasons = []Reason{longest}
			break
		}
		for _, r := range roles {
			if asOf.Before(r.Until) {
				d.Reasons = append(d.Reasons, r)
			}
		}
	}
	d.Text = text(d.Reasons, asOf)
	return d
}

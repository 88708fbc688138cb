package requests

import (
	"fmt"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// Remaining is what a plan still lists of a subject: for an answered
// erasure request, the records a statutory minimum (or a hold, or a
// person's review) keeps, and when the last goes.
type Remaining struct {
	// AsOf is the day of the plan it was counted from.
	AsOf rules.Date
	// Records counts the subject's records left; Review those of them
	// that wait for a person.
	Records, Review int
	// Last is the latest day one of them is due (zero if none has a
	// day); Undated counts those with no due day: a hold until released,
	// a statutory minimum whose end is not known, review. While Undated
	// is above 0 the last day is not known.
	Last    rules.Date
	Undated int
}

// LeftInPlan counts the items of subject s in f, a plan not (yet) carried
// out: every record it lists is still there.
func LeftInPlan(f *plan.File, s SubjectRef) Remaining {
	return left(f, s, func(*plan.Item) bool { return true }, 0)
}

// LeftAfterApply counts what f, a plan for subject s that apply has just
// carried out, leaves of s: its held and review items, and the notDone
// actions apply did not carry out (skipped, failed, left out at
// approval), which were due on the plan's day.
func LeftAfterApply(f *plan.File, s SubjectRef, notDone int) Remaining {
	return left(f, s, func(it *plan.Item) bool { return it.Action == rules.Hold || it.Action == rules.Review }, notDone)
}

func left(f *plan.File, s SubjectRef, stays func(*plan.Item) bool, notDone int) Remaining {
	asOf, _ := rules.ParseDate(f.AsOf)
	out := Remaining{AsOf: asOf}
	if notDone > 0 {
		out.Records, out.Last = notDone, asOf
	}
	for _, it := range f.Items {
		if it.Subject == nil || it.Subject.Type != s.Type || it.Subject.ID != s.ID || !stays(it) {
			continue
		}
		out.add(it)
	}
	return out
}

func (r *Remaining) add(it *plan.Item) {
	r.Records++
	if it.Action == rules.Review {
		r.Review++
	}
	due, err := rules.ParseDate(it.Due)
	switch {
	case it.Action == rules.Review || it.Due == "" || err != nil:
		r.Undated++
	case due.After(r.Last):
		r.Last = due
	}
}

// merge adds what another plan of the same night lists.
func (r *Remaining) merge(o Remaining) {
	r.Records += o.Records
	r.Review += o.Review
	r.Undated += o.Undated
	if o.Last.After(r.Last) {
		r.Last = o.Last
	}
	if o.AsOf.After(r.AsOf) {
		r.AsOf = o.AsOf
	}
}

// Settle is the nightly step for erasure requests, given the night's
// plans not carried out (the plan awaiting approval and an auto_apply plan
// not applied in full; every store listed in full) as of asOf: an erasure
// request, open or answered and received by asOf, whose subject the plans
// list nothing of is completed (an open one answered at the same time, by
// SettledBy); an answered one with records left gets Left counted afresh.
// A request whose subject known says is not in the registries is never
// completed (a plan finds nothing of an id nobody has): its id is in
// unknown. changes are the completions, for the ledger.
func (s *Set) Settle(plans []*plan.File, asOf rules.Date, now time.Time, known func(SubjectRef) bool) (changes []Change, unknown []string, err error) {
	err = s.update(func(f *file) error {
		changes, unknown = nil, nil
		for i := range f.reqs {
			r := &f.reqs[i]
			if r.Kind != Erase || r.IsClosed() || asOf.Before(r.Received) || !madeKnowing(plans, r) {
				continue
			}
			var l Remaining
			for _, p := range plans {
				l.merge(LeftInPlan(p, r.Subject))
			}
			switch {
			case l.Records > 0 && r.Status == StatusAnswered:
				r.Left = &l
			case l.Records > 0:
			case !known(r.Subject):
				unknown = append(unknown, r.ID)
			default:
				c, err := step(r, EventComplete, SettledBy, now)
				if err != nil {
					return err
				}
				changes = append(changes, c)
			}
		}
		return nil
	})
	return changes, unknown, err
}

// madeKnowing reports whether every plan was made after r was opened, so
// that it decided r's subject under r: a plan made before (a request
// opened while the night's plan ran) did not list what it kept of the
// subject, and its silence is not "nothing left". Both times are whole
// seconds (created_at, OpenedAt), and a plan reads the requests just
// after its created_at: a request opened in that same second counts as
// known. A plan without created_at (none is written so) does not hold a
// request back; one whose created_at is not a time does.
func madeKnowing(plans []*plan.File, r *Request) bool {
	for _, p := range plans {
		if p.CreatedAt == "" {
			continue
		}
		created, err := time.Parse(time.RFC3339, p.CreatedAt)
		if err != nil || r.OpenedAt.After(created) {
			return false
		}
	}
	return true
}

// Erasures maps the subjects of active (open or answered) erasure
// requests to the day each was received: every plan, and apply's
// re-check, decide their records as an erasure request says (R2, R3),
// until nothing of them is left. A nil Set has none.
func Erasures(s *Set) map[plan.SubjectKey]rules.Date {
	if s == nil {
		return nil
	}
	out := map[plan.SubjectKey]rules.Date{}
	for _, r := range s.reqs {
		if r.Kind != Erase || r.IsClosed() {
			continue
		}
		k := plan.SubjectKey{Type: r.Subject.Type, ID: r.Subject.ID}
		if d, ok := out[k]; !ok || r.Received.Before(d) {
			out[k] = r.Received
		}
	}
	return out
}

// StatusLine says where r stands, for request list (English, for the
// administrator): the days left or overdue while open; when and by whom it
// was answered and, for an erasure, what is left and when the last goes;
// or that it was completed or refused. Times are shown in loc.
func (r Request) StatusLine(today rules.Date, loc *time.Location) string {
	switch r.Status {
	case StatusOpen:
		if n := DaysLeft(r, today); n >= 0 {
			return fmt.Sprintf("%d day(s) left", n)
		} else {
			return fmt.Sprintf("OVERDUE by %d day(s)", -n)
		}
	case StatusAnswered:
		var b strings.Builder
		b.WriteString("answered")
		if r.AnsweredAt != nil {
			b.WriteString(" " + r.AnsweredAt.In(loc).Format("2006-01-02"))
		}
		if r.AnsweredBy != "" {
			b.WriteString(" by " + r.AnsweredBy)
		}
		if r.Kind == Erase {
			b.WriteString("; " + r.Left.String())
		}
		return b.String()
	default:
		if r.ClosedAt != nil {
			return r.Status + " " + r.ClosedAt.In(loc).Format("2006-01-02")
		}
		return r.Status
	}
}

// String says what is left, as request list shows it.
func (l *Remaining) String() string {
	if l == nil {
		return "what is left is counted by the next nightly plan"
	}
	s := fmt.Sprintf("%d record(s) left as of %s", l.Records, l.AsOf)
	if l.Review > 0 {
		s += fmt.Sprintf(", %d need(s) review", l.Review)
	}
	switch {
	case l.Undated > 0:
		s += fmt.Sprintf("; %d have no end date yet, so the day the last goes is not known", l.Undated)
		if !l.Last.IsZero() {
			s += fmt.Sprintf(" (the others go by %s)", l.Last)
		}
	case !l.Last.IsZero():
		s += "; the last goes on " + l.Last.String()
	}
	return s
}

// Package requests keeps the data-subject requests an organisation has
// received — to see, receive, erase, correct or restrict a person's data —
// with the deadline by which each must be answered (RETENTION-RULES.md R1:
// within 4 weeks of receipt; the organisation may configure another term).
//
// A request goes through the states a privacy officer uses (see Next):
// open (received, the deadline runs) → answered (the organisation replied:
// what goes now, what stays under a statutory minimum and until when) →
// completed (nothing of the subject left; for access and export, the
// package made and handed over); or refused. Only open requests count
// towards the deadline (Set.Summary): an answered erasure request may wait
// years for the last record a statutory minimum keeps, and shows what is
// left and when the last goes (Remaining).
//
// Requests live in STATE_DIR/requests.json (see Set), mode 0600: a request
// names its subject by type and registry id. The daemon exports how many
// are open and the nearest deadline as metrics (Set.Summary); what an
// erase request does to the plan is the planner's business.
package requests

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/rules"
)

// SubjectRef names the data subject of a request ("child:1234"); it is
// the holds package's type, so that one parser serves --subject for both.
type SubjectRef = holds.SubjectRef

// Request kinds. R1 lists seeing, correcting, completing, restricting,
// deleting and receiving one's data; correcting and completing are one
// kind, rectify.
const (
	Erase    = "erase"    // delete my data (GDPR art. 17)
	Access   = "access"   // let me see my data (art. 15)
	Export   = "export"   // give me my data to take elsewhere (art. 20, R4)
	Rectify  = "rectify"  // correct or complete my data (art. 16)
	Restrict = "restrict" // stop using my data for now (art. 18)
)

// Kinds lists the request kinds, in the order reports show them.
var Kinds = []string{Erase, Access, Export, Rectify, Restrict}

// Statuses of a request (see Next for the ways between them).
const (
	// StatusOpen: received, not yet answered; the deadline runs.
	StatusOpen = "open"
	// StatusAnswered: answered within the term; an erasure request then
	// waits for the records a statutory minimum keeps (Request.Left).
	StatusAnswered = "answered"
	// StatusCompleted: carried out; nothing of the subject is left, or
	// the access or export package was made and handed over.
	StatusCompleted = "completed"
	// StatusRefused: refused, such as an erasure a statutory duty
	// forbids (R2).
	StatusRefused = "refused"
)

// DefaultTerm is the term within which a request is answered when the
// configuration names none: 4 weeks (R1), that is 28 days.
var DefaultTerm = rules.Term{N: 4, Unit: 'w'}

// Request is one data-subject request.
type Request struct {
	// ID names the request, such as "REQ-0003"; OpenRequest assigns it.
	ID      string
	Subject SubjectRef
	// Kind is one of Kinds.
	Kind string
	// Received is the day the organisation received the request; the
	// term runs from it.
	Received rules.Date
	// Term is the term the request must be answered in, and Deadline the
	// last day to answer: Received + Term. It is overdue from the day
	// after.
	Term     rules.Term
	Deadline rules.Date
	// Lang is the language the person is answered in: "nl" or "en".
	Lang string
	// Status is StatusOpen, StatusAnswered, StatusCompleted or
	// StatusRefused.
	Status string
	// OpenedAt is when the request was recorded.
	OpenedAt time.Time
	// AnsweredAt is when it left open (answered, or completed or refused
	// at once), and AnsweredBy who answered: a name as given to --by, the
	// approver of the plan whose apply answered it, SettledBy, or "" when
	// not known (closed by hand without --by, or by an earlier version).
	// The name stays in requests.json; the ledger has its pseudonym.
	AnsweredAt *time.Time
	AnsweredBy string
	// ClosedAt is when it was completed or refused (nil before).
	ClosedAt *time.Time
	// Left is, for an answered erasure request, what the latest plan still
	// listed of the subject (nil until a plan has been counted).
	Left *Remaining
	// Notes are the administrator's remarks. They may hold personal data:
	// they are stored in requests.json only, never logged or put in the
	// ledger.
	Notes []string
}

// IsOpen reports whether r is open: not yet answered, so its deadline
// runs.
func (r Request) IsOpen() bool { return r.Status == StatusOpen }

// IsClosed reports whether r is completed or refused. A request that is
// not closed (open or answered) is active: it is listed, and an erasure
// request drives every plan.
func (r Request) IsClosed() bool { return r.Status == StatusCompleted || r.Status == StatusRefused }

// DaysLeft returns the number of days from asOf to r's deadline: 0 on the
// deadline day itself, negative once it has passed (-1 the day after).
func DaysLeft(r Request, asOf rules.Date) int {
	return daysBetween(asOf, r.Deadline)
}

// daysBetween returns the number of calendar days from a to b.
func daysBetween(a, b rules.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Round(24*time.Hour) / (24 * time.Hour))
}

// Limits that keep the state file a list of requests.
const (
	maxNote  = 2000
	maxNotes = 50
)

// check validates what OpenRequest takes from the caller. Errors name the
// field and how to fix it, never the subject id or a note.
func (r Request) check(today rules.Date) error {
	if !slices.Contains(Kinds, r.Kind) {
		return fmt.Errorf("kind: not one of %s", strings.Join(Kinds, ", "))
	}
	if err := r.Subject.Check(); err != nil {
		return err
	}
	switch {
	case r.Received.IsZero():
		return errors.New("received: missing: give the day the request came in (YYYY-MM-DD)")
	case r.Received.After(today):
		return fmt.Errorf("received: %s is after today (%s): give the day the request came in", r.Received, today)
	}
	if r.Lang != "nl" && r.Lang != "en" {
		return errors.New(`lang: must be "nl" or "en"`)
	}
	return checkNotes(r.Notes)
}

// checkTerm reports whether t can be a request's term.
func checkTerm(t rules.Term) error {
	if !strings.ContainsRune("dwmy", rune(t.Unit)) || t.Unit == 0 || t.N <= 0 {
		return errors.New("term: write a number above 0 and a unit d, w, m or y, such as 4w or 1m")
	}
	return nil
}

func checkNotes(notes []string) error {
	if len(notes) > maxNotes {
		return fmt.Errorf("notes: more than %d", maxNotes)
	}
	for i, n := range notes {
		switch {
		case strings.TrimSpace(n) == "":
			return fmt.Errorf("notes[%d]: empty", i)
		case !utf8.ValidString(n):
			return fmt.Errorf("notes[%d]: not valid UTF-8 text", i)
		case utf8.RuneCountInString(n) > maxNote:
			return fmt.Errorf("notes[%d]: longer than %d characters", i, maxNote)
		case strings.ContainsFunc(n, func(c rune) bool { return unicode.IsControl(c) && c != '\n' && c != '\t' }):
			return fmt.Errorf("notes[%d]: contains a control character", i)
		}
	}
	return nil
}

// Summary returns what the daemon exports about the requests
// (metrics.Metrics.SetSubjectRequests): the open ones (not yet answered)
// by kind, when the oldest was received, and when the nearest deadline
// passes; and the answered ones by kind. Answered requests have no
// deadline left: they count towards neither the deadline nor the oldest.
// Days become instants in loc: OldestOpened is the start of the oldest
// Received day, NextDeadline the end of the nearest Deadline day
// (midnight after it), so that the alert on a deadline "in the past"
// fires from the day after the deadline, when the request is overdue.
// Both are zero when no request is open.
func (s *Set) Summary(loc *time.Location) metrics.SubjectRequests {
	out := metrics.SubjectRequests{Open: map[string]int{}, Answered: map[string]int{}}
	for _, r := range s.reqs {
		switch r.Status {
		case StatusOpen:
			out.Open[r.Kind]++
		case StatusAnswered:
			out.Answered[r.Kind]++
		}
	}
	if r, ok := s.Oldest(); ok {
		out.OldestOpened = midnight(r.Received, loc)
	}
	if r, ok := s.NextDeadline(); ok {
		out.NextDeadline = midnight(r.Deadline.AddDays(1), loc)
	}
	return out
}

func midnight(d rules.Date, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

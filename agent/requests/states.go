package requests

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/holds/statefile"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pseudonym"
)

// Events move a request from one status to another (Next).
const (
	// EventAnswer: the organisation replied (request answer; apply of
	// the request's plan; an access or export package made).
	EventAnswer = "answer"
	// EventComplete: carried out in full (request complete; the daemon
	// when a night's plan finds nothing of an erasure's subject left). An
	// open request completed is answered at the same time.
	EventComplete = "complete"
	// EventRefuse: refused, which answers it too.
	EventRefuse = "refuse"
)

// ActionAnswered is the ledger action of a request leaving open: the
// organisation answered it. Closing (completed or refused) is
// ledger.ActionRequestDone with the status as the outcome.
const ActionAnswered = "request-answered"

// SettledBy is who answers and completes an erasure request that the
// daemon finds nothing left of.
const SettledBy = "retentiond"

// Next returns the status a request in status from goes to on event:
//
//	open     --answer-->   answered
//	open     --complete--> completed (answered at the same time)
//	open     --refuse-->   refused   (answered at the same time)
//	answered --complete--> completed
//
// Every other pair is an error saying why: an answered request cannot be
// answered or refused again; a completed or refused one is closed.
func Next(from, event string) (string, error) {
	if !slices.Contains([]string{StatusOpen, StatusAnswered, StatusCompleted, StatusRefused}, from) {
		return "", fmt.Errorf("%q is not a status", from)
	}
	to := map[string]string{EventAnswer: StatusAnswered, EventComplete: StatusCompleted, EventRefuse: StatusRefused}[event]
	switch {
	case to == "":
		return "", fmt.Errorf("%q is not an event: use %s, %s or %s", event, EventAnswer, EventComplete, EventRefuse)
	case from == StatusCompleted || from == StatusRefused:
		return "", fmt.Errorf("closed already (%s)", from)
	case from == StatusAnswered && event != EventComplete:
		return "", errors.New("answered already: what is left is completed when it is gone (request complete)")
	}
	return to, nil
}

// Change is what one event did to a request: the request after it, and
// its status before.
type Change struct {
	Request Request
	From    string
}

// Answer marks the request with the given id (case is ignored) answered
// by by (required: who replied to the person).
func (s *Set) Answer(id, by string, now time.Time) (Change, error) {
	if strings.TrimSpace(by) == "" {
		return Change{}, statefile.Input(errors.New("by: missing: say who answered the request (--by NAME)"))
	}
	return s.transition(id, EventAnswer, by, now)
}

// Complete marks the request completed: carried out in full. If it was
// open, it is answered at the same time, by by ("" if not known).
func (s *Set) Complete(id, by string, now time.Time) (Change, error) {
	return s.transition(id, EventComplete, by, now)
}

// Refuse marks the request refused, such as an erasure that a statutory
// retention duty forbids (R2); refusing answers it, by by ("" if not
// known).
func (s *Set) Refuse(id, by string, now time.Time) (Change, error) {
	return s.transition(id, EventRefuse, by, now)
}

func (s *Set) transition(id, event, by string, now time.Time) (Change, error) {
	id = strings.ToUpper(strings.TrimSpace(id))
	if !requestIDRe.MatchString(id) {
		return Change{}, statefile.Input(errors.New(`not a request id: request ids look like REQ-0003 (see "retentiond request list")`))
	}
	if err := checkBy(by); err != nil {
		return Change{}, statefile.Input(err)
	}
	var c Change
	err := s.update(func(f *file) error {
		i := slices.IndexFunc(f.reqs, func(r Request) bool { return r.ID == id })
		if i < 0 {
			return statefile.Input(fmt.Errorf("%s: there is no request %s (see \"retentiond request list\")", s.path, id))
		}
		var err error
		if c, err = step(&f.reqs[i], event, strings.TrimSpace(by), now); err != nil {
			return fmt.Errorf("%s: request %s %w", s.path, id, err)
		}
		return nil
	})
	return c, err
}

// step applies event to r in place.
func step(r *Request, event, by string, now time.Time) (Change, error) {
	to, err := Next(r.Status, event)
	if err != nil {
		if r.ClosedAt != nil {
			err = fmt.Errorf("%w, at %s", err, r.ClosedAt.Format(time.RFC3339))
		}
		return Change{}, fmt.Errorf("cannot %s: %w", event, err)
	}
	at := now.UTC().Truncate(time.Second)
	c := Change{From: r.Status}
	if r.Status == StatusOpen {
		r.AnsweredAt, r.AnsweredBy = &at, by
	}
	if to != StatusAnswered {
		r.ClosedAt, r.Left = &at, nil
	}
	r.Status = to
	c.Request = clone(*r)
	return c, nil
}

// checkBy checks who a caller says acted: one line of text.
func checkBy(by string) error {
	if len(by) > 200 || strings.ContainsFunc(by, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		return errors.New("by: give a name of one line (at most 200 characters)")
	}
	return nil
}

// LedgerEntries returns the ledger entries for c: ActionAnswered (outcome
// answered; the reason the kind and, when known, "answered by" and the
// answerer's keyed pseudonym as approvals name the approver) when the
// request left open, then ledger.ActionRequestDone (outcome completed or
// refused, the reason the kind) when it was closed. The subject is its
// keyed pseudonym and the rule the request's id; notes and names are left
// out. plan is the digest of the plan that carried it out, or "".
func (c Change) LedgerEntries(k *pseudonym.Keyed, plan string) ([]ledger.Entry, error) {
	r := c.Request
	switch {
	case k == nil:
		return nil, errors.New("request ledger entry: no pseudonym key")
	case !requestIDRe.MatchString(r.ID):
		return nil, errors.New("request ledger entry: the request has no id (open it first)")
	case c.From == r.Status:
		return nil, fmt.Errorf("request %s: nothing changed", r.ID)
	}
	base := ledger.Entry{Plan: plan, Subject: k.Subject(string(r.Subject.Type), r.Subject.ID), Rule: r.ID, Reason: r.Kind}
	var out []ledger.Entry
	if c.From == StatusOpen {
		if r.AnsweredAt == nil {
			return nil, fmt.Errorf("request %s: left open without an answer time", r.ID)
		}
		e := base
		e.Time, e.Action, e.Outcome = *r.AnsweredAt, ActionAnswered, StatusAnswered
		if r.AnsweredBy != "" {
			e.Reason += "; answered by " + approval.ApproverPseudonym(k, r.AnsweredBy)
		}
		out = append(out, e)
	}
	if r.IsClosed() {
		if r.ClosedAt == nil {
			return nil, fmt.Errorf("request %s: closed without a time", r.ID)
		}
		e := base
		e.Time, e.Action, e.Outcome = *r.ClosedAt, ledger.ActionRequestDone, r.Status
		out = append(out, e)
	}
	return out, nil
}

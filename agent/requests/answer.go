package requests

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
)

// ErrUnknownSubject is why a request is not completed: its subject is not
// in the registries, so no plan could find their records, and "nothing
// left" would be the answer for anyone.
var ErrUnknownSubject = errors.New("its subject is not in the registries, so no plan could find their records; fix the registry, or refuse the request")

// Changed reports whether the event changed the request's status (and so
// has ledger entries).
func (c Change) Changed() bool { return c.From != c.Request.Status }

// AfterApply records what apply did with f, the plan of erasure request
// f.Request, run to its end with notDone actions not carried out
// (skipped, failed, left out at approval), and returns what is left of the
// subject (LeftAfterApply). When nothing is left, the request is
// completed, and answered at the same time if it was open; a subject known
// says is not in the registries is ErrUnknownSubject and changes nothing.
// When what is left is held (a statutory minimum, a legal hold), an open
// request is answered, by by (the plan's approver), and Left says what
// stays and when the last goes. While a record needs review or an action
// was not carried out, the organisation cannot yet say what stays: an open
// request stays open (its deadline runs). An answered request gets Left
// counted afresh; a closed one is returned unchanged.
func (s *Set) AfterApply(f *plan.File, notDone int, by string, now time.Time, known func(SubjectRef) bool) (Change, Remaining, error) {
	id := f.Request
	if !requestIDRe.MatchString(id) {
		return Change{}, Remaining{}, errors.New("the plan answers no request")
	}
	if err := checkBy(by); err != nil {
		return Change{}, Remaining{}, err
	}
	var c Change
	var left Remaining
	err := s.update(func(fl *file) error {
		i := slices.IndexFunc(fl.reqs, func(r Request) bool { return r.ID == id })
		if i < 0 {
			return fmt.Errorf("%s: there is no request %s, which the plan answers", s.path, id)
		}
		r := &fl.reqs[i]
		from := r.Status
		left = LeftAfterApply(f, r.Subject, notDone)
		unsettled := left.Review > 0 || notDone > 0
		var err error
		switch {
		case r.IsClosed():
		case left.Records > 0 && r.IsOpen() && !unsettled:
			_, err = step(r, EventAnswer, strings.TrimSpace(by), now)
			r.Left = &left
		case left.Records > 0 && r.Status == StatusAnswered:
			r.Left = &left
		case left.Records > 0:
		case !known(r.Subject):
			return fmt.Errorf("%s cannot be completed: %w", id, ErrUnknownSubject)
		default:
			_, err = step(r, EventComplete, strings.TrimSpace(by), now)
		}
		c = Change{Request: clone(*r), From: from}
		return err
	})
	return c, left, err
}

// AnswerPackage records that an access or export request's package was
// made: an open request is answered then (by by, "" if not known); an
// answered or closed one is returned unchanged. The package is what the
// organisation replies with; handing it over completes the request
// (Complete).
func (s *Set) AnswerPackage(id string, by string, now time.Time) (Change, error) {
	if err := checkBy(by); err != nil {
		return Change{}, err
	}
	r, ok := s.Get(id)
	switch {
	case !ok:
		return Change{}, fmt.Errorf("%s: there is no request %s", s.path, strings.TrimSpace(id))
	case r.Kind != Access && r.Kind != Export:
		return Change{}, fmt.Errorf("%s is an %s request: packages answer access and export requests", r.ID, r.Kind)
	case !r.IsOpen():
		return Change{Request: r, From: r.Status}, nil
	}
	return s.transition(r.ID, EventAnswer, by, now)
}

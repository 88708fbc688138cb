package requests

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/holds/statefile"
	"github.com/retentiond/retentiond/rules"
)

// FileName is the name of the requests file in the state directory.
const FileName = "requests.json"

var requestIDRe = regexp.MustCompile(`^REQ-[0-9]{4,}$`)

// Set is the requests in STATE_DIR/requests.json, as read at Open or
// Reload or after the Set's last change. OpenRequest, Answer, Complete,
// Refuse and Settle re-read the file under a lock before they change it, so that requests
// recorded by another process are kept; the other methods answer from the
// copy in memory. A Set is not safe for concurrent use by several
// goroutines; several Sets may change the same file at once.
type Set struct {
	path string
	reqs []Request // sorted by ID
}

// Open reads the requests of the state directory, which must exist. A
// missing requests.json means no requests; one that cannot be read or
// parsed completely is an error naming the file.
func Open(stateDir string) (*Set, error) {
	if err := statefile.CheckDir(stateDir); err != nil {
		return nil, err
	}
	s := &Set{path: filepath.Join(stateDir, FileName)}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path returns the requests file's path, for messages.
func (s *Set) Path() string { return s.path }

// Reload re-reads the requests file. On error the Set keeps what it had.
func (s *Set) Reload() error {
	b, err := statefile.Read(s.path)
	if err != nil {
		return err
	}
	f, err := parse(s.path, b)
	if err != nil {
		return err
	}
	s.reqs = f.reqs
	return nil
}

// OpenRequest records a new request and returns it with its ID, Term,
// Deadline (Received + term), Status and OpenedAt set. A zero term means
// DefaultTerm; an empty Lang means "nl". It checks the kind, the subject,
// that Received is set and not after today (the calendar day of now in
// now's location: pass now in the organisation's time zone), the notes,
// and that no request of the same kind for the same subject is active
// (open or answered).
// Errors name the field, never the subject id or a note.
func (s *Set) OpenRequest(r Request, term rules.Term, now time.Time) (Request, error) {
	switch {
	case r.ID != "":
		return Request{}, errors.New("a new request has no id yet: OpenRequest assigns one")
	case r.Status != "" && r.Status != StatusOpen, r.ClosedAt != nil, r.AnsweredAt != nil, r.AnsweredBy != "", r.Left != nil:
		return Request{}, errors.New("a new request is open: leave status, answered and closed at empty")
	}
	if term == (rules.Term{}) {
		term = DefaultTerm
	}
	if err := checkTerm(term); err != nil {
		return Request{}, statefile.Input(err)
	}
	if r.Lang == "" {
		r.Lang = "nl"
	}
	r.Kind = strings.TrimSpace(r.Kind)
	r.Notes = slices.Clone(r.Notes)
	if err := r.check(rules.DateIn(now, now.Location())); err != nil {
		return Request{}, statefile.Input(err)
	}
	r.Term, r.Deadline, r.Status = term, term.From(r.Received), StatusOpen
	r.OpenedAt = now.UTC().Truncate(time.Second)
	var opened Request
	err := s.update(func(f *file) error {
		for _, o := range f.reqs {
			if !o.IsClosed() && o.Kind == r.Kind && o.Subject == r.Subject {
				return fmt.Errorf("an %s %s request for this subject exists already: %s (complete or refuse it first, or add to it)", o.Status, r.Kind, o.ID)
			}
		}
		r.ID = fmt.Sprintf("REQ-%04d", f.next)
		f.next++
		f.reqs = append(f.reqs, r)
		opened = r
		return nil
	})
	if err != nil {
		return Request{}, err
	}
	return opened, nil
}

// Get returns the request with the given id (case is ignored).
func (s *Set) Get(id string) (Request, bool) {
	id = strings.ToUpper(strings.TrimSpace(id))
	for _, r := range s.reqs {
		if r.ID == id {
			return clone(r), true
		}
	}
	return Request{}, false
}

// List returns the requests in ID order: all, or only the active ones
// (open or answered: not completed or refused).
func (s *Set) List(activeOnly bool) []Request {
	var out []Request
	for _, r := range s.reqs {
		if !activeOnly || !r.IsClosed() {
			out = append(out, clone(r))
		}
	}
	return out
}

// Oldest returns the open request (not yet answered) received first (the lowest id of those
// received the same day); false if none is open.
func (s *Set) Oldest() (Request, bool) {
	return s.first(func(a, b Request) bool { return a.Received.Before(b.Received) })
}

// NextDeadline returns the open request whose deadline comes first (the
// lowest id of those due the same day); false if none is open.
func (s *Set) NextDeadline() (Request, bool) {
	return s.first(func(a, b Request) bool { return a.Deadline.Before(b.Deadline) })
}

// first returns the open request that no other open one comes before.
func (s *Set) first(before func(a, b Request) bool) (Request, bool) {
	best := -1
	for i, r := range s.reqs {
		if r.IsOpen() && (best < 0 || before(r, s.reqs[best])) {
			best = i
		}
	}
	if best < 0 {
		return Request{}, false
	}
	return clone(s.reqs[best]), true
}

func (s *Set) update(change func(*file) error) error {
	var next *file
	err := statefile.Update(s.path, func(cur []byte) ([]byte, error) {
		f, err := parse(s.path, cur)
		if err != nil {
			return nil, err
		}
		if err := change(f); err != nil {
			return nil, err
		}
		next = f
		return f.marshal()
	})
	if err != nil {
		return err
	}
	s.reqs = next.reqs
	return nil
}

func clone(r Request) Request {
	for _, p := range []**time.Time{&r.ClosedAt, &r.AnsweredAt} {
		if *p != nil {
			at := **p
			*p = &at
		}
	}
	if r.Left != nil {
		l := *r.Left
		r.Left = &l
	}
	r.Notes = slices.Clone(r.Notes)
	return r
}

package requests

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/holds/statefile"
	"github.com/retentiond/retentiond/rules"
)

// FileName is the name of the requests file in the state directory.
const FileName = "requests.json"

const fileVersion = 1

var requestIDRe = regexp.MustCompile(`^REQ-[0-9]{4,}$`)

// Set is the requests in STATE_DIR/requests.json, as read at Open or
// Reload or after the Set's last change. OpenRequest, Close and Refuse
// re-read the file under a lock before they change it, so that requests
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
// and that no request of the same kind for the same subject is open.
// Errors name the field, never the subject id or a note.
func (s *Set) OpenRequest(r Request, term rules.Term, now time.Time) (Request, error) {
	switch {
	case r.ID != "":
		return Request{}, errors.New("a new request has no id yet: OpenRequest assigns one")
	case r.Status != "" && r.Status != StatusOpen, r.ClosedAt != nil:
		return Request{}, errors.New("a new request is open: leave status and closed at empty")
	}
	if term == (rules.Term{}) {
		term = DefaultTerm
	}
	if err := checkTerm(term); err != nil {
		return Request{}, err
	}
	if r.Lang == "" {
		r.Lang = "nl"
	}
	r.Kind = strings.TrimSpace(r.Kind)
	r.Notes = slices.Clone(r.Notes)
	if err := r.check(rules.DateIn(now, now.Location())); err != nil {
		return Request{}, err
	}
	r.Term, r.Deadline, r.Status = term, term.From(r.Received), StatusOpen
	r.OpenedAt = now.UTC().Truncate(time.Second)
	var opened Request
	err := s.update(func(f *file) error {
		for _, o := range f.reqs {
			if o.IsOpen() && o.Kind == r.Kind && o.Subject == r.Subject {
				return fmt.Errorf("an open %s request for this subject exists already: %s (close it first, or add to it)", r.Kind, o.ID)
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

// Close marks the request with the given id (case is ignored) done.
func (s *Set) Close(id string, now time.Time) (Request, error) {
	return s.close(id, StatusDone, now)
}

// Refuse marks the request with the given id refused, such as an erasure
// that a statutory retention duty forbids (R2).
func (s *Set) Refuse(id string, now time.Time) (Request, error) {
	return s.close(id, StatusRefused, now)
}

func (s *Set) close(id, status string, now time.Time) (Request, error) {
	id = strings.ToUpper(strings.TrimSpace(id))
	if !requestIDRe.MatchString(id) {
		return Request{}, errors.New(`not a request id: request ids look like REQ-0003 (see "retentiond request list")`)
	}
	at := now.UTC().Truncate(time.Second)
	var closed Request
	err := s.update(func(f *file) error {
		i := slices.IndexFunc(f.reqs, func(r Request) bool { return r.ID == id })
		if i < 0 {
			return fmt.Errorf("%s: there is no request %s (see \"retentiond request list\")", s.path, id)
		}
		r := &f.reqs[i]
		if !r.IsOpen() {
			return fmt.Errorf("%s: request %s was closed already (%s, at %s)", s.path, id, r.Status, r.ClosedAt.Format(time.RFC3339))
		}
		r.Status, r.ClosedAt = status, &at
		closed = clone(*r)
		return nil
	})
	if err != nil {
		return Request{}, err
	}
	return closed, nil
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

// List returns the requests in ID order: all, or only the open ones.
func (s *Set) List(openOnly bool) []Request {
	var out []Request
	for _, r := range s.reqs {
		if !openOnly || r.IsOpen() {
			out = append(out, clone(r))
		}
	}
	return out
}

// Oldest returns the open request received first (the lowest id of those
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
	if r.ClosedAt != nil {
		at := *r.ClosedAt
		r.ClosedAt = &at
	}
	r.Notes = slices.Clone(r.Notes)
	return r
}

// file is the content of requests.json.
type file struct {
	next int
	reqs []Request
}

// jsonFile and jsonRequest are the on-disk format; dates and times are
// strings so that a bad one is reported by request and key, not echoed.
type jsonFile struct {
	Version  int           `json:"version"`
	Next     int           `json:"next"`
	Requests []jsonRequest `json:"requests"`
}

type jsonRequest struct {
	ID       string      `json:"id"`
	Subject  jsonSubject `json:"subject"`
	Kind     string      `json:"kind"`
	Received string      `json:"received"`
	Term     string      `json:"term"`
	Deadline string      `json:"deadline"`
	Lang     string      `json:"lang"`
	Status   string      `json:"status"`
	OpenedAt string      `json:"opened_at"`
	ClosedAt string      `json:"closed_at,omitempty"`
	Notes    []string    `json:"notes,omitempty"`
}

type jsonSubject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

func parse(path string, b []byte) (*file, error) {
	if b == nil {
		return &file{next: 1}, nil
	}
	var jf jsonFile
	if err := statefile.Decode(b, &jf); err != nil {
		return nil, fmt.Errorf("%s: %w: restore it from a backup", path, err)
	}
	if jf.Version != fileVersion {
		return nil, fmt.Errorf("%s: version %d, want %d (written by another retentiond version?)", path, jf.Version, fileVersion)
	}
	f := &file{next: jf.Next}
	seen := map[string]bool{}
	maxN := 0
	for i, jr := range jf.Requests {
		r, err := jr.request()
		if err != nil {
			where := fmt.Sprintf("requests[%d]", i)
			if requestIDRe.MatchString(jr.ID) {
				where = "request " + jr.ID
			}
			return nil, fmt.Errorf("%s: %s: %w", path, where, err)
		}
		if seen[r.ID] {
			return nil, fmt.Errorf("%s: request %s appears twice", path, r.ID)
		}
		seen[r.ID] = true
		n, _ := strconv.Atoi(r.ID[len("REQ-"):])
		maxN = max(maxN, n)
		f.reqs = append(f.reqs, r)
	}
	if f.next <= maxN {
		return nil, fmt.Errorf("%s: next (%d) is not above the highest request number (%d): edited by hand?", path, f.next, maxN)
	}
	slices.SortFunc(f.reqs, func(a, b Request) int {
		if len(a.ID) != len(b.ID) {
			return len(a.ID) - len(b.ID)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return f, nil
}

func (jr jsonRequest) request() (Request, error) {
	if !requestIDRe.MatchString(jr.ID) {
		return Request{}, errors.New("id: not a request id (REQ- and at least four digits)")
	}
	r := Request{ID: jr.ID, Subject: SubjectRef{Type: rules.SubjectType(jr.Subject.Type), ID: jr.Subject.ID},
		Kind: jr.Kind, Lang: jr.Lang, Status: jr.Status, Notes: jr.Notes}
	var err error
	if r.Received, err = parseDate("received", jr.Received); err != nil {
		return Request{}, err
	}
	if r.Deadline, err = parseDate("deadline", jr.Deadline); err != nil {
		return Request{}, err
	}
	if r.Term, err = rules.ParseTerm(jr.Term); err != nil || checkTerm(r.Term) != nil {
		return Request{}, errors.New("term: not a term such as 4w")
	}
	// The day it was opened bounds Received, as OpenRequest checked.
	if r.OpenedAt, err = time.Parse(time.RFC3339, jr.OpenedAt); err != nil {
		return Request{}, errors.New("opened_at: not a time of the form 2006-01-02T15:04:05Z")
	}
	if err := r.check(rules.DateIn(r.OpenedAt, time.UTC).AddDays(1)); err != nil {
		return Request{}, err
	}
	if r.Deadline.Before(r.Received) {
		return Request{}, errors.New("deadline: before received")
	}
	switch {
	case r.Status == StatusOpen && jr.ClosedAt == "":
	case r.Status == StatusOpen:
		return Request{}, errors.New("closed_at: set on an open request")
	case r.Status != StatusDone && r.Status != StatusRefused:
		return Request{}, fmt.Errorf("status: not one of %s, %s, %s", StatusOpen, StatusDone, StatusRefused)
	default:
		at, err := time.Parse(time.RFC3339, jr.ClosedAt)
		if err != nil {
			return Request{}, errors.New("closed_at: not a time of the form 2006-01-02T15:04:05Z")
		}
		r.ClosedAt = &at
	}
	return r, nil
}

func parseDate(key, s string) (rules.Date, error) {
	d, err := rules.ParseDate(s)
	if err != nil || d.String() != s {
		return rules.Date{}, fmt.Errorf("%s: not a date of the form YYYY-MM-DD", key)
	}
	return d, nil
}

func (f *file) marshal() ([]byte, error) {
	jf := jsonFile{Version: fileVersion, Next: f.next, Requests: []jsonRequest{}}
	for _, r := range f.reqs {
		jr := jsonRequest{ID: r.ID, Subject: jsonSubject{Type: string(r.Subject.Type), ID: r.Subject.ID}, Kind: r.Kind,
			Received: r.Received.String(), Term: r.Term.String(), Deadline: r.Deadline.String(), Lang: r.Lang,
			Status: r.Status, OpenedAt: r.OpenedAt.UTC().Format(time.RFC3339), Notes: r.Notes}
		if r.ClosedAt != nil {
			jr.ClosedAt = r.ClosedAt.UTC().Format(time.RFC3339)
		}
		jf.Requests = append(jf.Requests, jr)
	}
	b, err := json.MarshalIndent(jf, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

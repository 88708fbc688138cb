package requests

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/holds/statefile"
	"github.com/retentiond/retentiond/rules"
)

// fileVersion is the version of requests.json this package writes.
// Version 1 (statuses open, done, refused; no answer) is read too: done
// becomes completed, and a closed request counts as answered when it was
// closed. A version 1 binary refuses version 2, whose statuses it would
// misread.
const fileVersion = 2

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
	// AnsweredAt, AnsweredBy and Left are version 2's.
	AnsweredAt string    `json:"answered_at,omitempty"`
	AnsweredBy string    `json:"answered_by,omitempty"`
	ClosedAt   string    `json:"closed_at,omitempty"`
	Left       *jsonLeft `json:"left,omitempty"`
	Notes      []string  `json:"notes,omitempty"`
}

type jsonLeft struct {
	AsOf    string `json:"as_of"`
	Records int    `json:"records"`
	Review  int    `json:"review,omitempty"`
	Last    string `json:"last,omitempty"`
	Undated int    `json:"undated,omitempty"`
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
	if jf.Version != 1 && jf.Version != fileVersion {
		return nil, fmt.Errorf("%s: version %d; this retentiond reads versions 1 and %d (written by a newer retentiond?)", path, jf.Version, fileVersion)
	}
	f := &file{next: jf.Next}
	seen := map[string]bool{}
	maxN := 0
	for i, jr := range jf.Requests {
		r, err := jr.request(jf.Version)
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

func (jr jsonRequest) request(version int) (Request, error) {
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
	read := r.statusV2
	if version == 1 {
		read = r.fromV1
	}
	if err := read(jr); err != nil {
		return Request{}, err
	}
	return r, nil
}

// fromV1 reads version 1's status: open, done (now completed) or refused;
// a closed request was answered at the latest when it was closed.
func (r *Request) fromV1(jr jsonRequest) error {
	if jr.AnsweredAt != "" || jr.AnsweredBy != "" || jr.Left != nil {
		return errors.New("answered_at, answered_by, left: not part of version 1")
	}
	switch {
	case r.Status == StatusOpen && jr.ClosedAt == "":
		return nil
	case r.Status == StatusOpen:
		return errors.New("closed_at: set on an open request")
	case r.Status == "done":
		r.Status = StatusCompleted
	case r.Status != StatusRefused:
		return fmt.Errorf("status: not one of %s, done, %s (version 1)", StatusOpen, StatusRefused)
	}
	at, err := parseTime("closed_at", jr.ClosedAt)
	if err != nil {
		return err
	}
	r.ClosedAt, r.AnsweredAt = at, at
	return nil
}

// statusV2 reads version 2's status and what it requires: answered_at
// on every request that left open, closed_at on every closed one, left
// only on an answered one.
func (r *Request) statusV2(jr jsonRequest) error {
	if !slices.Contains([]string{StatusOpen, StatusAnswered, StatusCompleted, StatusRefused}, r.Status) {
		return fmt.Errorf("status: not one of %s, %s, %s, %s", StatusOpen, StatusAnswered, StatusCompleted, StatusRefused)
	}
	if err := checkBy(jr.AnsweredBy); err != nil {
		return fmt.Errorf("answered_%w", err)
	}
	switch {
	case r.Status == StatusOpen && (jr.AnsweredAt != "" || jr.AnsweredBy != ""):
		return errors.New("answered_at: set on an open request")
	case r.Status != StatusOpen && jr.AnsweredAt == "":
		return fmt.Errorf("answered_at: missing on an %s request", r.Status)
	case !r.IsClosed() && jr.ClosedAt != "":
		return fmt.Errorf("closed_at: set on an %s request", r.Status)
	case r.IsClosed() && jr.ClosedAt == "":
		return fmt.Errorf("closed_at: missing on a %s request", r.Status)
	case jr.Left != nil && r.Status != StatusAnswered:
		return fmt.Errorf("left: set on an %s request", r.Status)
	}
	var err error
	r.AnsweredBy = jr.AnsweredBy
	if jr.AnsweredAt != "" {
		if r.AnsweredAt, err = parseTime("answered_at", jr.AnsweredAt); err != nil {
			return err
		}
	}
	if jr.ClosedAt != "" {
		if r.ClosedAt, err = parseTime("closed_at", jr.ClosedAt); err != nil {
			return err
		}
	}
	if jr.Left != nil {
		l := Remaining{Records: jr.Left.Records, Review: jr.Left.Review, Undated: jr.Left.Undated}
		if l.AsOf, err = parseDate("left.as_of", jr.Left.AsOf); err != nil {
			return err
		}
		if jr.Left.Last != "" {
			if l.Last, err = parseDate("left.last", jr.Left.Last); err != nil {
				return err
			}
		}
		if l.Records < 0 || l.Review < 0 || l.Undated < 0 || l.Review > l.Records || l.Undated > l.Records {
			return errors.New("left: counts do not add up")
		}
		r.Left = &l
	}
	return nil
}

func parseTime(key, s string) (*time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, fmt.Errorf("%s: not a time of the form 2006-01-02T15:04:05Z", key)
	}
	return &t, nil
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
		if r.AnsweredAt != nil {
			jr.AnsweredAt, jr.AnsweredBy = r.AnsweredAt.UTC().Format(time.RFC3339), r.AnsweredBy
		}
		if l := r.Left; l != nil {
			jr.Left = &jsonLeft{AsOf: l.AsOf.String(), Records: l.Records, Review: l.Review, Undated: l.Undated}
			if !l.Last.IsZero() {
				jr.Left.Last = l.Last.String()
			}
		}
		jf.Requests = append(jf.Requests, jr)
	}
	b, err := json.MarshalIndent(jf, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

package requests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retentiond/retentiond/rules"
)

const (
	secretID   = "998877"
	secretNote = "Mail van Piet Jansen, 3 maart"
)

var (
	zone = time.FixedZone("CET", 3600)
	now  = time.Date(2026, 3, 10, 9, 30, 0, 0, zone)
)

func day(s string) rules.Date {
	d, err := rules.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func req(kind, received string) Request {
	return Request{Subject: SubjectRef{Type: rules.Child, ID: secretID}, Kind: kind, Received: day(received)}
}

func openSet(t *testing.T, dir string) *Set {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func mustOpen(t *testing.T, s *Set, r Request, term rules.Term) Request {
	t.Helper()
	got, err := s.OpenRequest(r, term, now)
	if err != nil {
		t.Fatalf("OpenRequest: %v", err)
	}
	return got
}

func noPersonalData(t *testing.T, text string) {
	t.Helper()
	for _, s := range []string{secretID, secretNote, "Jansen"} {
		if strings.Contains(text, s) {
			t.Errorf("%q repeats personal data %q", text, s)
		}
	}
}

func TestOpenRequestValidation(t *testing.T) {
	with := func(r Request, f func(*Request)) Request { f(&r); return r }
	tests := []struct {
		name string
		req  Request
		term rules.Term
		want string // "" means accepted
	}{
		{"erase", req(Erase, "2026-03-01"), rules.Term{}, ""},
		{"received today", req(Access, "2026-03-10"), rules.Term{}, ""},
		{"with notes", with(req(Export, "2026-03-01"), func(r *Request) { r.Notes = []string{secretNote + "\nper post"} }), rules.Term{}, ""},
		{"english", with(req(Rectify, "2026-03-01"), func(r *Request) { r.Lang = "en" }), rules.Term{}, ""},
		{"restrict, 1 month", req(Restrict, "2026-03-01"), rules.Term{N: 1, Unit: 'm'}, ""},
		{"received tomorrow", req(Erase, "2026-03-11"), rules.Term{}, "received: 2026-03-11 is after today (2026-03-10)"},
		{"no received", with(req(Erase, "2026-03-01"), func(r *Request) { r.Received = rules.Date{} }), rules.Term{}, "received: missing"},
		{"unknown kind", req("delete", "2026-03-01"), rules.Term{}, "kind: not one of erase, access, export, rectify, restrict"},
		{"unknown subject type", with(req(Erase, "2026-03-01"), func(r *Request) { r.Subject.Type = "kid" }), rules.Term{}, "subject: type is not one of"},
		{"no subject id", with(req(Erase, "2026-03-01"), func(r *Request) { r.Subject.ID = "" }), rules.Term{}, "subject: id is missing"},
		{"lang", with(req(Erase, "2026-03-01"), func(r *Request) { r.Lang = "de" }), rules.Term{}, `lang: must be "nl" or "en"`},
		{"zero term", req(Erase, "2026-03-01"), rules.Term{N: 0, Unit: 'w'}, "term:"},
		{"bad unit", req(Erase, "2026-03-01"), rules.Term{N: 4, Unit: 'x'}, "term:"},
		{"id given", with(req(Erase, "2026-03-01"), func(r *Request) { r.ID = "REQ-0001" }), rules.Term{}, "OpenRequest assigns one"},
		{"closed given", with(req(Erase, "2026-03-01"), func(r *Request) { r.Status = StatusCompleted }), rules.Term{}, "a new request is open"},
		{"answered given", with(req(Erase, "2026-03-01"), func(r *Request) { r.AnsweredBy = "x" }), rules.Term{}, "a new request is open"},
		{"empty note", with(req(Erase, "2026-03-01"), func(r *Request) { r.Notes = []string{secretNote, " "} }), rules.Term{}, "notes[1]: empty"},
		{"note with control", with(req(Erase, "2026-03-01"), func(r *Request) { r.Notes = []string{secretNote + "\x07"} }), rules.Term{}, "notes[0]: contains a control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openSet(t, t.TempDir())
			got, err := s.OpenRequest(tt.req, tt.term, now)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("OpenRequest: %v", err)
				}
				wantLang := tt.req.Lang
				if wantLang == "" {
					wantLang = "nl"
				}
				if got.ID != "REQ-0001" || got.Status != StatusOpen || got.Lang != wantLang || !got.OpenedAt.Equal(now) {
					t.Errorf("OpenRequest = %+v", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("OpenRequest error %v, want %q", err, tt.want)
			}
			noPersonalData(t, err.Error())
			if len(s.List(false)) != 0 {
				t.Error("a refused request was stored")
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	tests := []struct {
		received string
		term     rules.Term
		want     string
	}{
		{"2026-03-01", rules.Term{}, "2026-03-29"}, // default: 4 weeks = 28 days
		{"2026-02-20", rules.Term{N: 4, Unit: 'w'}, "2026-03-20"},
		{"2026-02-20", rules.Term{N: 28, Unit: 'd'}, "2026-03-20"},
		{"2026-01-31", rules.Term{N: 1, Unit: 'm'}, "2026-02-28"},
		{"2026-03-01", rules.Term{N: 2, Unit: 'w'}, "2026-03-15"},
	}
	for _, tt := range tests {
		s := openSet(t, t.TempDir())
		r := mustOpen(t, s, req(Erase, tt.received), tt.term)
		if r.Deadline != day(tt.want) {
			t.Errorf("received %s, term %v: deadline %s, want %s", tt.received, tt.term, r.Deadline, tt.want)
		}
	}
	r := Request{Deadline: day("2026-03-29")}
	for _, c := range []struct {
		asOf string
		want int
	}{{"2026-03-01", 28}, {"2026-03-28", 1}, {"2026-03-29", 0}, {"2026-03-30", -1}, {"2026-04-29", -31}} {
		if got := DaysLeft(r, day(c.asOf)); got != c.want {
			t.Errorf("DaysLeft on %s = %d, want %d", c.asOf, got, c.want)
		}
	}
}

func TestDuplicateOpen(t *testing.T) {
	s := openSet(t, t.TempDir())
	first := mustOpen(t, s, req(Erase, "2026-03-01"), rules.Term{})
	_, err := s.OpenRequest(req(Erase, "2026-03-05"), rules.Term{}, now)
	if err == nil || !strings.Contains(err.Error(), "an open erase request for this subject exists already: REQ-0001") {
		t.Fatalf("second open erase request: %v, want an error naming REQ-0001", err)
	}
	noPersonalData(t, err.Error())
	mustOpen(t, s, req(Access, "2026-03-05"), rules.Term{}) // another kind
	other := req(Erase, "2026-03-05")                       // another subject: same id, other type
	other.Subject.Type = rules.Parent
	mustOpen(t, s, other, rules.Term{})
	if _, err := s.Complete(first.ID, "", now); err != nil {
		t.Fatal(err)
	}
	// Once the first is completed, a new erase request may be opened.
	if r := mustOpen(t, s, req(Erase, "2026-03-06"), rules.Term{}); r.ID != "REQ-0004" {
		t.Errorf("id %s, want REQ-0004", r.ID)
	}
}

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	s1 := openSet(t, dir)
	a := mustOpen(t, s1, req(Erase, "2026-03-01"), rules.Term{})
	if got := s1.List(false); !reflect.DeepEqual(got, []Request{a}) {
		t.Fatalf("the Set that opened it lists %+v, want %+v", got, []Request{a})
	}
	s2 := openSet(t, dir)
	if got := s2.List(false); !reflect.DeepEqual(got, []Request{a}) {
		t.Fatalf("after Open: %+v, want %+v", got, []Request{a})
	}
	b := mustOpen(t, s2, req(Access, "2026-03-02"), rules.Term{})
	if len(s1.List(false)) != 1 {
		t.Fatal("s1 changed without Reload")
	}
	if err := s1.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := s1.List(false); !reflect.DeepEqual(got, []Request{a, b}) {
		t.Errorf("after Reload: %+v, want %+v", got, []Request{a, b})
	}
	_, err := Open(filepath.Join(dir, "nope"))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Open of a missing state directory: %v", err)
	}
}

func TestCompleteAndRefuse(t *testing.T) {
	dir := t.TempDir()
	s := openSet(t, dir)
	a := mustOpen(t, s, req(Erase, "2026-03-01"), rules.Term{})
	b := mustOpen(t, s, req(Access, "2026-03-02"), rules.Term{})
	mustOpen(t, s, req(Export, "2026-03-03"), rules.Term{})
	later := now.Add(72 * time.Hour)
	ca, err := s.Refuse(strings.ToLower(a.ID), "", later)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := s.Complete(b.ID, "", later)
	if err != nil {
		t.Fatal(err)
	}
	ra, rb := ca.Request, cb.Request
	if ra.Status != StatusRefused || rb.Status != StatusCompleted || !ra.ClosedAt.Equal(later) {
		t.Errorf("closed: %+v, %+v", ra, rb)
	}
	s2 := openSet(t, dir)
	if got, _ := s2.Get(a.ID); !reflect.DeepEqual(got, ra) {
		t.Errorf("after Open: %+v, want %+v", got, ra)
	}
	var active []string
	for _, r := range s2.List(true) {
		active = append(active, r.ID)
	}
	if !reflect.DeepEqual(active, []string{"REQ-0003"}) || len(s2.List(false)) != 3 {
		t.Errorf("active %v of %d, want [REQ-0003] of 3", active, len(s2.List(false)))
	}
	for _, c := range []struct{ id, want string }{
		{a.ID, "request REQ-0001 cannot complete: closed already (refused), at "},
		{"REQ-0042", "there is no request REQ-0042"},
		{"42", "not a request id"},
	} {
		_, err := s2.Complete(c.id, "", later)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Complete(%s): %v, want %q", c.id, err, c.want)
			continue
		}
		if strings.HasPrefix(c.want, "request") || strings.HasPrefix(c.want, "there") {
			if !strings.Contains(err.Error(), s2.Path()) {
				t.Errorf("Complete(%s) error %q does not name the file", c.id, err)
			}
		}
	}
}

func TestSummary(t *testing.T) {
	s := openSet(t, t.TempDir())
	empty := s.Summary(zone)
	if len(empty.Open) != 0 || !empty.OldestOpened.IsZero() || !empty.NextDeadline.IsZero() {
		t.Errorf("Summary of no requests = %+v, want zeros", empty)
	}
	// Oldest received is REQ-0002 (closed below), then REQ-0001; the
	// nearest deadline is REQ-0004's (2-week term).
	mustOpen(t, s, req(Erase, "2026-02-20"), rules.Term{})            // deadline 2026-03-20
	closed := mustOpen(t, s, req(Access, "2026-02-10"), rules.Term{}) // closed below
	mustOpen(t, s, req(Export, "2026-03-01"), rules.Term{})           // deadline 2026-03-29
	r4 := req(Access, "2026-03-05")
	r4.Subject.ID = "2"
	mustOpen(t, s, r4, rules.Term{N: 2, Unit: 'w'}) // deadline 2026-03-19
	if _, err := s.Complete(closed.ID, "", now); err != nil {
		t.Fatal(err)
	}
	if r, ok := s.Oldest(); !ok || r.ID != "REQ-0001" {
		t.Errorf("Oldest = %s, %v, want REQ-0001", r.ID, ok)
	}
	if r, ok := s.NextDeadline(); !ok || r.ID != "REQ-0004" {
		t.Errorf("NextDeadline = %s, %v, want REQ-0004", r.ID, ok)
	}
	got := s.Summary(zone)
	want := map[string]int{Erase: 1, Access: 1, Export: 1}
	if !reflect.DeepEqual(got.Open, want) {
		t.Errorf("Open = %v, want %v", got.Open, want)
	}
	if w := time.Date(2026, 2, 20, 0, 0, 0, 0, zone); !got.OldestOpened.Equal(w) {
		t.Errorf("OldestOpened = %v, want %v", got.OldestOpened, w)
	}
	// Overdue from the day after the deadline day: the instant is the
	// midnight that ends 19 March.
	if w := time.Date(2026, 3, 20, 0, 0, 0, 0, zone); !got.NextDeadline.Equal(w) {
		t.Errorf("NextDeadline = %v, want %v", got.NextDeadline, w)
	}
}

func TestFileModeAndFormat(t *testing.T) {
	dir := t.TempDir()
	s := openSet(t, dir)
	r := req(Erase, "2026-03-01")
	r.Notes = []string{secretNote}
	mustOpen(t, s, r, rules.Term{})
	path := filepath.Join(dir, FileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	rq := doc["requests"].([]any)[0].(map[string]any)
	for k, v := range map[string]string{"id": "REQ-0001", "kind": "erase", "received": "2026-03-01", "term": "4w",
		"deadline": "2026-03-29", "lang": "nl", "status": "open", "opened_at": "2026-03-10T08:30:00Z"} {
		if rq[k] != v {
			t.Errorf("%s = %v, want %q", k, rq[k], v)
		}
	}
}

func TestCorruptFile(t *testing.T) {
	good := `{"id": "REQ-0001", "subject": {"type": "child", "id": "998877"}, "kind": "erase", "received": "2026-03-01", "term": "4w", "deadline": "2026-03-29", "lang": "nl", "status": "open", "opened_at": "2026-03-10T08:30:00Z"}`
	full := `{"version": 1, "next": 2, "requests": [` + good + `]}`
	v2 := func(old, new string) string {
		return strings.Replace(strings.Replace(full, `"version": 1`, `"version": 2`, 1), old, new, 1)
	}
	tests := []struct{ name, content, want string }{
		{"empty", "", "the file is empty"},
		{"cut short", full[:len(full)-20], "ends too early"},
		{"version", strings.Replace(full, `"version": 1`, `"version": 3`, 1), "version 3; this retentiond reads versions 1 and 2"},
		{"answered in version 1", strings.Replace(full, `"opened_at"`, `"answered_at": "2026-03-11T00:00:00Z", "opened_at"`, 1), "not part of version 1"},
		{"v2 open answered", v2(`"opened_at"`, `"answered_at": "2026-03-11T00:00:00Z", "opened_at"`), "answered_at: set on an open request"},
		{"v2 answered without time", v2(`"open"`, `"answered"`), "answered_at: missing on an answered request"},
		{"v2 answered closed", v2(`"open"`, `"answered", "answered_at": "2026-03-11T00:00:00Z", "closed_at": "2026-03-11T00:00:00Z"`), "closed_at: set on an answered request"},
		{"v2 completed not closed", v2(`"open"`, `"completed", "answered_at": "2026-03-11T00:00:00Z"`), "closed_at: missing on a completed request"},
		{"v2 done", v2(`"open"`, `"done", "answered_at": "2026-03-11T00:00:00Z", "closed_at": "2026-03-11T00:00:00Z"`), "status: not one of open, answered, completed, refused"},
		{"v2 left on open", v2(`"opened_at"`, `"left": {"as_of": "2026-03-11", "records": 1}, "opened_at"`), "left: set on an open request"},
		{"v2 left bad count", v2(`"open"`, `"answered", "answered_at": "2026-03-11T00:00:00Z", "left": {"as_of": "2026-03-11", "records": 1, "undated": 2}`), "left: counts do not add up"},
		{"v2 left bad day", v2(`"open"`, `"answered", "answered_at": "2026-03-11T00:00:00Z", "left": {"as_of": "2026-03-11", "records": 1, "last": "2032"}`), "left.last: not a date"},
		{"kind", strings.Replace(full, `"erase"`, `"wipe"`, 1), "request REQ-0001: kind"},
		{"status", strings.Replace(full, `"open"`, `"lost"`, 1), "request REQ-0001: status"},
		{"closed open", strings.Replace(full, `"opened_at"`, `"closed_at": "2026-03-11T00:00:00Z", "opened_at"`, 1), "closed_at: set on an open request"},
		{"deadline", strings.Replace(full, `"2026-03-29"`, `"29-03-2026"`, 1), "deadline: not a date"},
		{"received after opening", strings.Replace(full, `"received": "2026-03-01"`, `"received": "2026-04-01"`, 1), "received: 2026-04-01 is after"},
		{"term", strings.Replace(full, `"4w"`, `"4 weken"`, 1), "term: not a term"},
		{"deadline before received", strings.Replace(full, `"2026-03-29"`, `"2026-02-28"`, 1), "deadline: before received"},
		{"duplicate", `{"version": 1, "next": 2, "requests": [` + good + "," + good + `]}`, "appears twice"},
		{"next", strings.Replace(full, `"next": 2`, `"next": 0`, 1), "next (0) is not above"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			os.WriteFile(path, []byte(tt.content), 0o600)
			_, err := Open(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Open error %v, want it to name %s and contain %q", err, path, tt.want)
			}
			noPersonalData(t, err.Error())
		})
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte(full), 0o600)
	if s := openSet(t, dir); len(s.List(true)) != 1 {
		t.Error("the well-formed file does not hold one open request")
	}
}

func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	const writers, each = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(dir)
			if err != nil {
				errs <- err
				return
			}
			for i := range each {
				r := req(Access, "2026-03-01")
				r.Subject.ID = fmt.Sprintf("%d-%d", w, i)
				if _, err := s.OpenRequest(r, rules.Term{}, now); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := openSet(t, dir).List(false)
	if len(got) != writers*each {
		t.Fatalf("%d requests on disk, want %d: updates were lost", len(got), writers*each)
	}
	for i, r := range got {
		if want := fmt.Sprintf("REQ-%04d", i+1); r.ID != want {
			t.Errorf("request %d has id %s, want %s", i, r.ID, want)
		}
	}
}

package requests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
)

// TestNext is the state machine: open → answered → completed, and
// refused; a closed request (completed or refused) takes no event.
func TestNext(t *testing.T) {
	tests := []struct {
		from, event, want, err string
	}{
		{StatusOpen, EventAnswer, StatusAnswered, ""},
		{StatusOpen, EventComplete, StatusCompleted, ""}, // answered at the same time
		{StatusOpen, EventRefuse, StatusRefused, ""},
		{StatusAnswered, EventComplete, StatusCompleted, ""},
		{StatusAnswered, EventAnswer, "", "answered already"},
		{StatusAnswered, EventRefuse, "", "answered already"},
		{StatusCompleted, EventAnswer, "", "closed already (completed"},
		{StatusCompleted, EventComplete, "", "closed already (completed"},
		{StatusCompleted, EventRefuse, "", "closed already (completed"},
		{StatusRefused, EventAnswer, "", "closed already (refused"},
		{StatusRefused, EventComplete, "", "closed already (refused"},
		{StatusRefused, EventRefuse, "", "closed already (refused"},
		{StatusOpen, "close", "", "not an event"},
		{"done", EventAnswer, "", "not a status"},
	}
	for _, tt := range tests {
		t.Run(tt.from+" "+tt.event, func(t *testing.T) {
			got, err := Next(tt.from, tt.event)
			if tt.err == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Next = %q, %v, want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("Next = %q, %v, want an error with %q", got, err, tt.err)
			}
		})
	}
}

// TestTransitions runs each event on a stored request and checks what it
// records: answered_at and answered_by on leaving open, closed_at on
// completing or refusing, and the status on disk.
func TestTransitions(t *testing.T) {
	t1 := now.Add(24 * time.Hour)
	t2 := now.Add(48 * time.Hour)
	type step struct {
		event, by string
		at        time.Time
	}
	tests := []struct {
		name         string
		steps        []step
		status       string
		answeredAt   time.Time // zero: not answered
		answeredBy   string
		closedAt     time.Time // zero: not closed
		err          string    // the last step's error
		wantFromLast string    // Change.From of the last step
	}{
		{"answer", []step{{EventAnswer, "Privacy officer", t1}}, StatusAnswered, t1, "Privacy officer", time.Time{}, "", StatusOpen},
		{"answer then complete", []step{{EventAnswer, "Privacy officer", t1}, {EventComplete, "retentiond", t2}},
			StatusCompleted, t1, "Privacy officer", t2, "", StatusAnswered},
		{"complete when open answers too", []step{{EventComplete, "retentiond", t1}}, StatusCompleted, t1, "retentiond", t1, "", StatusOpen},
		{"refuse", []step{{EventRefuse, "Privacy officer", t1}}, StatusRefused, t1, "Privacy officer", t1, "", StatusOpen},
		{"answer without by", []step{{EventAnswer, "", t1}}, StatusOpen, time.Time{}, "", time.Time{}, "by: missing", ""},
		{"answer twice", []step{{EventAnswer, "A", t1}, {EventAnswer, "B", t2}}, StatusAnswered, t1, "A", time.Time{}, "answered already", ""},
		{"refuse after answer", []step{{EventAnswer, "A", t1}, {EventRefuse, "B", t2}}, StatusAnswered, t1, "A", time.Time{}, "answered already", ""},
		{"complete twice", []step{{EventComplete, "A", t1}, {EventComplete, "B", t2}}, StatusCompleted, t1, "A", t1, "closed already", ""},
		{"answer after refuse", []step{{EventRefuse, "A", t1}, {EventAnswer, "B", t2}}, StatusRefused, t1, "A", t1, "closed already", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openSet(t, dir)
			r := mustOpen(t, s, req(Erase, "2026-03-01"), rules.Term{})
			var c Change
			var err error
			for i, st := range tt.steps {
				switch st.event {
				case EventAnswer:
					c, err = s.Answer(r.ID, st.by, st.at)
				case EventComplete:
					c, err = s.Complete(r.ID, st.by, st.at)
				case EventRefuse:
					c, err = s.Refuse(r.ID, st.by, st.at)
				}
				if i < len(tt.steps)-1 && err != nil {
					t.Fatalf("step %d (%s): %v", i, st.event, err)
				}
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("last step: %v, want %q", err, tt.err)
				}
				noPersonalData(t, err.Error())
			} else if err != nil {
				t.Fatalf("last step: %v", err)
			} else if c.From != tt.wantFromLast || c.Request.Status != tt.status {
				t.Errorf("change from %q to %q, want from %q to %q", c.From, c.Request.Status, tt.wantFromLast, tt.status)
			}
			got, _ := openSet(t, dir).Get(r.ID) // as stored
			if got.Status != tt.status {
				t.Errorf("status %q, want %q", got.Status, tt.status)
			}
			if !sameTime(got.AnsweredAt, tt.answeredAt) || got.AnsweredBy != tt.answeredBy {
				t.Errorf("answered %v by %q, want %v by %q", got.AnsweredAt, got.AnsweredBy, tt.answeredAt, tt.answeredBy)
			}
			if !sameTime(got.ClosedAt, tt.closedAt) {
				t.Errorf("closed at %v, want %v", got.ClosedAt, tt.closedAt)
			}
			if got.IsOpen() != (tt.status == StatusOpen) || got.IsClosed() != (tt.status == StatusCompleted || tt.status == StatusRefused) {
				t.Errorf("IsOpen %v, IsClosed %v for %s", got.IsOpen(), got.IsClosed(), got.Status)
			}
		})
	}
}

func sameTime(p *time.Time, want time.Time) bool {
	if want.IsZero() {
		return p == nil
	}
	return p != nil && p.Equal(want.UTC().Truncate(time.Second))
}

// TestAnsweredIsNotDue: an answered request no longer counts towards the
// deadline metrics (open count, oldest, nearest deadline) but still
// counts as active: it is listed, it blocks a second request of its kind
// for the subject, and its erasure still drives the plans.
func TestAnsweredIsNotDue(t *testing.T) {
	s := openSet(t, t.TempDir())
	erase := mustOpen(t, s, req(Erase, "2026-02-01"), rules.Term{}) // deadline 2026-03-01: overdue on 2026-03-10
	other := req(Access, "2026-03-05")
	other.Subject.ID = "2"
	mustOpen(t, s, other, rules.Term{}) // deadline 2026-04-02
	if _, err := s.Answer(erase.ID, "Privacy officer", now); err != nil {
		t.Fatal(err)
	}
	got := s.Summary(zone)
	if want := map[string]int{Access: 1}; !reflect.DeepEqual(got.Open, want) {
		t.Errorf("Open = %v, want %v", got.Open, want)
	}
	if want := map[string]int{Erase: 1}; !reflect.DeepEqual(got.Answered, want) {
		t.Errorf("Answered = %v, want %v", got.Answered, want)
	}
	if w := time.Date(2026, 4, 3, 0, 0, 0, 0, zone); !got.NextDeadline.Equal(w) {
		t.Errorf("NextDeadline = %v, want %v (the access request's, not the answered erasure's)", got.NextDeadline, w)
	}
	if w := time.Date(2026, 3, 5, 0, 0, 0, 0, zone); !got.OldestOpened.Equal(w) {
		t.Errorf("OldestOpened = %v, want %v", got.OldestOpened, w)
	}
	if l := s.List(true); len(l) != 2 {
		t.Errorf("List(active) has %d requests, want 2 (the answered one is still active)", len(l))
	}
	if _, err := s.OpenRequest(req(Erase, "2026-03-06"), rules.Term{}, now); err == nil || !strings.Contains(err.Error(), erase.ID) {
		t.Errorf("a second erasure request beside an answered one: %v, want an error naming %s", err, erase.ID)
	}
	if e := Erasures(s); len(e) != 1 || e[plan.SubjectKey{Type: rules.Child, ID: secretID}] != day("2026-02-01") {
		t.Errorf("Erasures = %v, want the answered request's subject from 2026-02-01", e)
	}
	if _, err := s.Complete(erase.ID, "retentiond", now); err != nil {
		t.Fatal(err)
	}
	if e := Erasures(s); len(e) != 0 {
		t.Errorf("Erasures after completion = %v, want none", e)
	}
}

// TestChangeLedgerEntries: leaving open writes request-answered (with the
// answerer as a keyed pseudonym, as approvals name the approver), closing
// writes request-done with the status; no entry holds a name or an id.
func TestChangeLedgerEntries(t *testing.T) {
	k, err := pseudonym.New([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	const officer = "Jansen, privacy officer"
	subj := k.Subject("child", secretID)
	answered := ledger.Entry{Subject: subj, Rule: "REQ-0001", Action: ActionAnswered, Outcome: StatusAnswered,
		Reason: "erase; answered by " + approval.ApproverPseudonym(k, officer)}
	const digest = "sha256:" + "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12"
	tests := []struct {
		name  string
		run   func(s *Set, id string) (Change, error)
		plan  string
		wants []ledger.Entry // Time left out
	}{
		{"answer", func(s *Set, id string) (Change, error) { return s.Answer(id, officer, now) }, digest,
			[]ledger.Entry{withPlan(answered, digest)}},
		{"complete when open", func(s *Set, id string) (Change, error) { return s.Complete(id, officer, now) }, "",
			[]ledger.Entry{answered, {Subject: subj, Rule: "REQ-0001", Action: ledger.ActionRequestDone, Outcome: StatusCompleted, Reason: Erase}}},
		{"complete when answered", func(s *Set, id string) (Change, error) {
			if _, err := s.Answer(id, officer, now); err != nil {
				return Change{}, err
			}
			return s.Complete(id, "", now)
		}, "", []ledger.Entry{{Subject: subj, Rule: "REQ-0001", Action: ledger.ActionRequestDone, Outcome: StatusCompleted, Reason: Erase}}},
		{"refuse without by", func(s *Set, id string) (Change, error) { return s.Refuse(id, "", now) }, "",
			[]ledger.Entry{{Subject: subj, Rule: "REQ-0001", Action: ActionAnswered, Outcome: StatusAnswered, Reason: Erase},
				{Subject: subj, Rule: "REQ-0001", Action: ledger.ActionRequestDone, Outcome: StatusRefused, Reason: Erase}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openSet(t, t.TempDir())
			r := req(Erase, "2026-03-01")
			r.Notes = []string{secretNote}
			r = mustOpen(t, s, r, rules.Term{})
			c, err := tt.run(s, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			es, err := c.LedgerEntries(k, tt.plan)
			if err != nil {
				t.Fatal(err)
			}
			l, err := ledger.Open(t.TempDir(), "example.nl/retentiond")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			for i := range es {
				if es[i].Time.IsZero() {
					t.Errorf("entry %d has no time", i)
				}
				if _, err := l.Append(es[i]); err != nil {
					t.Errorf("the ledger refuses entry %d: %v", i, err)
				}
				b, _ := json.Marshal(es[i])
				noPersonalData(t, string(b))
				if strings.Contains(string(b), "privacy officer") {
					t.Errorf("entry %d names the answerer: %s", i, b)
				}
				es[i].Time = time.Time{}
			}
			if !reflect.DeepEqual(es, tt.wants) {
				t.Errorf("entries\n got %+v\nwant %+v", es, tt.wants)
			}
		})
	}
	if _, err := (Change{Request: Request{ID: "REQ-0001", Status: StatusOpen}, From: StatusOpen}).LedgerEntries(k, ""); err == nil {
		t.Error("a change that changed nothing gave ledger entries")
	}
}

func withPlan(e ledger.Entry, digest string) ledger.Entry { e.Plan = digest; return e }

// TestMigrateVersion1: a requests.json of the previous version (statuses
// open, done, refused) loads: done is completed, and a closed request
// counts as answered when it was closed. The next change writes version 2.
func TestMigrateVersion1(t *testing.T) {
	const v1 = `{
  "version": 1,
  "next": 4,
  "requests": [
    {"id": "REQ-0001", "subject": {"type": "child", "id": "998877"}, "kind": "erase", "received": "2026-01-05", "term": "4w", "deadline": "2026-02-02", "lang": "nl", "status": "done", "opened_at": "2026-01-06T08:00:00Z", "closed_at": "2026-01-20T10:00:00Z"},
    {"id": "REQ-0002", "subject": {"type": "parent", "id": "R1"}, "kind": "access", "received": "2026-02-01", "term": "4w", "deadline": "2026-03-01", "lang": "en", "status": "refused", "opened_at": "2026-02-01T08:00:00Z", "closed_at": "2026-02-10T10:00:00Z", "notes": ["` + secretNote + `"]},
    {"id": "REQ-0003", "subject": {"type": "child", "id": "998877"}, "kind": "erase", "received": "2026-03-01", "term": "4w", "deadline": "2026-03-29", "lang": "nl", "status": "open", "opened_at": "2026-03-02T08:00:00Z"}
  ]
}
`
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte(v1), 0o600); err != nil {
		t.Fatal(err)
	}
	s := openSet(t, dir)
	closed := func(at string) *time.Time {
		tm, _ := time.Parse(time.RFC3339, at)
		return &tm
	}
	for _, c := range []struct {
		id, status string
		answered   *time.Time
	}{
		{"REQ-0001", StatusCompleted, closed("2026-01-20T10:00:00Z")},
		{"REQ-0002", StatusRefused, closed("2026-02-10T10:00:00Z")},
		{"REQ-0003", StatusOpen, nil},
	} {
		r, ok := s.Get(c.id)
		if !ok {
			t.Fatalf("%s not loaded", c.id)
		}
		if r.Status != c.status || !reflect.DeepEqual(r.AnsweredAt, c.answered) || r.AnsweredBy != "" {
			t.Errorf("%s: status %q answered %v by %q, want %q answered %v", c.id, r.Status, r.AnsweredAt, r.AnsweredBy, c.status, c.answered)
		}
	}
	if _, err := s.Answer("REQ-0003", "Privacy officer", now); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var doc struct {
		Version  int
		Requests []map[string]any
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 2 || doc.Requests[0]["status"] != StatusCompleted || doc.Requests[2]["answered_by"] != "Privacy officer" {
		t.Errorf("written back:\n%s", b)
	}
	if got := openSet(t, dir).List(false); len(got) != 3 {
		t.Errorf("version 2 reads back %d requests, want 3", len(got))
	}
	// A version 1 file cannot hold the new statuses.
	bad := strings.Replace(v1, `"status": "open"`, `"status": "answered"`, 1)
	os.WriteFile(path, []byte(bad), 0o600)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "request REQ-0003: status") {
		t.Errorf("version 1 with status answered: %v", err)
	}
}

func testKey(t *testing.T) *pseudonym.Keyed {
	t.Helper()
	k, err := pseudonym.New([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

package requests

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// item is a plan item of subject child:ID.
func item(id string, a rules.Action, due string) *plan.Item {
	it := &plan.Item{Store: "dossiers", Record: "r-" + id + "-" + string(a) + due, Action: a, Due: due}
	if id != "" {
		it.Subject = &plan.SubjectRef{Type: rules.Child, ID: id, Name: "Piet Jansen"}
	}
	return it
}

func planOf(asOf string, items ...*plan.Item) *plan.File {
	return &plan.File{Header: plan.Header{AsOf: asOf}, Items: items}
}

var child = SubjectRef{Type: rules.Child, ID: secretID}

// TestLeft: what a plan leaves of a subject — every item of a plan not
// yet carried out; after apply, the held and review items and the actions
// apply did not carry out. Last is the latest due day; a record without
// one (a hold until released, a minimum with no known end, review) is
// undated.
func TestLeft(t *testing.T) {
	contract := item(secretID, rules.Hold, "2032-06-30")
	invoice := item(secretID, rules.Hold, "2033-01-01")
	dossier := item(secretID, rules.Delete, "2026-11-20")
	row := item(secretID, rules.Pseudonymise, "2026-11-20")
	unsure := item(secretID, rules.Review, "")
	forever := item(secretID, rules.Hold, "")
	other := item("2", rules.Hold, "2040-01-01")
	tests := []struct {
		name    string
		f       *plan.File
		applied bool
		notDone int
		want    Remaining
	}{
		{"nightly plan: all of the subject's items", planOf("2026-11-23", dossier, row, contract, invoice, other), false, 0,
			Remaining{AsOf: day("2026-11-23"), Records: 4, Last: day("2033-01-01")}},
		{"applied in full: the held ones", planOf("2026-11-23", dossier, row, contract, invoice, other), true, 0,
			Remaining{AsOf: day("2026-11-23"), Records: 2, Last: day("2033-01-01")}},
		{"applied, one failed: due on the plan's day", planOf("2026-11-23", dossier, other), true, 1,
			Remaining{AsOf: day("2026-11-23"), Records: 1, Last: day("2026-11-23")}},
		{"review and an endless hold are undated", planOf("2026-11-23", contract, unsure, forever), true, 0,
			Remaining{AsOf: day("2026-11-23"), Records: 3, Review: 1, Undated: 2, Last: day("2032-06-30")}},
		{"nothing of the subject", planOf("2026-11-23", other, item("", rules.Review, "")), false, 0,
			Remaining{AsOf: day("2026-11-23")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Remaining
			if tt.applied {
				got = LeftAfterApply(tt.f, child, tt.notDone)
			} else {
				got = LeftInPlan(tt.f, child)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestSettle is the nightly step: an erasure request (open or answered)
// whose subject the night's plans list nothing of is completed (an open
// one answered at the same time); an answered one with records left gets
// the count and the last day; an open one with records left stays open
// and due; a subject not in the registries is never completed.
func TestSettle(t *testing.T) {
	asOf := day("2032-06-30")
	tests := []struct {
		name     string
		kind     string
		received string
		answer   bool
		known    bool
		plans    []*plan.File
		status   string
		left     *Remaining
		changed  bool
		unknown  bool
	}{
		{"open, nothing left", Erase, "2026-11-20", false, true, []*plan.File{planOf("2032-06-30")}, StatusCompleted, nil, true, false},
		{"answered, nothing left", Erase, "2026-11-20", true, true, []*plan.File{planOf("2032-06-30", item("2", rules.Delete, "2032-06-30"))}, StatusCompleted, nil, true, false},
		{"answered, contract held", Erase, "2026-11-20", true, true,
			[]*plan.File{planOf("2032-06-29", item(secretID, rules.Hold, "2032-06-30"))},
			StatusAnswered, &Remaining{AsOf: day("2032-06-29"), Records: 1, Last: day("2032-06-30")}, false, false},
		{"answered, the auto_apply plan's item", Erase, "2026-11-20", true, true,
			[]*plan.File{planOf("2032-06-30"), planOf("2032-06-30", item(secretID, rules.Delete, "2026-11-20"))},
			StatusAnswered, &Remaining{AsOf: day("2032-06-30"), Records: 1, Last: day("2026-11-20")}, false, false},
		{"open, records left", Erase, "2026-11-20", false, true, []*plan.File{planOf("2032-06-30", item(secretID, rules.Delete, "2026-11-20"))}, StatusOpen, nil, false, false},
		{"received after the plan's day", Erase, "2032-07-01", false, true, []*plan.File{planOf("2032-06-30")}, StatusOpen, nil, false, false},
		{"subject not in the registries", Erase, "2026-11-20", true, false, []*plan.File{planOf("2032-06-30")}, StatusAnswered, nil, false, true},
		{"an access request is not settled by plans", Access, "2026-11-20", false, true, []*plan.File{planOf("2032-06-30")}, StatusOpen, nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openSet(t, dir)
			at := now.AddDate(0, 0, -10)
			r, err := s.OpenRequest(req(tt.kind, tt.received), rules.Term{}, at.AddDate(7, 0, 0))
			if err != nil {
				t.Fatal(err)
			}
			if tt.answer {
				if _, err := s.Answer(r.ID, "Privacy officer", at.AddDate(7, 0, 0)); err != nil {
					t.Fatal(err)
				}
			}
			known := func(SubjectRef) bool { return tt.known }
			night := at.AddDate(7, 0, 10)
			changes, unknown, err := s.Settle(tt.plans, asOf, night, known)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := openSet(t, dir).Get(r.ID)
			if got.Status != tt.status || !reflect.DeepEqual(got.Left, tt.left) {
				t.Errorf("status %q left %+v, want %q left %+v", got.Status, got.Left, tt.status, tt.left)
			}
			if (len(changes) == 1) != tt.changed || len(changes) > 1 {
				t.Errorf("%d changes, want changed=%v", len(changes), tt.changed)
			}
			if tt.changed {
				c := changes[0]
				if c.Request.ID != r.ID || c.Request.AnsweredAt == nil || c.Request.ClosedAt == nil {
					t.Errorf("change %+v", c)
				}
				if !tt.answer && (c.From != StatusOpen || c.Request.AnsweredBy != SettledBy || !c.Request.AnsweredAt.Equal(*c.Request.ClosedAt)) {
					t.Errorf("an open request completed with nothing left is answered at the same time, by %q: %+v", SettledBy, c.Request)
				}
			}
			if want := []string(nil); tt.unknown {
				want = []string{r.ID}
				if !reflect.DeepEqual(unknown, want) {
					t.Errorf("unknown = %v, want %v", unknown, want)
				}
			} else if len(unknown) != 0 {
				t.Errorf("unknown = %v, want none", unknown)
			}
		})
	}
}

// TestStatusLine: what request list says of a request.
func TestStatusLine(t *testing.T) {
	today := day("2026-03-10")
	answered := now
	base := Request{ID: "REQ-0001", Kind: Erase, Subject: child, Received: day("2026-03-01"), Deadline: day("2026-03-29")}
	with := func(f func(*Request)) Request { r := base; f(&r); return r }
	tests := []struct {
		name string
		r    Request
		want []string
	}{
		{"open", with(func(r *Request) { r.Status = StatusOpen }), []string{"19 day(s) left"}},
		{"overdue", with(func(r *Request) { r.Status, r.Deadline = StatusOpen, day("2026-03-08") }), []string{"OVERDUE by 2 day(s)"}},
		{"answered, not yet counted", with(func(r *Request) {
			r.Status, r.AnsweredAt, r.AnsweredBy = StatusAnswered, &answered, "Privacy officer"
		}), []string{"answered 2026-03-10 by Privacy officer", "what is left is counted by the next nightly plan"}},
		{"answered, contract held", with(func(r *Request) {
			r.Status, r.AnsweredAt, r.AnsweredBy = StatusAnswered, &answered, "Privacy officer"
			r.Left = &Remaining{AsOf: day("2026-03-10"), Records: 1, Last: day("2032-06-30")}
		}), []string{"answered 2026-03-10 by Privacy officer", "1 record(s) left as of 2026-03-10", "the last goes on 2032-06-30"}},
		{"answered, undated", with(func(r *Request) {
			r.Status, r.AnsweredAt = StatusAnswered, &answered
			r.Left = &Remaining{AsOf: day("2026-03-10"), Records: 3, Review: 1, Undated: 2, Last: day("2032-06-30")}
		}), []string{"answered 2026-03-10;", "3 record(s) left", "1 need(s) review", "2 have no end date yet"}},
		{"completed", with(func(r *Request) { r.Status, r.ClosedAt = StatusCompleted, &answered }), []string{"completed 2026-03-10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.r.StatusLine(today, zone)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
		})
	}
}

// TestAfterApply: apply of a request's plan answers the request when what
// stays is held (a contract under a statutory minimum), with what is left;
// completes it when nothing is left (answered at the same time); leaves it
// open while a record needs review or an action was not carried out (the
// organisation cannot yet say what stays); never completes it for a
// subject not in the registries.
func TestAfterApply(t *testing.T) {
	contract := item(secretID, rules.Hold, "2032-06-30")
	dossier := item(secretID, rules.Delete, "2026-11-20")
	tests := []struct {
		name     string
		answered bool // answered before the apply
		f        *plan.File
		notDone  int
		known    bool
		status   string
		left     *Remaining
		entries  []string // ledger actions
		err      string
	}{
		{"contract held: answered", false, planOf("2026-11-23", dossier, contract), 0, true, StatusAnswered,
			&Remaining{AsOf: day("2026-11-23"), Records: 1, Last: day("2032-06-30")}, []string{ActionAnswered}, ""},
		{"item left out: stays open", false, planOf("2026-11-23", dossier, contract), 1, true, StatusOpen, nil, nil, ""},
		{"review: stays open", false, planOf("2026-11-23", dossier, contract, item(secretID, rules.Review, "")), 0, true, StatusOpen, nil, nil, ""},
		{"answered before, review: left counted", true, planOf("2026-11-23", item(secretID, rules.Review, "")), 0, true, StatusAnswered,
			&Remaining{AsOf: day("2026-11-23"), Records: 1, Review: 1, Undated: 1}, nil, ""},
		{"nothing left: completed", false, planOf("2026-11-23", dossier), 0, true, StatusCompleted, nil,
			[]string{ActionAnswered, "request-done"}, ""},
		{"answered before, still held: left counted again", true, planOf("2027-01-05", contract), 0, true, StatusAnswered,
			&Remaining{AsOf: day("2027-01-05"), Records: 1, Last: day("2032-06-30")}, nil, ""},
		{"answered before, nothing left: completed", true, planOf("2032-06-30", item(secretID, rules.Delete, "2032-06-30")), 0, true, StatusCompleted, nil,
			[]string{"request-done"}, ""},
		{"subject not in the registries", false, planOf("2026-11-23"), 0, false, StatusOpen, nil, nil, "not in the registries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openSet(t, dir)
			r := mustOpen(t, s, req(Erase, "2026-03-01"), rules.Term{})
			if tt.answered {
				if _, err := s.Answer(r.ID, "Privacy officer", now); err != nil {
					t.Fatal(err)
				}
			}
			tt.f.Request = r.ID
			c, left, err := s.AfterApply(tt.f, tt.notDone, "Approver", now.Add(time.Hour), func(SubjectRef) bool { return tt.known })
			if want := LeftAfterApply(tt.f, child, tt.notDone); err == nil && left != want {
				t.Errorf("left %+v, want %+v", left, want)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("AfterApply: %v, want %q", err, tt.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			got, _ := openSet(t, dir).Get(r.ID)
			if got.Status != tt.status || !reflect.DeepEqual(got.Left, tt.left) {
				t.Errorf("status %q left %+v, want %q left %+v", got.Status, got.Left, tt.status, tt.left)
			}
			if !tt.answered && tt.status != StatusOpen && got.AnsweredBy != "Approver" {
				t.Errorf("answered by %q, want the plan's approver", got.AnsweredBy)
			}
			var actions []string
			if err == nil && c.Changed() {
				es, err := c.LedgerEntries(testKey(t), "")
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range es {
					actions = append(actions, e.Action)
				}
			}
			if !reflect.DeepEqual(actions, tt.entries) {
				t.Errorf("ledger actions %v, want %v", actions, tt.entries)
			}
		})
	}
	// A plan that answers no request, or another request, is refused.
	s := openSet(t, t.TempDir())
	if _, _, err := s.AfterApply(planOf("2026-11-23"), 0, "x", now, func(SubjectRef) bool { return true }); err == nil {
		t.Error("AfterApply of a plan without a request: no error")
	}
}

// TestAnswerPackage: making an access or export package answers the
// request when it is open, and changes nothing otherwise.
func TestAnswerPackage(t *testing.T) {
	s := openSet(t, t.TempDir())
	acc := mustOpen(t, s, req(Access, "2026-03-01"), rules.Term{})
	exp := mustOpen(t, s, req(Export, "2026-03-01"), rules.Term{})
	era := mustOpen(t, s, req(Erase, "2026-03-01"), rules.Term{})
	for _, c := range []struct {
		id      string
		by      string
		changed bool
		err     string
	}{
		{acc.ID, "", true, ""},
		{acc.ID, "", false, ""}, // answered already: a second package changes nothing
		{exp.ID, "Privacy officer", true, ""},
		{era.ID, "x", false, "packages answer access and export requests"},
	} {
		ch, err := s.AnswerPackage(c.id, c.by, now)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want %q", c.id, err, c.err)
			}
			continue
		}
		if err != nil || ch.Changed() != c.changed || ch.Request.Status != StatusAnswered || ch.Request.AnsweredBy != c.by {
			t.Errorf("%s: %+v %v, want changed=%v, answered by %q", c.id, ch, err, c.changed, c.by)
		}
	}
}

package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/demo"
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// demoDay is the day the demo organisation is made and planned as of.
var demoDay = rules.Date{Year: 2026, Month: time.November, Day: 23}

// demoService builds the demo organisation with its keys in a temporary
// folder and returns the service on its config.
func demoService(t *testing.T) *Service {
	t.Helper()
	dir := t.TempDir()
	cfgPath, err := demo.Generate(dir, demoDay, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Generate(filepath.Join(dir, "keys"), keys.NameFor("demo")); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, Options{Out: &bytes.Buffer{}, Warn: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// plan makes a plan in the state dir as of the demo's day.
func mustPlan(t *testing.T, s *Service) *PlanResult {
	t.Helper()
	res, err := s.Plan(t.Context(), PlanOptions{AsOf: demoDay})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed > 0 || res.Summary.Delete == 0 {
		t.Fatalf("the demo's plan: %d store(s) failed, %d to delete", res.Failed, res.Summary.Delete)
	}
	return res
}

func stateOf(t *testing.T, s *Service, id string) PlanInfo {
	t.Helper()
	ps, err := s.Plans()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("plan %s not listed in %+v", id, ps)
	return PlanInfo{}
}

// TestPlansStates: Plans lists the state dir's plans newest first, each
// in the state its files say: waiting, approved (with its approver),
// applied, stale, rejected, expired, unreadable; a folder still without
// plan.json is left out.
func TestPlansStates(t *testing.T) {
	s := demoService(t)
	ctx := t.Context()
	first := mustPlan(t, s)
	id := filepath.Base(first.Dir)

	p := stateOf(t, s, id)
	if p.State != StateWaiting || len(p.Approvers) != 0 || p.Summary != first.Summary || p.AsOf != demoDay.String() || p.Problem != "" {
		t.Fatalf("a new plan: %+v", p)
	}
	if _, err := s.Approve(ctx, id, Actor{Name: "Marieke de Vries", Via: ViaConsole, Account: "local:marieke"}, nil, ""); err != nil {
		t.Fatal(err)
	}
	if p := stateOf(t, s, id); p.State != StateApproved || len(p.Approvers) != 1 || p.Approvers[0] != "Marieke de Vries" {
		t.Fatalf("an approved plan: %+v", p)
	}
	if err := os.WriteFile(filepath.Join(first.Dir, AppliedMarker), []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if p := stateOf(t, s, id); p.State != StateApplied {
		t.Fatalf("an applied plan: %+v", p)
	}

	second := mustPlan(t, s)
	id2 := filepath.Base(second.Dir)
	if err := os.WriteFile(filepath.Join(second.Dir, StaleMarker), []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if p := stateOf(t, s, id2); p.State != StateStale {
		t.Fatalf("a stale plan: %+v", p)
	}

	// Another day's plan (a plan of the same second and day would be the
	// same plan, with the same digest).
	third, err := s.Plan(ctx, PlanOptions{AsOf: rules.Date{Year: 2026, Month: time.November, Day: 24}})
	if err != nil {
		t.Fatal(err)
	}
	id3 := filepath.Base(third.Dir)
	f, _, err := s.PlanFile(id3)
	if err != nil {
		t.Fatal(err)
	}
	signer, _, err := s.LedgerKeys()
	if err != nil {
		t.Fatal(err)
	}
	r, err := approval.Reject(s.cfg.StateDir, f, "Jan Bakker", "te veel", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := approval.SaveRejection(s.cfg.StateDir, r, signer); err != nil {
		t.Fatal(err)
	}
	if p := stateOf(t, s, id3); p.State != StateRejected {
		t.Fatalf("a rejected plan: %+v", p)
	}

	// A plan made longer ago than plan_max_age.
	old := filepath.Join(s.cfg.StateDir, "plans", "20250101-020000")
	copyPlan(t, filepath.Join(first.Dir, report.PlanJSON), filepath.Join(old, report.PlanJSON), func(b []byte) []byte {
		return regexp.MustCompile(`"created_at":\s*"[^"]*"`).ReplaceAll(b, []byte(`"created_at": "2025-01-01T02:00:00+01:00"`))
	})
	if p := stateOf(t, s, "20250101-020000"); p.State != StateExpired || !p.ExpiresAt.Before(time.Now()) {
		t.Fatalf("an old plan: %+v", p)
	}
	// Damaged, and being made.
	copyPlan(t, filepath.Join(first.Dir, report.PlanJSON), filepath.Join(s.cfg.StateDir, "plans", "20250102-020000", report.PlanJSON),
		func(b []byte) []byte { return b[:len(b)/2] })
	os.MkdirAll(filepath.Join(s.cfg.StateDir, "plans", "20250103-020000"), 0o700)
	ps, err := s.Plans()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID+"="+p.State)
	}
	want := []string{id3 + "=rejected", id2 + "=stale", id + "=applied", "20250102-020000=unreadable", "20250101-020000=expired"}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("Plans: %v, want %v", ids, want)
	}
	for _, p := range ps {
		if p.State == StateUnreadable && (p.Problem == "" || !strings.Contains(p.Problem, "20250102-020000")) {
			t.Errorf("an unreadable plan says why: %+v", p)
		}
	}
}

func copyPlan(t *testing.T, from, to string, edit func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, edit(b), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestPlanIDs: a plan id is a plan folder's name, never a path.
func TestPlanIDs(t *testing.T) {
	s := demoService(t)
	for _, id := range []string{"", "..", "../plans", "20261207-020000/../../keys", "20261207-020000/auto", "x", "2026120-020000", "20261207-020000-abcd"} {
		_, _, err := s.PlanFile(id)
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("PlanFile(%q): %v, want an input error", id, err)
		}
	}
	for _, id := range []string{"20261207-020000", "20261207-020000-2"} {
		if err := validPlanID(id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
	if _, err := s.Apply(t.Context(), "../../etc", ApplyOptions{}); err == nil {
		t.Error("Apply took a path for a plan id")
	}
}

// demoSubject is a child of the demo's plan with a name of two words or
// more, the last of six letters or more.
func demoSubject(t *testing.T, res *PlanResult) plan.SubjectRef {
	t.Helper()
	f, err := ReadPlan(res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range f.Items {
		if it.Subject == nil {
			continue
		}
		if w := strings.Fields(it.Subject.Name); it.Subject.Type == rules.Child && len(w) >= 2 && len([]rune(w[len(w)-1])) >= 6 {
			return *it.Subject
		}
	}
	t.Fatal("no child with a name in the demo's plan")
	return plan.SubjectRef{}
}

// TestSubjectsSearch: the console's person search finds a person of the
// registries by TYPE:ID, by id, by the whole name in any word order and
// case, and by the start of the surname; an empty query finds no one; the limit
// holds.
func TestSubjectsSearch(t *testing.T) {
	s := demoService(t)
	want := demoSubject(t, mustPlan(t, s))
	words := strings.Fields(want.Name)
	reversed := strings.ToUpper(words[len(words)-1] + ", " + strings.Join(words[:len(words)-1], " "))
	part := strings.ToLower(string([]rune(words[len(words)-1])[:4]))
	for _, q := range []string{string(want.Type) + ":" + want.ID, want.ID, want.Name, reversed, part} {
		got, err := s.Subjects(t.Context(), q, 500)
		if err != nil {
			t.Fatal(err)
		}
		found := -1
		for i, g := range got {
			if g.Type == want.Type && g.ID == want.ID {
				found = i
				if g.Name != want.Name {
					t.Errorf("query %d: name %q, want the registry's %q", len(q), g.Name, want.Name)
				}
			}
		}
		if found < 0 {
			t.Errorf("a query of %d characters did not find the person (%d found)", len(q), len(got))
		}
		if q != part && found != 0 {
			t.Errorf("an exact query of %d characters found the person at place %d, not first", len(q), found)
		}
	}
	if got, err := s.Subjects(t.Context(), "  ", 10); err != nil || len(got) != 0 {
		t.Errorf("an empty query found %d, %v", len(got), err)
	}
	if got, _ := s.Subjects(t.Context(), "e", 3); len(got) > 3 {
		t.Errorf("limit 3: %d found", len(got))
	}
}

// TestActorRecorded: a hold added and released, and a resolution made,
// at the console name the person in the state file and by a keyed
// pseudonym (with how they acted) in the ledger, never by name; an
// unknown subject is refused with its closest matches.
func TestActorRecorded(t *testing.T) {
	s := demoService(t)
	ctx := t.Context()
	sub := demoSubject(t, mustPlan(t, s))
	by := Actor{Name: "Marieke de Vries", Via: ViaConsole, Account: "local:marieke"}
	ref := holds.SubjectRef{Type: sub.Type, ID: sub.ID}
	h, err := s.AddHold(ctx, HoldInput{Subject: &ref, Reason: "geschil"}, by)
	if err != nil {
		t.Fatal(err)
	}
	if h.AddedBy != by.Name {
		t.Errorf("AddedBy %q", h.AddedBy)
	}
	if _, err := s.ReleaseHold(ctx, h.ID, by); err != nil {
		t.Fatal(err)
	}
	k, err := s.Pseudonyms()
	if err != nil {
		t.Fatal(err)
	}
	stamp := "; by " + approval.ApproverPseudonym(k, by.Name) + " via console"
	b, err := os.ReadFile(filepath.Join(s.cfg.StateDir, "ledger", ledger.EntriesFile))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(by.Name)) || bytes.Contains(b, []byte("marieke")) || bytes.Contains(b, []byte(sub.Name)) {
		t.Fatalf("the ledger names a person:\n%s", b)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var e ledger.Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if e.Action == ledger.ActionHoldAdded || e.Action == ledger.ActionHoldReleased {
			n++
			if !strings.HasSuffix(e.Reason, stamp) {
				t.Errorf("%s entry's reason %q does not name the actor", e.Action, e.Reason)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d hold entries in the ledger, want 2", n)
	}

	// A request answered at the console: the answer names the actor once.
	r, err := s.OpenRequest(ctx, RequestInput{Subject: ref, Kind: "access", Lang: "nl"}, by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnswerRequest(ctx, r.ID, by); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(filepath.Join(s.cfg.StateDir, "ledger", ledger.EntriesFile))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var last ledger.Entry
	json.Unmarshal([]byte(lines[len(lines)-1]), &last)
	if p := approval.ApproverPseudonym(k, by.Name); strings.Count(last.Reason, p) != 1 || !strings.HasSuffix(last.Reason, " via console") {
		t.Errorf("the answer's entry %s: reason %q", last.Action, last.Reason)
	}

	unknown := holds.SubjectRef{Type: sub.Type, ID: sub.ID + "9"}
	_, err = s.AddHold(ctx, HoldInput{Subject: &unknown, Reason: "x"}, by)
	var ue *UnknownSubjectError
	var ie *InputError
	if !errors.As(err, &ue) || !errors.As(err, &ie) || len(ue.Near) == 0 || strings.Contains(err.Error(), unknown.ID) {
		t.Errorf("a hold on an unknown subject: %v", err)
	}
}

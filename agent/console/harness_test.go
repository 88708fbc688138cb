package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/console/auth"
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// testNow is the tests' clock.
var testNow = time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)

// childName is the name of plan test child k: personal data the tests
// look for where it must not be.
func childName(k int) string { return fmt.Sprintf("Jantje Vermeulen%04d", k) }

// writePlan writes a real plan.json of n items under stateDir/plans/id:
// ten items per child, in folders named for the child, with deletions,
// pseudonymisations, review and keep items over two stores.
func writePlan(t testing.TB, stateDir, id string, n int) PlanInfo {
	t.Helper()
	dir := filepath.Join(stateDir, "plans", id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	type file struct {
		plan.Header
		Items   []*plan.Item       `json:"items"`
		Stores  []plan.StoreResult `json:"stores"`
		Summary plan.Summary       `json:"summary"`
	}
	f := file{Header: plan.Header{Version: plan.Version, Organisation: "Kinderopvang De Proef", AsOf: "2026-12-08",
		CreatedAt: "2026-12-08T02:00:00Z", ConfigSHA256: "00", Policy: "builtin:kinderopvang-nl", Lang: "nl"}}
	stores := map[string]*plan.StoreResult{"dossiers": {Name: "dossiers", Type: "localfs"}, "archief": {Name: "archief", Type: "localfs"}}
	actions := []rules.Action{rules.Delete, rules.Delete, rules.Pseudonymise, rules.Review, rules.Keep, rules.Delete, rules.Hold, rules.Delete, rules.Keep, rules.Delete}
	for i := 0; i < n; i++ {
		k := i / 10
		store := "dossiers"
		if k%3 == 2 {
			store = "archief"
		}
		a := actions[i%10]
		it := &plan.Item{
			Store:    store,
			Record:   fmt.Sprintf("%s/Verslagen/verslag-%d.pdf", childName(k), i%10),
			Kind:     "file",
			Subject:  &plan.SubjectRef{Type: rules.Child, ID: fmt.Sprintf("%d", 1000+k), Name: childName(k)},
			Category: "child-dossier",
			Rule:     "C1",
			Action:   a,
			Reason:   "de bewaartermijn is verstreken",
			Basis:    "Wet kinderopvang",
			Version:  "v1",
			Size:     1000,
			Modified: "2020-01-01T00:00:00Z",
		}
		if a == rules.Delete || a == rules.Pseudonymise {
			it.Due = "2026-01-01"
		}
		f.Items = append(f.Items, it)
		s := stores[store]
		s.Records++
		s.Summary.Add(a)
		f.Summary.Add(a)
	}
	f.Stores = []plan.StoreResult{*stores["archief"], *stores["dossiers"]}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plan.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	created, _ := time.Parse("20060102-150405", id)
	return PlanInfo{ID: id, Dir: dir, Created: created, AsOf: "2026-12-08", Organisation: f.Organisation, Summary: f.Summary, State: agent.StateWaiting}
}

// call is one change the fake backend was asked for.
type call struct {
	Op      string
	By      Actor
	Plan    string
	Items   []int
	Text    string
	Request string
}

// fakeBackend is the service as the console sees it, in memory.
type fakeBackend struct {
	mu          sync.Mutex
	plans       []PlanInfo
	excluded    map[string][]int
	calls       []call
	resolutions []review.Resolution
	reqs        []requests.Request
	holds       []holds.Hold
	people      []plan.SubjectRef
	pkgDir      string
	ledger      LedgerStatus
}

func newFake() *fakeBackend {
	return &fakeBackend{excluded: map[string][]int{}, ledger: LedgerStatus{OK: true, Entries: 12, Checked: testNow}}
}

func (f *fakeBackend) record(c call) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

// Calls returns the changes asked for so far.
func (f *fakeBackend) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeBackend) Plans() ([]PlanInfo, error) { return slices.Clone(f.plans), nil }
func (f *fakeBackend) Approve(ctx context.Context, id string, by Actor, exclude []string, comment string) (*approval.Approval, error) {
	f.record(call{Op: "approve", By: by, Plan: id, Text: comment})
	return &approval.Approval{ApprovedBy: by.Name}, nil
}
func (f *fakeBackend) Apply(ctx context.Context, id string, o agent.ApplyOptions) (*agent.ApplyResult, error) {
	f.record(call{Op: "apply", Plan: id, By: o.By})
	return &agent.ApplyResult{}, nil
}
func (f *fakeBackend) Explain(ctx context.Context, store, record string, asOf rules.Date, lang string) (*agent.Explanation, error) {
	return &agent.Explanation{Decision: rules.Decision{Action: rules.Delete, Rule: "C1",
		Reason:     rules.Text{EN: "the term has passed", NL: "de termijn is verstreken"},
		Considered: []rules.Text{{EN: "C1: two years after care ended", NL: "C1: twee jaar na einde opvang"}}}}, nil
}
func (f *fakeBackend) Exclude(ctx context.Context, planID string, items []int, by Actor, reason string) error {
	f.record(call{Op: "exclude", By: by, Plan: planID, Items: items, Text: reason})
	f.mu.Lock()
	defer f.mu.Unlock()
	f.excluded[planID] = append(f.excluded[planID], items...)
	return nil
}
func (f *fakeBackend) Include(ctx context.Context, planID string, items []int, by Actor) error {
	f.record(call{Op: "include", By: by, Plan: planID, Items: items})
	f.mu.Lock()
	defer f.mu.Unlock()
	f.excluded[planID] = slices.DeleteFunc(f.excluded[planID], func(n int) bool { return slices.Contains(items, n) })
	return nil
}
func (f *fakeBackend) Excluded(planID string) ([]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.excluded[planID]), nil
}
func (f *fakeBackend) Reject(ctx context.Context, planID string, by Actor, comment string) error {
	f.record(call{Op: "reject", By: by, Plan: planID, Text: comment})
	return nil
}
func (f *fakeBackend) Resolve(ctx context.Context, r review.Resolution, by Actor) (review.Resolution, error) {
	f.record(call{Op: "resolve", By: by, Text: string(r.Kind) + " " + r.Store + ":" + r.Path})
	r.ID, r.By = "R-0001", by.Name
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resolutions = append(f.resolutions, r)
	return r, nil
}
func (f *fakeBackend) Resolutions(all bool) ([]review.Resolution, error) { return f.resolutions, nil }
func (f *fakeBackend) Requests(all bool) ([]requests.Request, error)     { return f.reqs, nil }
func (f *fakeBackend) OpenRequest(ctx context.Context, in agent.RequestInput, by Actor) (requests.Request, error) {
	f.record(call{Op: "open", By: by, Text: in.Kind + " " + string(in.Subject.Type) + ":" + in.Subject.ID + " " + in.Received.String()})
	q := requests.Request{ID: "REQ-0009", Subject: in.Subject, Kind: in.Kind, Received: in.Received, Status: requests.StatusOpen}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, q)
	return q, nil
}
func (f *fakeBackend) requestEvent(op, id string, by Actor) (requests.Change, error) {
	f.record(call{Op: op, By: by, Request: id})
	return requests.Change{}, nil
}
func (f *fakeBackend) AnswerRequest(ctx context.Context, id string, by Actor) (requests.Change, error) {
	return f.requestEvent("answer", id, by)
}
func (f *fakeBackend) CompleteRequest(ctx context.Context, id string, by Actor) (requests.Change, error) {
	return f.requestEvent("complete", id, by)
}
func (f *fakeBackend) RefuseRequest(ctx context.Context, id string, by Actor) (requests.Change, error) {
	return f.requestEvent("refuse", id, by)
}
func (f *fakeBackend) AccessPackage(ctx context.Context, id, out string, by Actor) (*agent.Package, error) {
	f.record(call{Op: "package", By: by, Request: id})
	return &agent.Package{Dir: f.pkgDir}, nil
}
func (f *fakeBackend) Holds(all bool) ([]holds.Hold, error) { return f.holds, nil }
func (f *fakeBackend) AddHold(ctx context.Context, in agent.HoldInput, by Actor) (holds.Hold, error) {
	what := in.Store + ":" + in.PathGlob
	if in.Subject != nil {
		what = string(in.Subject.Type) + ":" + in.Subject.ID
	}
	f.record(call{Op: "hold", By: by, Text: what})
	return holds.Hold{ID: "H-0001"}, nil
}
func (f *fakeBackend) ReleaseHold(ctx context.Context, id string, by Actor) (holds.Hold, error) {
	f.record(call{Op: "release", By: by, Request: id})
	return holds.Hold{ID: id}, nil
}
func (f *fakeBackend) Subjects(ctx context.Context, query string, limit int) ([]plan.SubjectRef, error) {
	var out []plan.SubjectRef
	for _, p := range f.people {
		if query == string(p.Type)+":"+p.ID {
			return []plan.SubjectRef{p}, nil
		}
		if strings.Contains(strings.ToLower(p.Name), strings.ToLower(query)) {
			out = append(out, p)
		}
	}
	return out, nil
}
func (f *fakeBackend) VerifyLedger(ctx context.Context) (LedgerStatus, error) { return f.ledger, nil }
func (f *fakeBackend) Proof(ctx context.Context, store, record string) (string, error) {
	return "proof of entry 7 in tree of 12", nil
}

// site is a console under test served over real HTTP with real sign-in
// (agent/console/auth, local accounts).
type site struct {
	t    *testing.T
	srv  *httptest.Server
	b    *fakeBackend
	cfg  *config.Config
	logs *syncBuffer
	plan PlanInfo
}

// syncBuffer is a log buffer handlers write and tests read.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// users of the test site, one per role; the password of each is
// "correct horse battery staple".
var testUsers = map[string][]string{
	"vera":   {config.RoleViewer},
	"rob":    {config.RoleReviewer},
	"anna":   {config.RoleApprover},
	"pieter": {config.RolePrivacyOfficer},
}

const testPassword = "correct horse battery staple"

// newSite starts a console over a plan of n items.
func newSite(t *testing.T, n int) *site {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	addr := srv.Listener.Addr().String()
	s := &site{t: t, srv: srv, b: newFake(), logs: &syncBuffer{}}
	s.cfg = &config.Config{
		StateDir:     t.TempDir(),
		Organisation: "Kinderopvang De Proef",
		Location:     time.UTC,
		Console: config.Console{Listen: addr, PublicURL: "http://" + addr + "/", Lang: "nl",
			IdleTimeout: "30m", ParsedIdleTimeout: 30 * time.Minute},
	}
	users, err := auth.OpenUsers(s.cfg.StateDir)
	if err != nil {
		t.Fatal(err)
	}
	for name, roles := range testUsers {
		if err := users.Add(name, roles, []byte(testPassword), false, testNow); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(s.logs, nil))
	a, err := auth.New(context.Background(), s.cfg, auth.Options{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	s.plan = writePlan(t, s.cfg.StateDir, "20261208-020000", n)
	s.b.plans = []PlanInfo{s.plan}
	for k := 0; k < n/10; k++ {
		s.b.people = append(s.b.people, plan.SubjectRef{Type: rules.Child, ID: fmt.Sprint(1000 + k), Name: childName(k)})
	}
	h, err := New(s.b, FromAuth(a), s.cfg, Options{Log: log, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", h)
	srv.Start()
	t.Cleanup(srv.Close)
	return s
}

// browser is a signed-in browser of the user name (or a signed-out one
// for name ""), not following redirects.
func (s *site) browser(name string) *http.Client {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if name != "" {
		resp, _ := s.do(c, "POST", "/login", url.Values{"name": {name}, "password": {testPassword}})
		if resp.StatusCode != http.StatusSeeOther {
			s.t.Fatalf("sign-in of %s: %s", name, resp.Status)
		}
	}
	return c
}

// do sends a same-origin request (as a browser does: Sec-Fetch-Site)
// and returns the response and its body.
func (s *site) do(c *http.Client, method, path string, form url.Values, hdr ...string) (*http.Response, string) {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.srv.URL+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// get fetches a page and fails the test unless it is 200.
func (s *site) get(c *http.Client, path string) string {
	s.t.Helper()
	resp, body := s.do(c, "GET", path, nil)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s: %s\n%s", path, resp.Status, body)
	}
	return body
}

// testRequest is an open erasure request of child 1001.
func testRequest() requests.Request {
	return requests.Request{ID: "REQ-0001", Subject: requests.SubjectRef{Type: rules.Child, ID: "1001"}, Kind: requests.Erase,
		Received: rules.MakeDate(2026, 11, 20), Deadline: rules.MakeDate(2026, 12, 18), Status: requests.StatusOpen}
}

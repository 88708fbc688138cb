package gauges

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
)

var ams, _ = time.LoadLocation("Europe/Amsterdam")

// state is a state dir with real plan files and a real ledger.
type state struct {
	t      *testing.T
	dir    string
	k      *pseudonym.Keyed
	ledger *ledger.Ledger
}

func newState(t *testing.T) *state {
	t.Helper()
	dir := t.TempDir()
	kdir := filepath.Join(t.TempDir(), "keys")
	if _, err := keys.Generate(kdir, "gauges-test"); err != nil {
		t.Fatal(err)
	}
	key, err := keys.LoadPseudonymKey(filepath.Join(kdir, "pseudonym.key"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := pseudonym.New(key)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keys.LoadSigner(filepath.Join(kdir, "ledger.key"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(filepath.Join(dir, "ledger"), "gauges-test", ledger.WithSigner(signer))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return &state{t: t, dir: dir, k: k, ledger: l}
}

// item is a plan item of store with action, due on due.
func item(store, record string, action rules.Action, due string) *plan.Item {
	return &plan.Item{Store: store, Record: record, Action: action, Due: due, Reason: "r", Version: "v1"}
}

// writePlan writes plans/NAME/SUB/plan.json and returns it as read back.
func (s *state) writePlan(name, sub string, made time.Time, asOf string, request string, stores []plan.StoreResult, items ...*plan.Item) *plan.File {
	s.t.Helper()
	f := plan.File{Header: plan.Header{Version: plan.Version, Organisation: "Test", AsOf: asOf,
		CreatedAt: made.In(ams).Format(time.RFC3339), ConfigSHA256: "sha256:00", Policy: "p", Lang: "en", Request: request},
		Items: items, Stores: stores}
	for _, it := range items {
		f.Summary.Add(it.Action)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		s.t.Fatal(err)
	}
	path := filepath.Join(s.dir, "plans", name, sub, "plan.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		s.t.Fatal(err)
	}
	read, err := plan.Read(path)
	if err != nil {
		s.t.Fatal(err)
	}
	return read
}

// record appends the ledger entry of an act on it at t.
func (s *state) record(it *plan.Item, outcome string, at time.Time) {
	s.t.Helper()
	if _, err := s.ledger.Append(ledger.Entry{Time: at, Plan: "sha256:" + strings.Repeat("ab", 32), Store: it.Store,
		Record: s.k.Record(it.Store, it.Record), Action: string(it.Action), Outcome: outcome, Reason: "test"}); err != nil {
		s.t.Fatal(err)
	}
}

func (s *state) source(now time.Time, approved ...*plan.File) Source {
	return Source{StateDir: s.dir, Location: ams, Stores: []string{"dossiers", "archief", "onedrive"},
		PlanMaxAge: rules.Term{N: 14, Unit: 'd'}, Pseudonyms: s.k, Now: now,
		Approved: func(f *plan.File) error {
			for _, a := range approved {
				if a.Digest == f.Digest {
					return nil
				}
			}
			return approval.ErrNotApproved
		}}
}

var night = time.Date(2026, 3, 2, 2, 0, 0, 0, ams)

// TestReadLatestPlanLessDone: a store's gauges are the latest plan's
// items (the auto_apply plan's included) less those the ledger shows
// deleted, pseudonymised or gone since the plan was made; skipped and
// failed acts, and acts before the plan, leave an item due. A store whose
// listing failed in the latest plan shows scan_success 0 and keeps the
// gauges of the plan before; a plan answering a request is passed over.
func TestReadLatestPlanLessDone(t *testing.T) {
	s := newState(t)
	old := []plan.StoreResult{{Name: "archief", Type: "localfs", Records: 5, Overdue: 1,
		Summary: plan.Summary{Delete: 1}}}
	s.writePlan("20260301-020000", "", night.Add(-24*time.Hour), "2026-03-01", "", old,
		item("archief", "doos 1.pdf", rules.Delete, "2026-02-01"))

	a := item("dossiers", "a.pdf", rules.Delete, "2026-01-01")         // overdue, deleted
	b := item("dossiers", "b.pdf", rules.Delete, "2026-01-02")         // overdue, gone
	c := item("dossiers", "c.pdf", rules.Delete, "2026-03-02")         // due today, deleted before the plan: still due
	p := item("dossiers", "x.csv#3", rules.Pseudonymise, "2026-01-05") // overdue, skipped
	auto := item("dossiers", "dagboek 1", rules.Delete, "2026-02-20")  // overdue, auto, failed
	rev := item("dossiers", "z.pdf", rules.Review, "")
	latest := []plan.StoreResult{
		{Name: "dossiers", Type: "localfs", Records: 40, Overdue: 4, Summary: plan.Summary{Delete: 4, Pseudonymise: 1, Review: 1, Hold: 2}, Locked: 1},
		{Name: "archief", Type: "localfs", Error: "listing failed"},
		{Name: "onedrive", Type: "onedrive", Records: 3, Links: map[string]int{"anonymous": 2}},
		{Name: "gone-store", Type: "localfs", Records: 9},
	}
	s.writePlan("20260302-020000", "", night, "2026-03-02", "", latest, a, b, c, p, rev)
	s.writePlan("20260302-020000", "auto", night, "2026-03-02", "", latest, auto)
	s.writePlan("20260302-030000", "", night.Add(time.Hour), "2026-03-02", "REQ-0001",
		[]plan.StoreResult{{Name: "dossiers", Records: 1}}, item("dossiers", "a.pdf", rules.Delete, "2026-01-01"))
	s.record(c, ledger.OutcomeDone, night.Add(-time.Hour))
	s.record(a, ledger.OutcomeDone, night.Add(3*time.Hour))
	s.record(b, ledger.OutcomeGone, night.Add(3*time.Hour))
	s.record(p, ledger.OutcomeSkipped, night.Add(3*time.Hour))
	s.record(auto, ledger.OutcomeFailed, night.Add(time.Minute))

	g, err := Read(s.source(night.Add(4 * time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	g.Set(m)
	want := `
# HELP retentiond_items_due Items the last plan has due for the action in the store.
# TYPE retentiond_items_due gauge
retentiond_items_due{action="delete",store="archief"} 1
retentiond_items_due{action="pseudonymise",store="archief"} 0
retentiond_items_due{action="delete",store="dossiers"} 2
retentiond_items_due{action="pseudonymise",store="dossiers"} 1
retentiond_items_due{action="delete",store="onedrive"} 0
retentiond_items_due{action="pseudonymise",store="onedrive"} 0
# HELP retentiond_items_overdue Items past their due date and still present in the store at the last scan; should be 0.
# TYPE retentiond_items_overdue gauge
retentiond_items_overdue{store="archief"} 1
retentiond_items_overdue{store="dossiers"} 2
retentiond_items_overdue{store="onedrive"} 0
# HELP retentiond_items_review Items a person has to review (no subject, no date, ambiguous) at the last scan.
# TYPE retentiond_items_review gauge
retentiond_items_review{store="archief"} 0
retentiond_items_review{store="dossiers"} 1
retentiond_items_review{store="onedrive"} 0
# HELP retentiond_items_held Items due but kept by a hold (legal hold, request or store lock) at the last scan.
# TYPE retentiond_items_held gauge
retentiond_items_held{store="archief"} 0
retentiond_items_held{store="dossiers"} 2
retentiond_items_held{store="onedrive"} 0
# HELP retentiond_scan_success Whether the store's last scan succeeded (1) or failed (0).
# TYPE retentiond_scan_success gauge
retentiond_scan_success{store="archief"} 0
retentiond_scan_success{store="dossiers"} 1
retentiond_scan_success{store="onedrive"} 1
# HELP retentiond_scan_records Records the last successful scan of the store found.
# TYPE retentiond_scan_records gauge
retentiond_scan_records{store="archief"} 5
retentiond_scan_records{store="dossiers"} 40
retentiond_scan_records{store="onedrive"} 3
# HELP retentiond_sharing_links Sharing links found at the last scan, by link scope.
# TYPE retentiond_sharing_links gauge
retentiond_sharing_links{scope="anonymous",store="onedrive"} 2
retentiond_sharing_links{scope="organization",store="onedrive"} 0
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_items_due", "retentiond_items_overdue",
		"retentiond_items_review", "retentiond_items_held", "retentiond_scan_success", "retentiond_scan_records", "retentiond_sharing_links"); err != nil {
		t.Error(err)
	}
	if at := g.Stores["dossiers"].At; !at.Equal(night) {
		t.Errorf("the dossiers' last scan is %v, want the plan's %v", at, night)
	}
}

// TestReadPending: plans awaiting approval are the plans with actions
// made after the newest approved one and not expired; a plan of nothing
// to do, or a rejected plan, does not wait.
func TestReadPending(t *testing.T) {
	s := newState(t)
	stores := []plan.StoreResult{{Name: "dossiers", Records: 1}}
	del := func() *plan.Item { return item("dossiers", "a.pdf", rules.Delete, "2026-01-01") }
	s.writePlan("20260201-020000", "", night.AddDate(0, -1, 0), "2026-02-01", "", stores, del()) // expired
	approved := s.writePlan("20260228-020000", "", night.AddDate(0, 0, -2), "2026-02-28", "", stores, del())
	rejected := s.writePlan("20260301-020000", "", night.AddDate(0, 0, -1), "2026-03-01", "", stores, del())
	s.writePlan("20260301-120000", "", night.AddDate(0, 0, -1).Add(10*time.Hour), "2026-03-01", "", stores,
		item("dossiers", "b.pdf", rules.Keep, ""))
	s.writePlan("20260302-020000", "", night, "2026-03-02", "", stores, del())

	for _, tc := range []struct {
		name     string
		approved []*plan.File
		rejected []*plan.File
		n        int
		oldest   time.Time
	}{
		{"none approved", nil, nil, 3, night.AddDate(0, 0, -2)},
		{"after the approved one", []*plan.File{approved}, nil, 2, night.AddDate(0, 0, -1)},
		{"a rejected plan does not wait", []*plan.File{approved}, []*plan.File{rejected}, 1, night},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := s.source(night.Add(time.Hour), tc.approved...)
			approvedFn := src.Approved
			src.Approved = func(f *plan.File) error {
				for _, r := range tc.rejected {
					if r.Digest == f.Digest {
						return fmt.Errorf("%w: rejected at ...", approval.ErrRejected)
					}
				}
				return approvedFn(f)
			}
			g, err := Read(src)
			if err != nil {
				t.Fatal(err)
			}
			if g.Pending != tc.n || !g.OldestPending.Equal(tc.oldest) {
				t.Errorf("pending %d since %v, want %d since %v", g.Pending, g.OldestPending, tc.n, tc.oldest)
			}
		})
	}
}

// TestReadDamagedLedger: a ledger line that is not an entry is an error,
// and the gauges read without it count nothing as done.
func TestReadDamagedLedger(t *testing.T) {
	s := newState(t)
	a := item("dossiers", "a.pdf", rules.Delete, "2026-01-01")
	s.writePlan("20260302-020000", "", night, "2026-03-02", "", []plan.StoreResult{{Name: "dossiers", Records: 1}}, a)
	s.record(a, ledger.OutcomeDone, night.Add(time.Hour))
	f, err := os.OpenFile(filepath.Join(s.dir, "ledger", ledger.EntriesFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("{not an entry\n")
	f.Close()
	g, err := Read(s.source(night.Add(2 * time.Hour)))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a damaged ledger: %v, want an error naming line 2", err)
	}
	if g == nil || g.Stores["dossiers"].Overdue != 1 {
		t.Errorf("gauges %+v, want the plan's overdue item", g)
	}
}

// TestWatcher: the refresh runs before the first scrape, not again while
// nothing changes, and again after a new ledger entry, a plan marked
// applied or a new plan.
func TestWatcher(t *testing.T) {
	s := newState(t)
	a := item("dossiers", "a.pdf", rules.Delete, "2026-01-01")
	s.writePlan("20260302-020000", "", night, "2026-03-02", "", []plan.StoreResult{{Name: "dossiers", Records: 1}}, a)
	n := 0
	w := NewWatcher(s.dir, func() { n++ })
	srv := httptest.NewServer(w.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	defer srv.Close()
	scrape := func() {
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	scrape()
	scrape()
	if n != 1 {
		t.Fatalf("%d refreshes for two scrapes of an unchanged state dir, want 1", n)
	}
	for _, change := range []struct {
		what string
		do   func()
	}{
		{"a ledger entry", func() { s.record(a, ledger.OutcomeDone, night.Add(time.Hour)) }},
		{"an applied marker", func() {
			os.WriteFile(filepath.Join(s.dir, "plans", "20260302-020000", "applied"), []byte("x\n"), 0o600)
		}},
		{"a new plan", func() {
			s.writePlan("20260303-020000", "", night.AddDate(0, 0, 1), "2026-03-03", "", []plan.StoreResult{{Name: "dossiers"}})
		}},
	} {
		before := n
		change.do()
		scrape()
		if n != before+1 {
			t.Errorf("after %s: %d refreshes, want %d", change.what, n, before+1)
		}
	}
	if w.Check() {
		t.Error("Check refreshed an unchanged state dir")
	}
}

// TestReadLedgerBeingWritten: a last ledger line without its newline is
// being appended and is not read yet; it is no error.
func TestReadLedgerBeingWritten(t *testing.T) {
	s := newState(t)
	a := item("dossiers", "a.pdf", rules.Delete, "2026-01-01")
	s.writePlan("20260302-020000", "", night, "2026-03-02", "", []plan.StoreResult{{Name: "dossiers", Records: 1}}, a)
	s.record(a, ledger.OutcomeDone, night.Add(time.Hour))
	f, err := os.OpenFile(filepath.Join(s.dir, "ledger", ledger.EntriesFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"time":"2026-03-02T`)
	f.Close()
	g, err := Read(s.source(night.Add(2 * time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if n := g.Stores["dossiers"].Overdue; n != 0 {
		t.Errorf("overdue %d, want 0: the item is done", n)
	}
}

package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/memstore"
)

var ams, _ = time.LoadLocation("Europe/Amsterdam")

// fixture is a small organisation in memory: a store of dossiers, a
// registry of children, a plan made as of 2026-03-15 and its approval.
type fixture struct {
	t        *testing.T
	store    *memstore.Store
	children []*rules.Subject
	planner  *plan.Planner
	file     *plan.File
	appr     *approval.Approval
	stateDir string
	led      *ledger.Ledger
	keyed    *pseudonym.Keyed
	now      time.Time
}

func child(id, name, end string) *rules.Subject {
	d, _ := rules.ParseDate(end)
	return &rules.Subject{Type: rules.Child, ID: id, Name: name, Dates: map[rules.Event]rules.Date{rules.EndOfCare: d}, Flags: map[string]bool{}}
}

func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	f := &fixture{t: t, store: memstore.New(nil), stateDir: t.TempDir(), now: time.Date(2026, 3, 16, 10, 0, 0, 0, ams)}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("Kind%c Jansen", 'A'+i%26) + strings.Repeat("x", i/26)
		f.children = append(f.children, child(fmt.Sprint(i+1), name, "2024-01-31"))
		f.store.Put(name+"/intake.pdf", []byte("intake "+name), memstore.DefaultModTime)
	}
	f.store.Put("Onbekend/x.pdf", []byte("?"), memstore.DefaultModTime) // review: never acted on
	pol, err := rules.Load("builtin:kinderopvang-nl", "")
	if err != nil {
		t.Fatal(err)
	}
	lay, _ := classify.Compile([]classify.Layout{{Path: "{child.name}/**", Category: "child-dossier"}})
	asOf, _ := rules.ParseDate("2026-03-15")
	f.planner = &plan.Planner{
		Header: plan.Header{Version: 1, Organisation: "X", AsOf: "2026-03-15", CreatedAt: "2026-03-15T02:00:00+01:00", ConfigSHA256: "cfg", Lang: "en"},
		Policy: pol, Subjects: classify.NewIndex(f.children), AsOf: asOf, Location: ams, Lang: "en",
		Stores: []plan.Store{{Name: "dossiers", Type: "localfs", Store: f.store, Classifier: lay}},
	}
	dir := t.TempDir()
	sink, err := report.Open(dir, "en")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.planner.Run(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	if f.file, err = plan.Read(filepath.Join(dir, report.PlanJSON)); err != nil {
		t.Fatal(err)
	}
	f.keyed, _ = pseudonym.New([]byte("0123456789abcdef0123456789abcdef"))
	return f
}

func (f *fixture) approve(exclude ...string) {
	f.t.Helper()
	twoWeeks, _ := rules.ParseTerm("14d")
	a, err := approval.Approve(f.stateDir, f.file, "Beheerder", exclude, f.now, twoWeeks, ams, f.keyed)
	if err != nil {
		f.t.Fatal(err)
	}
	f.appr = a
}

func (f *fixture) run(max int, dry bool) (*Result, error) {
	f.t.Helper()
	if f.led == nil {
		l, err := ledger.Open(filepath.Join(f.stateDir, "ledger"), "retentiond/test")
		if err != nil {
			f.t.Fatal(err)
		}
		f.led = l
		f.t.Cleanup(func() { l.Close() })
	}
	rec, err := Recorded(filepath.Join(f.stateDir, "ledger"), f.file.Digest)
	if err != nil {
		f.t.Fatal(err)
	}
	f.planner.AsOf = rules.DateIn(f.now, ams) // apply decides as of today
	return Run(context.Background(), Options{
		Plan: f.file, Approval: f.appr, Planner: f.planner, Ledger: f.led, Pseudonyms: f.keyed,
		StateDir: f.stateDir, ConfigSHA256: "cfg", MaxDeletions: max, DryRun: dry,
		Now: func() time.Time { return f.now }, Recorded: rec,
	})
}

func (f *fixture) outcomes() map[string]string {
	out := map[string]string{}
	for _, it := range f.file.Items {
		rp := f.keyed.Record(it.Store, it.Record)
		rec, _ := Recorded(filepath.Join(f.stateDir, "ledger"), f.file.Digest)
		if o, ok := rec[rp]; ok {
			out[it.Record] = o
		}
	}
	return out
}

func TestApplyDeletesApprovedAndDueOnly(t *testing.T) {
	f := newFixture(t, 5)
	f.approve("dossiers:KindB Jansen/intake.pdf")
	res, err := f.run(100, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 4 || res.Excluded != 1 || res.LedgerEntries != 4 {
		t.Errorf("result %+v; want 4 deleted, 1 excluded", res)
	}
	for _, c := range f.children {
		has := f.store.Has(c.Name + "/intake.pdf")
		if want := c.Name == "KindB Jansen"; has != want {
			t.Errorf("%s: present = %v, want %v", c.Name, has, want)
		}
	}
	if !f.store.Has("Onbekend/x.pdf") {
		t.Error("a review item was deleted")
	}
	// A second apply of the same plan changes nothing.
	res, err = f.run(100, false)
	if err != nil || res.Done != 0 || res.Earlier != 4 || res.LedgerEntries != 0 {
		t.Errorf("second run: %+v, %v; want nothing done, 4 handled earlier", res, err)
	}
}

func TestDrift(t *testing.T) {
	f := newFixture(t, 5)
	f.approve()
	later := memstore.DefaultModTime.Add(time.Hour)
	f.store.Put("KindA Jansen/intake.pdf", []byte("changed after the plan"), later) // changed
	f.store.Delete(context.Background(), "KindB Jansen/intake.pdf")                 // renamed away:
	f.store.Put("KindB Jansen/intake-oud.pdf", []byte("intake KindB Jansen"), memstore.DefaultModTime)
	f.store.Delete(context.Background(), "KindC Jansen/intake.pdf") // deleted and re-added
	f.store.Put("KindC Jansen/intake.pdf", []byte("intake KindC Jansen"), later)
	f.children[3].Flags[rules.WaitingList] = true // no longer due: on the waiting list now
	res, err := f.run(100, false)
	if err != nil {
		t.Fatal(err)
	}
	got := f.outcomes()
	want := map[string]string{
		"KindA Jansen/intake.pdf": Skipped, "KindB Jansen/intake.pdf": Gone, "KindC Jansen/intake.pdf": Skipped,
		"KindD Jansen/intake.pdf": Skipped, "KindE Jansen/intake.pdf": Done,
	}
	for rec, w := range want {
		if got[rec] != w {
			t.Errorf("%s: ledger outcome %q, want %q", rec, got[rec], w)
		}
	}
	for _, rec := range []string{"KindA Jansen/intake.pdf", "KindC Jansen/intake.pdf", "KindD Jansen/intake.pdf", "KindB Jansen/intake-oud.pdf"} {
		if !f.store.Has(rec) {
			t.Errorf("%s was deleted though it changed or is no longer due", rec)
		}
	}
	if res.Done != 1 || res.Skipped != 3 || res.Gone != 1 {
		t.Errorf("result %+v", res)
	}
	for _, d := range res.Details {
		if d.Record == "KindD Jansen/intake.pdf" && !strings.Contains(d.Reason, "no longer due today: now hold under C2") {
			t.Errorf("waiting-list item's reason: %q", d.Reason)
		}
	}
}

func TestDeleteLimitAndDryRun(t *testing.T) {
	f := newFixture(t, 7)
	f.approve()
	res, err := f.run(3, true)
	if !errors.Is(err, ErrLimit) || res.WouldDelete != 3 {
		t.Errorf("dry run: %+v, %v; want 3 would-deletes then the limit", res, err)
	}
	if n := len(f.store.IDs()); n != 8 {
		t.Errorf("dry run changed the store: %d records left, want 8", n)
	}
	if _, err := os.Stat(filepath.Join(f.stateDir, "journal")); !os.IsNotExist(err) {
		t.Error("dry run wrote a journal")
	}
	res, err = f.run(3, false)
	if !errors.Is(err, ErrLimit) || res.Done != 3 {
		t.Fatalf("first run: %+v, %v; want 3 deleted then the limit", res, err)
	}
	if n := len(f.store.IDs()); n != 5 {
		t.Errorf("after the limit: %d records, want 5", n)
	}
	res, err = f.run(3, false)
	if !errors.Is(err, ErrLimit) || res.Done != 3 || res.Earlier != 3 {
		t.Fatalf("second run: %+v, %v", res, err)
	}
	res, err = f.run(3, false)
	if err != nil || res.Done != 1 || res.Earlier != 6 {
		t.Fatalf("third run: %+v, %v", res, err)
	}
}

func TestRefusals(t *testing.T) {
	f := newFixture(t, 2)
	if _, err := f.run(10, false); !errors.Is(err, approval.ErrNotApproved) {
		t.Errorf("unapproved: %v", err)
	}
	f.approve()
	f.now = time.Date(2026, 3, 29, 0, 0, 0, 0, ams)
	if _, err := f.run(10, false); !errors.Is(err, ErrExpired) {
		t.Errorf("expired: %v", err)
	}
	f.now = time.Date(2026, 3, 28, 23, 0, 0, 0, ams)
	if _, err := Run(context.Background(), Options{Plan: f.file, Approval: f.appr, ConfigSHA256: "other", Now: func() time.Time { return f.now }}); !errors.Is(err, ErrConfigChanged) {
		t.Errorf("config changed: %v", err)
	}
	f.file.Items[0].Record += "x" // a plan edited after approval has another digest in practice;
	f.file.Digest = "sha256:" + strings.Repeat("0", 64)
	if _, err := f.run(10, false); !errors.Is(err, approval.ErrNotApproved) {
		t.Errorf("edited plan: %v", err)
	}
	if len(f.store.IDs()) != 3 {
		t.Error("a refused run deleted something")
	}
}

func TestFailedStoreListingActsOnNothing(t *testing.T) {
	f := newFixture(t, 3)
	f.file.Stores[0].Error = "listing failed"
	f.approve()
	res, err := f.run(10, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 0 || res.Skipped != 3 || len(f.store.IDs()) != 4 {
		t.Errorf("%+v; nothing may be deleted in a store whose listing failed", res)
	}
}

func TestInterruptedIntent(t *testing.T) {
	f := newFixture(t, 3)
	f.approve()
	j, err := openJournal(f.stateDir, f.file.Digest)
	if err != nil {
		t.Fatal(err)
	}
	// Item 1: intent journalled, then the delete happened, then the crash.
	// Item 2: intent journalled, crash before the delete.
	r1 := f.keyed.Record("dossiers", f.file.Items[0].Record)
	r2 := f.keyed.Record("dossiers", f.file.Items[1].Record)
	j.intent(1, r1, f.now)
	j.intent(2, r2, f.now)
	j.f.WriteString(`{"item":3,"rec`) // and a torn line
	j.close()
	f.store.Delete(context.Background(), f.file.Items[0].Record)
	res, err := f.run(10, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 3 || res.LedgerEntries != 3 {
		t.Errorf("%+v; want all 3 done, each logged once", res)
	}
	for _, d := range res.Details {
		if d.Item == 1 && !strings.Contains(d.Reason, "completed after an interruption") {
			t.Errorf("item 1: %q", d.Reason)
		}
	}
	if _, err := f.store.Stat(context.Background(), f.file.Items[1].Record); !errors.Is(err, scanners.ErrNotFound) {
		t.Error("item 2 was not deleted on the rerun")
	}
}

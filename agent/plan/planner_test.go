package plan

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/archive"
	"github.com/retentiond/retentiond/scanners/memstore"
)

var ams, _ = time.LoadLocation("Europe/Amsterdam")

// collect is a Sink that keeps everything, for tests.
type collect struct {
	header    Header
	items     []*Item
	pending   []*Item
	discarded int
	stores    []StoreResult
	sum       Summary
	ended     bool
}

func (c *collect) Begin(h Header) error { c.header = h; return nil }
func (c *collect) Item(it *Item) error  { c.pending = append(c.pending, it); return nil }
func (c *collect) Commit() error {
	c.items, c.pending = append(c.items, c.pending...), nil
	return nil
}
func (c *collect) Discard() error {
	c.discarded += len(c.pending)
	c.pending = nil
	return nil
}
func (c *collect) End(s []StoreResult, sum Summary) error {
	c.stores, c.sum, c.ended = s, sum, true
	return nil
}

func (c *collect) byRecord() map[string]*Item {
	m := map[string]*Item{}
	for _, it := range c.items {
		m[it.Store+":"+it.Record] = it
	}
	return m
}

func date(s string) rules.Date {
	d, err := rules.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func child(id, name, end string, flags ...string) *rules.Subject {
	s := &rules.Subject{Type: rules.Child, ID: id, Name: name, Dates: map[rules.Event]rules.Date{}, Flags: map[string]bool{}}
	if end != "" {
		s.Dates[rules.EndOfCare] = date(end)
	}
	for _, f := range flags {
		s.Flags[f] = true
	}
	return s
}

func testPolicy(t *testing.T) *rules.Policy {
	t.Helper()
	p, err := rules.Load("builtin:kinderopvang-nl", "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func dossierLayout(t *testing.T) *classify.Classifier {
	t.Helper()
	c, err := classify.Compile([]classify.Layout{
		{Path: "{child.name}/Contracten/**", Category: "contract"},
		{Path: "{end_year}/{child.name}/**", Category: "child-dossier"},
		{Path: "{child.name}/**", Category: "child-dossier"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func subjects() *classify.Index {
	return classify.NewIndex([]*rules.Subject{
		child("1", "Piet Jansen", "2024-03-15"),
		child("2", "Anna van den Berg", "2024-03-16"),
		child("3", "Sem Bakker", "2018-01-10"),
		child("4", "Sem Bakker", "2019-05-01"),
		child("5", "Zoë de Vries", "2020-06-30", rules.WaitingList),
		child("6", "Daan Visser", ""),
		child("7", "Lotte Smit", "2012-08-31"),
	})
}

func TestPlanDecisions(t *testing.T) {
	files := map[string][]byte{
		"Jansen, Piet/intake.pdf":              []byte("a"),
		"Jansen, Piet/Contracten/contract.pdf": []byte("b"),
		"Berg, Anna van den/intake.pdf":        []byte("c"),
		"Sem Bakker/intake.pdf":                []byte("d"),
		"Vries, Zoe de/intake.pdf":             []byte("e"),
		"Visser, Daan/intake.pdf":              []byte("f"),
		"Onbekend Kind/intake.pdf":             []byte("g"),
		"overzicht.xlsx":                       []byte("h"),
		"2012/Lotte Smit/scan.pdf":             []byte("i"),
	}
	ms := memstore.New(files)
	p := &Planner{
		Policy:   testPolicy(t),
		Subjects: subjects(),
		Stores:   []Store{{Name: "dossiers", Type: "localfs", Store: ms, Classifier: dossierLayout(t)}},
		AsOf:     date("2026-03-15"),
		Location: ams,
		Lang:     "en",
	}
	var c collect
	sum, _, err := p.Run(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	got := c.byRecord()
	want := []struct {
		rec    string
		action rules.Action
		rule   string
		due    string
		reason string
	}{
		{"Jansen, Piet/intake.pdf", rules.Delete, "C1", "2026-03-15", "2 years"},      // due today
		{"Jansen, Piet/Contracten/contract.pdf", "", "", "", ""},                      // kept under C3: not listed
		{"Berg, Anna van den/intake.pdf", "", "", "", ""},                             // due tomorrow: kept
		{"Sem Bakker/intake.pdf", rules.Review, "", "", "2 people"},                   // two children share the name
		{"Vries, Zoe de/intake.pdf", rules.Hold, "C2", "2022-06-30", "waiting list"},  // on the waiting list
		{"Visser, Daan/intake.pdf", "", "", "", ""},                                   // still in care: kept
		{"Onbekend Kind/intake.pdf", rules.Review, "", "", "no child with this name"}, // not in the registry
		{"overzicht.xlsx", rules.Review, "", "", "no layout"},                         // no layout matches
		{"2012/Lotte Smit/scan.pdf", rules.Delete, "C1", "2014-08-31", "end of care"},
	}
	for _, w := range want {
		it := got["dossiers:"+w.rec]
		if w.action == "" {
			if it != nil {
				t.Errorf("%s: listed as %s (%s), want kept and not listed", w.rec, it.Action, it.Reason)
			}
			continue
		}
		if it == nil {
			t.Errorf("%s: not in the plan, want %s", w.rec, w.action)
			continue
		}
		if it.Action != w.action || it.Rule != w.rule || it.Due != w.due || !strings.Contains(it.Reason, w.reason) {
			t.Errorf("%s: got %s rule %q due %q reason %q; want %s rule %q due %q reason containing %q",
				w.rec, it.Action, it.Rule, it.Due, it.Reason, w.action, w.rule, w.due, w.reason)
		}
		if it.Version == "" || it.Modified == "" {
			t.Errorf("%s: version or modified time missing", w.rec)
		}
	}
	if it := got["dossiers:Jansen, Piet/intake.pdf"]; it != nil {
		if it.Subject == nil || it.Subject.ID != "1" || it.Trigger == nil || it.Trigger.Event != rules.EndOfCare {
			t.Errorf("Piet's dossier: subject %+v trigger %+v", it.Subject, it.Trigger)
		}
	}
	wantSum := Summary{Delete: 2, Review: 3, Hold: 1, Keep: 3}
	if sum != wantSum || c.sum != wantSum {
		t.Errorf("summary = %+v (sink %+v), want %+v", sum, c.sum, wantSum)
	}
	if len(c.stores) != 1 || c.stores[0].Records != len(files) || c.stores[0].Error != "" {
		t.Errorf("store results = %+v", c.stores)
	}

	// --all lists the kept records too.
	p.All = true
	var all collect
	if _, _, err := p.Run(context.Background(), &all); err != nil {
		t.Fatal(err)
	}
	if len(all.items) != len(files) {
		t.Errorf("--all listed %d items, want %d", len(all.items), len(files))
	}
}

func TestFailedListingPlansNothing(t *testing.T) {
	// The failure comes after more than a batch, so that some of the
	// store's items have reached the sink and must be taken back.
	badFiles := map[string][]byte{}
	for i := 0; i < batchSize+10; i++ {
		badFiles[fmt.Sprintf("Jansen, Piet/%04d.pdf", i)] = []byte("a")
	}
	bad := memstore.New(badFiles)
	bad.FailScanAfter(batchSize+2, errors.New("network down"))
	good := memstore.New(map[string][]byte{"Jansen, Piet/a.pdf": []byte("a")})
	p := &Planner{
		Policy:   testPolicy(t),
		Subjects: subjects(),
		Stores: []Store{
			{Name: "bad", Type: "localfs", Store: bad, Classifier: dossierLayout(t)},
			{Name: "missing", Type: "localfs", OpenErr: errors.New("root does not exist")},
			{Name: "good", Type: "localfs", Store: good, Classifier: dossierLayout(t)},
		},
		AsOf: date("2026-11-23"), Location: ams, Lang: "en",
	}
	var c collect
	sum, res, err := p.Run(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range c.items {
		if it.Store != "good" {
			t.Errorf("item of store %s in the plan after its listing failed: %s", it.Store, it.Record)
		}
	}
	if len(c.items) != 1 || sum.Delete != 1 {
		t.Errorf("items = %d, summary %+v; want the good store's one deletion", len(c.items), sum)
	}
	if c.discarded != batchSize {
		t.Errorf("the sink discarded %d items, want the %d handed over before the failure", c.discarded, batchSize)
	}
	if res[0].Error == "" || res[1].Error == "" || res[2].Error != "" {
		t.Errorf("store results = %+v", res)
	}
}

func zipOf(t *testing.T, entries ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "scan of %s", e)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestArchives(t *testing.T) {
	ms := memstore.New(map[string][]byte{
		"2012.zip":       zipOf(t, "Lotte Smit/scan.pdf", "Lotte Smit/contract.pdf"),
		"gemengd.zip":    zipOf(t, "Lotte Smit/scan.pdf", "Piet Jansen/scan.pdf", "Anna van den Berg/scan.pdf"),
		"wachtlijst.zip": zipOf(t, "Zoë de Vries/scan.pdf"),
		"leeg.zip":       zipOf(t),
	})
	lay, err := classify.Compile([]classify.Layout{
		{Path: "{end_year}/{child.name}/**", Category: "child-dossier"},
		{Path: "*/{child.name}/**", Category: "child-dossier"},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &Planner{
		Policy: testPolicy(t), Subjects: subjects(),
		Stores: []Store{{Name: "archief", Type: "localfs", Store: archive.Wrap(ms, archive.Options{}), Classifier: lay}},
		AsOf:   date("2026-03-15"), Location: ams, Lang: "en",
	}
	var c collect
	if _, _, err := p.Run(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	got := c.byRecord()
	check := func(rec string, action rules.Action, e Entries, reason string) {
		t.Helper()
		it := got["archief:"+rec]
		if it == nil {
			t.Fatalf("%s not in plan", rec)
		}
		if it.Action != action || it.Entries == nil || *it.Entries != e || !strings.Contains(it.Reason, reason) {
			t.Errorf("%s: %s %+v %q; want %s %+v reason containing %q", rec, it.Action, it.Entries, it.Reason, action, e, reason)
		}
		if it.Kind != string(scanners.KindArchive) {
			t.Errorf("%s: kind %s", rec, it.Kind)
		}
	}
	check("2012.zip", rules.Delete, Entries{Total: 2, Due: 2}, "all 2 entries")
	check("gemengd.zip", rules.Review, Entries{Total: 3, Due: 2}, "2 of 3 entries are due")
	check("wachtlijst.zip", rules.Hold, Entries{Total: 1, Hold: 1}, "held")
	check("leeg.zip", rules.Review, Entries{}, "empty")
	if it := got["archief:2012.zip"]; it != nil && (it.Subject == nil || it.Subject.ID != "7" || it.Due != "2014-08-31") {
		t.Errorf("2012.zip: subject %+v due %s", it.Subject, it.Due)
	}
	if it := got["archief:gemengd.zip"]; it != nil && it.Subject != nil {
		t.Errorf("gemengd.zip holds three children's scans but names subject %+v", it.Subject)
	}
	for _, it := range c.items {
		if it.Kind == string(scanners.KindArchiveEntry) {
			t.Errorf("archive entry %s listed on its own", it.Record)
		}
	}
}

func TestManyBatchesKeepOrder(t *testing.T) {
	files := map[string][]byte{}
	n := batchSize*5 + 7
	for i := 0; i < n; i++ {
		files[fmt.Sprintf("los/%05d.pdf", i)] = []byte("x")
	}
	p := &Planner{
		Policy: testPolicy(t), Subjects: subjects(),
		Stores: []Store{{Name: "s", Type: "localfs", Store: memstore.New(files), Classifier: dossierLayout(t)}},
		AsOf:   date("2026-03-15"), Location: ams, Lang: "en",
	}
	var c collect
	if _, _, err := p.Run(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.items) != n {
		t.Fatalf("got %d items, want %d", len(c.items), n)
	}
	seen := map[string]bool{}
	for i, it := range c.items {
		if want := fmt.Sprintf("los/%05d.pdf", i); it.Record != want {
			t.Fatalf("item %d is %s, want %s: order lost", i, it.Record, want)
		}
		if seen[it.Record] {
			t.Fatalf("%s twice", it.Record)
		}
		seen[it.Record] = true
		if it.Action != rules.Review {
			t.Fatalf("%s: %s", it.Record, it.Action)
		}
	}
}

func TestHiredApplicantBecomesPersonnelFile(t *testing.T) {
	app := &rules.Subject{Type: rules.Applicant, ID: "A1", Name: "Eva de Wit",
		Dates: map[rules.Event]rules.Date{rules.ProcedureClosed: date("2020-01-10")}, Flags: map[string]bool{rules.Hired: true}}
	emp := &rules.Subject{Type: rules.Employee, ID: "E9", Name: "Eva de Wit",
		Dates: map[rules.Event]rules.Date{rules.EndOfEmployment: date("2023-05-31")}, Flags: map[string]bool{}}
	other := &rules.Subject{Type: rules.Applicant, ID: "A2", Name: "Kim Smit",
		Dates: map[rules.Event]rules.Date{rules.ProcedureClosed: date("2020-01-10")}, Flags: map[string]bool{rules.Hired: true}}
	lay, _ := classify.Compile([]classify.Layout{{Path: "{applicant.name}/**", Category: "application"}})
	p := &Planner{
		Policy: testPolicy(t), Subjects: classify.NewIndex([]*rules.Subject{app, emp, other}),
		Stores: []Store{{Name: "soll", Type: "localfs", Classifier: lay, Store: memstore.New(map[string][]byte{
			"Wit, Eva de/cv.pdf": []byte("cv"), "Kim Smit/cv.pdf": []byte("cv"),
		})}},
		AsOf: date("2026-11-23"), Location: ams, Lang: "en",
	}
	var c collect
	if _, _, err := p.Run(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	got := c.byRecord()
	if it := got["soll:Wit, Eva de/cv.pdf"]; it == nil || it.Action != rules.Delete || it.Rule != "S1" || it.Due != "2025-05-31" {
		t.Errorf("hired applicant's cv: %+v; want deleted under S1 from the end of employment", it)
	}
	if it := got["soll:Kim Smit/cv.pdf"]; it == nil || it.Action != rules.Review || it.Rule != "S8" {
		t.Errorf("hired applicant without employee record: %+v; want review under S8", it)
	}
}

func TestRecheck(t *testing.T) {
	ms := memstore.New(map[string][]byte{
		"2012.zip":                zipOf(t, "Lotte Smit/scan.pdf", "Lotte Smit/contract.pdf"),
		"Jansen, Piet/intake.pdf": []byte("a"),
	})
	p := &Planner{
		Policy: testPolicy(t), Subjects: subjects(),
		Stores: []Store{{Name: "s", Type: "localfs", Store: archive.Wrap(ms, archive.Options{}), Classifier: dossierLayout(t)}},
		AsOf:   date("2026-03-15"), Location: ams, Lang: "en",
	}
	ctx := context.Background()
	it, err := p.Recheck(ctx, "s", "2012.zip")
	if err != nil || it.Action != rules.Delete || it.Entries == nil || it.Entries.Total != 2 {
		t.Errorf("Recheck(2012.zip) = %+v, %v; want the archive, all entries due", it, err)
	}
	before, err := p.Recheck(ctx, "s", "Jansen, Piet/intake.pdf")
	if err != nil || before.Action != rules.Delete || before.Rule != "C1" {
		t.Fatalf("Recheck(intake) = %+v, %v", before, err)
	}
	ms.Put("Jansen, Piet/intake.pdf", []byte("changed"), memstore.DefaultModTime)
	after, err := p.Recheck(ctx, "s", "Jansen, Piet/intake.pdf")
	if err != nil || after.Version == before.Version {
		t.Errorf("after a change: version %q, was %q (%v)", after.Version, before.Version, err)
	}
	p.AsOf = date("2026-03-14")
	if it, _ := p.Recheck(ctx, "s", "Jansen, Piet/intake.pdf"); it == nil || it.Action != rules.Keep {
		t.Errorf("a day earlier: %+v, want keep", it)
	}
	if _, err := p.Recheck(ctx, "s", "weg.pdf"); !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("Recheck of a missing record: %v, want ErrNotFound", err)
	}
}

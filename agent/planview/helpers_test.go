package planview

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/rules"
)

// header is a plan header as the planner writes one.
func header(request string) plan.Header {
	return plan.Header{Version: plan.Version, Organisation: "Kinderopvang Voorbeeld", AsOf: "2026-11-23",
		CreatedAt: "2026-11-23T02:00:00+01:00", ConfigSHA256: "abc123", Policy: "kinderopvang-nl", Lang: "nl", Request: request}
}

// writePlan writes plan.json into dir with the real plan writer
// (report.JSON), with per-store results counted from the items, and
// returns its path.
func writePlan(t testing.TB, dir string, h plan.Header, items []*plan.Item) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, report.PlanJSON)
	j, err := report.NewJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Begin(h); err != nil {
		t.Fatal(err)
	}
	var sum plan.Summary
	var stores []plan.StoreResult
	byName := map[string]int{}
	for _, it := range items {
		if err := j.Item(it); err != nil {
			t.Fatal(err)
		}
		k, ok := byName[it.Store]
		if !ok {
			k = len(stores)
			byName[it.Store] = k
			stores = append(stores, plan.StoreResult{Name: it.Store, Type: "localfs"})
		}
		stores[k].Records++
		stores[k].Summary.Add(it.Action)
		sum.Add(it.Action)
	}
	if err := j.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := j.End(stores, sum); err != nil {
		t.Fatal(err)
	}
	return path
}

func subj(typ rules.SubjectType, id, name string) *plan.SubjectRef {
	return &plan.SubjectRef{Type: typ, ID: id, Name: name}
}

// fixture is a small plan with one item of each sort the filters tell
// apart. Item numbers are in the comments.
func fixture() []*plan.Item {
	jose := subj("child", "1001", "José Álvarez")
	vries := subj("parent", "R7", "Anna de Vries")
	piet := subj("child", "1002", "Piet Jansen")
	trig := &rules.Trigger{Event: "end_of_care", Date: rules.MakeDate(2024, 3, 15)}
	return []*plan.Item{
		/* 1 */ {Store: "dossiers", Record: "a/b/intake.pdf", Kind: "file", Subject: jose, Category: "child-dossier", Trigger: trig, Rule: "C1", Action: rules.Delete, Due: "2026-03-15", Reason: "kinddossier: 2 jaar na einde opvang", Basis: "AVG art. 5", Version: "s1-m2", Size: 10, Modified: "2019-01-01T12:00:00+01:00"},
		/* 2 */ {Store: "dossiers", Record: "a/bc/intake.pdf", Kind: "file", Subject: piet, Category: "child-dossier", Trigger: trig, Rule: "C1", Action: rules.Delete, Due: "2026-03-15", Reason: "kinddossier: 2 jaar na einde opvang", Version: "s2-m2", Size: 11, Modified: "2019-01-02T12:00:00+01:00"},
		/* 3 */ {Store: "dossiers", Record: "a/b", Kind: "file", Subject: jose, Category: "observation", Rule: "C3", Action: rules.Review, Reason: "check", Version: "v3", Modified: "2019-01-03T12:00:00+01:00"},
		/* 4 */ {Store: "ouders", Record: "ouders.csv#2", Kind: "row", Subject: vries, Category: "contract", Rule: "C16", Action: rules.Pseudonymise, Reason: "adres: 1 jaar na einde contract", Version: "v", Modified: "2019-01-01T12:00:00+01:00", File: "ouders.csv",
			Fields: []string{"address"}, FieldDecisions: []plan.FieldItem{{Field: "address", Action: rules.Pseudonymise, Due: "2025-05-31", Rule: "C16", Reason: "1 jaar"}, {Field: "name", Action: rules.Keep, Due: "2031-05-31", Rule: "C14", Reason: "bewaarplicht"}}},
		/* 5 */ {Store: "archief", Record: "2012.zip", Kind: "archive", Action: rules.Review, Reason: "zip-archief: 2 van 3", Version: "v", Modified: "2019-01-01T12:00:00+01:00", Entries: &plan.Entries{Total: 3, Due: 2, Hold: 1}},
		/* 6 */ {Store: "dossiers", Record: "Vries, Anna de/verslag.docx", Kind: "file", Subject: vries, Category: "child-dossier", Action: rules.Hold, Reason: "hold", Held: "H-0007", Version: "v6", Modified: "2019-01-01T12:00:00+01:00", Locked: true,
			Warnings: []string{"gedeeld"}, Links: []plan.Link{{Scope: "anonymous", Type: "view", Roles: []string{"read"}, Inherited: true}}},
		/* 7 */ {Store: "archief", Record: "a/b/x.pdf", Kind: "file", Subject: piet, Category: "child-dossier", Rule: "C1", Action: rules.Delete, Reason: "r", Resolved: "R-0003", Version: "v7", Modified: "2019-01-01T12:00:00+01:00"},
		/* 8 */ {Store: "dossiers", Record: "Álvarez, José/Intake ÉÉN.pdf", Kind: "file", Subject: jose, Category: "child-dossier", Rule: "C1", Action: rules.Delete, Reason: "r", Version: "v8", Modified: "2019-01-01T12:00:00+01:00"},
	}
}

// load writes items as a plan into a temporary folder and loads it.
func load(t testing.TB, items []*plan.Item) *Index {
	t.Helper()
	ix, err := Load(writePlan(t, t.TempDir(), header(""), items))
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// numbers are the item numbers of a page's rows.
func numbers(pg Page) []int {
	out := []int{}
	for _, r := range pg.Rows {
		out = append(out, r.N)
	}
	return out
}

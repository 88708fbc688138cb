package report

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// TestLargePlanSummary: the report of a first plan on a large backlog
// (100,000 items of 10,000 people) is a summary: every person with their
// counts, the first items in detail up to a page an administrator reads
// (at most 2,000 rows in all), and for each person a pointer to plan.csv
// and the console for what is left out, so that no item goes unaccounted.
func TestLargePlanSummary(t *testing.T) {
	if MaxHTMLItems > 2000 {
		t.Fatalf("MaxHTMLItems = %d: a large plan's report would detail more than 2,000 rows", MaxHTMLItems)
	}
	const people, each = 10_000, 10
	var extra []*plan.Item
	for p := range people {
		subj := &plan.SubjectRef{Type: rules.Child, ID: fmt.Sprintf("K%05d", p), Name: fmt.Sprintf("Kind Nummer%c%c", 'a'+p%26, 'a'+p/26%26)}
		for i := range each {
			extra = append(extra, &plan.Item{Store: "groot", Record: fmt.Sprintf("%s/%02d.pdf", subj.ID, i), Kind: "file", Subject: subj,
				Category: "child-dossier", Action: rules.Delete, Due: "2026-01-01", Reason: "verlopen", Version: "v"})
		}
	}
	html := writeReport(t, Options{Lang: "en", Console: "https://retentie.example.nl/", PlanID: "20261123-020000"}, extra...)
	rows := strings.Count(html, "<tr><td>groot</td>")
	if rows == 0 || rows > MaxHTMLItems {
		t.Errorf("%d of the large plan's items detailed, want between 1 and %d", rows, MaxHTMLItems)
	}
	for p := range people {
		if !strings.Contains(html, fmt.Sprintf("(no. K%05d)", p)) {
			t.Fatalf("person K%05d is not in the report", p)
		}
	}
	more := regexp.MustCompile(`(\d+) more are not shown here: plan.csv`)
	omitted := 0
	for _, m := range more.FindAllStringSubmatch(html, -1) {
		n, _ := strconv.Atoi(m[1])
		omitted += n
	}
	if rows+omitted != people*each {
		t.Errorf("%d items detailed and %d pointed to, want %d in all", rows, omitted, people*each)
	}
}

// BenchmarkLargePlanReport writes plan.json, plan.csv and report.html of a
// plan of 100,000 items of 10,000 people.
func BenchmarkLargePlanReport(b *testing.B) {
	const people, each = 10_000, 10
	var items []*plan.Item
	for p := range people {
		subj := &plan.SubjectRef{Type: rules.Child, ID: fmt.Sprintf("K%05d", p), Name: fmt.Sprintf("Kind Nummer%c%c", 'a'+p%26, 'a'+p/26%26)}
		for i := range each {
			items = append(items, &plan.Item{Store: "groot", Record: fmt.Sprintf("%s/%02d.pdf", subj.ID, i), Kind: "file", Subject: subj,
				Category: "child-dossier", Action: rules.Delete, Due: "2026-01-01", Reason: "verlopen", Version: "v",
				Trigger: &rules.Trigger{Event: rules.EndOfCare, Date: rules.MakeDate(2023, 1, 1)}, Rule: "C1", Modified: "2021-01-01T00:00:00+01:00"})
		}
	}
	h, _, stores, _ := samplePlan()
	var sum plan.Summary
	for _, it := range items {
		sum.Add(it.Action)
	}
	for b.Loop() {
		dir := b.TempDir()
		sink, err := OpenWith(dir, Options{Lang: "nl"})
		if err != nil {
			b.Fatal(err)
		}
		sink.Begin(h)
		for _, it := range items {
			sink.Item(it)
		}
		sink.Commit()
		if err := sink.End(stores, sum); err != nil {
			b.Fatal(err)
		}
	}
}

package report

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// writeReport writes the sample plan plus extra items with options o and
// returns report.html.
func writeReport(t *testing.T, o Options, extra ...*plan.Item) string {
	t.Helper()
	dir := t.TempDir()
	sink, err := OpenWith(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	h, items, stores, sum := samplePlan()
	h.Lang = o.Lang
	sink.Begin(h)
	for _, it := range append(items, extra...) {
		sum.Add(it.Action)
		if err := sink.Item(it); err != nil {
			t.Fatal(err)
		}
	}
	sink.Commit()
	if err := sink.End(stores, sum); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, ReportHTML))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNextSteps: the report opens with what to do: with the console on,
// a link to the plan's page there (and no command); without it, the
// command that approves the plan, naming its folder and the config.
func TestNextSteps(t *testing.T) {
	con := writeReport(t, Options{Lang: "nl", Console: "https://retentie.example.nl/beheer", PlanID: "20261123-020000"})
	link := `<a href="https://retentie.example.nl/beheer/plans/20261123-020000">`
	next := strings.Index(con, `id="next"`)
	if next < 0 || !strings.Contains(con[next:next+2000], link) || strings.Contains(con, "retentiond approve") {
		t.Errorf("with a console, the first section does not link to the plan's page (or still gives the command):\n%s", con[:min(len(con), 5000)])
	}
	if next > strings.Index(con, `id="summary"`) {
		t.Error("what to do next is not at the top")
	}
	cmd := writeReport(t, Options{Lang: "en", ConfigPath: "/etc/retentiond/retentiond.yaml"})
	if !regexp.MustCompile(`<code>retentiond approve --config /etc/retentiond/retentiond.yaml --plan /[^ ]+ --by &#34;NAME&#34;</code>`).MatchString(cmd) ||
		strings.Contains(cmd, "/plans/") {
		t.Errorf("without a console, the approve command is missing:\n%s", cmd[:min(len(cmd), 5000)])
	}
	// A plan id that is not one retentiond makes gets no link.
	bad := writeReport(t, Options{Lang: "en", Console: "https://retentie.example.nl/", PlanID: "../Jansen"})
	if strings.Contains(bad, "Jansen\"") || strings.Contains(bad, "retentie.example.nl") || !strings.Contains(bad, "retentiond approve") {
		t.Error("a plan id that is no plan folder's name made a link")
	}
	// Nothing to approve: the report says so, and gives neither.
	h, _, stores, _ := samplePlan()
	dir := t.TempDir()
	sink, _ := OpenWith(dir, Options{Lang: "en", Console: "https://x.example/", PlanID: "20261123-020000"})
	sink.Begin(h)
	sink.Commit()
	sink.End(stores, plan.Summary{Keep: 3})
	b, _ := os.ReadFile(filepath.Join(dir, ReportHTML))
	if !strings.Contains(string(b), "Nothing needs approving") || strings.Contains(string(b), "/plans/") {
		t.Errorf("an empty plan's next steps:\n%s", b)
	}
}

// TestReviewFirst: the review items come first after the summary, before
// the stores and the people, under a table of contents; they are not
// repeated in a person's section, which counts them instead.
func TestReviewFirst(t *testing.T) {
	subj := &plan.SubjectRef{Type: rules.Child, ID: "1234", Name: "Piet Jansen"}
	html := writeReport(t, Options{Lang: "en"}, &plan.Item{Store: "dossiers", Record: "Jansen, Piet/oud.zip", Kind: "archive",
		Subject: subj, Action: rules.Review, Reason: "zip-archief met twijfel", Version: "v"})
	pos := func(s string) int {
		i := strings.Index(html, s)
		if i < 0 {
			t.Fatalf("report lacks %q", s)
		}
		return i
	}
	toc, review, stores, people := pos(`<nav class="toc">`), pos(`<h2 id="review">`), pos(`<h2 id="stores">`), pos(`<h2 id="people">`)
	if !(toc < review && review < stores && stores < people) {
		t.Errorf("order: contents %d, review %d, stores %d, people %d", toc, review, stores, people)
	}
	for _, a := range []string{`href="#summary"`, `href="#review"`, `href="#stores"`, `href="#people"`} {
		if !strings.Contains(html[toc:review], a) {
			t.Errorf("the table of contents lacks %s", a)
		}
	}
	if i := pos("oud.zip"); i < review || i > stores || strings.Count(html, "oud.zip") != 1 {
		t.Error("a person's review item is not (only) in the review section")
	}
	if !strings.Contains(html[review:stores], "Child: Piet Jansen (no. 1234)") {
		t.Error("the review item does not name its person")
	}
	if !strings.Contains(html[people:], "1 to review by hand (see above)") {
		t.Error("the person's section does not count the review item")
	}
}

// TestSectionPerPerson: each person's items are in a collapsible section
// of their own (details/summary, no script), the summary line naming the
// person and counting what the plan does, under a heading per kind of
// person.
func TestSectionPerPerson(t *testing.T) {
	html := writeReport(t, Options{Lang: "nl"})
	people := html[strings.Index(html, `<h2 id="people">`):]
	if n := strings.Count(people, "<details><summary>"); n != 2 {
		t.Errorf("%d person sections, want 2 (Piet Jansen, Jan Jansen)", n)
	}
	for _, want := range []string{"<details><summary><b>Kind: Piet Jansen</b> (nr. 1234)\n<span class=\"counts\"> · 1 te verwijderen</span></summary>",
		"<details><summary><b>Ouder/verzorger: Jan Jansen</b> (nr. R1)\n<span class=\"counts\"> · 1 te pseudonimiseren</span></summary>"} {
		if !strings.Contains(people, want) {
			t.Errorf("no section %q", want)
		}
	}
	if strings.Contains(html, "<script") {
		t.Error("the report has a script")
	}
	// The people by type, under headings the table of contents links to.
	for _, want := range []string{`<a href="#people-child">Kinderen</a> (1)`, `<a href="#people-parent">Ouders/verzorgers</a> (1)`,
		`<h3 id="people-child">Kinderen (1)</h3>`, `<h3 id="people-parent">Ouders/verzorgers (1)</h3>`} {
		if !strings.Contains(html, want) {
			t.Errorf("no %s", want)
		}
	}
}

// TestStoreTable: the store table has a pseudonymise column, and store
// types in words.
func TestStoreTable(t *testing.T) {
	html := writeReport(t, Options{Lang: "nl"})
	stores := html[strings.Index(html, `<h2 id="stores">`):strings.Index(html, `<h2 id="people">`)]
	if !strings.Contains(stores, `<th class="n">te pseudonimiseren</th>`) {
		t.Error("no pseudonymise column")
	}
	// kidsadmin-ouders has one pseudonymise item but is not in the
	// sample's store list; dossiers has one delete and one review.
	if !strings.Contains(stores, `<tr><td>dossiers</td><td>OneDrive / SharePoint</td><td class="n">10</td><td class="n">1</td><td class="n">0</td><td class="n">1</td><td class="n">0</td>`) {
		t.Errorf("dossiers' row is wrong:\n%s", stores)
	}
}

// TestReportWithoutCodes: no code of plan.json or the config reaches the
// reader: store types and record kinds are words, a layout placeholder
// in a reason is words, and a rule id stands only as a reference after
// words ("regel C1"). Dutch throughout when the plan is Dutch.
func TestReportWithoutCodes(t *testing.T) {
	amb := &plan.Item{Store: "dossiers", Record: "Bakker, Sem/a.pdf", Kind: "file", Action: rules.Review, Version: "v",
		Reason: "2 personen (kind) hebben deze naam: zet hun nummer in de mapnamen en een {child.id} in de indeling om ze te onderscheiden"}
	html := writeReport(t, Options{Lang: "nl"}, amb)
	// The technical detail of a failed listing is the scanner's own
	// message, marked as such; it is left out of this check.
	text := regexp.MustCompile(`(?s)<details><summary>technische melding</summary>.*?</details>|<style>.*?</style>|<[^>]*>`).ReplaceAllString(html, " ")
	for _, code := range []string{"localfs", "{child.id}", "archive", "row", "file "} {
		if strings.Contains(text, code) {
			t.Errorf("the report shows the code %q", code)
		}
	}
	rules := regexp.MustCompile(`\bC[0-9]+\b`).FindAllStringIndex(text, -1)
	for _, r := range rules {
		if !strings.HasSuffix(text[:r[0]], "regel ") {
			t.Errorf("rule %s stands without words: %q", text[r[0]:r[1]], text[max(0, r[0]-40):r[1]])
		}
	}
	if len(rules) < 3 {
		t.Errorf("rule references missing: %d", len(rules))
	}
	for _, en := range []string{"delete", "review", "Store", "kept", "held", "rule", "scanned", "entries", "Summary", "Contents", "Person", "What"} {
		if regexp.MustCompile(`\b` + en + `\b`).MatchString(text) {
			t.Errorf("the Dutch report has the English word %q", en)
		}
	}
}

// TestSectionLimit: a section details at most MaxSectionItems items and
// points to plan.csv and the console for the rest.
func TestSectionLimit(t *testing.T) {
	subj := &plan.SubjectRef{Type: rules.Child, ID: "77", Name: "Veel Fotos"}
	var extra []*plan.Item
	for i := range MaxSectionItems + 20 {
		extra = append(extra,
			&plan.Item{Store: "fotos", Record: fmt.Sprintf("Fotos, Veel/%04d.jpg", i), Kind: "file", Subject: subj, Category: "photo",
				Action: rules.Delete, Due: "2026-01-01", Reason: "foto", Version: "v"},
			&plan.Item{Store: "fotos", Record: fmt.Sprintf("los/%04d.jpg", i), Kind: "file", Action: rules.Review, Reason: "los", Version: "v"})
	}
	html := writeReport(t, Options{Lang: "en", Console: "https://retentie.example.nl/", PlanID: "20261123-020000"}, extra...)
	if n := strings.Count(html, "Fotos, Veel/"); n != MaxSectionItems {
		t.Errorf("%d of the person's items shown, want %d", n, MaxSectionItems)
	}
	if n := strings.Count(html, "los/"); n != MaxSectionItems-2 { // the sample's 2 come first
		t.Errorf("%d review items shown, want %d", n, MaxSectionItems-2)
	}
	more := regexp.MustCompile(`(\d+) more are not shown here: plan.csv in the plan&#39;s folder lists every item and the review console shows them all: <a href="https://retentie.example.nl/plans/20261123-020000">`)
	got := more.FindAllStringSubmatch(html, -1)
	if len(got) != 2 || got[0][1] != "22" || got[1][1] != "20" {
		t.Errorf("the pointers to the rest: %v", got)
	}
}

// TestSelfContained: the report loads nothing from elsewhere; its only
// link out is the console's.
func TestSelfContained(t *testing.T) {
	html := writeReport(t, Options{Lang: "en", Console: "https://retentie.example.nl/", PlanID: "20261123-020000"})
	for _, bad := range []string{"src=", "<link", "@import", "url(", "<script"} {
		if strings.Contains(html, bad) {
			t.Errorf("report.html has %q", bad)
		}
	}
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(html, -1) {
		if !strings.HasPrefix(m[1], "#") && m[1] != "https://retentie.example.nl/plans/20261123-020000" {
			t.Errorf("link to %s", m[1])
		}
	}
}

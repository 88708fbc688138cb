package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func samplePlan() (plan.Header, []*plan.Item, []plan.StoreResult, plan.Summary) {
	h := plan.Header{Version: 1, Organisation: "Kinderopvang Voorbeeld", AsOf: "2026-11-23",
		CreatedAt: "2026-11-23T02:00:00+01:00", ConfigSHA256: "abc123", Policy: "kinderopvang-nl", Lang: "nl"}
	d, _ := rules.ParseDate("2024-03-15")
	items := []*plan.Item{
		{Store: "dossiers", Record: "Jansen, Piet/intake.pdf", Kind: "file",
			Subject:  &plan.SubjectRef{Type: rules.Child, ID: "1234", Name: "Piet Jansen"},
			Category: "child-dossier", Trigger: &rules.Trigger{Event: rules.EndOfCare, Date: d}, Rule: "C1",
			Action: rules.Delete, Due: "2026-03-15", Reason: "kinddossier: 2 jaar na einde opvang (15-03-2024)",
			Basis: "AVG art. 5", Version: "s1-m2", Size: 1, Modified: "2019-01-01T12:00:00+01:00",
			Links:    []plan.Link{{Scope: "anonymous", Type: "view", Roles: []string{"read"}, Inherited: true}},
			Warnings: []string{"gedeeld met een link voor meer dan genoemde personen"}},
		{Store: "dossiers", Record: "=HYPERLINK(\"x\")", Kind: "file", Action: rules.Review,
			Reason: "het pad past bij geen enkele indeling", Version: "s2-m3", Size: 2, Modified: "2019-01-01T12:00:00+01:00"},
		{Store: "kidsadmin-ouders", Record: "ouders.csv#2", Kind: "row", File: "ouders.csv", Action: rules.Pseudonymise,
			Subject: &plan.SubjectRef{Type: rules.Parent, ID: "R1", Name: "Jan Jansen"}, Category: "contract", Rule: "C16",
			Reason: "adres: 1 jaar na einde contract", Fields: []string{"address"}, Version: "v", Modified: "2019-01-01T12:00:00+01:00",
			FieldDecisions: []plan.FieldItem{
				{Field: "address", Action: rules.Pseudonymise, Due: "2025-05-31", Rule: "C16", Reason: "1 jaar na einde contract"},
				{Field: "name", Action: rules.Keep, Due: "2031-05-31", Rule: "C14", Reason: "wettelijke bewaarplicht tot 31-05-2031"},
			}},
		{Store: "archief", Record: "2012.zip", Kind: "archive", Action: rules.Review, Entries: &plan.Entries{Total: 3, Due: 2, Hold: 1},
			Reason: "zip-archief: 2 van 3", Version: "v", Modified: "2019-01-01T12:00:00+01:00"},
	}
	stores := []plan.StoreResult{{Name: "dossiers", Type: "onedrive", Records: 10, Overdue: 1, Links: map[string]int{"anonymous": 1}}, {Name: "archief", Type: "localfs", Records: 4},
		{Name: "onedrive", Type: "localfs", Error: "localfs: root does not exist"}}
	return h, items, stores, plan.Summary{Delete: 1, Review: 2, Keep: 11}
}

func writeSample(t *testing.T, lang string) string {
	t.Helper()
	dir := t.TempDir()
	sink, err := Open(dir, lang)
	if err != nil {
		t.Fatal(err)
	}
	h, items, stores, sum := samplePlan()
	h.Lang = lang
	if err := sink.Begin(h); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := sink.Item(it); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := sink.End(stores, sum); err != nil {
		t.Fatal(err)
	}
	return dir
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./agent/report -update to accept):\n%s", name, got)
	}
}

func TestFiles(t *testing.T) {
	dir := writeSample(t, "nl")
	for _, name := range []string{PlanJSON, PlanCSV, ReportHTML} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600: it holds personal data", name, fi.Mode().Perm())
		}
	}
	js, _ := os.ReadFile(filepath.Join(dir, PlanJSON))
	golden(t, "plan.json", js)
	csv, _ := os.ReadFile(filepath.Join(dir, PlanCSV))
	golden(t, "plan.csv", csv)
	html, _ := os.ReadFile(filepath.Join(dir, ReportHTML))
	golden(t, "report.nl.html", bytes.ReplaceAll(html, []byte(dir), []byte("PLANDIR")))
	en := writeSample(t, "en")
	html, _ = os.ReadFile(filepath.Join(en, ReportHTML))
	golden(t, "report.en.html", bytes.ReplaceAll(html, []byte(en), []byte("PLANDIR")))
}

func TestJSONContract(t *testing.T) {
	dir := writeSample(t, "nl")
	b, err := os.ReadFile(filepath.Join(dir, PlanJSON))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Version      int               `json:"version"`
		Organisation string            `json:"organisation"`
		AsOf         string            `json:"as_of"`
		CreatedAt    string            `json:"created_at"`
		ConfigSHA256 string            `json:"config_sha256"`
		Items        []json.RawMessage `json:"items"`
		Summary      map[string]int    `json:"summary"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("plan.json is not valid JSON: %v\n%s", err, b)
	}
	if p.Version != 1 || p.AsOf != "2026-11-23" || p.ConfigSHA256 != "abc123" || len(p.Items) != 4 {
		t.Errorf("header or items wrong: %+v", p)
	}
	for _, k := range []string{"delete", "pseudonymise", "review", "hold", "keep"} {
		if _, ok := p.Summary[k]; !ok {
			t.Errorf("summary lacks %q", k)
		}
	}
	var first map[string]any
	json.Unmarshal(p.Items[0], &first)
	for _, k := range []string{"store", "record", "kind", "subject", "category", "trigger", "rule", "action", "due", "reason", "version"} {
		if _, ok := first[k]; !ok {
			t.Errorf("item lacks %q: %s", k, p.Items[0])
		}
	}
	var unlinked map[string]any
	json.Unmarshal(p.Items[1], &unlinked)
	if v, ok := unlinked["subject"]; !ok || v != nil {
		t.Errorf("unlinked item's subject = %v, %v; want null", v, ok)
	}
}

func TestEmptyPlanIsValidJSON(t *testing.T) {
	dir := t.TempDir()
	j, err := NewJSON(filepath.Join(dir, PlanJSON))
	if err != nil {
		t.Fatal(err)
	}
	h, _, _, _ := samplePlan()
	j.Begin(h)
	if err := j.End(nil, plan.Summary{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, PlanJSON))
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("empty plan.json invalid: %v\n%s", err, b)
	}
	if items, ok := v["items"].([]any); !ok || len(items) != 0 {
		t.Errorf("items = %v", v["items"])
	}
}

func TestCSVForDutchExcel(t *testing.T) {
	dir := writeSample(t, "nl")
	b, _ := os.ReadFile(filepath.Join(dir, PlanCSV))
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Error("plan.csv lacks the UTF-8 byte-order mark Excel needs")
	}
	lines := strings.Split(string(b), "\r\n")
	if !strings.HasPrefix(lines[0], "\ufeffopslag;bestand;") {
		t.Errorf("header = %q", lines[0])
	}
	if !strings.Contains(lines[1], ";15-03-2026;") && !strings.Contains(lines[1], ";15-03-2024;") {
		t.Errorf("dates not Dutch: %q", lines[1])
	}
	if !strings.Contains(lines[2], `'=HYPERLINK`) {
		t.Errorf("a formula-like cell was not defused: %q", lines[2])
	}
}

func TestHTMLShowsFailuresAndItems(t *testing.T) {
	dir := writeSample(t, "en")
	b, _ := os.ReadFile(filepath.Join(dir, ReportHTML))
	s := string(b)
	for _, want := range []string{"Kinderopvang Voorbeeld", "listing failed", "Piet Jansen", `<span class="ref">rule C1</span>`, "nothing has been deleted", "3 entries",
		`<b>address</b>: pseudonymised — 1 jaar na einde contract <span class="ref">rule C16</span>`,
		`<b>name</b>: kept — wettelijke bewaarplicht tot 31-05-2031 <span class="ref">rule C14</span>`} {
		if !strings.Contains(s, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(s, "http://") || strings.Contains(s, "https://") || strings.Contains(s, "<script src") {
		t.Error("report.html is not self-contained")
	}
}

// TestDiscardLeavesNoTrace: a store whose listing failed after some items
// were written must leave nothing of them in any plan file.
func TestDiscardLeavesNoTrace(t *testing.T) {
	dir := t.TempDir()
	sink, err := Open(dir, "en")
	if err != nil {
		t.Fatal(err)
	}
	h, items, stores, sum := samplePlan()
	sink.Begin(h)
	sink.Item(items[1])
	sink.Commit()
	secret := &plan.Item{Store: "failing", Record: "Geheim, Kind/dossier.pdf", Kind: "file", Action: "delete",
		Subject: &plan.SubjectRef{Type: rules.Child, ID: "99", Name: "Geheim Kind"}, Reason: "x"}
	for i := 0; i < 3000; i++ { // more than the write buffers hold
		sink.Item(secret)
	}
	if err := sink.Discard(); err != nil {
		t.Fatal(err)
	}
	sink.Item(items[0])
	sink.Commit()
	if err := sink.End(stores, sum); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{PlanJSON, PlanCSV, ReportHTML} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("Geheim")) {
			t.Errorf("%s holds an item of the discarded store", name)
		}
		if !bytes.Contains(b, []byte("Piet Jansen")) || !bytes.Contains(b, []byte("HYPERLINK")) {
			t.Errorf("%s lacks a committed item", name)
		}
		if _, err := os.Stat(filepath.Join(dir, name+partialSuffix)); !os.IsNotExist(err) {
			t.Errorf("%s%s left behind", name, partialSuffix)
		}
	}
	var v map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, PlanJSON))
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("plan.json invalid after a discard: %v\n%s", err, b)
	}
	if n := len(v["items"].([]any)); n != 2 {
		t.Errorf("plan.json has %d items, want 2", n)
	}
}

// TestStalePlanRemoved: planning into a directory that holds an earlier
// plan removes it at once, so the old plan cannot be approved by mistake
// while (or if) the new one is not finished.
func TestStalePlanRemoved(t *testing.T) {
	dir := writeSample(t, "nl")
	sink, err := Open(dir, "nl")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{PlanJSON, PlanCSV, ReportHTML} {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("old %s still there while a new plan is being made", name)
		}
	}
	h, _, _, _ := samplePlan()
	sink.Begin(h)
	sink.Commit()
	if err := sink.End(nil, plan.Summary{}); err != nil {
		t.Fatal(err)
	}
}

// TestRequestAnswer: a plan that answers an erasure request opens with
// the answer, in the requester's language: what goes now, what is kept,
// until when and under which rule.
func TestRequestAnswer(t *testing.T) {
	for _, tc := range []struct{ lang, want, kept string }{
		{"en", "Answer to request REQ-0007", `<b>1</b> kept until 2032-06-30, because the law requires it: Fiscal retention duty <span class="ref">rule C3</span>`},
		{"nl", "Antwoord op verzoek REQ-0007", `<b>1</b> bewaard tot 30-06-2032, omdat de wet dat vereist: Fiscal retention duty <span class="ref">regel C3</span>`},
	} {
		dir := t.TempDir()
		sink, err := Open(dir, tc.lang)
		if err != nil {
			t.Fatal(err)
		}
		h, items, stores, sum := samplePlan()
		h.Lang, h.Request = tc.lang, "REQ-0007"
		items = append(items, &plan.Item{Store: "dossiers", Record: "Jansen, Piet/Contracten/c.pdf", Kind: "file",
			Subject: items[0].Subject, Category: "contract", Rule: "C3", Action: rules.Hold, Due: "2032-06-30",
			Reason: "held", Basis: "Fiscal retention duty", Version: "v", Modified: "2019-01-01T12:00:00+01:00"})
		sum.Hold++
		sink.Begin(h)
		for _, it := range items {
			sink.Item(it)
		}
		sink.Commit()
		if err := sink.End(stores, sum); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(dir, "report.html"))
		html := string(b)
		if !strings.Contains(html, tc.want) || !strings.Contains(html, tc.kept) {
			t.Errorf("%s: the answer is missing or wrong:\n%s", tc.lang, html[:min(len(html), 3000)])
		}
	}
}

// TestCSVKindInWords: plan.csv's kind column (soort) says what a record
// is in the plan's language, never the code plan.json uses.
func TestCSVKindInWords(t *testing.T) {
	for _, tc := range []struct {
		lang string
		want []string // the kind of each sample item
	}{
		{"nl", []string{"bestand", "bestand", "exportregel", "archief (zip)"}},
		{"en", []string{"file", "file", "export row", "zip archive"}},
	} {
		f, err := os.Open(filepath.Join(writeSample(t, tc.lang), PlanCSV))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(f)
		r.Comma = ';'
		rows, err := r.ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		col := slices.Index(rows[0], csvHeader[tc.lang][2])
		if col != 2 {
			t.Fatalf("%s: the kind column is at %d", tc.lang, col)
		}
		for i, want := range tc.want {
			if got := rows[i+1][col]; got != want {
				t.Errorf("%s: row %d kind = %q, want %q", tc.lang, i+1, got, want)
			}
		}
	}
}

package letter

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./agent/letter -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./agent/letter -update to accept):\n%s", name, got)
	}
}

func day(s string) rules.Date {
	d, err := rules.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

var child = requests.SubjectRef{Type: rules.Child, ID: "1234"}

func request(kind, status string) requests.Request {
	return requests.Request{ID: "REQ-0007", Subject: child, Kind: kind, Received: day("2026-11-02"),
		Term: requests.DefaultTerm, Deadline: day("2026-11-30"), Lang: "nl", Status: status}
}

var org = Organisation{Name: "Kinderopvang Voorbeeld", Address: []string{"Dorpsstraat 1", "1234 AB Ergens"},
	Contact: "privacy@voorbeeld.nl", Signer: "A. de Vries, functionaris gegevensbescherming"}

// cases are one letter of each kind and state that reads differently.
func cases() map[string]Input {
	in := func(r requests.Request) Input {
		return Input{Request: r, Organisation: org, Date: day("2026-11-20"), SubjectName: "Piet Jansen"}
	}
	erased := in(request(requests.Erase, requests.StatusAnswered))
	erased.Erasure = &Erasure{Deleted: 12, Pseudonymised: 3, Kept: []Kept{
		{Category: "contract", Until: "2032-06-30", N: 2, Basis: "fiscale bewaarplicht (art. 52 AWR)"},
		{Category: "health", N: 1}}}
	access := in(request(requests.Access, requests.StatusAnswered))
	access.Package = &Package{Files: 7, Rows: 4, Categories: []Count{{"child-dossier", 6}, {"contract", 4}, {"", 1}}}
	export := in(request(requests.Export, requests.StatusAnswered))
	export.Package = &Package{Files: 0, Rows: 3, Unavailable: 1, Categories: []Count{{"diary", 4}}}
	refused := in(request(requests.Erase, requests.StatusRefused))
	refused.Reason = "het kinddossier moet nog twee jaar bewaard blijven"
	return map[string]Input{
		"erase-done":    erased,
		"erase-open":    in(request(requests.Erase, requests.StatusOpen)),
		"erase-refused": refused,
		"access":        access,
		"export":        export,
		"rectify-done":  in(request(requests.Rectify, requests.StatusCompleted)),
		"restrict-open": in(request(requests.Restrict, requests.StatusOpen)),
		"restrict-done": in(request(requests.Restrict, requests.StatusCompleted)),
		"nothing-erased": func() Input {
			i := in(request(requests.Erase, requests.StatusCompleted))
			i.Erasure = &Erasure{}
			return i
		}(),
	}
}

// TestGolden pins each letter in both languages and both formats.
func TestGolden(t *testing.T) {
	for name, in := range cases() {
		for _, lang := range []string{"nl", "en"} {
			for _, format := range []string{HTML, Text} {
				in.Lang = lang
				var b bytes.Buffer
				if err := Render(&b, in, format); err != nil {
					t.Fatalf("%s %s %s: %v", name, lang, format, err)
				}
				ext := map[string]string{HTML: "html", Text: "txt"}[format]
				golden(t, name+"."+lang+"."+ext, b.Bytes())
			}
		}
	}
}

// TestWhatEachLetterSays: the parts of each letter its reader relies on.
func TestWhatEachLetterSays(t *testing.T) {
	c := cases()
	for _, tc := range []struct {
		name, lang string
		want       []string
	}{
		{"erase-done", "nl", []string{"Uw verzoek om verwijdering (artikel 17 AVG)", "Piet Jansen (kind, nummer 1234)", "Op 2 november 2026 ontvingen wij",
			"over uw kind", "Verwijderd: 12 stukken.", "Gepseudonimiseerd", "3 stukken", "Volgens de wet bewaard tot 30 juni 2032: 2 stukken (contractgegevens). Grondslag: fiscale bewaarplicht (art. 52 AWR).",
			"zolang de wettelijke plicht geldt: 1 stuk (gezondheidsgegevens)", "Autoriteit Persoonsgegevens", "privacy@voorbeeld.nl"}},
		{"erase-done", "en", []string{"Article 17 GDPR", "Deleted: 12 records.", "Kept as the law requires until 30 June 2032: 2 records (contract details)."}},
		{"erase-open", "nl", []string{"uiterlijk op 30 november 2026"}},
		{"erase-refused", "en", []string{"We regret that we cannot grant your request.", "The reason: het kinddossier moet nog twee jaar bewaard blijven"}},
		{"access", "nl", []string{"artikel 15 AVG", "Het pakket bevat 11 stukken (bestanden: 7; regels uit onze systemen: 4)", "kinddossier: 6", "contractgegevens: 4", "overig: 1"}},
		{"export", "en", []string{"Article 20 GDPR", "machine-readable", "Could not be copied", "1 record.", "diary entries: 4"}},
		{"rectify-done", "nl", []string{"artikel 16 AVG", "gecorrigeerd of aangevuld"}},
		{"restrict-open", "en", []string{"Article 18 GDPR", "by 30 November 2026"}},
		{"restrict-done", "nl", []string{"Wij hebben het gebruik van de gegevens beperkt"}},
		{"nothing-erased", "nl", []string{"Wij bewaren geen persoonsgegevens (meer)"}},
	} {
		in := c[tc.name]
		in.Lang = tc.lang
		var b bytes.Buffer
		if err := Render(&b, in, Text); err != nil {
			t.Fatal(err)
		}
		flat := strings.Join(strings.Fields(b.String()), " ")
		for _, w := range tc.want {
			if !strings.Contains(flat, w) {
				t.Errorf("%s (%s) lacks %q:\n%s", tc.name, tc.lang, w, b.String())
			}
		}
	}
	// A letter to an employee is about "you", not a child.
	in := c["erase-open"]
	in.Request.Subject = requests.SubjectRef{Type: rules.Employee, ID: "E7"}
	var b bytes.Buffer
	Render(&b, in, Text)
	if s := strings.Join(strings.Fields(b.String()), " "); !strings.Contains(s, "die wij over u verwerken") || strings.Contains(s, "uw kind") {
		t.Errorf("an employee's letter:\n%s", b.String())
	}
	// Refused without a reason: a marked place for it, never an invented one.
	in = c["erase-refused"]
	in.Reason = ""
	b.Reset()
	Render(&b, in, Text)
	if !strings.Contains(strings.Join(strings.Fields(b.String()), " "), "De reden: [vul hier de reden in]") {
		t.Errorf("refused without a reason:\n%s", b.String())
	}
}

// TestHTMLSelfContainedAndEscaped: the HTML letter loads nothing, runs
// nothing, and shows a name with markup as text.
func TestHTMLSelfContainedAndEscaped(t *testing.T) {
	in := cases()["erase-refused"]
	in.Organisation.Name = `Zon & Maan <script>alert(1)</script>`
	in.Reason = `<img src=x onerror=alert(1)>`
	var b bytes.Buffer
	if err := Render(&b, in, HTML); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, bad := range []string{"<script", "<img", "<link", "url(", "@import", "http://", "https://"} {
		if strings.Contains(s, bad) {
			t.Errorf("the letter has %q", bad)
		}
	}
	if regexp.MustCompile(`<[^>]*\s(src|href|on[a-z]+)=`).MatchString(s) {
		t.Error("the letter has an element that loads or runs something")
	}
	if !strings.Contains(s, "Zon &amp; Maan &lt;script&gt;") {
		t.Error("the organisation's name is not escaped")
	}
}

// TestTextLayout: plain-text lines are at most 72 characters, and a field
// with line breaks (a pasted reason) is one paragraph: its breaks become
// spaces.
func TestTextLayout(t *testing.T) {
	for name, in := range cases() {
		in.Reason = "eerste regel\r\nBcc: iemand@example.com\x1b[2J"
		in.Request.Status = requests.StatusRefused
		var b bytes.Buffer
		if err := Render(&b, in, Text); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(b.String(), "\n") {
			if utf8.RuneCountInString(line) > textWidth {
				t.Errorf("%s: line of %d characters: %q", name, utf8.RuneCountInString(line), line)
			}
			if strings.ContainsAny(line, "<>\r\x1b") {
				t.Errorf("%s: line %q", name, line)
			}
		}
		if !strings.Contains(strings.Join(strings.Fields(b.String()), " "), "De reden: eerste regel Bcc: iemand@example.com [2J Bent u") {
			t.Errorf("%s: the reason's line break was kept:\n%s", name, b.String())
		}
	}
}

// samplePlan is an erasure request's plan: child 1234's items, and one of
// another child.
func samplePlan() *plan.File {
	piet := &plan.SubjectRef{Type: rules.Child, ID: "1234", Name: "Piet Jansen"}
	other := &plan.SubjectRef{Type: rules.Child, ID: "99", Name: "Ander Kind"}
	it := func(s *plan.SubjectRef, rec string, a rules.Action, cat rules.Category, due, basis string) *plan.Item {
		return &plan.Item{Store: "dossiers", Record: rec, Kind: "file", Subject: s, Action: a, Category: cat, Due: due, Basis: basis}
	}
	return &plan.File{Header: plan.Header{AsOf: "2026-11-20", Request: "REQ-0007"}, Items: []*plan.Item{
		it(piet, "Jansen, Piet/intake.pdf", rules.Delete, "child-dossier", "2026-01-01", ""),
		it(piet, "Jansen, Piet/observatie.pdf", rules.Delete, "child-dossier", "2026-01-01", ""),
		it(piet, "ouders.csv#3", rules.Pseudonymise, "contract", "", ""),
		it(piet, "Jansen, Piet/Contracten/c1.pdf", rules.Hold, "contract", "2032-06-30", "fiscale bewaarplicht"),
		it(piet, "Jansen, Piet/Contracten/c2.pdf", rules.Hold, "contract", "2032-06-30", "fiscale bewaarplicht"),
		it(piet, "Jansen, Piet/Medisch/a.pdf", rules.Hold, "health", "", "wettelijke plicht"),
		it(piet, "los/scan.pdf", rules.Review, "", "", ""),
		it(other, "Kind, Ander/intake.pdf", rules.Delete, "child-dossier", "2026-01-01", ""),
	}}
}

// TestErasureFromPlan: the counts of a request's plan, before and after
// apply; other people's items do not count.
func TestErasureFromPlan(t *testing.T) {
	f := samplePlan()
	kept := []Kept{{Category: "contract", Until: "2032-06-30", N: 2, Basis: "fiscale bewaarplicht"}, {Category: "health", N: 1, Basis: "wettelijke plicht"}}
	for _, tc := range []struct {
		name    string
		applied bool
		notDone int
		want    Erasure
	}{
		{"planned", false, 0, Erasure{Pending: 3, Review: 1, Kept: kept}},
		{"applied", true, 0, Erasure{Deleted: 2, Pseudonymised: 1, Review: 1, Kept: kept}},
		{"applied, one not done", true, 1, Erasure{Deleted: 1, Pseudonymised: 1, Pending: 1, Review: 1, Kept: kept}},
		{"applied, none done", true, 5, Erasure{Pending: 3, Review: 1, Kept: kept}},
	} {
		if got := ErasureFromPlan(f, child, tc.applied, tc.notDone); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestLetterNamesNoRecord: an erasure letter made from a plan names no
// file, folder or store: counts and categories only.
func TestLetterNamesNoRecord(t *testing.T) {
	f := samplePlan()
	e := ErasureFromPlan(f, child, true, 0)
	for _, lang := range []string{"nl", "en"} {
		for _, format := range []string{HTML, Text} {
			var b bytes.Buffer
			in := Input{Request: request(requests.Erase, requests.StatusAnswered), Organisation: org, Date: day("2026-11-20"), Lang: lang, Erasure: &e}
			if err := Render(&b, in, format); err != nil {
				t.Fatal(err)
			}
			for _, it := range f.Items {
				for _, part := range regexp.MustCompile(`[/#]`).Split(it.Record, -1) {
					if len(part) > 3 && strings.Contains(b.String(), part) {
						t.Errorf("%s %s letter names %q of a record", lang, format, part)
					}
				}
			}
			if strings.Contains(b.String(), "dossiers") || strings.Contains(b.String(), "Ander") {
				t.Errorf("%s %s letter names a store or another person", lang, format)
			}
		}
	}
}

// TestPackageFromItems: rows and files, the ones not copied, and the
// categories, most first.
func TestPackageFromItems(t *testing.T) {
	items := []*plan.Item{
		{Kind: "file", Category: "child-dossier"}, {Kind: "file", Category: "child-dossier"}, {Kind: "archive-entry", Category: "photo"},
		{Kind: "row", Category: "diary"}, {Kind: "row", Category: "diary"}, {Kind: "row", Category: "diary"},
	}
	got := PackageFromItems(items, 1)
	want := Package{Files: 2, Rows: 3, Unavailable: 1, Categories: []Count{{"diary", 3}, {"child-dossier", 2}, {"photo", 1}}}
	if !reflect.DeepEqual(got, want) || got.Records() != 6 {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestRenderRefuses: an unknown format or a request kind no letter
// answers is an error; nothing is written.
func TestRenderRefuses(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, cases()["access"], "pdf"); !errors.Is(err, ErrFormat) {
		t.Errorf("format pdf: %v", err)
	}
	in := cases()["access"]
	in.Request.Kind = "delete-everything"
	if err := Render(&b, in, HTML); err == nil || strings.Contains(err.Error(), "1234") {
		t.Errorf("unknown kind: %v", err)
	}
	if b.Len() != 0 {
		t.Error("something was written")
	}
}

// TestFileName: a download is named by the request, never the person.
func TestFileName(t *testing.T) {
	in := cases()["access"]
	if got := FileName(in, HTML); got != "antwoord-REQ-0007.html" {
		t.Errorf("FileName = %q", got)
	}
	in.Lang = "en"
	if got := FileName(in, Text); got != "answer-REQ-0007.txt" || ContentType(Text) != "text/plain; charset=utf-8" {
		t.Errorf("FileName = %q", got)
	}
}

// TestCSPAllowsOnlyTheStyle: the preview's policy lets the letter's style
// element apply (by its hash, as a browser computes it over the element's
// text) and nothing else.
func TestCSPAllowsOnlyTheStyle(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, cases()["access"], HTML); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(b.String(), -1)
	if len(m) != 1 {
		t.Fatalf("%d style elements", len(m))
	}
	sum := sha256.Sum256([]byte(m[0][1]))
	want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if !strings.Contains(CSP(), want) || !strings.HasPrefix(CSP(), "default-src 'none';") || strings.Contains(CSP(), "unsafe") {
		t.Errorf("CSP = %q, want %q in it", CSP(), want)
	}
	if strings.Contains(b.String(), "style=") {
		t.Error("an inline style attribute, which the hash does not allow")
	}
}

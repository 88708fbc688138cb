package console

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/letter"
)

// rowsOf returns the item numbers of a page's rows (data-item).
func rowsOf(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr data-item="([0-9]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// links returns every href and form action of a page.
func links(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?:href|action|formaction)="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// The search text (a name) is POSTed, kept on the server for the
// browser's session, and never appears in a URL, a link or the log; no
// link of any page names a person or a record's path.
func TestNoPersonalDataInURLsOrLogs(t *testing.T) {
	s := newSite(t, 200)
	rob := s.browser("rob")
	id := s.plan.ID
	name := childName(7)
	resp, _ := s.do(rob, "POST", "/plans/"+id+"/search", url.Values{"q": {name}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("search: %s", resp.Status)
	}
	loc := resp.Header.Get("Location")
	if loc != "/plans/"+id {
		t.Fatalf("search redirects to %q", loc)
	}
	body := s.get(rob, loc)
	if got := rowsOf(body); len(got) != 10 || got[0] != "71" {
		t.Fatalf("the search found rows %v, want the 10 of child 7 from item 71", got)
	}
	// the text is shown in the search box (the page), not in any link
	pages := []string{body, s.get(rob, "/plans/"+id+"/items/71"), s.get(rob, "/plans/"+id+"/persons/8"),
		s.get(rob, "/plans/"+id+"/items/71/folder/1"), s.get(rob, "/"), s.get(rob, "/review"), s.get(rob, "/review/"+id+"/74")}
	for i, p := range pages {
		for _, l := range links(p) {
			u, _ := url.PathUnescape(l)
			if strings.Contains(u, "Vermeulen") || strings.Contains(u, "Verslagen") || strings.Contains(u, ".pdf") {
				t.Errorf("page %d links to %q: personal data in a URL", i, l)
			}
		}
	}
	if !strings.Contains(pages[1], "Verslagen/verslag-0.pdf") || !strings.Contains(pages[2], name) {
		t.Fatal("the item and person pages do not show the record and the name (the test looks in the wrong place)")
	}
	// exclude the person's items, then the folder's: nothing of them in
	// the log
	s.do(rob, "POST", "/plans/"+id+"/exclude", url.Values{"person": {"8"}, "reason": {"ouders vragen uitstel voor " + name}})
	if logs := s.logs.String(); strings.Contains(logs, "Vermeulen") || strings.Contains(logs, "Verslagen") || strings.Contains(logs, "uitstel") {
		t.Fatalf("the log holds personal data:\n%s", logs)
	}
	if !strings.Contains(s.logs.String(), "POST /plans/{id}/exclude") {
		t.Fatalf("the log does not name the route (the test looks in the wrong place):\n%s", s.logs.String())
	}
	// clearing the search shows every item again
	s.do(rob, "POST", "/plans/"+id+"/search", url.Values{"clear": {"1"}})
	if got := rowsOf(s.get(rob, "/plans/"+id)); len(got) != 50 {
		t.Fatalf("after clearing the search, %d rows, want a page of 50", len(got))
	}
}

// The search is the session's: another browser, even of the same
// account, does not see it.
func TestSearchKeptPerSession(t *testing.T) {
	s := newSite(t, 200)
	id := s.plan.ID
	a, b := s.browser("anna"), s.browser("anna")
	s.do(a, "POST", "/plans/"+id+"/search", url.Values{"q": {childName(3)}})
	if got := rowsOf(s.get(a, "/plans/"+id)); len(got) != 10 {
		t.Fatalf("searching browser: %d rows, want 10", len(got))
	}
	if got := rowsOf(s.get(b, "/plans/"+id)); len(got) != 50 {
		t.Fatalf("other browser: %d rows, want a page of 50 (no search)", len(got))
	}
}

// Paging, filters (by URL: none of them personal data) and person and
// folder pages select the right items; data-item names each row.
func TestPagingAndFilters(t *testing.T) {
	s := newSite(t, 120)
	vera := s.browser("vera")
	id := s.plan.ID
	tests := []struct {
		path  string
		first string
		n     int
	}{
		{"/plans/" + id, "1", 50},
		{"/plans/" + id + "?page=3", "101", 20},
		{"/plans/" + id + "?page=9", "101", 20}, // past the end: the last page
		{"/plans/" + id + "?action=review", "4", 12},
		{"/plans/" + id + "?store=archief&action=delete", "21", 20},
		{"/plans/" + id + "?person=2", "11", 10},
		{"/plans/" + id + "/persons/3", "21", 10},
		{"/plans/" + id + "/items/35/folder/1", "31", 10},
		{"/plans/" + id + "/items/35/folder/2", "31", 10},
	}
	for _, tc := range tests {
		got := rowsOf(s.get(vera, tc.path))
		if len(got) != tc.n || got[0] != tc.first {
			t.Errorf("GET %s: %d rows from %v, want %d from %s", tc.path, len(got), got, tc.n, tc.first)
		}
	}
	if body := s.get(vera, "/plans/"+id+"?action=delete"); !strings.Contains(body, `href="/plans/`+id+`?action=delete&amp;page=2"`) {
		t.Errorf("the pager's next link loses the filter:\n%s", body[strings.Index(body, `id="pager"`):])
	}
	if body := s.get(vera, "/plans/"+id+"?action=delete&page=2"); !strings.Contains(body, `href="/plans/`+id+`?action=delete" id="page-prev"`) {
		t.Errorf("the pager's previous link loses the filter:\n%s", body[strings.Index(body, `id="pager"`):])
	}
	for _, p := range []string{"/plans/" + id + "/items/999", "/plans/" + id + "/persons/99", "/plans/" + id + "/items/35/folder/3", "/plans/nope/items/1", "/plans/..%2f..%2fetc"} {
		if resp, _ := s.do(vera, "GET", p, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", p, resp.Status)
		}
	}
}

// A reviewer excludes checked items, a person's items and a folder's
// items; each goes to the service with the actor and the right numbers.
func TestExcludeItemsPersonFolder(t *testing.T) {
	s := newSite(t, 120)
	rob := s.browser("rob")
	id := s.plan.ID
	for _, tc := range []struct {
		form url.Values
		want []int
	}{
		{url.Values{"item": {"5", "3", "5"}}, []int{3, 5}},
		{url.Values{"person": {"2"}}, []int{11, 12, 13, 14, 15, 16, 17, 18, 19, 20}},
		{url.Values{"folder-of": {"35"}, "depth": {"1"}}, []int{31, 32, 33, 34, 35, 36, 37, 38, 39, 40}},
	} {
		tc.form.Set("reason", "nog in gesprek")
		tc.form.Set("back", "/plans/"+id+"?action=delete")
		before := len(s.b.Calls())
		resp, _ := s.do(rob, "POST", "/plans/"+id+"/exclude", tc.form)
		got := s.b.Calls()[before:]
		if resp.StatusCode != http.StatusSeeOther || len(got) != 1 || !slices.Equal(got[0].Items, tc.want) ||
			got[0].By.Account != "local:rob" || got[0].Text != "nog in gesprek" {
			t.Fatalf("exclude %v: %s %+v, want %v by rob", tc.form, resp.Status, got, tc.want)
		}
		if loc := resp.Header.Get("Location"); loc != "/plans/"+id+"?action=delete&done=excluded" {
			t.Fatalf("back to %q", loc)
		}
	}
	body := s.get(rob, "/plans/"+id)
	if !strings.Contains(body, `<tr data-item="3" class="excluded">`) {
		t.Fatal("an excluded item is not marked on the plan page")
	}
	for _, bad := range []url.Values{{"item": {"121"}}, {"item": {"0"}}, {"person": {"13"}}, {"folder-of": {"35"}, "depth": {"3"}}} {
		resp, _ := s.do(rob, "POST", "/plans/"+id+"/exclude", bad)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("exclude %v: %s, want 400", bad, resp.Status)
		}
	}
	// a back address off the plan is not followed
	resp, _ := s.do(rob, "POST", "/plans/"+id+"/include", url.Values{"item": {"3"}, "back": {"//evil.example/"}})
	if loc := resp.Header.Get("Location"); loc != "/plans/"+id+"?done=included" {
		t.Fatalf("include returned to %q", loc)
	}
}

// Dutch by the config, English after the switch (a cookie).
func TestLanguageSwitch(t *testing.T) {
	s := newSite(t, 20)
	vera := s.browser("vera")
	if body := s.get(vera, "/"); !strings.Contains(body, "Overzicht") || !strings.Contains(body, `<html lang="nl">`) {
		t.Fatal("the overview is not in Dutch")
	}
	resp, _ := s.do(vera, "POST", "/lang", url.Values{"lang": {"en"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch: %s", resp.Status)
	}
	if body := s.get(vera, "/"); !strings.Contains(body, "Overview") || !strings.Contains(body, `<html lang="en">`) {
		t.Fatal("the overview is not in English after the switch")
	}
}

// Every text a page or handler asks for exists in English and Dutch.
func TestTextsComplete(t *testing.T) {
	used := map[string]bool{}
	tmpl, _ := filepath.Glob("templates/*.html")
	code, _ := filepath.Glob("*.go")
	keyRe := regexp.MustCompile(`(?:T |text\([a-z.()]+, |textOf\([a-z.()]+, |T\()"([a-z_.-]*[a-z])"`)
	for _, f := range append(tmpl, code...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	for _, p := range []string{"overview", "plans", "review", "requests", "request_new", "holds", "ledger"} {
		used["title."+p] = true
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys: the test's pattern is wrong", len(used))
	}
	for k := range used {
		if t2, ok := texts[k]; !ok || t2[0] == "" || t2[1] == "" {
			t.Errorf("text %q is missing in English or Dutch", k)
		}
	}
}

// Settling a review item: the person is picked from the registries'
// search (POSTed), the resolution goes to the service with the actor.
func TestResolveReviewItem(t *testing.T) {
	s := newSite(t, 40)
	rob := s.browser("rob")
	id := s.plan.ID
	body := s.get(rob, "/review")
	if got := rowsOf(body); len(got) != 4 || got[0] != "4" {
		t.Fatalf("review queue rows %v, want items 4, 14, 24, 34", got)
	}
	resp, body := s.do(rob, "POST", "/review/"+id+"/14/people", url.Values{"q": {"vermeulen0001"}, "kind": {"subject"}, "reason": {"map van Jantje"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="child:1001"`) || !strings.Contains(body, "map van Jantje") {
		t.Fatalf("person search: %s\n%s", resp.Status, body)
	}
	resp, _ = s.do(rob, "POST", "/review/"+id+"/14/resolve", url.Values{"kind": {"subject"}, "subject": {"child:1001"}, "scope": {"folder-1"}, "reason": {"map van Jantje"}})
	c := s.b.Calls()
	if resp.StatusCode != http.StatusSeeOther || len(c) != 1 || c[0].Text != "subject dossiers:"+childName(1)+"/**" || c[0].By.Name != "rob" {
		t.Fatalf("resolve: %s %+v", resp.Status, c)
	}
	// the queue shows the item settled (the next plan decides it), not
	// the others
	body = s.get(rob, "/review")
	if !strings.Contains(body, `id="settled-14"`) || strings.Contains(body, `id="settled-4"`) || !strings.Contains(body, `id="settle-4"`) {
		t.Fatal("the review queue does not mark the settled item, or marks another")
	}
	for _, bad := range []url.Values{
		{"kind": {"subject"}, "scope": {"record"}, "reason": {"x"}},                         // no person
		{"kind": {"keep-until"}, "until": {"morgen"}, "scope": {"record"}, "reason": {"x"}}, // no date
		{"kind": {"not-personal"}, "scope": {"record"}},                                     // no reason
		{"kind": {"not-personal"}, "scope": {"folder-5"}, "reason": {"x"}},                  // no such folder
	} {
		if resp, _ := s.do(rob, "POST", "/review/"+id+"/14/resolve", bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("resolve %v: %s, want 400", bad, resp.Status)
		}
	}
	if resp, _ := s.do(rob, "POST", "/review/"+id+"/15/resolve", url.Values{"kind": {"not-personal"}, "scope": {"record"}, "reason": {"x"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("resolving a delete item: %s, want 404", resp.Status)
	}
	if len(s.b.Calls()) != 1 {
		t.Fatalf("bad resolutions reached the service: %+v", s.b.Calls())
	}
}

// A privacy officer opens a request for a person found by name; the
// request and hold forms post the registry reference, not the name.
func TestOpenRequestAndHold(t *testing.T) {
	s := newSite(t, 40)
	pieter := s.browser("pieter")
	_, body := s.do(pieter, "POST", "/requests/new/people", url.Values{"q": {"Vermeulen0002"}, "kind": {"access"}, "received": {"2026-12-01"}})
	if !strings.Contains(body, `value="child:1002"`) || !strings.Contains(body, `<option value="access" selected>`) {
		t.Fatalf("request form after search:\n%s", body)
	}
	resp, _ := s.do(pieter, "POST", "/requests", url.Values{"subject": {"child:1002"}, "kind": {"access"}, "received": {"2026-12-01"}, "lang": {"nl"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/requests/REQ-0009?done=opened" {
		t.Fatalf("open: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	if c := s.b.Calls(); len(c) != 1 || c[0].Text != "access child:1002 2026-12-01" {
		t.Fatalf("calls %+v", c)
	}
	resp, _ = s.do(pieter, "POST", "/holds", url.Values{"what": {"path"}, "store": {"archief"}, "glob": {"2019/**"}, "reason": {"claim"}})
	if c := s.b.Calls(); resp.StatusCode != http.StatusSeeOther || len(c) != 2 || c[1].Text != "archief:2019/**" {
		t.Fatalf("hold: %s %+v", resp.Status, c)
	}
}

// The access package is made through the service and handed over as a
// zip of its regular files; a link in the folder leads nowhere.
func TestAccessPackageDownload(t *testing.T) {
	s := newSite(t, 20)
	s.b.reqs = append(s.b.reqs, testRequest())
	s.b.reqs[0].Kind = "access"
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "bestanden"), 0o700)
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>inzage</h1>"), 0o600)
	os.WriteFile(filepath.Join(dir, "bestanden", "a.pdf"), []byte("%PDF"), 0o600)
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("not for the package"), 0o600)
	os.Symlink(secret, filepath.Join(dir, "link"))
	s.b.pkgDir = dir
	pieter := s.browser("pieter")
	if body := s.get(pieter, "/requests/REQ-0001"); !strings.Contains(body, `id="package"`) {
		t.Fatal("no package button for the privacy officer")
	}
	resp, body := s.do(pieter, "POST", "/requests/REQ-0001/package", url.Values{})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != `attachment; filename="REQ-0001-package.zip"` {
		t.Fatalf("package: %s %q", resp.Status, resp.Header.Get("Content-Disposition"))
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"bestanden/a.pdf", "index.html"}) {
		t.Fatalf("zip holds %v", names)
	}
	if c := s.b.Calls(); len(c) != 1 || c[0].Op != "package" || c[0].By.Name != "pieter" {
		t.Fatalf("calls %+v", c)
	}
}

// The answer letter: previewed as the person will read it, under the
// letter's own CSP, and downloaded by a name that holds the request's id
// only; a viewer gets neither.
func TestLetter(t *testing.T) {
	s := newSite(t, 20)
	s.b.reqs = append(s.b.reqs, testRequest())
	pieter := s.browser("pieter")
	resp, body := s.do(pieter, "GET", "/requests/REQ-0001/letter", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") != letter.CSP() ||
		!strings.Contains(body, "REQ-0001") || !strings.Contains(body, childName(1)) {
		t.Fatalf("preview: %s, CSP %q\n%s", resp.Status, resp.Header.Get("Content-Security-Policy"), body)
	}
	for format, name := range map[string]string{"": "antwoord-REQ-0001.html", "?format=text": "antwoord-REQ-0001.txt"} {
		resp, _ := s.do(pieter, "GET", "/requests/REQ-0001/letter/download"+format, nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != `attachment; filename="`+name+`"` {
			t.Errorf("download%s: %s %q", format, resp.Status, resp.Header.Get("Content-Disposition"))
		}
	}
	if resp, _ := s.do(s.browser("vera"), "GET", "/requests/REQ-0001/letter", nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a viewer's preview: %s, want 403", resp.Status)
	}
}

// Four eyes: the approver of a plan that waits for a second approver is
// not offered to approve it again; another approver is.
func TestFourEyesButton(t *testing.T) {
	s := newSite(t, 20)
	s.b.plans[0].State = agent.StateNeedsSecond
	s.b.plans[0].Approvers = []string{"anna"}
	anna := s.browser("anna")
	body := s.get(anna, "/plans/"+s.plan.ID)
	if strings.Contains(body, `id="approve"`) || !strings.Contains(body, `id="second-needed"`) {
		t.Fatal("the first approver is offered to approve again")
	}
	s.b.plans[0].Approvers = []string{"bram"}
	if body := s.get(anna, "/plans/"+s.plan.ID); !strings.Contains(body, `id="approve"`) {
		t.Fatal("a second approver is not offered to approve")
	}
}

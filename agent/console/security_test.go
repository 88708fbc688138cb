package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/config"
)

// A cross-origin POST is refused before it reaches the service, whether
// the browser says so (Sec-Fetch-Site) or only its Origin tells.
func TestCrossOriginPostRefused(t *testing.T) {
	s := newSite(t, 40)
	anna := s.browser("anna")
	path := "/plans/" + s.plan.ID + "/approve"
	for _, tc := range []struct {
		name string
		hdr  []string
	}{
		{"sec-fetch-site cross-site", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
		{"origin only", []string{"Sec-Fetch-Site", "", "Origin", "https://evil.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := s.do(anna, "POST", path, url.Values{"comment": {"ok"}}, tc.hdr...)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("cross-origin approve: %s, want 403", resp.Status)
			}
		})
	}
	if c := s.b.Calls(); len(c) != 0 {
		t.Fatalf("a cross-origin POST reached the service: %+v", c)
	}
	// the same POST from the console itself goes through, with the actor
	resp, _ := s.do(anna, "POST", path, url.Values{"comment": {"akkoord"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin approve: %s", resp.Status)
	}
	c := s.b.Calls()
	want := Actor{Name: "anna", Via: agent.ViaConsole, Account: "local:anna"}
	if len(c) != 1 || c[0].Op != "approve" || c[0].By != want || c[0].Text != "akkoord" {
		t.Fatalf("calls %+v, want one approve by %+v", c, want)
	}
}

// The role is checked on the server for every action: a viewer sees no
// approve button and gets 403 on the POST; each state change refuses the
// roles without it, and lets the role with it through.
func TestRoleCheckedOnServer(t *testing.T) {
	s := newSite(t, 40)
	id := s.plan.ID
	vera := s.browser("vera")
	if body := s.get(vera, "/plans/"+id); strings.Contains(body, `id="approve"`) || strings.Contains(body, `id="exclude-selected"`) {
		t.Fatal("a viewer is shown the approve or exclude button")
	}
	if body := s.get(s.browser("anna"), "/plans/"+id); !strings.Contains(body, `id="approve"`) {
		t.Fatal("an approver is not shown the approve button")
	}
	actions := []struct {
		path    string
		form    url.Values
		allowed string // the one test user whose role allows it
		op      string
	}{
		{"/plans/" + id + "/approve", url.Values{"comment": {"x"}}, "anna", "approve"},
		{"/plans/" + id + "/reject", url.Values{"comment": {"x"}}, "anna", "reject"},
		{"/plans/" + id + "/apply", url.Values{}, "anna", "apply"},
		{"/plans/" + id + "/exclude", url.Values{"item": {"3"}}, "rob", "exclude"},
		{"/plans/" + id + "/include", url.Values{"item": {"3"}}, "rob", "include"},
		{"/review/" + id + "/4/resolve", url.Values{"kind": {"not-personal"}, "scope": {"record"}, "reason": {"leeg"}}, "rob", "resolve"},
		{"/requests", url.Values{"subject": {"child:1001"}, "kind": {"erase"}, "received": {"2026-12-01"}, "lang": {"nl"}}, "pieter", "open"},
		{"/requests/REQ-0001/answer", url.Values{}, "pieter", "answer"},
		{"/requests/REQ-0001/complete", url.Values{}, "pieter", "complete"},
		{"/requests/REQ-0001/refuse", url.Values{}, "pieter", "refuse"},
		{"/holds", url.Values{"what": {"subject"}, "subject": {"child:1001"}, "reason": {"geschil"}}, "pieter", "hold"},
		{"/holds/H-0001/release", url.Values{}, "pieter", "release"},
	}
	s.b.reqs = append(s.b.reqs, testRequest())
	browsers := map[string]*http.Client{}
	for name := range testUsers {
		browsers[name] = s.browser(name)
	}
	for _, a := range actions {
		for name, c := range browsers {
			before := len(s.b.Calls())
			resp, body := s.do(c, "POST", a.path, a.form)
			got := s.b.Calls()[before:]
			// anna (approver) may also do a reviewer's actions
			may := name == a.allowed || (a.allowed == "rob" && name == "anna")
			if !may {
				if resp.StatusCode != http.StatusForbidden || len(got) != 0 {
					t.Errorf("%s POST %s: %s, calls %+v; want 403 and none", name, a.path, resp.Status, got)
				}
				continue
			}
			by := got0By(got)
			if resp.StatusCode != http.StatusSeeOther || len(got) != 1 || got[0].Op != a.op || by.Name != name || by.Via != "console" {
				t.Errorf("%s POST %s: %s, calls %+v; want 303 and %s by %s\n%s", name, a.path, resp.Status, got, a.op, name, body)
			}
		}
	}
}

// Every state change is a POST: the same paths by GET change nothing.
func TestStateChangesArePostOnly(t *testing.T) {
	s := newSite(t, 40)
	anna := s.browser("anna")
	id := s.plan.ID
	for _, p := range []string{"/plans/" + id + "/approve", "/plans/" + id + "/reject", "/plans/" + id + "/apply",
		"/plans/" + id + "/exclude?item=3", "/plans/" + id + "/include?item=3", "/plans/" + id + "/search?q=x",
		"/review/" + id + "/4/resolve", "/requests/REQ-0001/answer", "/requests/REQ-0001/package", "/holds/H-0001/release", "/lang?lang=en"} {
		resp, _ := s.do(anna, "GET", p, nil)
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %s, want 405", p, resp.Status)
		}
	}
	if c := s.b.Calls(); len(c) != 0 {
		t.Fatalf("a GET changed something: %+v", c)
	}
}

// Pages carry the security headers, and no page holds inline script,
// inline style or an event handler attribute that the CSP would have to
// allow.
func TestSecurityHeadersAndNoInlineCode(t *testing.T) {
	s := newSite(t, 40)
	s.b.reqs = append(s.b.reqs, testRequest())
	anna, pieter := s.browser("anna"), s.browser("pieter")
	id := s.plan.ID
	script := regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`)
	inline := regexp.MustCompile(`(?i)\sstyle=|\son[a-z]+=|<style|javascript:`)
	pages := []struct {
		c    *http.Client
		path string
	}{
		{anna, "/"}, {anna, "/plans"}, {anna, "/plans/" + id}, {anna, "/plans/" + id + "/items/2"},
		{anna, "/plans/" + id + "/persons/1"}, {anna, "/plans/" + id + "/items/2/folder/1"}, {anna, "/review"},
		{anna, "/review/" + id + "/4"}, {anna, "/ledger"}, {pieter, "/requests"}, {pieter, "/requests/new"},
		{pieter, "/requests/REQ-0001"}, {pieter, "/holds"},
	}
	for _, p := range pages {
		resp, body := s.do(p.c, "GET", p.path, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", p.path, resp.Status)
		}
		h := resp.Header
		if got := h.Get("Content-Security-Policy"); got != csp ||
			!strings.Contains(got, "default-src 'self'") || !strings.Contains(got, "frame-ancestors 'none'") ||
			!strings.Contains(got, "form-action 'self'") || strings.Contains(got, "unsafe-inline") {
			t.Errorf("GET %s: CSP %q", p.path, got)
		}
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
			"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"} {
			if h.Get(k) != want {
				t.Errorf("GET %s: %s is %q, want %q", p.path, k, h.Get(k), want)
			}
		}
		if m := inline.FindString(body); m != "" {
			t.Errorf("GET %s: inline code %q", p.path, m)
		}
		for _, m := range script.FindAllStringSubmatch(body, -1) {
			if !strings.Contains(m[1], `src="/static/`) || strings.TrimSpace(m[2]) != "" {
				t.Errorf("GET %s: inline script %q", p.path, m[0])
			}
		}
		if n := strings.Count(strings.ToLower(body), "<script"); n != len(script.FindAllString(body, -1)) {
			t.Errorf("GET %s: an unclosed script tag", p.path)
		}
	}
	resp, _ := s.do(anna, "GET", "/static/console.css", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("stylesheet: %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
}

// Signed out, a page sends the browser to sign in and a POST is refused.
func TestSignedOut(t *testing.T) {
	s := newSite(t, 20)
	out := s.browser("")
	resp, _ := s.do(out, "GET", "/plans/"+s.plan.ID, nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("signed-out page: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	resp, _ = s.do(out, "POST", "/plans/"+s.plan.ID+"/approve", url.Values{"comment": {"x"}})
	if resp.StatusCode != http.StatusUnauthorized || len(s.b.Calls()) != 0 {
		t.Fatalf("signed-out approve: %s, calls %+v", resp.Status, s.b.Calls())
	}
}

// got0By is the actor of the first call, if any.
func got0By(c []call) Actor {
	if len(c) == 0 {
		return Actor{}
	}
	return c[0].By
}

// Behind a reverse proxy the Host may differ from the address people
// use: a POST whose Origin is console.public_url's is the console's own,
// any other origin is refused.
func TestPublicURLIsOwnOrigin(t *testing.T) {
	stateDir := t.TempDir()
	info := writePlan(t, stateDir, "20261208-020000", 20)
	fb := newFake()
	fb.plans = []PlanInfo{info}
	cfg := &config.Config{StateDir: stateDir, Console: config.Console{Lang: "nl", PublicURL: "https://retentie.example.nl/"}}
	h, err := New(fb, benchAuth{}, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for origin, want := range map[string]int{"https://retentie.example.nl": http.StatusSeeOther, "https://evil.example": http.StatusForbidden} {
		req := httptest.NewRequest("POST", "http://127.0.0.1:9466/plans/"+info.ID+"/reject", strings.NewReader("comment=nee"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("POST from %s: %d, want %d", origin, rec.Code, want)
		}
	}
	if c := fb.Calls(); len(c) != 1 || c[0].Op != "reject" {
		t.Fatalf("calls %+v, want the one reject from the public origin", c)
	}
}

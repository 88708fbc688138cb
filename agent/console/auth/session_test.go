package auth

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/config"
)

// signedIn returns a browser signed in as a local approver.
func (h *harness) signedIn() *http.Client {
	h.t.Helper()
	c := h.browser(false)
	if r, body := h.login(c, "beheerder", pw, ""); r.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("sign-in: %d\n%s", r.StatusCode, body)
	}
	return c
}

func (h *harness) status(c *http.Client, method, path string) int {
	h.t.Helper()
	var form url.Values
	if method == "POST" {
		form = url.Values{}
	}
	r, _ := do(h.t, c, method, h.srv.URL+path, form)
	return r.StatusCode
}

func TestSessionIdleTimeout(t *testing.T) {
	h := newHarness(t, false, nil)
	h.addUser("beheerder", pw, "approver")
	c := h.signedIn()
	// Requests keep the session alive…
	for range 3 {
		h.clock.Add(29 * time.Minute)
		if s := h.status(c, "GET", "/"); s != 200 {
			t.Fatalf("a request within the idle timeout: %d", s)
		}
	}
	// …30 minutes without one end it.
	u, _ := url.Parse(h.srv.URL)
	id := sessionCookieValue(c, u)
	h.clock.Add(30 * time.Minute)
	if s := h.status(c, "GET", "/"); s != http.StatusSeeOther {
		t.Fatalf("after 30 idle minutes: %d, want 303 to sign in", s)
	}
	// The session is gone on the server, not just late: its id does not
	// work again even when the clock is set back.
	h.clock.Add(-30 * time.Minute)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: id}})
	if s := h.status(c, "GET", "/"); s != http.StatusSeeOther {
		t.Fatalf("an ended session came back: %d", s)
	}
}

func TestSessionMaxAge(t *testing.T) {
	h := newHarness(t, false, func(_ *config.Config, o *Options) { o.MaxAge = 2 * time.Hour })
	h.addUser("beheerder", pw, "approver")
	c := h.signedIn()
	for range 7 {
		h.clock.Add(17 * time.Minute)
		if s := h.status(c, "GET", "/"); s != 200 {
			t.Fatalf("an active session within its life: %d", s)
		}
	}
	h.clock.Add(2*time.Hour - 7*17*time.Minute)
	if s := h.status(c, "GET", "/"); s != http.StatusSeeOther {
		t.Fatalf("an active session past its 2h life: %d, want 303", s)
	}
}

func TestLogout(t *testing.T) {
	h := newHarness(t, false, nil)
	h.addUser("beheerder", pw, "approver")
	c := h.signedIn()
	u, _ := url.Parse(h.srv.URL)
	id := sessionCookieValue(c, u)
	r, _ := do(t, c, "POST", h.srv.URL+"/logout", url.Values{})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?out=1" {
		t.Fatalf("logout: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if ck := sessionCookieOf(r); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("logout did not delete the cookie: %v", ck)
	}
	if s := h.status(c, "GET", "/"); s != http.StatusSeeOther {
		t.Errorf("after logout GET /: %d", s)
	}
	// The old id is dead on the server, not just forgotten by the browser.
	c2 := h.browser(false)
	c2.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: id}})
	if s := h.status(c2, "GET", "/"); s != http.StatusSeeOther {
		t.Errorf("the logged-out session id still works: %d", s)
	}
	if s := h.status(c, "GET", "/logout"); s != http.StatusSeeOther && s != http.StatusMethodNotAllowed {
		t.Errorf("GET /logout: %d", s)
	}
}

func sessionCookieValue(c *http.Client, u *url.URL) string {
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == sessionCookie || ck.Name == hostSessionCookie {
			return ck.Value
		}
	}
	return ""
}

// A cross-site POST /logout (or /login) is refused.
func TestCrossOriginPostRefused(t *testing.T) {
	h := newHarness(t, false, nil)
	h.addUser("beheerder", pw, "approver")
	c := h.signedIn()
	for _, path := range []string{"/logout", "/login"} {
		req, _ := http.NewRequest("POST", h.srv.URL+path, strings.NewReader("name=beheerder&password=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST %s: %d, want 403", path, resp.StatusCode)
		}
	}
	if s := h.status(c, "GET", "/"); s != 200 {
		t.Errorf("the cross-site logout signed out: %d", s)
	}
}

func TestSessionCookie(t *testing.T) {
	for _, tls := range []bool{false, true} {
		h := newHarness(t, tls, nil)
		h.addUser("beheerder", pw, "approver")
		c := h.browser(false)
		r, _ := h.login(c, "beheerder", pw, "")
		ck := sessionCookieOf(r)
		if ck == nil {
			t.Fatalf("tls %v: no session cookie", tls)
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Domain != "" || ck.Secure != tls {
			t.Errorf("tls %v: cookie %s: want HttpOnly, SameSite=Strict, Path=/, no Domain, Secure %v", tls, ck.String(), tls)
		}
		if want := map[bool]string{false: sessionCookie, true: hostSessionCookie}[tls]; ck.Name != want {
			t.Errorf("tls %v: cookie name %q, want %q", tls, ck.Name, want)
		}
		if len(ck.Value) != 43 {
			t.Errorf("session id %d characters, want 43 (32 random bytes)", len(ck.Value))
		}
		if h.a.Secure() != tls {
			t.Errorf("Secure() = %v with tls %v", h.a.Secure(), tls)
		}
		if s := h.status(c, "GET", "/"); s != 200 {
			t.Errorf("tls %v: signed in GET /: %d", tls, s)
		}
	}
}

func TestRequireSignedOut(t *testing.T) {
	h := newHarness(t, false, nil)
	c := h.browser(false)
	for _, c2 := range []struct {
		method, path string
		code         int
		loc          string
	}{
		{"GET", "/", http.StatusSeeOther, "/login"},
		{"GET", "/plans/20261207-020000?page=2", http.StatusSeeOther, "/login?next=%2Fplans%2F20261207-020000%3Fpage%3D2"},
		{"HEAD", "/plans", http.StatusSeeOther, "/login?next=%2Fplans"},
		{"POST", "/plans/20261207-020000/approve", http.StatusUnauthorized, ""},
		{"PUT", "/x", http.StatusUnauthorized, ""},
		{"DELETE", "/x", http.StatusUnauthorized, ""},
	} {
		var form url.Values
		if c2.method == "POST" {
			form = url.Values{}
		}
		r, _ := do(t, c, c2.method, h.srv.URL+c2.path, form)
		if r.StatusCode != c2.code || r.Header.Get("Location") != c2.loc {
			t.Errorf("%s %s signed out: %d %q, want %d %q", c2.method, c2.path, r.StatusCode, r.Header.Get("Location"), c2.code, c2.loc)
		}
	}
	// A made-up session id is no session.
	u, _ := url.Parse(h.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: strings.Repeat("A", 43)}})
	if s := h.status(c, "GET", "/"); s != http.StatusSeeOther {
		t.Errorf("a made-up session id: %d", s)
	}
}

// The session id changes at sign-in: an id set in the browser before
// (by someone who planted it) is not the signed-in session.
func TestSessionIDRotatedAtSignIn(t *testing.T) {
	h := newHarness(t, false, nil)
	h.addUser("beheerder", pw, "approver")
	c := h.signedIn()
	u, _ := url.Parse(h.srv.URL)
	first := sessionCookieValue(c, u)
	r, _ := h.login(c, "beheerder", pw, "")
	second := sessionCookieOf(r)
	if second == nil || second.Value == first {
		t.Fatalf("signing in again kept the id")
	}
	c2 := h.browser(false)
	c2.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: first}})
	if s := h.status(c2, "GET", "/"); s != http.StatusSeeOther {
		t.Errorf("the session id from before the new sign-in still works: %d", s)
	}
	if s := h.status(c, "GET", "/"); s != 200 {
		t.Errorf("the new session: %d", s)
	}
}

// Removing a local account, or giving it a new password, ends its
// sessions; a change of roles applies at the next request.
func TestSessionFollowsAccount(t *testing.T) {
	h := newHarness(t, false, nil)
	h.addUser("beheerder", pw, "approver")
	users, _ := OpenUsers(h.cfg.StateDir)
	c := h.signedIn()
	if err := users.Add("beheerder", []string{"viewer"}, []byte(pw), true, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if s := h.status(c, "GET", "/"); s != http.StatusSeeOther {
		t.Errorf("after a new password the old session: %d, want 303", s)
	}
	c = h.signedIn()
	_, body := do(t, c, "GET", h.srv.URL+"/", nil)
	if !strings.Contains(body, "roles=viewer ") || strings.Contains(body, "approver=true") {
		t.Errorf("roles after replace: %s", body)
	}
	if err := users.Remove("beheerder"); err != nil {
		t.Fatal(err)
	}
	if s := h.status(c, "GET", "/"); s != http.StatusSeeOther {
		t.Errorf("a removed account's session: %d, want 303", s)
	}
}

func TestNextOpenRedirectRefused(t *testing.T) {
	h := newHarness(t, false, nil)
	h.addUser("beheerder", pw, "approver")
	for _, next := range []string{
		"https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example", "http:/evil.example",
		"javascript:alert(1)", "evil.example", "/%0d%0aSet-Cookie:x=y", "/\r\nX: y", "/login", "/logout", "/auth/callback?code=x", "",
	} {
		c := h.browser(false)
		r, _ := h.login(c, "beheerder", pw, next)
		if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || (loc != "/" && !(next == "/%0d%0aSet-Cookie:x=y" && loc == next)) {
			t.Errorf("next=%q: %d to %q, want 303 to /", next, r.StatusCode, loc)
		}
		_, body := do(t, c, "GET", h.srv.URL+"/login?next="+url.QueryEscape(next), nil)
		if strings.Contains(body, "evil.example") {
			t.Errorf("the sign-in page carries next=%q on", next)
		}
	}
	for next, want := range map[string]string{
		"/plans/20261207-020000?page=3&store=bso": "/plans/20261207-020000?page=3&store=bso",
		"/":    "/",
		"/%2F": "/%2F",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

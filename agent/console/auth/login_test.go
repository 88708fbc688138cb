package auth

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retentiond/retentiond/config"
)

const pw = "correct horse battery"

func TestLocalSignIn(t *testing.T) {
	h := newHarness(t, false, nil)
	h.addUser("beheerder", pw, "reviewer", "approver")
	c := h.browser(false)

	// Not signed in: a GET goes to the sign-in page, which offers the
	// local form in the config's language.
	resp, _ := do(t, c, "GET", h.srv.URL+"/plans", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fplans" {
		t.Fatalf("GET /plans signed out: %d %q, want 303 to /login?next=%%2Fplans", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := do(t, c, "GET", h.srv.URL+"/login?next=%2Fplans", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `<form method="post" action="/login" id="local">`) ||
		!strings.Contains(body, `name="next" value="/plans"`) || !strings.Contains(body, "Wachtwoord") ||
		!strings.Contains(body, `href="/static/console.css"`) {
		t.Fatalf("sign-in page: %d\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") || strings.Contains(body, "<style") {
		t.Error("the sign-in page has inline script or style")
	}
	if strings.Contains(body, `id="oidc"`) {
		t.Error("a provider button without console.oidc")
	}

	resp, _ = h.login(c, "beheerder", pw, "/plans")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/plans" {
		t.Fatalf("sign-in: %d %q, want 303 to /plans", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = do(t, c, "GET", h.srv.URL+"/plans", nil)
	if resp.StatusCode != 200 || body != "account=local:beheerder roles=reviewer,approver via=local approver=true" {
		t.Fatalf("signed in: %d %q", resp.StatusCode, body)
	}
}

func TestLocalSignInLanguage(t *testing.T) {
	h := newHarness(t, false, func(cfg *config.Config, _ *Options) { cfg.Console.Lang = "en" })
	h.addUser("beheerder", pw, "viewer")
	c := h.browser(false)
	_, body := do(t, c, "GET", h.srv.URL+"/login", nil)
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Password") {
		t.Errorf("console.lang en: not an English page:\n%s", body)
	}
	u, _ := url.Parse(h.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "nl"}})
	_, body = do(t, c, "GET", h.srv.URL+"/login", nil)
	if !strings.Contains(body, `<html lang="nl">`) || !strings.Contains(body, "Wachtwoord") {
		t.Errorf("lang cookie nl: not a Dutch page:\n%s", body)
	}
	resp, body := h.login(c, "beheerder", "fout wachtwoord!", "")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Naam of wachtwoord klopt niet.") {
		t.Errorf("wrong password, Dutch: %d\n%s", resp.StatusCode, body)
	}
	// The switch on the sign-in page keeps the choice in the console's
	// language cookie.
	_, body = do(t, c, "GET", h.srv.URL+"/login", nil)
	if !strings.Contains(body, `<a id="lang" href="/login?lang=en">English</a>`) {
		t.Fatalf("no language switch:\n%s", body)
	}
	do(t, c, "GET", h.srv.URL+"/login?lang=en", nil)
	kept := ""
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "retentiond_lang" {
			kept = ck.Value
		}
	}
	if kept != "en" {
		t.Errorf("after ?lang=en the language cookie is %q", kept)
	}
	if _, body = do(t, c, "GET", h.srv.URL+"/login", nil); !strings.Contains(body, "Password") {
		t.Errorf("the chosen language is not kept:\n%s", body)
	}
}

// A wrong password and an unknown name get the same answer; neither
// signs in; the log names no one.
func TestLocalSignInRefused(t *testing.T) {
	h := newHarness(t, false, nil)
	h.addUser("beheerder", pw, "approver")
	c := h.browser(false)
	r1, b1 := h.login(c, "beheerder", "correct horse batterY", "")
	r2, b2 := h.login(c, "onbekende", pw, "")
	for _, r := range []*http.Response{r1, r2} {
		if r.StatusCode != http.StatusUnauthorized || sessionCookieOf(r) != nil && sessionCookieOf(r).MaxAge >= 0 {
			t.Errorf("refused sign-in: %d, cookie %v", r.StatusCode, sessionCookieOf(r))
		}
	}
	if b1 != b2 {
		t.Errorf("a wrong password and an unknown name answer differently:\n%s\n---\n%s", b1, b2)
	}
	resp, _ := do(t, c, "GET", h.srv.URL+"/", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after refused sign-ins GET /: %d, want 303", resp.StatusCode)
	}
	h.login(c, "beheerder", pw, "")
	logs := h.logs.String()
	for _, s := range []string{"beheerder", "onbekende", "horse", "127.0.0.1"} {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds %q:\n%s", s, logs)
		}
	}
	if !strings.Contains(logs, "sign-in failed") || !strings.Contains(logs, "signed in") {
		t.Errorf("the log does not tell of the sign-ins:\n%s", logs)
	}
}

// After five failures for an account, attempts wait: the right password
// is refused unchecked until the wait is over, and the wait doubles.
func TestLocalSignInRateLimitPerAccount(t *testing.T) {
	h := newHarness(t, false, nil)
	h.addUser("beheerder", pw, "approver")
	c := h.browser(false)
	for i := range freeAccountFailures {
		if r, _ := h.login(c, "beheerder", fmt.Sprint("fout-", i, "-wachtwoord"), ""); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, r.StatusCode)
		}
	}
	r, body := h.login(c, "beheerder", pw, "")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "30" || !strings.Contains(body, "Te veel mislukte pogingen") {
		t.Fatalf("right password after 5 failures: %d Retry-After %q, want 429 and 30", r.StatusCode, r.Header.Get("Retry-After"))
	}
	// The name in capitals is the same account.
	if r, _ := h.login(c, "BEHEERDER", pw, ""); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the name in capitals escaped the limit: %d", r.StatusCode)
	}
	h.clock.Add(29 * time.Second)
	if r, _ := h.login(c, "beheerder", pw, ""); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 29s: %d, want 429", r.StatusCode)
	}
	h.clock.Add(time.Second)
	if r, _ := h.login(c, "beheerder", "nog-steeds-fout", ""); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after 30s a wrong password: %d, want 401", r.StatusCode)
	}
	h.clock.Add(59 * time.Second)
	if r, _ := h.login(c, "beheerder", pw, ""); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the wait did not double: %d after 59s", r.StatusCode)
	}
	h.clock.Add(time.Second)
	if r, _ := h.login(c, "beheerder", pw, ""); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the wait the right password: %d, want 303", r.StatusCode)
	}
	// A success clears the account's count: five free failures again.
	c2 := h.browser(false)
	for i := range freeAccountFailures {
		if r, _ := h.login(c2, "beheerder", fmt.Sprint("weer-fout-", i, "-wachtwoord"), ""); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("after a success failure %d: %d, want 401", i+1, r.StatusCode)
		}
	}
}

// Unknown names are limited too, and many names from one address hit
// the address's limit.
func TestLocalSignInRateLimitPerAddress(t *testing.T) {
	h := newHarness(t, false, nil)
	h.addUser("beheerder", pw, "approver")
	c := h.browser(false)
	for i := range freeAddrFailures {
		if r, _ := h.login(c, fmt.Sprint("gok", i), "geraden-wachtwoord", ""); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, r.StatusCode)
		}
	}
	if r, _ := h.login(c, "beheerder", pw, ""); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after %d failures from one address another account: %d, want 429", freeAddrFailures, r.StatusCode)
	}
}

func TestWaitFor(t *testing.T) {
	for _, c := range []struct {
		n    int
		want time.Duration
	}{{0, 0}, {4, 0}, {5, 30 * time.Second}, {6, time.Minute}, {7, 2 * time.Minute}, {12, 64 * time.Minute / 1}, {40, time.Hour}} {
		want := min(c.want, time.Hour)
		if got := waitFor(c.n, 5); got != want {
			t.Errorf("waitFor(%d) = %v, want %v", c.n, got, want)
		}
	}
}

// Attempts made at once cannot all slip in before the first failure is
// counted: of 20 parallel wrong passwords, only the 5 free ones are
// checked.
func TestLocalSignInRateLimitParallel(t *testing.T) {
	h := newHarness(t, false, nil)
	h.addUser("beheerder", pw, "approver")
	codes := make(chan int, 20)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			r, _ := h.login(h.browser(false), "beheerder", fmt.Sprint("parallel-fout-", i), "")
			codes <- r.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	n := map[int]int{}
	for c := range codes {
		n[c]++
	}
	if n[http.StatusUnauthorized] != freeAccountFailures || n[http.StatusTooManyRequests] != 20-freeAccountFailures {
		t.Errorf("20 parallel wrong passwords: %v, want %d checked (401) and the rest 429", n, freeAccountFailures)
	}
}

// A garbled users.json makes local sign-in fail with a page that sends
// the administrator to the log, where the file is named; nothing
// crashes and nobody is signed in.
func TestLocalSignInGarbledFile(t *testing.T) {
	h := newHarness(t, false, nil)
	h.addUser("beheerder", pw, "approver")
	path := UsersFile(h.cfg.StateDir)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	c := h.browser(false)
	r, body := h.login(c, "beheerder", pw, "")
	if r.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "in het log van retentiond") || sessionCookieOf(r) != nil {
		t.Fatalf("sign-in with a garbled users.json: %d\n%s", r.StatusCode, body)
	}
	if logs := h.logs.String(); !strings.Contains(logs, path) || strings.Contains(logs, "beheerder") {
		t.Errorf("the log should name the file and no account:\n%s", logs)
	}
	if s := h.status(c, "GET", "/"); s != http.StatusSeeOther {
		t.Errorf("signed in after all: %d", s)
	}
}

package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/retentiond/retentiond/config"
)

// provider is an OpenID Connect provider run in-process (mockoidc) that
// insists on PKCE with S256, as Entra ID and Keycloak can be set to.
// tamper, when set, may change a request to it or the token response.
type provider struct {
	m *mockoidc.MockOIDC

	mu        sync.Mutex
	authorize url.Values // the last authorization request
	token     url.Values // the last token request
	// tamperAuthorize changes the authorization request's query.
	tamperAuthorize func(q url.Values)
	// tamperIDToken changes the ID token's claims (not re-signed).
	tamperIDToken func(claims map[string]any)
}

func newProvider(t *testing.T) *provider {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{m: m}
	if err := m.AddMiddleware(p.middleware); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return p
}

func (p *provider) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case mockoidc.AuthorizationEndpoint:
			q := r.URL.Query()
			p.mu.Lock()
			p.authorize = q
			tamper := p.tamperAuthorize
			p.mu.Unlock()
			if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 {
				http.Error(w, "PKCE with S256 is required", http.StatusBadRequest)
				return
			}
			if tamper != nil {
				tamper(q)
				r.URL.RawQuery = q.Encode()
			}
		case mockoidc.TokenEndpoint:
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			p.mu.Lock()
			p.token = r.PostForm
			tamper := p.tamperIDToken
			p.mu.Unlock()
			if tamper != nil {
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				if rec.Code != http.StatusOK {
					// (oauth2 first tries the secret in a header,
					// which mockoidc refuses, then in the form)
					w.WriteHeader(rec.Code)
					w.Write(rec.Body.Bytes())
					return
				}
				var resp map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
					http.Error(w, err.Error(), 500)
					return
				}
				parts := strings.Split(resp["id_token"].(string), ".")
				b, _ := base64.RawURLEncoding.DecodeString(parts[1])
				var claims map[string]any
				json.Unmarshal(b, &claims)
				tamper(claims)
				b, _ = json.Marshal(claims)
				parts[1] = base64.RawURLEncoding.EncodeToString(b)
				resp["id_token"] = strings.Join(parts, ".")
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(resp)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// oidcHarness is a console signing in with p; grants are console.roles.
func oidcHarness(t *testing.T, p *provider, grants ...config.RoleGrant) *harness {
	t.Helper()
	secret := filepath.Join(t.TempDir(), "client-secret")
	if err := os.WriteFile(secret, []byte(p.m.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return newHarness(t, false, func(cfg *config.Config, _ *Options) {
		cfg.Console.OIDC = &config.OIDC{
			Issuer: p.m.Issuer(), ClientID: p.m.ClientID, ClientSecretFile: secret,
			Scopes: []string{"email", "profile", "groups"}, GroupsClaim: "groups",
		}
		cfg.Console.Roles = grants
	})
}

var grants = []config.RoleGrant{
	{Role: config.RoleApprover, Emails: []string{"Jane.Doe@Example.com"}},
	{Role: config.RoleReviewer, Emails: []string{"jane.doe@example.com"}, Groups: []string{"kantoor"}},
	{Role: config.RolePrivacyOfficer, Groups: []string{"privacy"}},
}

// signInOIDC runs the whole code flow in a browser that follows
// redirects, and returns the final response and body.
func (h *harness) signInOIDC(c *http.Client, next string) (*http.Response, string) {
	h.t.Helper()
	u := h.srv.URL + "/login/oidc"
	if next != "" {
		u += "?next=" + url.QueryEscape(next)
	}
	return do(h.t, c, "GET", u, nil)
}

func TestOIDCSignIn(t *testing.T) {
	for _, c := range []struct {
		name  string
		user  *mockoidc.MockUser
		roles string
	}{
		{"by e-mail, in any case", &mockoidc.MockUser{Subject: "s-1", Email: "jane.doe@example.com", EmailVerified: true, Groups: []string{"elders"}}, "reviewer,approver"},
		{"by group", &mockoidc.MockUser{Subject: "s-2", Email: "piet@example.com", EmailVerified: true, Groups: []string{"leiding", "privacy"}}, "privacy-officer"},
		{"by e-mail and group", &mockoidc.MockUser{Subject: "s-3", Email: "Jane.Doe@example.com", EmailVerified: true, Groups: []string{"privacy"}}, "reviewer,approver,privacy-officer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newProvider(t)
			h := oidcHarness(t, p, grants...)
			b := h.browser(true)

			// The sign-in page offers the provider (and no local form:
			// there are no local accounts).
			_, page := do(t, b, "GET", h.srv.URL+"/login?next=%2Fplans", nil)
			if !strings.Contains(page, `href="/login/oidc?next=%2fplans"`) || !strings.Contains(page, "Aanmelden met 127.0.0.1") || strings.Contains(page, `id="local"`) {
				t.Fatalf("sign-in page:\n%s", page)
			}

			p.m.QueueUser(c.user)
			resp, body := h.signInOIDC(b, "/plans")
			if resp.StatusCode != 200 || !strings.Contains(body, `<meta http-equiv="refresh" content="0;url=/plans">`) || !strings.Contains(body, `id="continue" class="button" href="/plans"`) {
				t.Fatalf("callback: %d\n%s", resp.StatusCode, body)
			}
			if resp.Request.URL.Path != "/auth/callback" {
				t.Errorf("the flow ended at %s", resp.Request.URL)
			}
			resp, body = do(t, b, "GET", h.srv.URL+"/plans", nil)
			want := "account=oidc:" + p.m.Issuer() + "#" + c.user.Subject + " roles=" + c.roles + " via=oidc"
			if resp.StatusCode != 200 || !strings.HasPrefix(body, want) {
				t.Fatalf("signed in: %d %q, want %q", resp.StatusCode, body, want)
			}

			// PKCE: S256 challenge sent, verifier sent with the code
			// (mockoidc checks they match); state and nonce sent.
			p.mu.Lock()
			az, tok := p.authorize, p.token
			p.mu.Unlock()
			if az.Get("state") == "" || az.Get("nonce") == "" || az.Get("redirect_uri") != h.srv.URL+"/auth/callback" || az.Get("scope") != "openid email profile groups" {
				t.Errorf("authorization request: %v", az)
			}
			if tok.Get("code_verifier") == "" || tok.Get("client_secret") != p.m.ClientSecret {
				t.Errorf("token request has no code_verifier or not the secret from the file: %v", tok)
			}
			if logs := h.logs.String(); strings.Contains(logs, c.user.Email) || strings.Contains(logs, c.user.Subject) {
				t.Errorf("the log names the person:\n%s", logs)
			}
		})
	}
}

// A person the provider knows but console.roles does not is told so and
// not signed in; so is one whose address the provider has not verified.
func TestOIDCNoRoleRefused(t *testing.T) {
	for _, u := range []mockoidc.User{
		&mockoidc.MockUser{Subject: "s-9", Email: "kees@example.com", EmailVerified: true, Groups: []string{"elders"}},
		unverified{&mockoidc.MockUser{Subject: "s-10", Email: "jane.doe@example.com"}},
	} {
		p := newProvider(t)
		h := oidcHarness(t, p, grants...)
		b := h.browser(true)
		p.m.QueueUser(u)
		resp, body := h.signInOIDC(b, "/")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "geen rol in deze console") || strings.Contains(body, `http-equiv="refresh"`) {
			t.Fatalf("no role (%s): %d\n%s", u.ID(), resp.StatusCode, body)
		}
		if ck := sessionCookieOf(resp); ck != nil {
			t.Errorf("a person without a role got a session cookie")
		}
		b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		if s := h.status(b, "GET", "/"); s != http.StatusSeeOther {
			t.Errorf("a person without a role is signed in: %d", s)
		}
	}
}

// The callback refuses a state that is not the flow's, a flow from
// another browser, a replayed callback, an ID token whose nonce is not
// the flow's and an ID token altered after signing.
func TestOIDCCallbackRefused(t *testing.T) {
	user := func() *mockoidc.MockUser {
		return &mockoidc.MockUser{Subject: "s-1", Email: "jane.doe@example.com", EmailVerified: true}
	}
	noFollow := func(c *http.Client) *http.Client {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return c
	}
	t.Run("wrong state", func(t *testing.T) {
		p := newProvider(t)
		h := oidcHarness(t, p, grants...)
		p.m.QueueUser(user())
		p.tamperAuthorize = func(q url.Values) { q.Set("state", random()) }
		b := h.browser(true)
		resp, body := h.signInOIDC(b, "/")
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "verlopen") {
			t.Fatalf("wrong state: %d\n%s", resp.StatusCode, body)
		}
		if s := h.status(noFollow(b), "GET", "/"); s != http.StatusSeeOther {
			t.Errorf("signed in with a wrong state: %d", s)
		}
	})
	t.Run("other browser and replay", func(t *testing.T) {
		p := newProvider(t)
		h := oidcHarness(t, p, grants...)
		p.m.QueueUser(user())
		b := noFollow(h.browser(false))
		resp, _ := do(t, b, "GET", h.srv.URL+"/login/oidc", nil)
		// The flow's cookie must come back with the provider's redirect,
		// a navigation from another site: SameSite=Lax, not Strict.
		var fc *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == flowCookie {
				fc = ck
			}
		}
		if fc == nil || !fc.HttpOnly || fc.SameSite != http.SameSiteLaxMode || fc.Path != "/auth/" || fc.MaxAge != 600 || len(fc.Value) != 43 {
			t.Errorf("flow cookie %v: want HttpOnly, SameSite=Lax, Path=/auth/, Max-Age=600, a random id", fc)
		}
		resp, _ = do(t, b, "GET", resp.Header.Get("Location"), nil) // at the provider
		callback := resp.Header.Get("Location")
		if !strings.HasPrefix(callback, h.srv.URL+"/auth/callback?") {
			t.Fatalf("provider sent the browser to %q", callback)
		}
		// Another browser, with no sign-in under way or with its own,
		// cannot use the callback (a link an attacker sends).
		other := noFollow(h.browser(false))
		if resp, _ := do(t, other, "GET", callback, nil); resp.StatusCode != http.StatusBadRequest || sessionCookieOf(resp) != nil {
			t.Errorf("the callback in another browser: %d", resp.StatusCode)
		}
		do(t, other, "GET", h.srv.URL+"/login/oidc", nil)
		if resp, _ := do(t, other, "GET", callback, nil); resp.StatusCode != http.StatusBadRequest || sessionCookieOf(resp) != nil {
			t.Errorf("the callback in another browser with a sign-in of its own: %d", resp.StatusCode)
		}
		u, _ := url.Parse(h.srv.URL + "/auth/")
		flowCookies := b.Jar.Cookies(u)
		if resp, _ := do(t, b, "GET", callback, nil); resp.StatusCode != 200 || sessionCookieOf(resp) == nil {
			t.Fatalf("the callback in the right browser: %d", resp.StatusCode)
		}
		// The same callback again, with the flow cookie kept: refused.
		b2 := noFollow(h.browser(false))
		b2.Jar.SetCookies(u, flowCookies)
		if resp, _ := do(t, b2, "GET", callback, nil); resp.StatusCode != http.StatusBadRequest || sessionCookieOf(resp) != nil {
			t.Errorf("a replayed callback: %d", resp.StatusCode)
		}
	})
	t.Run("nonce", func(t *testing.T) {
		p := newProvider(t)
		h := oidcHarness(t, p, grants...)
		p.m.QueueUser(user())
		p.tamperAuthorize = func(q url.Values) { q.Set("nonce", random()) }
		b := h.browser(true)
		resp, body := h.signInOIDC(b, "/")
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(h.logs.String(), "nonce") {
			t.Fatalf("another nonce: %d\n%s\nlog:\n%s", resp.StatusCode, body, h.logs)
		}
		if s := h.status(noFollow(b), "GET", "/"); s != http.StatusSeeOther {
			t.Errorf("signed in with another nonce: %d", s)
		}
	})
	t.Run("altered ID token", func(t *testing.T) {
		p := newProvider(t)
		h := oidcHarness(t, p, grants...)
		p.m.QueueUser(&mockoidc.MockUser{Subject: "s-9", Email: "kees@example.com", EmailVerified: true})
		p.tamperIDToken = func(c map[string]any) { c["email"] = "jane.doe@example.com" }
		b := h.browser(true)
		resp, body := h.signInOIDC(b, "/")
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(h.logs.String(), "signature") {
			t.Fatalf("altered ID token: %d\n%s\nlog:\n%s", resp.StatusCode, body, h.logs)
		}
		if s := h.status(noFollow(b), "GET", "/"); s != http.StatusSeeOther {
			t.Errorf("signed in with an altered ID token: %d", s)
		}
	})
}

// unverified is a person whose e-mail address the provider has not
// verified: its ID token says "email_verified": false (mockoidc's own
// user leaves a false out).
type unverified struct{ *mockoidc.MockUser }

func (u unverified) Claims(scope []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &struct {
		*mockoidc.IDTokenClaims
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}{base, u.Email, false}, nil
}

func TestOIDCClientSecretFile(t *testing.T) {
	p := newProvider(t)
	cfg := &config.Config{StateDir: t.TempDir(), Console: config.Console{PublicURL: "http://127.0.0.1:9466/", ParsedIdleTimeout: 1800e9,
		OIDC: &config.OIDC{Issuer: p.m.Issuer(), ClientID: p.m.ClientID, ClientSecretFile: filepath.Join(t.TempDir(), "missing")}}}
	_, err := New(context.Background(), cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "console.oidc.client_secret_file") {
		t.Errorf("a missing secret file: %v", err)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, []byte(" \n"), 0o600)
	cfg.Console.OIDC.ClientSecretFile = empty
	if _, err := New(context.Background(), cfg, Options{}); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("an empty secret file: %v", err)
	}
}

func TestRolesFor(t *testing.T) {
	for _, c := range []struct {
		email  string
		groups []string
		want   string
	}{
		{"JANE.DOE@EXAMPLE.COM", nil, "reviewer,approver"},
		{"", []string{"kantoor"}, "reviewer"},
		{"", []string{"Kantoor"}, ""}, // groups match exactly
		{"jane.doe@example.com.evil", nil, ""},
		{"", nil, ""},
	} {
		if got := strings.Join(rolesFor(grants, c.email, c.groups), ","); got != c.want {
			t.Errorf("rolesFor(%q, %v) = %q, want %q", c.email, c.groups, got, c.want)
		}
	}
	if got := stringsClaim([]any{"a", 3.0, "b"}); strings.Join(got, ",") != "a,b" {
		t.Errorf("stringsClaim list: %v", got)
	}
	if got := stringsClaim("a"); len(got) != 1 {
		t.Errorf("stringsClaim string: %v", got)
	}
}

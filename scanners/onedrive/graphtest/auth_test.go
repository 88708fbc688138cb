package graphtest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable clock for Options.Now.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func postForm(t *testing.T, s *Server, path string, form url.Values) reply {
	t.Helper()
	c := &client{t: t, s: s}
	return c.do(http.MethodPost, s.URL()+path, []byte(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

func TestDiscovery(t *testing.T) {
	s := NewServer(t, Options{TenantID: "Contoso-Tenant"})
	c := &client{t: t, s: s}
	// MSAL lower-cases the authority before it asks.
	r := c.get(s.URL()+"/contoso-tenant/v2.0/.well-known/openid-configuration").want(t, http.StatusOK)
	for _, k := range []string{"token_endpoint", "authorization_endpoint", "issuer"} {
		if !strings.HasPrefix(r.str(k), s.URL()+"/contoso-tenant/") {
			t.Errorf("%s = %q, want it under %s", k, r.str(k), s.URL())
		}
	}
	if !strings.HasPrefix(s.URL(), "https://") {
		t.Errorf("URL %q is not https: azidentity refuses it", s.URL())
	}
	c.get(s.URL()+"/other/v2.0/.well-known/openid-configuration").want(t, http.StatusBadRequest)
}

func TestTokenEndpoint(t *testing.T) {
	s := NewServer(t, Options{ClientID: "app", ClientSecret: "geheim", TokenLifetime: 10 * time.Minute})
	good := url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"geheim"}, "scope": {GraphScope}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range good {
			f[kk] = vv
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"good", good, http.StatusOK, ""},
		{"certificate", url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}, "scope": {GraphScope},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {"eyJhbGciOi.x.y"}}, http.StatusOK, ""},
		{"wrong secret", with("client_secret", "fout"), http.StatusUnauthorized, "invalid_client"},
		{"no secret", with("client_secret", ""), http.StatusUnauthorized, "invalid_client"},
		{"wrong client", with("client_id", "other"), http.StatusBadRequest, "unauthorized_client"},
		{"scope without .default", with("scope", "Files.Read.All"), http.StatusBadRequest, "invalid_scope"},
		{"MSAL scopes", with("scope", GraphScope+" openid offline_access profile"), http.StatusOK, ""},
		{"two resources", with("scope", GraphScope+" https://example.org/.default"), http.StatusBadRequest, "invalid_scope"},
		{"password grant", with("grant_type", "password"), http.StatusBadRequest, "unsupported_grant_type"},
	}
	for _, tt := range tests {
		r := postForm(t, s, "/"+DefaultTenant+"/oauth2/v2.0/token", tt.form)
		if r.status != tt.status || r.str("error") != tt.code {
			t.Errorf("%s: %d %q, want %d %q", tt.name, r.status, r.str("error"), tt.status, tt.code)
		}
		if tt.status == http.StatusOK {
			if r.str("token_type") != "Bearer" || r.str("access_token") == "" || r.body["expires_in"] != float64(600) {
				t.Errorf("%s: token response %s", tt.name, r.raw)
			}
			if strings.Contains(string(r.raw), "geheim") {
				t.Errorf("token response repeats the secret")
			}
		}
	}
	if st := s.Stats(); st.TokenRequests != len(tests) {
		t.Errorf("TokenRequests = %d, want %d", st.TokenRequests, len(tests))
	}
}

func TestGraphAuth(t *testing.T) {
	var clk clock
	clk.advance(time.Duration(t0.UnixNano()))
	s := NewServer(t, Options{TokenLifetime: time.Hour, Now: clk.now})
	c := &client{t: t, s: s}
	path := "/drives/" + s.DefaultDrive() + "/root"

	r := c.get(path).want(t, http.StatusUnauthorized)
	if r.errCode() != "InvalidAuthenticationToken" || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
		t.Errorf("no token: %q %q", r.errCode(), r.header.Get("WWW-Authenticate"))
	}
	c.token = "made-up"
	c.get(path).want(t, http.StatusUnauthorized)

	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"s"}, "scope": {GraphScope}}
	c.token = postForm(t, s, "/"+DefaultTenant+"/oauth2/v2.0/token", form).want(t, http.StatusOK).str("access_token")
	c.get(path).want(t, http.StatusOK)
	clk.advance(59 * time.Minute)
	c.get(path).want(t, http.StatusOK)
	clk.advance(time.Minute)
	r = c.get(path).want(t, http.StatusUnauthorized)
	if r.errCode() != "InvalidAuthenticationToken" || !strings.Contains(string(r.raw), "expired") {
		t.Errorf("expired token: %s", r.raw)
	}

	c.token = postForm(t, s, "/"+DefaultTenant+"/oauth2/v2.0/token", form).str("access_token")
	c.get(path).want(t, http.StatusOK)
	s.ExpireAccessTokens()
	r = c.get(path).want(t, http.StatusUnauthorized)
	if strings.Contains(r.header.Get("WWW-Authenticate"), "claims=") {
		t.Errorf("claims challenge for a client that did not announce CP1")
	}
	c.token = postForm(t, s, "/"+DefaultTenant+"/oauth2/v2.0/token", form).str("access_token")
	c.get(path).want(t, http.StatusOK)
	if st := s.Stats(); st.Unauthorized != 4 {
		t.Errorf("Unauthorized = %d, want 4", st.Unauthorized)
	}
}

func TestCAEChallenge(t *testing.T) {
	s := NewServer(t, Options{})
	c := &client{t: t, s: s}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"s"}, "scope": {GraphScope},
		"claims": {`{"access_token":{"xms_cc":{"values":["CP1"]}}}`}}
	c.token = postForm(t, s, "/"+DefaultTenant+"/oauth2/v2.0/token", form).str("access_token")
	s.ExpireAccessTokens()
	r := c.get("/drives/"+s.DefaultDrive()).want(t, http.StatusUnauthorized)
	// kiota reads the challenge with these expressions.
	h := r.header.Get("WWW-Authenticate")
	m := regexp.MustCompile(`claims="([^"]*)"`).FindStringSubmatch(h)
	if m == nil {
		t.Fatalf("no claims challenge in %q", h)
	}
	claims, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil || !strings.Contains(string(claims), `"nbf"`) {
		t.Errorf("claims %q (%v)", claims, err)
	}
}

func TestAnonymous(t *testing.T) {
	s := NewServer(t, Options{AllowAnonymous: true, PlainHTTP: true})
	if !strings.HasPrefix(s.URL(), "http://") {
		t.Errorf("PlainHTTP URL %q", s.URL())
	}
	(&client{t: t, s: s}).get("/drives/"+s.DefaultDrive()).want(t, http.StatusOK)
}

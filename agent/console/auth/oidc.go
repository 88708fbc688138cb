package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/retentiond/retentiond/config"
)

// Sign-ins with the identity provider that are under way: each lasts at
// most flowTTL, and at most maxFlows run at once.
const (
	flowCookie = "retentiond_oidc"
	flowTTL    = 10 * time.Minute
	maxFlows   = 10000
)

// flow is a sign-in under way: what the callback must find again.
type flow struct {
	state, nonce, verifier string
	next                   string
	started                time.Time
}

// oidcClient signs people in with the organisation's identity provider.
type oidcClient struct {
	cfg      *config.OIDC
	roles    []config.RoleGrant
	secret   string
	redirect string
	hc       *http.Client
	log      *slog.Logger
	name     string // shown on the button

	mu       sync.Mutex
	provider *oidc.Provider
	flows    map[string]*flow
}

// newOIDC reads the client secret and tries the provider's discovery.
func newOIDC(ctx context.Context, c *config.Console, redirect string, hc *http.Client, log *slog.Logger) (*oidcClient, error) {
	o := &oidcClient{cfg: c.OIDC, roles: c.Roles, redirect: redirect, hc: hc, log: log, flows: map[string]*flow{}}
	if f := c.OIDC.ClientSecretFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("console.oidc.client_secret_file: %w", err)
		}
		if o.secret = strings.TrimSpace(string(b)); o.secret == "" {
			return nil, fmt.Errorf("console.oidc.client_secret_file: %s is empty", f)
		}
	}
	o.name = providerName(c.OIDC.Issuer)
	if _, err := o.discover(ctx); err != nil {
		// The provider may be back by the time someone signs in.
		log.Warn("console: the identity provider cannot be reached now; trying again at the first sign-in", "err", err)
	}
	return o, nil
}

// providerName names the provider for the sign-in button.
func providerName(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil {
		return "OpenID Connect"
	}
	h := u.Hostname()
	switch {
	case strings.HasSuffix(h, "microsoftonline.com"), strings.HasSuffix(h, "login.microsoft.com"):
		return "Microsoft"
	case h == "accounts.google.com":
		return "Google"
	}
	return h
}

// discover returns the provider, asking for its configuration once.
func (o *oidcClient) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, o.hc), o.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery at %s: %w", o.cfg.Issuer, err)
	}
	o.provider = p
	return p, nil
}

// oauth2Config is the client's OAuth 2.0 configuration at p.
func (o *oidcClient) oauth2Config(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     o.cfg.ClientID,
		ClientSecret: o.secret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  o.redirect,
		Scopes:       append([]string{oidc.ScopeOpenID}, o.cfg.Scopes...),
	}
}

// random returns 32 random bytes, base64url.
func random() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// flowCookieFor is the cookie that ties a browser to its flow. It is
// SameSite=Lax, not Strict: the provider's redirect back is a
// navigation from another site, and a Strict cookie would not come
// with it.
func (a *Auth) flowCookieFor(id string) *http.Cookie {
	c := &http.Cookie{
		Name: flowCookie, Value: id, Path: a.base + "auth/",
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode,
		MaxAge: int(flowTTL / time.Second),
	}
	if id == "" {
		c.MaxAge = -1
	}
	return c
}

// loginOIDC is GET /login/oidc: it starts the authorization code flow
// with PKCE (S256), a state and a nonce, and sends the browser to the
// provider.
func (a *Auth) loginOIDC(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if a.oidc == nil {
		a.errPage(w, r, http.StatusNotFound, next, "nooidc")
		return
	}
	o := a.oidc
	p, err := o.discover(r.Context())
	if err != nil {
		a.log.Error("console: OIDC sign-in", "err", err)
		a.errPage(w, r, http.StatusBadGateway, next, "oidcfail")
		return
	}
	f := &flow{state: random(), nonce: random(), verifier: oauth2.GenerateVerifier(), next: safeNext(next), started: a.now()}
	id := newID()
	o.mu.Lock()
	for k, g := range o.flows {
		if a.now().Sub(g.started) > flowTTL {
			delete(o.flows, k)
		}
	}
	full := len(o.flows) >= maxFlows
	if !full {
		o.flows[id] = f
	}
	o.mu.Unlock()
	if full {
		a.log.Warn("console: OIDC sign-in refused: too many sign-ins under way")
		w.Header().Set("Retry-After", "60")
		a.errPage(w, r, http.StatusServiceUnavailable, next, "oidcfail")
		return
	}
	http.SetCookie(w, a.flowCookieFor(id))
	w.Header().Set("Cache-Control", "no-store")
	to := o.oauth2Config(p).AuthCodeURL(f.state, oidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier))
	http.Redirect(w, r, to, http.StatusFound)
}

// takeFlow returns and forgets the request's flow (a flow is used once).
func (a *Auth) takeFlow(r *http.Request) *flow {
	c, err := r.Cookie(flowCookie)
	if err != nil {
		return nil
	}
	o := a.oidc
	o.mu.Lock()
	defer o.mu.Unlock()
	f := o.flows[c.Value]
	delete(o.flows, c.Value)
	if f == nil || a.now().Sub(f.started) > flowTTL {
		return nil
	}
	return f
}

// callback is GET /auth/callback, where the provider sends the browser
// back: the state must be the flow's, the code is exchanged with the
// PKCE verifier, the ID token verified (signature, issuer, audience,
// expiry) and its nonce checked. The person's roles come from
// console.roles by e-mail address or group; a person with none is told
// so and not signed in.
func (a *Auth) callback(w http.ResponseWriter, r *http.Request) {
	if a.oidc == nil {
		a.errPage(w, r, http.StatusNotFound, "", "nooidc")
		return
	}
	o := a.oidc
	f := a.takeFlow(r)
	http.SetCookie(w, a.flowCookieFor(""))
	q := r.URL.Query()
	if f == nil {
		a.log.Warn("console: OIDC callback without a sign-in under way (expired, or started elsewhere)")
		a.errPage(w, r, http.StatusBadRequest, "", "expired")
		return
	}
	if e := q.Get("error"); e != "" {
		// The error code is the provider's word (access_denied …), not
		// the person's; the description may name them and is not logged.
		a.log.Warn("console: the identity provider refused the sign-in", "error", oneWord(e))
		a.errPage(w, r, http.StatusForbidden, f.next, "refused")
		return
	}
	if st := q.Get("state"); subtle.ConstantTimeCompare([]byte(st), []byte(f.state)) != 1 {
		a.log.Warn("console: OIDC callback refused: the state is not the sign-in's")
		a.errPage(w, r, http.StatusBadRequest, f.next, "expired")
		return
	}
	u, err := a.finish(r.Context(), o, f, q.Get("code"))
	if err != nil {
		a.log.Error("console: OIDC sign-in", "err", err)
		a.errPage(w, r, http.StatusBadGateway, f.next, "oidcfail")
		return
	}
	if len(u.Roles) == 0 {
		a.log.Warn("console: OIDC sign-in refused: the person has no role in console.roles")
		p := a.newPage(r, f.next)
		who := u.Email
		if who == "" {
			who = p.T("noemail")
		}
		p.Message, p.Failed = fmt.Sprintf(p.T("norole"), o.name, who), true
		a.render(w, http.StatusForbidden, p)
		return
	}
	a.start(w, r, *u, nil)
	// A page that goes on by itself rather than a redirect: the browser
	// came here from the provider's site, and would not send the
	// SameSite=Strict session cookie along a redirect from here.
	p := a.newPage(r, f.next)
	p.Message = p.T("signedin")
	p.Continue = a.target(f.next)
	a.render(w, http.StatusOK, p)
}

// finish exchanges code for tokens and returns the person.
func (a *Auth) finish(ctx context.Context, o *oidcClient, f *flow, code string) (*User, error) {
	if code == "" {
		return nil, errors.New("the callback has no code")
	}
	p, err := o.discover(ctx)
	if err != nil {
		return nil, err
	}
	ctx = oidc.ClientContext(ctx, o.hc)
	ctx = context.WithValue(ctx, oauth2.HTTPClient, o.hc)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tok, err := o.oauth2Config(p).Exchange(ctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		return nil, fmt.Errorf("exchanging the code: %w", redact(err))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, errors.New("the token response has no id_token")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("the ID token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.nonce)) != 1 {
		return nil, errors.New("the ID token's nonce is not the sign-in's")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("the ID token's claims: %w", err)
	}
	u := &User{Account: "oidc:" + idt.Issuer + "#" + idt.Subject, Via: "oidc"}
	u.Email, _ = claims["email"].(string)
	if v, ok := claims["email_verified"].(bool); ok && !v {
		u.Email = "" // an address the provider has not checked gives no role
	}
	u.Name, _ = claims["name"].(string)
	if strings.TrimSpace(u.Name) == "" {
		u.Name = u.Email
	}
	if u.Name == "" {
		u.Name = idt.Subject
	}
	u.Roles = rolesFor(o.roles, u.Email, stringsClaim(claims[o.groupsClaim()]))
	return u, nil
}

func (o *oidcClient) groupsClaim() string {
	if o.cfg.GroupsClaim != "" {
		return o.cfg.GroupsClaim
	}
	return "groups"
}

// stringsClaim reads a claim that lists strings (or is one string).
func stringsClaim(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// rolesFor returns the roles console.roles gives to the e-mail address
// (compared case-insensitively) or any of the groups (compared exactly),
// in the order of config.Roles.
func rolesFor(grants []config.RoleGrant, email string, groups []string) []string {
	var got []string
	for _, g := range grants {
		match := email != "" && slices.ContainsFunc(g.Emails, func(e string) bool { return strings.EqualFold(strings.TrimSpace(e), email) })
		match = match || slices.ContainsFunc(g.Groups, func(x string) bool { return slices.Contains(groups, x) })
		if match && !slices.Contains(got, g.Role) {
			got = append(got, g.Role)
		}
	}
	out, _ := normRoles(got)
	return out
}

// oneWord keeps an error code from the provider short and plain for
// the log.
func oneWord(s string) string {
	if len(s) > 40 || strings.ContainsFunc(s, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		return "(not a plain error code)"
	}
	return s
}

// redact keeps the token endpoint's error code and drops the rest: the
// response body may carry anything.
func redact(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := re.ErrorCode
		if code == "" && re.Response != nil {
			code = re.Response.Status
		}
		return fmt.Errorf("the token endpoint answered %s", oneWord(strings.ReplaceAll(code, " ", "_")))
	}
	return err
}

// Package auth signs people in to the review console and keeps their
// sessions: with the organisation's identity provider (OpenID Connect,
// authorization code flow with PKCE; roles from console.roles by e-mail
// or group) or with a local account (STATE_DIR/console/users.json,
// argon2id, rate limited).
//
// Sessions live in the server's memory under random 32-byte ids; the
// cookie is HttpOnly, SameSite=Strict and, when the console is reached
// over TLS, Secure. A session ends after console.idle_timeout without a
// request, after MaxAge in any case, and at POST /logout. Nothing this
// package logs or puts in a URL names a person: no account name, e-mail
// address or client address.
package auth

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/retentiond/retentiond/config"
)

// DefaultMaxAge is how long a session lasts at most, however active.
const DefaultMaxAge = 12 * time.Hour

// User is a signed-in person.
type User struct {
	// Account is "local:NAME" or "oidc:ISSUER#SUB".
	Account string
	// Name is shown in the console and in approval files: the local
	// account's name, or the identity provider's name claim (else the
	// e-mail address).
	Name  string
	Email string
	// Roles are config.RoleViewer … config.RolePrivacyOfficer.
	Roles []string
	// Via is "local" or "oidc".
	Via string
}

// Can reports whether u may act in role: every role may view; an
// approver may also do what a reviewer does; a privacy officer handles
// requests, holds and access packages.
func (u *User) Can(role string) bool {
	if u == nil || len(u.Roles) == 0 {
		return false
	}
	switch role {
	case config.RoleViewer:
		return true
	case config.RoleReviewer:
		return slices.Contains(u.Roles, config.RoleReviewer) || slices.Contains(u.Roles, config.RoleApprover)
	default:
		return slices.Contains(u.Roles, role)
	}
}

type userKey struct{}

// UserFrom returns the signed-in user Require put in ctx, or nil.
func UserFrom(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}

// WithUser returns ctx carrying u, as Require does (for handlers' tests).
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// Options are New's optional parts.
type Options struct {
	Log *slog.Logger
	// Now is the clock of sessions and the rate limit (default time.Now).
	Now func() time.Time
	// HTTPClient talks to the identity provider (default
	// http.DefaultClient).
	HTTPClient *http.Client
	// MaxAge is a session's longest life (default DefaultMaxAge).
	MaxAge time.Duration
}

// Auth signs people in and keeps their sessions.
type Auth struct {
	cfg      *config.Console
	org      string
	log      *slog.Logger
	now      func() time.Time
	users    *Users
	secure   bool
	base     string // the path of console.public_url, ending in "/"
	idle     time.Duration
	maxAge   time.Duration
	sessions *sessions
	limit    *limiter
	hashing  chan struct{} // a slot per password being checked
	oidc     *oidcClient   // nil without console.oidc
	pages    *template.Template
}

// New prepares sign-in for the console of cfg. With console.oidc it
// reads the client secret file and asks the provider for its
// configuration (if the provider cannot be reached now, it asks again
// at the first sign-in).
func New(ctx context.Context, cfg *config.Config, o Options) (*Auth, error) {
	c := &cfg.Console
	a := &Auth{
		cfg:    c,
		org:    cfg.Organisation,
		log:    o.Log,
		now:    o.Now,
		idle:   c.ParsedIdleTimeout,
		maxAge: o.MaxAge,
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.idle <= 0 {
		d, err := time.ParseDuration(c.IdleTimeout)
		if err != nil || d <= 0 {
			d, _ = time.ParseDuration(config.DefaultConsoleIdleTimeout)
		}
		a.idle = d
	}
	if a.maxAge <= 0 {
		a.maxAge = DefaultMaxAge
	}
	pub, err := url.Parse(c.PublicURL)
	if err != nil || (pub.Scheme != "http" && pub.Scheme != "https") || pub.Host == "" {
		return nil, fmt.Errorf("console.public_url: %q is not an http or https address", c.PublicURL)
	}
	a.base = pub.Path
	if !strings.HasSuffix(a.base, "/") {
		a.base += "/"
	}
	a.secure = c.TLSCertFile != "" || pub.Scheme == "https"
	if a.users, err = OpenUsersFor(cfg); err != nil {
		return nil, err
	}
	if _, err := a.users.List(); err != nil {
		// Not fatal: people of the identity provider can still sign in.
		a.log.Error("console: the local accounts cannot be read; local sign-in fails until the file is mended", "err", err)
	}
	a.sessions = newSessions()
	a.limit = newLimiter(a.now)
	a.hashing = make(chan struct{}, max(2, runtime.NumCPU()))
	if a.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if c.OIDC != nil {
		hc := o.HTTPClient
		if hc == nil {
			hc = http.DefaultClient
		}
		if a.oidc, err = newOIDC(ctx, c, a.redirectURL(pub), hc, a.log); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// redirectURL is where the identity provider sends people back.
func (a *Auth) redirectURL(pub *url.URL) string {
	u := *pub
	u.Path = a.base + "auth/callback"
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// Secure reports whether cookies are marked Secure: the console serves
// TLS itself (console.tls_cert_file) or console.public_url is https (a
// TLS reverse proxy in front).
func (a *Auth) Secure() bool { return a.secure }

// Routes registers the sign-in pages on mux: GET and POST /login, GET
// /login/oidc, GET /auth/callback and POST /logout. The POSTs are
// refused when they come from another origin.
func (a *Auth) Routes(mux *http.ServeMux) {
	cop := http.NewCrossOriginProtection()
	mux.HandleFunc("GET /login", a.loginPage)
	mux.Handle("POST /login", cop.Handler(http.HandlerFunc(a.loginLocal)))
	mux.HandleFunc("GET /login/oidc", a.loginOIDC)
	mux.HandleFunc("GET /auth/callback", a.callback)
	mux.Handle("POST /logout", cop.Handler(http.HandlerFunc(a.logout)))
}

// Require lets signed-in people through to next, with their *User in
// the request's context (UserFrom). Anyone else gets, for a GET or HEAD,
// a 303 to the sign-in page (which returns them to where they were), and
// for other methods 401.
func (a *Auth) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := a.current(w, r)
		if err != nil {
			a.log.Error("console: session check failed", "err", err)
			http.Error(w, "the console cannot check the session: see the log", http.StatusInternalServerError)
			return
		}
		if u == nil {
			a.refuse(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithUser(r.Context(), u)))
	})
}

// refuse answers a request without a valid session.
func (a *Auth) refuse(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	loc := a.base + "login"
	if next := safeNext(r.URL.RequestURI()); next != "/" {
		loc += "?next=" + url.QueryEscape(next)
	}
	http.Redirect(w, r, loc, http.StatusSeeOther)
}

// safeNext returns s if it is a path on this console to return to after
// signing in, else "/": never another site (//host, /\host, a scheme),
// never the sign-in pages themselves.
func safeNext(s string) string {
	if s == "" || len(s) > 2048 || s[0] != '/' || strings.HasPrefix(s, "//") {
		return "/"
	}
	for _, c := range []byte(s) {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	if u.Path == "/login" || strings.HasPrefix(u.Path, "/login/") || strings.HasPrefix(u.Path, "/auth/") || u.Path == "/logout" {
		return "/"
	}
	return s
}

// target is where to send a person after signing in to next.
func (a *Auth) target(next string) string {
	return a.base + strings.TrimPrefix(safeNext(next), "/")
}

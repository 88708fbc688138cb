package auth

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retentiond/retentiond/config"
)

// clock is a test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness is a console with this package's sign-in in front of a page
// that tells who is signed in, served over real HTTP.
type harness struct {
	t     *testing.T
	a     *Auth
	srv   *httptest.Server
	cfg   *config.Config
	clock *clock
	logs  *bytes.Buffer
}

// newHarness starts a console; setup may change the config (OIDC, TLS)
// and the options before New.
func newHarness(t *testing.T, tls bool, setup func(cfg *config.Config, o *Options)) *harness {
	t.Helper()
	h := &harness{t: t, clock: &clock{t: time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)}, logs: &bytes.Buffer{}}
	mux := http.NewServeMux()
	h.srv = httptest.NewUnstartedServer(mux)
	scheme := "http"
	if tls {
		scheme = "https"
	}
	h.cfg = &config.Config{
		StateDir:     t.TempDir(),
		Organisation: "Kinderopvang De Proef",
		Console: config.Console{
			Listen:            h.srv.Listener.Addr().String(),
			PublicURL:         scheme + "://" + h.srv.Listener.Addr().String() + "/",
			Lang:              "nl",
			IdleTimeout:       "30m",
			ParsedIdleTimeout: 30 * time.Minute,
		},
	}
	if tls {
		h.cfg.Console.TLSCertFile, h.cfg.Console.TLSKeyFile = "cert.pem", "key.pem" // not read by this package
	}
	o := Options{Log: slog.New(slog.NewTextHandler(&syncWriter{w: h.logs}, nil)), Now: h.clock.Now}
	if setup != nil {
		setup(h.cfg, &o)
	}
	a, err := New(context.Background(), h.cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	h.a = a
	a.Routes(mux)
	mux.Handle("/", a.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := UserFrom(r.Context())
		fmt.Fprintf(w, "account=%s roles=%s via=%s approver=%v", u.Account, strings.Join(u.Roles, ","), u.Via, u.Can(config.RoleApprover))
	})))
	if tls {
		h.srv.StartTLS()
	} else {
		h.srv.Start()
	}
	t.Cleanup(h.srv.Close)
	return h
}

// syncWriter lets the log be written from handlers and read by tests.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// browser returns a client with a cookie jar; follow says whether it
// follows redirects.
func (h *harness) browser(follow bool) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		h.t.Fatal(err)
	}
	c := new(http.Client)
	*c = *h.srv.Client() // a copy: Client returns one shared client
	c.Jar = jar
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

// do sends a request and returns the response and its body.
func do(t *testing.T, c *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// addUser adds a local account.
func (h *harness) addUser(name, password string, roles ...string) {
	h.t.Helper()
	u, err := OpenUsers(h.cfg.StateDir)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := u.Add(name, roles, []byte(password), false, h.clock.Now()); err != nil {
		h.t.Fatal(err)
	}
}

// login posts the local sign-in form.
func (h *harness) login(c *http.Client, name, password, next string) (*http.Response, string) {
	h.t.Helper()
	f := url.Values{"name": {name}, "password": {password}}
	if next != "" {
		f.Set("next", next)
	}
	return do(h.t, c, "POST", h.srv.URL+"/login", f)
}

// sessionCookie returns the session cookie the response set, or nil.
func sessionCookieOf(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie || c.Name == hostSessionCookie {
			return c
		}
	}
	return nil
}

// Package e2e tests the review console end to end, in a real headless
// Chromium driven by chromedp: the demo organisation, the real service
// (agent.Service), the real sign-in (local accounts and an OpenID Connect
// provider run in-process), and the console's real handler over HTTP.
package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/console"
	"github.com/retentiond/retentiond/agent/console/auth"
	"github.com/retentiond/retentiond/agent/demo"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// chromium finds the browser; under CI (where scripts/test.sh installs
// it) a missing browser fails the test instead of skipping it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (scripts/test.sh installs it with apt)")
	}
	t.Skip("chromium is not installed: apt-get install --no-install-recommends chromium")
	return ""
}

// site is the demo organisation with its console served over HTTP.
type site struct {
	t    *testing.T
	dir  string
	cfg  *config.Config
	svc  *agent.Service
	srv  *httptest.Server
	plan string // the id of the plan the service made
}

// newSite builds the demo organisation, plans on it as the daemon does
// (into STATE_DIR/plans) and serves its console. setup may change the
// config (OIDC, roles) before the console starts.
func newSite(t *testing.T, setup func(*config.Config)) *site {
	t.Helper()
	dir := t.TempDir()
	loc, _ := time.LoadLocation("Europe/Amsterdam")
	asOf := rules.DateIn(time.Now(), loc)
	cfgPath, err := demo.Generate(filepath.Join(dir, "demo"), asOf, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Generate(filepath.Join(dir, "demo", "keys"), keys.NameFor("demo")); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, dir: dir, cfg: cfg}
	s.srv = httptest.NewUnstartedServer(nil)
	addr := s.srv.Listener.Addr().String()
	cfg.Console.Listen = addr
	cfg.Console.PublicURL = "http://" + addr + "/"
	if setup != nil {
		setup(cfg)
	}
	if s.svc, err = agent.New(cfg, agent.Options{}); err != nil {
		t.Fatal(err)
	}
	res, err := s.svc.Plan(context.Background(), agent.PlanOptions{Lang: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	s.plan = filepath.Base(res.Dir)
	a, err := auth.New(context.Background(), cfg, auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := console.New(s.svc, console.FromAuth(a), cfg, console.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.srv.Config.Handler = h
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

// addUser adds a local account.
func (s *site) addUser(name, password string, roles ...string) {
	s.t.Helper()
	u, err := auth.OpenUsersFor(s.cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := u.Add(name, roles, []byte(password), false, time.Now()); err != nil {
		s.t.Fatal(err)
	}
}

// planFile reads the plan the service made.
func (s *site) planFile() *plan.File {
	s.t.Helper()
	f, _, err := s.svc.PlanFile(s.plan)
	if err != nil {
		s.t.Fatal(err)
	}
	return f
}

// recordPath is where a local store's record lies, or "" for records of
// other kinds (export rows, zip entries).
func (s *site) recordPath(it *plan.Item) string {
	for _, st := range s.cfg.Stores {
		if st.Name == it.Store && st.Root != "" && !strings.Contains(it.Record, "!") && it.File == "" {
			return filepath.Join(st.Root, filepath.FromSlash(it.Record))
		}
	}
	return ""
}

// ledgerText is every line of the ledger's files.
func (s *site) ledgerText() string {
	s.t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(filepath.Join(s.cfg.StateDir, "ledger"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		b.Write(data)
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return b.String()
}

// browser starts a headless Chromium of its own (its own cookies) and
// returns a context to drive it, which says yes to every confirm().
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// do runs actions, failing the test on error.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for _, a := range actions {
		step, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := chromedp.Do(step, a)
		cancel()
		if err != nil {
			u, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			t.Fatalf("%s: %v\n(page %s:\n%.1500s)", what, err, u, body)
		}
	}
}

// eval evaluates JavaScript in the page (not subject to its CSP: the
// devtools protocol runs it) and decodes its JSON result into T.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("evaluate %s: %s: %v", js, raw, err)
	}
	return v
}

// location is the page's URL.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// text is an element's text.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// signInLocal signs in with a local account on the sign-in page the
// browser is on.
func signInLocal(t *testing.T, ctx context.Context, name, password string) {
	t.Helper()
	do(t, ctx, "sign in",
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SetValue(chromedp.CSS("#name"), name),
		chromedp.SetValue(chromedp.CSS("#password"), password),
	)
	submit(t, ctx, "#signin")
	waitAway(t, ctx, "/login")
}

// submit clicks a button that submits a form (or a link) and waits
// until the browser shows the next page.
func submit(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	eval[bool](t, ctx, `window.__before = true; true`)
	do(t, ctx, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
	for i := 0; i < 200; i++ {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__before === undefined && document.readyState === "complete"`))
		if err == nil && v {
			return
		}
		do(t, ctx, "wait", chromedp.Sleep(50*time.Millisecond))
	}
	t.Fatalf("clicking %s led to no new page (on %s)", sel, location(t, ctx))
}

// waitAway waits until the browser has left a page whose URL holds part.
func waitAway(t *testing.T, ctx context.Context, part string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if !strings.Contains(location(t, ctx), part) {
			do(t, ctx, "page loaded", chromedp.WaitReady(chromedp.CSS("body")))
			return
		}
		do(t, ctx, "wait", chromedp.Sleep(100*time.Millisecond))
	}
	t.Fatalf("the browser stays on %s", location(t, ctx))
}

// acceptConfirms makes the page's confirm() say yes (the console asks
// before approving).
func acceptConfirms(t *testing.T, ctx context.Context) {
	t.Helper()
	eval[bool](t, ctx, `window.confirm = function() { return true }; true`)
}

var _ = http.StatusOK

package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/console/auth"
	"github.com/retentiond/retentiond/config"
)

// TestRunServesConsole: `retentiond run` serves the review console on
// console.listen, over the same state as its jobs: signed out a page
// sends to sign-in; signed in with a local account, the plan the daemon
// made at start is listed. A second daemon whose console port is taken
// does not start.
func TestRunServesConsole(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	addr, caddr := freeAddr(t), freeAddr(t)
	cfg := daemonDemo(t, dir, fmt.Sprintf("daemon:\n  listen: %s\nconsole:\n  listen: %s\n", addr, caddr))
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(c.StateDir, 0o700); err != nil {
		t.Fatal(err)
	}
	users, err := auth.OpenUsersFor(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Add("beheerder", []string{config.RoleApprover}, []byte("een-lang-wachtwoord"), false, time.Now()); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, cfg, addr)
	waitRuns(t, "plan", d)
	plans, _ := filepath.Glob(filepath.Join(dir, "state", "plans", "*", "plan.json"))
	if len(plans) != 1 {
		t.Fatalf("%d plans, want 1", len(plans))
	}
	id := filepath.Base(filepath.Dir(plans[0]))

	jar, _ := cookiejar.New(nil)
	noFollow := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "http://" + caddr
	resp, err := noFollow.Get(base + "/plans")
	if err != nil {
		t.Fatalf("the console is not served on console.listen: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "/login") {
		t.Fatalf("signed out, /plans answered %d to %q, want 303 to the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = noFollow.PostForm(base+"/login", url.Values{"name": {"beheerder"}, "password": {"een-lang-wachtwoord"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in answered %d", resp.StatusCode)
	}
	resp, err = noFollow.Get(base + "/plans")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), id) {
		t.Fatalf("signed in, /plans answered %d without the daemon's plan %s:\n%.800s", resp.StatusCode, id, body)
	}

	// The console's port taken: a second daemon refuses to start.
	addr2 := freeAddr(t)
	b, _ := os.ReadFile(cfg)
	cfg2 := filepath.Join(dir, "second.yaml")
	writeFile(t, cfg2, strings.Replace(string(b), "listen: "+addr+"\n", "listen: "+addr2+"\n", 1))
	code, _, errs := runCLI(t, "run", "--config", cfg2)
	if code == 0 || !strings.Contains(errs, "console.listen") {
		t.Fatalf("a daemon whose console port is taken ran (exit %d): %s", code, errs)
	}
}

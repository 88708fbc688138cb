package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/daemon/redislock/redistest"
)

// orgDaemon makes a demo organisation named org in dir whose daemon
// shares the Redis at raddr, plus extra YAML, and returns its config and
// listen address.
func orgDaemon(t *testing.T, dir, org, raddr, extra string) (cfg, addr string) {
	t.Helper()
	addr = freeAddr(t)
	cfg = daemonDemo(t, dir, fmt.Sprintf("daemon:\n  listen: %s\n  redis: {address: %q}\n", addr, raddr)+extra)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^organisation: .*$`)
	if !re.Match(b) {
		t.Fatal("the demo config has no organisation line")
	}
	writeFile(t, cfg, re.ReplaceAllString(string(b), "organisation: "+org))
	return cfg, addr
}

// TestRunTwoOrganisationsShareRedis is the reported defect: a second
// organisation on the same Redis skipped its nightly plan because the
// first held the same lock key. Each organisation's keys carry its own
// prefix, so both plan.
func TestRunTwoOrganisationsShareRedis(t *testing.T) {
	srv := redistest.Start(t)
	var ds []*daemonProc
	var dirs []string
	for _, org := range []string{"Kinderopvang Zonnetje", "Kinderopvang Boomhut"} {
		dir := filepath.Join(t.TempDir(), "demo")
		cfg, addr := orgDaemon(t, dir, org, srv.Addr, "")
		dirs = append(dirs, dir)
		ds = append(ds, startDaemon(t, cfg, addr))
	}
	for i, d := range ds {
		waitRuns(t, "plan", d)
		if d.metricIs(`retentiond_job_runs_total\{result="skip",task="plan"\}`, 1) {
			t.Errorf("organisation %d's plan was skipped", i+1)
		}
		plans, _ := filepath.Glob(filepath.Join(dirs[i], "state", "plans", "*", "plan.json"))
		if len(plans) != 1 {
			t.Errorf("organisation %d made %d plans, want 1", i+1, len(plans))
		}
	}
	keys, err := srv.Client(t).Keys(t.Context(), "retentiond:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"retentiond:kinderopvang-zonnetje:job:plan@", "retentiond:kinderopvang-boomhut:job:plan@"} {
		found := false
		for _, k := range keys {
			found = found || strings.HasPrefix(k, want)
		}
		if !found {
			t.Errorf("no key %s… in Redis; keys: %v", want, keys)
		}
	}
}

// metricIs reports whether the metric matching re is at least min now.
func (d *daemonProc) metricIs(re string, min float64) bool {
	v, ok := d.metric(re)
	return ok && v >= min
}

// TestRunRedisDown is the reported defect: with Redis gone, the daemon
// only logged INFO "job not run here", /readyz stayed 200, no metric
// moved and nobody was told. Now: an ERROR line, lock_errors_total per
// task, one failure notification without personal data, /readyz 503
// naming the locks, and ready again once Redis is back.
func TestRunRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop() // the daemon starts with Redis away: its catch-up runs need locks
	hook := &hookEvents{}
	hs := httptest.NewServer(http.HandlerFunc(hook.serve))
	defer hs.Close()
	dir := filepath.Join(t.TempDir(), "demo")
	cfg, addr := orgDaemon(t, dir, "Kinderopvang Zonnetje", srv.Addr,
		fmt.Sprintf("notify:\n  on: [failure]\n  webhook: {url: %q, insecure_http: true}\n", hs.URL+"/hook"))
	d := startDaemon(t, cfg, addr)

	deadline := time.Now().Add(60 * time.Second)
	for !d.metricIs(`retentiond_lock_errors_total\{task="plan"\}`, 1) {
		if time.Now().After(deadline) {
			t.Fatalf("lock_errors_total{task=plan} did not count; log:\n%s", d.errs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v, ok := d.metric(`retentiond_lock_backend_up`); !ok || v != 0 {
		t.Errorf("retentiond_lock_backend_up with Redis down = %v (present %v), want 0", v, ok)
	}
	code, body := d.get("/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "locks: ") {
		t.Errorf("/readyz with Redis down: %d %q, want 503 naming locks", code, body)
	}
	if !regexp.MustCompile(`"level":"ERROR","msg":"job not run: its lock could not be taken","job":"plan"`).MatchString(d.errs.String()) {
		t.Errorf("no ERROR line for the plan's lock; log:\n%s", d.errs.String())
	}
	deadline = time.Now().Add(20 * time.Second)
	for len(hook.failures()) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	fs := hook.failures()
	if len(fs) != 1 || !strings.Contains(fs[0], "lock") {
		t.Errorf("failure notifications %q, want one about the lock", fs)
	}
	for _, f := range fs {
		// The demo's people must never be in a notification.
		if regexp.MustCompile(`[A-Z][a-z]+ [A-Z][a-z]+|\d{4}-\d{2}-\d{2}|/`).MatchString(f) {
			t.Errorf("notification text %q looks like it holds a name, date or path", f)
		}
	}

	// go-redis' own lines (its pool giving up on dialling) are the
	// daemon's JSON records, not plain lines on the process's stderr.
	deadline = time.Now().Add(20 * time.Second)
	for !strings.Contains(d.errs.String(), `"component":"go-redis"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no go-redis record in the daemon's log:\n%s", d.errs.String())
		}
		d.get("/readyz")
		time.Sleep(50 * time.Millisecond)
	}

	srv.Restart(t)
	deadline = time.Now().Add(20 * time.Second)
	for {
		code, body = d.get("/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz with Redis back: %d %q", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if v, ok := d.metric(`retentiond_lock_backend_up`); !ok || v != 1 {
		t.Errorf("retentiond_lock_backend_up with Redis back = %v (present %v), want 1", v, ok)
	}
}

// TestRunRedisTLSAndACL: daemon.redis with TLS (ca_file, server_name) and
// an ACL user limited to its organisation's keys (the default key_prefix):
// the daemon plans, and its lock key is under that prefix.
func TestRunRedisTLSAndACL(t *testing.T) {
	srv := redistest.StartWith(t, redistest.Options{TLS: true, Users: map[string]string{
		"zonnetje": "on >pw-zonnetje ~retentiond:kinderopvang-zonnetje:* +@all",
	}})
	dir := filepath.Join(t.TempDir(), "demo")
	addr := freeAddr(t)
	cfg := daemonDemo(t, dir, fmt.Sprintf(`daemon:
  listen: %s
  redis:
    address: %q
    username: zonnetje
    password_file: redis.secret
    tls: {ca_file: %q, server_name: %s}
`, addr, srv.Addr, srv.CAFile, redistest.ServerName))
	if err := os.WriteFile(filepath.Join(filepath.Dir(cfg), "redis.secret"), []byte("pw-zonnetje\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, regexp.MustCompile(`(?m)^organisation: .*$`).ReplaceAllString(string(b), "organisation: Kinderopvang Zonnetje"))
	d := startDaemon(t, cfg, addr)
	deadline := time.Now().Add(30 * time.Second)
	for !d.metricIs(`retentiond_job_runs_total\{result="success",task="plan"\}`, 1) {
		if time.Now().After(deadline) {
			t.Fatalf("no plan over TLS with the ACL user; log:\n%s", d.errs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, body := d.get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz: %d %q", code, body)
	}
	if d.metricIs(`retentiond_lock_errors_total\{task="plan"\}`, 1) {
		t.Errorf("lock errors over TLS; log:\n%s", d.errs.String())
	}

	// A lock outside the user's keys would have been refused (NOPERM):
	// the keys are the organisation's.
	keys, err := srv.Client(t).Keys(t.Context(), "retentiond:kinderopvang-zonnetje:job:plan@*").Result()
	if err != nil || len(keys) != 1 {
		t.Errorf("plan keys under the organisation's prefix: %v (err %v)", keys, err)
	}
}

// TestRunRedisBadTLSFile: a daemon.redis.tls file that cannot be used
// stops start-up with a usage error naming the config's file, line and
// key, before anything runs.
func TestRunRedisBadTLSFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	cfg := daemonDemo(t, dir, "daemon:\n  listen: "+freeAddr(t)+"\n  redis:\n    address: 127.0.0.1:6379\n    tls:\n      ca_file: missing-ca.pem\n")
	b, _ := os.ReadFile(cfg)
	line := strings.Count(string(b[:strings.Index(string(b), "      ca_file:")]), "\n") + 1
	code, _, errs := runCLI(t, "run", "--config", cfg)
	want := regexp.MustCompile(regexp.QuoteMeta(fmt.Sprintf("%s:%d:", cfg, line)) + `\d+: daemon\.redis\.tls\.ca_file: .*; fix: `)
	if code != 2 || !want.MatchString(errs) {
		t.Errorf("exit %d, stderr %q; want 2 and %s", code, errs, want)
	}
}

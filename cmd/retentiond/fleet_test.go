package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/daemon/redislock/redistest"
)

// prometheusBin returns the path of the Prometheus server (Debian's
// prometheus package). Under CI a missing server fails the test, so that
// a CI machine without it cannot pass by skipping; elsewhere the test is
// skipped with how to install it.
func prometheusBin(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("prometheus")
	if err == nil {
		return p
	}
	msg := "prometheus (the server) not found; install it with: apt-get install -y --no-install-recommends prometheus"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// shortFor is the for: of every alert rule in the fleet test, so that
// the real expressions are evaluated within seconds.
const shortFor = "3s"

var forRe = regexp.MustCompile(`(?m)^(\s+for: )\S+$`)

// testRules writes deploy/prometheus/alerts.yml with every for: set to
// shortFor (the expressions untouched) and returns its path.
func testRules(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "prometheus", "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(forRe.FindAll(b, -1)) < 3 {
		t.Fatal("alerts.yml has fewer for: lines than the fleet test expects; the rewrite would test nothing")
	}
	out := filepath.Join(dir, "alerts-test.yml")
	writeFile(t, out, forRe.ReplaceAllString(string(b), "${1}"+shortFor))
	return out
}

// promServer is a running Prometheus server.
type promServer struct {
	url string
	log *syncBuffer
}

// startPrometheus runs the Prometheus server scraping targets as job
// retentiond every second and evaluating rules every second.
func startPrometheus(t *testing.T, rules string, targets ...string) *promServer {
	t.Helper()
	bin := prometheusBin(t)
	dir := t.TempDir()
	var tg []string
	for _, a := range targets {
		tg = append(tg, fmt.Sprintf("%q", a))
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	writeFile(t, cfg, fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: retentiond
    static_configs:
      - targets: [%s]
`, rules, strings.Join(tg, ", ")))
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	p := &promServer{url: "http://" + addr, log: log}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("prometheus exited (%v):\n%s", err, log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready:\n%s", log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sample is one series of an instant query's answer.
type sample struct {
	Metric map[string]string `json:"metric"`
	Value  []any             `json:"value"`
}

// query runs an instant PromQL query; a query Prometheus refuses fails
// the test.
func (p *promServer) query(t *testing.T, q string) []sample {
	t.Helper()
	resp, err := http.Get(p.url + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string   `json:"resultType"`
			Result     []sample `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Status != "success" {
		t.Fatalf("query %s: %s %s (%v)", q, r.Status, r.Error, err)
	}
	return r.Data.Result
}

// alert is one alert of /api/v1/alerts.
type alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
}

// alerts returns the pending and firing alerts named name.
func (p *promServer) alerts(t *testing.T, name string) []alert {
	t.Helper()
	resp, err := http.Get(p.url + "/api/v1/alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			Alerts []alert `json:"alerts"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	var out []alert
	for _, a := range r.Data.Alerts {
		if a.Labels["alertname"] == name {
			out = append(out, a)
		}
	}
	return out
}

// waitFiring waits until the alert fires for every instance in want (and
// returns its firing alerts then).
func (p *promServer) waitFiring(t *testing.T, name string, within time.Duration, want ...string) []alert {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var firing []alert
		var instances []string
		for _, a := range p.alerts(t, name) {
			if a.State == "firing" {
				firing = append(firing, a)
				instances = append(instances, a.Labels["instance"])
			}
		}
		ok := true
		for _, w := range want {
			ok = ok && slices.Contains(instances, w)
		}
		if ok {
			return firing
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not fire for %v within %s; firing for %v", name, want, within, instances)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// fleetDaemon makes a demo organisation named org in dir whose daemon
// shares the Redis at raddr and runs its apply job every minute; it
// returns the config and the daemon's listen address.
func fleetDaemon(t *testing.T, dir, org, raddr string) (cfg, addr string) {
	t.Helper()
	addr = freeAddr(t)
	cfg = daemonDemo(t, dir, fmt.Sprintf("daemon:\n  listen: %s\n  apply_schedule: \"* * * * *\"\n  redis: {address: %q}\n", addr, raddr))
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

// TestFleetWithPrometheus is the "done when" with real parts: a
// Prometheus server scrapes two daemons of two organisations sharing one
// redis-server, with the shipped alert rules (their for: shortened). Both
// plan, and Prometheus stores the job metrics by task (no exported_job)
// with each organisation joined in; a plan awaiting review raises no
// overdue alert; every dashboard query runs. Killing Redis fires
// RetentiondLockBackendDown and RetentiondLockErrors for both and fails
// readiness; killing one daemon
// fires its RetentiondDown and RetentiondMetricsAbsent while the other
// stays quiet.
func TestFleetWithPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two daemons, redis-server and Prometheus")
	}
	srv := redistest.Start(t)
	orgs := []string{"Kinderopvang Zonnetje", "Kinderopvang Boomhut"}
	var ds []*daemonProc
	var addrs []string
	for _, org := range orgs {
		cfg, addr := fleetDaemon(t, filepath.Join(t.TempDir(), "demo"), org, srv.Addr)
		ds = append(ds, startDaemon(t, cfg, addr))
		addrs = append(addrs, addr)
	}
	prom := startPrometheus(t, testRules(t, t.TempDir()), addrs...)

	// Both plan; Prometheus has the runs by task, with the organisation.
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := map[string]string{}
		for _, s := range prom.query(t, `retentiond_job_runs_total{task="plan",result="success"} * on(job, instance) group_left(organisation) retentiond_info > 0`) {
			got[s.Metric["instance"]] = s.Metric["organisation"]
		}
		if got[addrs[0]] == orgs[0] && got[addrs[1]] == orgs[1] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus does not have both organisations' plans: %v\nlogs:\n%s\n%s", got, ds[0].errs.String(), ds[1].errs.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
	if s := prom.query(t, `{exported_job!=""}`); len(s) > 0 {
		t.Errorf("Prometheus stored %d series with exported_job, such as %v: a metric label clashes with the target's job", len(s), s[0].Metric)
	}
	for _, name := range []string{"RetentiondDown", "RetentiondMetricsAbsent", "RetentiondLockErrors", "RetentiondLockBackendDown", "RetentiondJobFailing"} {
		if a := prom.alerts(t, name); len(a) > 0 {
			t.Errorf("%s is %s with both daemons up and Redis there: %v", name, a[0].State, a[0].Labels)
		}
	}
	// The demo's plans have items already past due and wait for review:
	// within its 7 days that raises no overdue alert.
	if overdue := prom.query(t, `retentiond_items_overdue > 0 and on(job, instance) retentiond_plans_pending_approval > 0`); len(overdue) == 0 {
		t.Error("the demo's plans have no overdue items awaiting review; the overdue alert is not exercised")
	}
	if a := prom.alerts(t, "RetentiondItemsOverdue"); len(a) > 0 {
		t.Errorf("RetentiondItemsOverdue is %s while the plan awaits review within its 7 days: %v", a[0].State, a[0].Labels)
	}
	dashboardQueries(t, prom, orgs)

	// Redis dies: the probe at each scrape fails at once, and the next
	// firing of each daemon's apply job (every minute) cannot take its
	// lock.
	srv.Stop()
	for _, name := range []string{"RetentiondLockBackendDown", "RetentiondLockErrors"} {
		for _, a := range prom.waitFiring(t, name, 90*time.Second, addrs...) {
			i := slices.Index(addrs, a.Labels["instance"])
			if i < 0 || a.Labels["organisation"] != orgs[i] || !strings.Contains(a.Annotations["summary"], orgs[i]) ||
				!strings.Contains(a.Annotations["summary"], addrs[i]) {
				t.Errorf("%s %v %q: want the organisation and instance of one of %v", name, a.Labels, a.Annotations["summary"], addrs)
			}
		}
	}
	for i, d := range ds {
		if code, body := d.get("/readyz"); code != http.StatusServiceUnavailable {
			t.Errorf("daemon %d: /readyz %d %q with Redis gone, want 503", i, code, body)
		}
	}

	// One daemon dies: its own alerts fire, the other's do not.
	ds[1].stop(t)
	for _, name := range []string{"RetentiondDown", "RetentiondMetricsAbsent"} {
		for _, a := range prom.waitFiring(t, name, 30*time.Second, addrs[1]) {
			if a.Labels["instance"] != addrs[1] || a.Labels["organisation"] != orgs[1] {
				t.Errorf("%s fires for %s (%s); only %s (%s) is down", name, a.Labels["instance"], a.Labels["organisation"], addrs[1], orgs[1])
			}
		}
	}
	for _, a := range prom.alerts(t, "RetentiondDown") {
		if a.Labels["instance"] == addrs[0] {
			t.Errorf("RetentiondDown is %s for the daemon that is up", a.State)
		}
	}
}

// dashboardQueries runs every query of the Grafana dashboard (its
// variables set to all) against the real Prometheus: each must be
// accepted, and the fleet view must show both organisations.
func dashboardQueries(t *testing.T, prom *promServer, orgs []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "grafana", "retentiond.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	vars := strings.NewReplacer("$__rate_interval", "1m", "$organisation", ".*", "$instance", ".*", "$store", ".*")
	n := 0
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			res := prom.query(t, vars.Replace(tg.Expr))
			n++
			if !strings.HasPrefix(p.Title, "Fleet: ") {
				continue
			}
			var got []string
			for _, s := range res {
				got = append(got, s.Metric["organisation"])
			}
			for _, o := range orgs {
				if !slices.Contains(got, o) {
					t.Errorf("dashboard panel %q shows organisations %v, not %s", p.Title, got, o)
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("ran %d dashboard queries, want the dashboard's (at least 20)", n)
	}
}

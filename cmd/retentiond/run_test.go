package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/retentiond/retentiond/agent"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/daemon/redislock/redistest"
	"github.com/retentiond/retentiond/agent/demo"
	"github.com/retentiond/retentiond/rules"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// daemonDemo makes the demo organisation with its keys and returns its
// folder and config with a daemon section appended.
func daemonDemo(t *testing.T, dir, daemonYAML string) string {
	t.Helper()
	today := rules.DateIn(time.Now(), time.Local)
	cfg, err := demo.Generate(dir, today, 11)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatal(errs)
	}
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, string(b)+"\n"+daemonYAML+consoleYAML(t, daemonYAML))
	return cfg
}

// consoleYAML gives a daemon test's console a free port of its own (not
// the default, which replicas and parallel tests would share), unless
// the test's YAML has a console section.
func consoleYAML(t *testing.T, yaml string) string {
	if strings.Contains(yaml, "console:") {
		return ""
	}
	return "\nconsole:\n  listen: " + freeAddr(t) + "\n"
}

// daemonProc is `retentiond run` in this process.
type daemonProc struct {
	cancel context.CancelFunc
	done   chan int
	out    bytes.Buffer
	errs   syncBuffer
	addr   string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func startDaemon(t *testing.T, cfg, addr string) *daemonProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemonProc{cancel: cancel, done: make(chan int, 1), addr: addr}
	go func() { d.done <- run(ctx, []string{"run", "--config", cfg}, &d.out, &d.errs) }()
	t.Cleanup(func() { d.stop(t) })
	return d
}

func (d *daemonProc) stop(t *testing.T) int {
	d.cancel()
	select {
	case code := <-d.done:
		d.done <- code
		return code
	case <-time.After(90 * time.Second):
		t.Fatal("retentiond run did not stop")
		return -1
	}
}

func (d *daemonProc) get(path string) (int, string) {
	resp, err := http.Get("http://" + d.addr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric reads one value from /metrics; ok is false if it is not there.
func (d *daemonProc) metric(re string) (float64, bool) {
	rx := regexp.MustCompile(`(?m)^` + re + ` ([0-9.e+-]+)$`)
	code, body := d.get("/metrics")
	if code != 200 {
		return 0, false
	}
	m := rx.FindStringSubmatch(body)
	if m == nil {
		return 0, false
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v, true
}

// waitRuns waits until a job of one of ds has succeeded and returns which.
func waitRuns(t *testing.T, job string, ds ...*daemonProc) *daemonProc {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		for _, d := range ds {
			if v, ok := d.metric(`retentiond_job_runs_total\{result="success",task="` + job + `"\}`); ok && v >= 1 {
				return d
			}
			if v, ok := d.metric(`retentiond_job_runs_total\{result="fail",task="` + job + `"\}`); ok && v >= 1 {
				t.Fatalf("the %s job failed; log:\n%s", job, d.errs.String())
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the %s job did not succeed in time", job)
	return nil
}

// waitMetric polls /metrics until re matches (its first group is the
// value) and returns the value.
func (d *daemonProc) waitMetric(t *testing.T, re string) float64 {
	t.Helper()
	rx := regexp.MustCompile(`(?m)^` + re + ` ([0-9.e+-]+)$`)
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		if code, body := d.get("/metrics"); code == 200 {
			if m := rx.FindStringSubmatch(body); m != nil {
				v, _ := strconv.ParseFloat(m[1], 64)
				return v
			}
		}
		select {
		case code := <-d.done:
			d.done <- code
			t.Fatalf("retentiond run ended with %d:\n%s", code, d.errs.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatalf("no metric matching %s; log:\n%s", re, d.errs.String())
	return 0
}

// TestRunOnDemo: `retentiond run` on the demo plans at start (it never
// ran), applies at once the diary entries auto_apply allows (C10), leaves
// the rest for a person, and serves metrics that match the plan.
func TestRunOnDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	addr := freeAddr(t)
	cfg := daemonDemo(t, dir, fmt.Sprintf("daemon:\n  listen: %s\n  plan_schedule: \"0 2 * * *\"\n  apply_schedule: \"0 3 * * *\"\n  auto_apply: [C10]\n", addr))
	// A parent the registry has (request open refuses anyone else).
	ouders, err := os.ReadFile(filepath.Join(dir, "exports", "ouders.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(ouders), "\n")
	parentID, _, _ := strings.Cut(lines[1], ",")
	if code, out, errs := runCLI(t, "request", "open", "--config", cfg, "--subject", "parent:"+parentID, "--kind", "access"); code != 0 {
		t.Fatalf("request open: %s %s", out, errs)
	}
	d := startDaemon(t, cfg, addr)

	waitRuns(t, "plan", d)
	waitRuns(t, "apply", d)
	plans, _ := filepath.Glob(filepath.Join(dir, "state", "plans", "*", "plan.json"))
	if len(plans) != 1 {
		t.Fatalf("%d plans made, want 1", len(plans))
	}
	pdir := filepath.Dir(plans[0])
	f, err := agent.ReadPlan(pdir)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range f.Items {
		if it.Rule == "C10" && (it.Action == rules.Delete || it.Action == rules.Pseudonymise) {
			t.Errorf("an auto_apply item is in the plan a person reviews: %s", it.Store)
		}
	}
	auto, err := agent.ReadPlan(filepath.Join(pdir, agent.AutoDir))
	if err != nil || auto.Summary.Delete == 0 {
		t.Fatalf("no auto_apply plan with deletions: %v", err)
	}
	if _, err := os.Stat(filepath.Join(pdir, agent.AutoDir, agent.AppliedMarker)); err != nil {
		t.Errorf("the auto_apply plan was not applied: %v\n%s", err, d.errs.String())
	}
	done := d.waitMetric(t, `retentiond_actions_total\{action="delete",outcome="done",store="konnect-dagboek"\}`)
	if int(done) != auto.Summary.Delete {
		t.Errorf("metrics count %v diary deletions done, the auto plan has %d", done, auto.Summary.Delete)
	}
	var due int
	for _, s := range f.Stores {
		if s.Name == "kinddossiers" {
			due = s.Summary.Delete
		}
	}
	if v := d.waitMetric(t, `retentiond_items_due\{action="delete",store="kinddossiers"\}`); int(v) != due || due == 0 {
		t.Errorf("items_due for kinddossiers = %v, the plan says %d", v, due)
	}
	if v := d.waitMetric(t, `retentiond_plans_pending_approval`); v != 1 {
		t.Errorf("plans awaiting approval = %v, want 1", v)
	}
	if v := d.waitMetric(t, `retentiond_subject_requests_open\{kind="access"\}`); v != 1 {
		t.Errorf("open access requests = %v, want 1", v)
	}
	if v := d.waitMetric(t, `retentiond_subject_requests_next_deadline_timestamp_seconds`); v < float64(time.Now().Add(27*24*time.Hour).Unix()) {
		t.Errorf("next deadline %v is not four weeks out", v)
	}
	if v := d.waitMetric(t, `retentiond_ledger_verify_success`); v != 1 {
		t.Errorf("ledger verification = %v, want 1", v)
	}
	if code, _ := d.get("/healthz"); code != 200 {
		t.Errorf("/healthz: %d", code)
	}
	if code, body := d.get("/readyz"); code != 200 {
		t.Errorf("/readyz: %d %s", code, body)
	}
	// The log holds no personal data: no child's name from the registry.
	log := d.errs.String()
	reg, _ := os.ReadFile(filepath.Join(dir, "exports", "kinderen.csv"))
	for _, line := range strings.Split(string(reg), "\n")[1:] {
		cells := strings.Split(line, ";")
		if len(cells) > 1 && len(cells[1]) > 3 && strings.Contains(log, cells[1]) {
			t.Fatalf("the daemon's log names a child")
		}
	}
	if code := d.stop(t); code != 0 {
		t.Errorf("stop: exit %d\n%s", code, log)
	}
}

// TestRunReplicasWithRedis: two replicas of the same organisation start
// together with a Redis locker; the plan job runs once between them.
func TestRunReplicasWithRedis(t *testing.T) {
	srv := redistest.Start(t)
	raddr := srv.Client(t).Options().Addr
	dir := filepath.Join(t.TempDir(), "demo")
	var ds []*daemonProc
	var states []string
	for i := range 2 {
		addr := freeAddr(t)
		cfg := filepath.Join(dir, fmt.Sprintf("replica-%d.yaml", i))
		if i == 0 {
			base := daemonDemo(t, dir, "")
			b, _ := os.ReadFile(base)
			os.Remove(base)
			writeFile(t, filepath.Join(dir, "base.yaml"), string(b))
		}
		b, _ := os.ReadFile(filepath.Join(dir, "base.yaml"))
		state := fmt.Sprintf("state-%d", i)
		writeFile(t, cfg, strings.Replace(string(b), "state_dir: state\n", "state_dir: "+state+"\n", 1)+
			fmt.Sprintf("daemon:\n  listen: %s\n  redis: {address: %q}\n", addr, raddr))
		states = append(states, filepath.Join(dir, state))
		ds = append(ds, startDaemon(t, cfg, addr))
	}
	waitRuns(t, "plan", ds...)
	time.Sleep(3 * time.Second) // let a late replica try, too
	n := 0
	for _, s := range states {
		plans, _ := filepath.Glob(filepath.Join(s, "plans", "*", "plan.json"))
		n += len(plans)
	}
	if n != 1 {
		t.Errorf("%d plans made by two replicas sharing a Redis lock, want 1", n)
	}
}

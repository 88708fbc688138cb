package main

import (
	"encoding/json"
	"fmt"
	"github.com/retentiond/retentiond/agent"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/retentiond/retentiond/agent/daemon"
	"github.com/retentiond/retentiond/agent/metrics"
)

// hookEvents collects the webhook notifications the daemon sends.
type hookEvents struct {
	mu     sync.Mutex
	events []map[string]any
}

func (h *hookEvents) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var e map[string]any
	if json.Unmarshal(b, &e) == nil {
		h.mu.Lock()
		h.events = append(h.events, e)
		h.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

// failures returns the error texts of the failure events so far.
func (h *hookEvents) failures() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		if e["kind"] == "failure" {
			s, _ := e["error"].(string)
			out = append(out, s)
		}
	}
	return out
}

// TestDaemonTellsOfUnreadableState: an approval the daemon cannot read
// (as root it reads every file, so the approval is a folder here: the
// effect of a root-owned 0600 file on a service user) and a plan folder
// whose plan.json it cannot read are not skipped in silence. The apply
// job logs an error naming the kind of file, counts it in
// retentiond_state_read_errors_total{file=…} and tells the administrator;
// the job fails.
func TestDaemonTellsOfUnreadableState(t *testing.T) {
	hook := &hookEvents{}
	srv := httptest.NewServer(http.HandlerFunc(hook.serve))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "demo")
	addr := freeAddr(t)
	cfg := clockDemo(t, dir, nightsDay, addr, fmt.Sprintf("notify:\n  on: [failure]\n  webhook: {url: %q, insecure_http: true}\n", srv.URL+"/hook"))
	d := startClockDaemon(t, cfg, addr, nightsDay)
	d.jobs(t, "plan", 1)
	d.jobs(t, "apply", 1)
	plans, _ := filepath.Glob(filepath.Join(dir, "state", "plans", "*", "plan.json"))
	if len(plans) != 1 {
		t.Fatalf("%d plans, want 1", len(plans))
	}
	if code, out, errs := runCLI(t, "approve", "--config", cfg, "--plan", filepath.Dir(plans[0]), "--by", "Beheerder"); code != 0 {
		t.Fatalf("approve: %s %s", out, errs)
	}
	approvals, _ := filepath.Glob(filepath.Join(dir, "state", "approvals", "*.json"))
	if len(approvals) != 1 {
		t.Fatalf("%d approvals, want 1", len(approvals))
	}
	if err := os.Remove(approvals[0]); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(approvals[0], 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "state", "plans", "20260302-013000", "plan.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	before := len(hook.failures())

	d.advanceTo(t, nightsDay, 3)
	d.waitValue(t, `retentiond_job_runs_total\{result="fail",task="apply"\}`, func(v float64) bool { return v >= 1 })
	for _, kind := range []string{"approvals", "plans"} {
		d.waitValue(t, `retentiond_state_read_errors_total\{file="`+kind+`"\}`, func(v float64) bool { return v >= 1 })
		found := false
		for _, line := range strings.Split(d.errs.String(), "\n") {
			if strings.Contains(line, `"level":"ERROR"`) && strings.Contains(line, `"file":"`+kind+`"`) {
				found = true
			}
		}
		if !found {
			t.Errorf("no error in the log names the %s file; log:\n%s", kind, d.errs.String())
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		told := false
		for _, f := range hook.failures()[before:] {
			if strings.Contains(f, "approvals") && strings.Contains(f, "plans") {
				told = true
			}
		}
		if told {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the administrator was not told of the unreadable approvals and plans: failures %q", hook.failures()[before:])
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(plans[0]), agent.AppliedMarker)); err == nil {
		t.Error("the plan whose approval cannot be read was marked applied")
	}
}

// TestDaemonCountsDamagedStateFiles: the jobs' check of the state dir
// counts and logs a holds file that does not parse and a requests file
// that cannot be read, each under its kind, and tells of them once
// however many jobs run in a night.
func TestDaemonCountsDamagedStateFiles(t *testing.T) {
	dir, _ := approvedOrg(t, 2)
	hook := &hookEvents{}
	srv := httptest.NewServer(http.HandlerFunc(hook.serve))
	defer srv.Close()
	cfg := filepath.Join(dir, "retentiond.yaml")
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, string(b)+fmt.Sprintf("\nnotify:\n  webhook: {url: %q, insecure_http: true}\n", srv.URL))
	writeFile(t, filepath.Join(dir, "state", "holds.json"), "{\"version\": 1, \"holds\": [")
	if err := os.Mkdir(filepath.Join(dir, "state", "requests.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	m := metrics.New()
	d, err := loadDaemon(cfg, m, daemon.NewLogger(&log, nil))
	if err != nil {
		t.Fatal(err)
	}
	d.CheckState(t.Context())
	d.CheckState(t.Context())
	want := `
# HELP retentiond_state_read_errors_total State files the daemon could not read or parse, by kind of file (approvals, holds, requests, resolutions, plans, ledger).
# TYPE retentiond_state_read_errors_total counter
retentiond_state_read_errors_total{file="approvals"} 0
retentiond_state_read_errors_total{file="holds"} 2
retentiond_state_read_errors_total{file="ledger"} 0
retentiond_state_read_errors_total{file="plans"} 0
retentiond_state_read_errors_total{file="requests"} 2
retentiond_state_read_errors_total{file="resolutions"} 0
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_state_read_errors_total"); err != nil {
		t.Error(err)
	}
	for _, kind := range []string{"holds", "requests"} {
		if !strings.Contains(log.String(), `"file":"`+kind+`"`) {
			t.Errorf("the log does not name the %s file:\n%s", kind, log.String())
		}
	}
	if f := hook.failures(); len(f) != 1 || !strings.Contains(f[0], "holds, requests") {
		t.Errorf("told %q, want one message naming holds and requests", f)
	}
}

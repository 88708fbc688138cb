package main

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/retentiond/retentiond/agent/demo"
	"github.com/retentiond/retentiond/rules"
)

// nightsDay is the fixed day the simulated nights start on: the demo is
// made as of it, and the daemon's clock starts at 02:30 that day.
var nightsDay = rules.Date{Year: 2026, Month: time.March, Day: 2}

// clockDemo makes the demo as of day with its keys and a daemon section
// (plan at 02:00, apply at 03:00, plus extra), and returns the config.
func clockDemo(t *testing.T, dir string, day rules.Date, listen, extra string) string {
	t.Helper()
	cfg, err := demo.Generate(dir, day, 11)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatal(errs)
	}
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, string(b)+"\ndaemon:\n  listen: "+listen+"\n  plan_schedule: \"0 2 * * *\"\n  apply_schedule: \"0 3 * * *\"\n"+extra+consoleYAML(t, extra))
	return cfg
}

// clockDaemon is `retentiond run` in this process with a fake clock and
// a signal channel.
type clockDaemon struct {
	*daemonProc
	clock *clockwork.FakeClock
	sigs  chan os.Signal
	loc   *time.Location
}

// startClockDaemon starts the daemon on cfg with its clock at 02:30 of
// day in Amsterdam: a first start plans at once, standing for that day's
// 02:00, and applies at once, standing for the day before's 03:00.
func startClockDaemon(t *testing.T, cfg, addr string, day rules.Date) *clockDaemon {
	t.Helper()
	loc := amsterdam()
	c := &clockDaemon{
		clock: clockwork.NewFakeClockAt(time.Date(day.Year, day.Month, day.Day, 2, 30, 0, 0, loc)),
		sigs:  make(chan os.Signal, 1),
		loc:   loc,
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.daemonProc = &daemonProc{cancel: cancel, done: make(chan int, 1), addr: addr}
	hooks := daemonHooks{clock: c.clock, signals: c.sigs}
	go func() {
		code := 0
		if err := runDaemonWith(ctx, []string{"--config", cfg}, &c.out, &c.errs, hooks); err != nil {
			c.errs.Write([]byte("retentiond run: " + err.Error() + "\n"))
			code = 1
		}
		c.done <- code
	}()
	t.Cleanup(func() { c.stop(t) })
	return c
}

// jobs waits until job has succeeded n times in all and fails the test
// if it failed.
func (d *daemonProc) jobs(t *testing.T, job string, n int) {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		if v, ok := d.metric(`retentiond_job_runs_total\{result="fail",task="` + job + `"\}`); ok && v > 0 {
			t.Fatalf("the %s job failed; log:\n%s", job, d.errs.String())
		}
		if v, ok := d.metric(`retentiond_job_runs_total\{result="success",task="` + job + `"\}`); ok && int(v) >= n {
			// gocron releases the run's lock just after counting it.
			time.Sleep(100 * time.Millisecond)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the %s job did not succeed %d times in time; log:\n%s", job, n, d.errs.String())
}

// advanceTo waits for the scheduler's two timers (plan and apply) and
// moves the clock to hh:00 of day.
func (c *clockDaemon) advanceTo(t *testing.T, day rules.Date, hour int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.clock.BlockUntilContext(ctx, 2); err != nil {
		t.Fatalf("the scheduler's timers: %v", err)
	}
	to := time.Date(day.Year, day.Month, day.Day, hour, 0, 0, 0, c.loc)
	if d := to.Sub(c.clock.Now()); d > 0 {
		c.clock.Advance(d)
	}
}

// hup sends SIGHUP.
func (c *clockDaemon) hup() { c.sigs <- syscall.SIGHUP }

// waitValue polls /metrics until the series re has a value that ok
// accepts, and returns it.
func (d *daemonProc) waitValue(t *testing.T, re string, ok func(float64) bool) float64 {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last float64
	var seen bool
	for time.Now().Before(deadline) {
		if last, seen = d.metric(re); seen && ok(last) {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s is %v (shown: %v), not the value wanted; log:\n%s", re, last, seen, d.errs.String())
	return 0
}

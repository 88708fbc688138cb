package daemon_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"

	"github.com/retentiond/retentiond/agent/daemon"
)

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func stop(t *testing.T, s *daemon.Scheduler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

// monitor counts gocron's job statuses by job name.
type monitor struct {
	mu     sync.Mutex
	counts map[string]map[gocron.JobStatus]int
}

func (m *monitor) IncrementJob(_ uuid.UUID, name string, _ []string, status gocron.JobStatus) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counts == nil {
		m.counts = map[string]map[gocron.JobStatus]int{}
	}
	if m.counts[name] == nil {
		m.counts[name] = map[gocron.JobStatus]int{}
	}
	m.counts[name][status]++
}

func (m *monitor) RecordJobTiming(time.Time, time.Time, uuid.UUID, string, []string) {}

func (m *monitor) count(name string, status gocron.JobStatus) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[name][status]
}

func TestStartCatchUp(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, ams)
	todays := time.Date(2026, 11, 23, 2, 0, 0, 0, ams)
	stateWith := func(last time.Time) string {
		return `{"version":1,"jobs":{"plan":{"last_success_start":"` + last.Format(time.RFC3339Nano) + `"}}}`
	}
	tests := []struct {
		name    string
		state   string // "" = no file
		wantRun bool
	}{
		{"fresh install runs at once", "", true},
		{"missed today's firing", stateWith(todays.Add(-24 * time.Hour)), true},
		{"ran at today's firing", stateWith(todays.Add(3 * time.Second)), false},
		{"damaged state counts as never run", "{not json", true},
		{"other version counts as never run", `{"version":99,"jobs":{}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.state != "" {
				if err := os.WriteFile(filepath.Join(dir, daemon.StateFile), []byte(tt.state), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			runs := make(chan time.Time, 10)
			job := daemon.Job{Name: "plan", Schedule: "0 2 * * *", Run: func(ctx context.Context) error {
				f, ok := daemon.Firing(ctx)
				if !ok {
					t.Error("Firing(ctx) not set")
				}
				runs <- f
				return nil
			}}
			s, err := daemon.New(daemon.Options{Location: ams, Jobs: []daemon.Job{job}, StateDir: dir, Clock: clockwork.NewFakeClockAt(now)})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
			if !tt.wantRun {
				select {
				case f := <-runs:
					t.Fatalf("job ran at start-up for firing %v; want no run", f)
				case <-time.After(300 * time.Millisecond):
				}
				stop(t, s)
				return
			}
			select {
			case f := <-runs:
				if !f.Equal(todays) {
					t.Errorf("catch-up run for firing %v, want %v", f, todays)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no catch-up run at start-up")
			}
			stop(t, s)

			// The successful start is persisted, 0600, and a restart
			// at the same moment does not run the job again.
			fi, err := os.Stat(filepath.Join(dir, daemon.StateFile))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
			}
			b, _ := os.ReadFile(filepath.Join(dir, daemon.StateFile))
			if !strings.Contains(string(b), `"last_success_start": "`+now.Format(time.RFC3339Nano)) {
				t.Errorf("state file does not record the start %v:\n%s", now, b)
			}
			s2, err := daemon.New(daemon.Options{Location: ams, Jobs: []daemon.Job{job}, StateDir: dir, Clock: clockwork.NewFakeClockAt(now.Add(time.Minute))})
			if err != nil {
				t.Fatal(err)
			}
			if err := s2.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case f := <-runs:
				t.Fatalf("job ran again after restart, firing %v", f)
			case <-time.After(300 * time.Millisecond):
			}
			stop(t, s2)
		})
	}
}

func TestSingleton(t *testing.T) {
	var starts, running, maxRunning atomic.Int32
	release := make(chan struct{})
	job := daemon.Job{Name: "slow", Schedule: "* * * * * *", Run: func(ctx context.Context) error {
		starts.Add(1)
		n := running.Add(1)
		defer running.Add(-1)
		if n > maxRunning.Load() {
			maxRunning.Store(n)
		}
		<-release
		return nil
	}}
	mon := &monitor{}
	s, err := daemon.New(daemon.Options{Jobs: []daemon.Job{job}, StateDir: t.TempDir(), Monitor: mon})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond) // two or three firings while the first run blocks
	close(release)
	if got := starts.Load(); got != 1 {
		t.Errorf("slow job started %d times while running, want 1", got)
	}
	if got := maxRunning.Load(); got != 1 {
		t.Errorf("%d runs at once, want 1", got)
	}
	waitFor(t, "a skipped firing in the monitor", 2*time.Second, func() bool { return mon.count("slow", gocron.Skip) > 0 })
	// Once the slow run ended, the next firing runs again.
	waitFor(t, "a run after the slow one", 3*time.Second, func() bool { return starts.Load() >= 2 })
	stop(t, s)
}

func TestUpdateSwapsJobs(t *testing.T) {
	var oldA, newA, b atomic.Int32
	count := func(c *atomic.Int32) func(context.Context) error {
		return func(context.Context) error { c.Add(1); return nil }
	}
	s, err := daemon.New(daemon.Options{
		Jobs:     []daemon.Job{{Name: "a", Schedule: "* * * * * *", Run: count(&oldA)}},
		StateDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first job set to run", 3*time.Second, func() bool { return oldA.Load() > 0 })

	if err := s.Update([]daemon.Job{
		{Name: "a", Schedule: "* * * * * *", Run: count(&newA)},
		{Name: "b", Schedule: "* * * * * *", Run: count(&b)},
	}); err != nil {
		t.Fatal(err)
	}
	before := oldA.Load()
	waitFor(t, "the new jobs to run", 3*time.Second, func() bool { return newA.Load() >= 2 && b.Load() >= 2 })
	if got := oldA.Load(); got != before {
		t.Errorf("old Run of job a ran %d times after Update", got-before)
	}

	// An invalid job set is refused and the running one kept.
	err = s.Update([]daemon.Job{{Name: "a", Schedule: "not cron", Run: count(&oldA)}})
	if err == nil || !strings.Contains(err.Error(), `job "a"`) {
		t.Fatalf("Update with a bad schedule: err = %v", err)
	}
	n := b.Load()
	waitFor(t, "job b to keep running", 3*time.Second, func() bool { return b.Load() > n })

	// Removing b stops it; changing a's schedule keeps a running.
	if err := s.Update([]daemon.Job{{Name: "a", Schedule: "*/1 * * * * *", Run: count(&newA)}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // a run of b in hand may finish
	nb, na := b.Load(), newA.Load()
	time.Sleep(1500 * time.Millisecond)
	if got := b.Load(); got != nb {
		t.Errorf("removed job b ran %d more times", got-nb)
	}
	if newA.Load() <= na {
		t.Error("job a with a new schedule did not run")
	}
	stop(t, s)
}

func TestStopCancelsRunInHand(t *testing.T) {
	started := make(chan struct{})
	var finished atomic.Bool
	job := daemon.Job{Name: "apply", Schedule: "0 3 * * *", Run: func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		time.Sleep(200 * time.Millisecond) // journal the item in hand
		finished.Store(true)
		return ctx.Err()
	}}
	s, err := daemon.New(daemon.Options{Jobs: []daemon.Job{job}, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil { // never ran: runs at once
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if !finished.Load() {
		t.Fatal("Stop returned before the run in hand finished")
	}
}

func TestStopTimesOut(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	job := daemon.Job{Name: "stubborn", Schedule: "0 3 * * *", Run: func(context.Context) error {
		close(started)
		<-release // ignores its context
		return nil
	}}
	s, err := daemon.New(daemon.Options{Jobs: []daemon.Job{job}, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = s.Stop(ctx)
	if err == nil || !strings.Contains(err.Error(), "stubborn") {
		t.Errorf("Stop with a run ignoring its context: err = %v, want one naming the job", err)
	}
	// Once the run returns, Stop called again reports a clean stop.
	close(release)
	stop(t, s)
}

func TestCheckFailsOnFailedScanJob(t *testing.T) {
	var planOK atomic.Bool
	var planRuns, applyRuns atomic.Int32
	jobs := []daemon.Job{
		{Name: "plan", Scan: true, Schedule: "0 2 * * *", Run: func(context.Context) error {
			defer planRuns.Add(1)
			if planOK.Load() {
				return nil
			}
			return errors.New("store unreachable")
		}},
		{Name: "apply", Schedule: "0 3 * * *", Run: func(context.Context) error {
			applyRuns.Add(1)
			return errors.New("apply failed")
		}},
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s, err := daemon.New(daemon.Options{Location: time.UTC, Jobs: jobs, StateDir: t.TempDir(), Clock: clockwork.NewFakeClockAt(now)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("Check before any run: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both catch-up runs", 5*time.Second, func() bool { return planRuns.Load() == 1 && applyRuns.Load() == 1 })
	waitFor(t, "Check to fail", time.Second, func() bool { return s.Check() != nil })
	msg := s.Check().Error()
	if !strings.Contains(msg, "job plan: last run (firing 2026-11-23T02:00:00Z) failed") {
		t.Errorf("Check = %q, want the failed plan job", msg)
	}
	if strings.Contains(msg, "apply") || strings.Contains(msg, "unreachable") {
		t.Errorf("Check = %q names a non-scan job or the error text", msg)
	}

	// A reload runs the failed job again (it has no success since its
	// firing); now it succeeds and the check passes.
	planOK.Store(true)
	if err := s.Update(jobs); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the plan job to run again", 5*time.Second, func() bool { return planRuns.Load() == 2 })
	waitFor(t, "Check to pass", time.Second, func() bool { return s.Check() == nil })
	stop(t, s)
}

func TestNewRefusesBadOptions(t *testing.T) {
	run := func(context.Context) error { return nil }
	if _, err := daemon.New(daemon.Options{Jobs: []daemon.Job{{Name: "plan", Schedule: "0 2 * * *", Run: run}}}); err == nil {
		t.Error("New without StateDir succeeded")
	}
	if _, err := daemon.New(daemon.Options{StateDir: t.TempDir(), Jobs: []daemon.Job{{Name: "plan", Schedule: "0 25 * * *", Run: run}}}); err == nil {
		t.Error("New with an invalid schedule succeeded")
	}
}

// TestCatchUpJustBeforeFiring: a catch-up run that starts just before a
// firing stands for that firing, and the timer's run for it is skipped.
func TestCatchUpJustBeforeFiring(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 23, 1, 59, 59, 900_000_000, time.UTC))
	var runs atomic.Int32
	firings := make(chan time.Time, 4)
	job := daemon.Job{Name: "plan", Schedule: "0 2 * * *", Run: func(ctx context.Context) error {
		runs.Add(1)
		f, _ := daemon.Firing(ctx)
		firings <- f
		return nil
	}}
	mon := &monitor{}
	s, err := daemon.New(daemon.Options{Location: time.UTC, Jobs: []daemon.Job{job}, StateDir: t.TempDir(), Clock: clock, Monitor: mon})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	if f := <-firings; !f.Equal(want) {
		t.Fatalf("catch-up run for firing %v, want %v", f, want)
	}
	waitFor(t, "the catch-up run to be counted", 2*time.Second, func() bool { return mon.count("plan", gocron.Success) == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := clock.BlockUntilContext(ctx, 1); err != nil { // gocron's timer for 02:00
		t.Fatal(err)
	}
	clock.Advance(200 * time.Millisecond)
	waitFor(t, "the 02:00 timer's run to be skipped", 2*time.Second, func() bool { return mon.count("plan", gocron.Skip) == 1 })
	if got := runs.Load(); got != 1 {
		t.Errorf("job ran %d times for one firing, want 1", got)
	}
	stop(t, s)
}

package daemon_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/retentiond/retentiond/agent/daemon"
	"github.com/retentiond/retentiond/agent/daemon/redislock"
	"github.com/retentiond/retentiond/agent/daemon/redislock/redistest"
)

// records is a slog handler's output kept as decoded JSON records.
type records struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (r *records) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

// find returns the records at level whose message contains msg.
func (r *records) find(level, msg string) []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(r.buf.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		if rec["level"] == level && strings.Contains(rec["msg"].(string), msg) {
			out = append(out, rec)
		}
	}
	return out
}

func (r *records) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

// TestLockErrorsAreErrors is the reported defect: with Redis killed, every
// firing only logged INFO "job not run here" and readiness stayed green.
// A lock error must be an ERROR naming the job, be told to OnLockError
// (metric, notification; First once per outage), and fail the lock
// readiness check until Redis is back.
func TestLockErrorsAreErrors(t *testing.T) {
	srv := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, DialTimeout: 300 * time.Millisecond})
	t.Cleanup(func() { _ = client.Close() })
	var log records
	var ran atomic.Int32
	var mu sync.Mutex
	var failures []daemon.LockFailure
	s, err := daemon.New(daemon.Options{
		Jobs: []daemon.Job{{Name: "plan", Schedule: "* * * * * *", Run: func(context.Context) error {
			ran.Add(1)
			return nil
		}}},
		StateDir: t.TempDir(),
		Locker:   redislock.New(client),
		Logger:   slog.New(slog.NewJSONHandler(&log, nil)),
		OnLockError: func(f daemon.LockFailure) {
			mu.Lock()
			failures = append(failures, f)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer stop(t, s)
	waitFor(t, "a run with Redis up", 5*time.Second, func() bool { return ran.Load() > 0 })
	if err := s.CheckLocks(); err != nil {
		t.Fatalf("CheckLocks with Redis up: %v", err)
	}

	srv.Stop()
	waitFor(t, "an ERROR record for the lock", 5*time.Second, func() bool { return len(log.find("ERROR", "lock")) > 0 })
	rec := log.find("ERROR", "lock")[0]
	if rec["job"] != "plan" || rec["err"] == nil {
		t.Errorf("lock error record %v, want job=plan and err", rec)
	}
	for _, rec := range log.find("INFO", "job not run here") {
		if why, _ := rec["why"].(string); strings.Contains(why, "redislock") {
			t.Errorf("lock error logged at INFO: %v", rec)
		}
	}
	err = s.CheckLocks()
	if err == nil || !strings.Contains(err.Error(), "no job can take its lock") {
		t.Errorf("CheckLocks with Redis down = %v, want the reason no job can run", err)
	}
	waitFor(t, "a second lock error", 5*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(failures) >= 2 })
	mu.Lock()
	if f := failures[0]; f.Job != "plan" || f.Err == nil || !f.First || f.Firing.IsZero() {
		t.Errorf("first failure %+v, want job plan, an error, a firing and First", f)
	}
	for _, f := range failures[1:] {
		if f.First {
			t.Errorf("failure %+v marked First again within one outage", f)
		}
	}
	mu.Unlock()

	before := ran.Load()
	srv.Restart(t)
	waitFor(t, "readiness back with Redis", 5*time.Second, func() bool { return s.CheckLocks() == nil })
	waitFor(t, "a run with Redis back", 5*time.Second, func() bool { return ran.Load() > before })
}

// TestLockContentionIsNotAnError: a firing another replica holds is INFO,
// not a lock error.
func TestLockContentionIsNotAnError(t *testing.T) {
	srv := redistest.Start(t)
	var log records
	var failures atomic.Int32
	var ran atomic.Int32
	var ss []*daemon.Scheduler
	for range 2 {
		s, err := daemon.New(daemon.Options{
			Jobs: []daemon.Job{{Name: "plan", Schedule: "* * * * * *", Run: func(context.Context) error {
				ran.Add(1)
				time.Sleep(200 * time.Millisecond)
				return nil
			}}},
			StateDir:    t.TempDir(),
			Locker:      redislock.New(srv.Client(t)),
			Logger:      slog.New(slog.NewJSONHandler(&log, nil)),
			OnLockError: func(daemon.LockFailure) { failures.Add(1) },
		})
		if err != nil {
			t.Fatal(err)
		}
		ss = append(ss, s)
	}
	for _, s := range ss {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "a firing taken by the other replica", 5*time.Second, func() bool { return len(log.find("INFO", "job not run here")) > 0 })
	for _, s := range ss {
		stop(t, s)
		if err := s.CheckLocks(); err != nil {
			t.Errorf("CheckLocks: %v", err)
		}
	}
	if n := failures.Load(); n != 0 {
		t.Errorf("%d lock errors for contention", n)
	}
	if recs := log.find("ERROR", ""); len(recs) != 0 {
		t.Errorf("ERROR records for contention: %v", recs)
	}
}

// TestLockErrorWhileHeld: Redis killed while a run holds its lock (the
// issue's "kill Redis mid-run"): the run ends, and the release that fails
// is a lock error marked WhileHeld, since the job did run.
func TestLockErrorWhileHeld(t *testing.T) {
	srv := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, DialTimeout: 300 * time.Millisecond})
	t.Cleanup(func() { _ = client.Close() })
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	var mu sync.Mutex
	var failures []daemon.LockFailure
	s, err := daemon.New(daemon.Options{
		Jobs: []daemon.Job{{Name: "plan", Schedule: "0 2 * * *", Run: func(context.Context) error {
			started <- struct{}{}
			<-release
			return nil
		}}},
		StateDir: t.TempDir(),
		Locker:   redislock.New(client),
		OnLockError: func(f daemon.LockFailure) {
			mu.Lock()
			failures = append(failures, f)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil { // never ran: the catch-up run takes the lock
		t.Fatal(err)
	}
	defer stop(t, s)
	<-started
	srv.Stop()
	close(release)
	waitFor(t, "the failed release", 5*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(failures) > 0 })
	mu.Lock()
	defer mu.Unlock()
	if f := failures[0]; f.Job != "plan" || !f.WhileHeld || !f.First || f.Err == nil {
		t.Errorf("failure %+v, want job plan, WhileHeld, First and an error", f)
	}
}

package daemon_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/retentiond/retentiond/agent/daemon"
	"github.com/retentiond/retentiond/agent/daemon/redislock"
	"github.com/retentiond/retentiond/agent/daemon/redislock/redistest"
)

const replicas = 3

// runReplicas runs replicas Schedulers with the same every-second job for
// d and returns how often each firing (Unix second) ran across all of them,
// and the whole seconds that fired while all replicas were surely up.
func runReplicas(t *testing.T, locker func() gocron.Locker, d time.Duration) (counts map[int64]int32, middle []int64) {
	t.Helper()
	var byFiring sync.Map // int64 -> *atomic.Int32
	job := daemon.Job{Name: "plan", Schedule: "* * * * * *", Run: func(ctx context.Context) error {
		f, ok := daemon.Firing(ctx)
		if !ok {
			t.Error("run without a firing")
		}
		c, _ := byFiring.LoadOrStore(f.Unix(), new(atomic.Int32))
		c.(*atomic.Int32).Add(1)
		return nil
	}}
	var ss []*daemon.Scheduler
	for range replicas {
		s, err := daemon.New(daemon.Options{Jobs: []daemon.Job{job}, StateDir: t.TempDir(), Locker: locker()})
		if err != nil {
			t.Fatal(err)
		}
		ss = append(ss, s)
	}
	started := time.Now()
	for _, s := range ss {
		if err := s.Start(); err != nil { // never ran: each wants a catch-up run
			t.Fatal(err)
		}
	}
	time.Sleep(d)
	stopped := time.Now()
	for _, s := range ss {
		stop(t, s)
	}
	counts = map[int64]int32{}
	byFiring.Range(func(k, v any) bool {
		counts[k.(int64)] = v.(*atomic.Int32).Load()
		return true
	})
	for sec := started.Unix() + 1; sec < stopped.Unix(); sec++ {
		middle = append(middle, sec)
	}
	return counts, middle
}

func TestDistributedEachFiringRunsOnce(t *testing.T) {
	srv := redistest.Start(t)
	counts, middle := runReplicas(t, func() gocron.Locker { return redislock.New(srv.Client(t)) }, 3500*time.Millisecond)
	if len(middle) < 2 {
		t.Fatalf("only %d whole firings observed", len(middle))
	}
	for f, n := range counts {
		if n != 1 {
			t.Errorf("firing %s ran %d times across %d replicas, want once", time.Unix(f, 0).Format(time.TimeOnly), n, replicas)
		}
	}
	for _, f := range middle {
		if counts[f] != 1 {
			t.Errorf("firing %s ran %d times, want once", time.Unix(f, 0).Format(time.TimeOnly), counts[f])
		}
	}
}

// TestWithoutLockerEveryReplicaRuns shows that the test above can fail:
// without a locker every replica runs every firing.
func TestWithoutLockerEveryReplicaRuns(t *testing.T) {
	counts, middle := runReplicas(t, func() gocron.Locker { return nil }, 2500*time.Millisecond)
	if len(middle) < 1 {
		t.Fatalf("only %d whole firings observed", len(middle))
	}
	for _, f := range middle {
		if counts[f] != replicas {
			t.Errorf("firing %s ran %d times, want %d (once per replica)", time.Unix(f, 0).Format(time.TimeOnly), counts[f], replicas)
		}
	}
}

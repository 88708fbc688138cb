package daemon_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/retentiond/retentiond/agent/daemon"
)

// loadEvent is one call of RunOptions.Loaded.
type loadEvent struct {
	err error
	at  time.Time
}

// TestRunLoadedReportsEveryLoad: Loaded is told of the first load and of
// every reload, with the load's error (nil when it succeeded) and the
// Clock's time; a failed reload keeps the running jobs, and the next
// firing runs the job that the first load gave.
func TestRunLoadedReportsEveryLoad(t *testing.T) {
	stateDir := t.TempDir()
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	clock := clockwork.NewFakeClockAt(start)
	var mu sync.Mutex
	var events []loadEvent
	got := make(chan struct{}, 8)
	runs := make(chan string, 8)
	job := func(name string) daemon.Job {
		return daemon.Job{Name: "plan", Schedule: "0 2 * * *", Run: func(context.Context) error { runs <- name; return nil }}
	}
	loads := []func() (daemon.Setup, error){
		func() (daemon.Setup, error) {
			return daemon.Setup{Location: time.UTC, Listen: "127.0.0.1:0", StateDir: stateDir, Metrics: text("v1"), Jobs: []daemon.Job{job("first")}}, nil
		},
		func() (daemon.Setup, error) { return daemon.Setup{}, errors.New("config.yaml:3: broken") },
	}
	var n int
	sigs := make(chan os.Signal, 1)
	started := make(chan net.Addr, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- daemon.Run(ctx, daemon.RunOptions{
			Load:    func() (daemon.Setup, error) { n++; return loads[n-1]() },
			Signals: sigs,
			Clock:   clock,
			Started: func(a net.Addr) { started <- a },
			Loaded: func(err error, at time.Time) {
				mu.Lock()
				events = append(events, loadEvent{err, at})
				mu.Unlock()
				got <- struct{}{}
			},
		})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	<-started
	wait := func() {
		t.Helper()
		select {
		case <-got:
		case <-time.After(5 * time.Second):
			t.Fatal("Loaded was not called")
		}
	}
	wait()
	if r := <-runs; r != "first" { // the catch-up run
		t.Fatalf("catch-up run by %q", r)
	}
	sigs <- syscall.SIGHUP
	wait()
	mu.Lock()
	if len(events) != 2 || events[0].err != nil || !events[0].at.Equal(start) || events[1].err == nil {
		t.Fatalf("Loaded calls %+v, want a success at %v and a failure", events, start)
	}
	mu.Unlock()

	// The catch-up run has ended once its success is saved.
	waitFor(t, "the catch-up run to end", 5*time.Second, func() bool {
		b, _ := os.ReadFile(filepath.Join(stateDir, daemon.StateFile))
		return len(b) > 0
	})
	time.Sleep(100 * time.Millisecond) // and its lock, released just after
	bctx, bcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer bcancel()
	if err := clock.BlockUntilContext(bctx, 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	select {
	case r := <-runs:
		if r != "first" {
			t.Errorf("after a failed reload the 02:00 run is %q's", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the 02:00 run did not come after a failed reload")
	}
}

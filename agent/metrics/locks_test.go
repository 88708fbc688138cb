package metrics

import (
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestLockErrors(t *testing.T) {
	m := New()
	m.LockTasks("plan", "apply")
	m.LockError("plan")
	m.LockError("plan")
	m.LockError("Piet Jansen") // never a label
	want := `
# HELP retentiond_lock_errors_total Job lock errors: the lock backend (Redis) unreachable, refusing the login or too slow, so the run did not happen on this replica, or a held lock not released or lost. Another replica holding the lock is not an error.
# TYPE retentiond_lock_errors_total counter
retentiond_lock_errors_total{task="apply"} 0
retentiond_lock_errors_total{task="other"} 1
retentiond_lock_errors_total{task="plan"} 2
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_lock_errors_total"); err != nil {
		t.Error(err)
	}
}

// TestLockBackendUp: the gauge asks the probe at each scrape, and is
// absent without one.
func TestLockBackendUp(t *testing.T) {
	m := New()
	if n, err := testutil.GatherAndCount(m.Registry(), "retentiond_lock_backend_up"); err != nil || n != 0 {
		t.Fatalf("without a probe: %d series (err %v), want none", n, err)
	}
	var down error
	m.SetLockProbe(func() error { return down })
	const head = `
# HELP retentiond_lock_backend_up Whether the lock backend (Redis) took a probe write at this scrape (1) or not (0), so that no job could take its lock; absent without Redis.
# TYPE retentiond_lock_backend_up gauge
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(head+"retentiond_lock_backend_up 1\n"), "retentiond_lock_backend_up"); err != nil {
		t.Error(err)
	}
	down = errors.New("dial tcp: connection refused")
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(head+"retentiond_lock_backend_up 0\n"), "retentiond_lock_backend_up"); err != nil {
		t.Error(err)
	}
}

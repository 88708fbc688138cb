package metrics

import (
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

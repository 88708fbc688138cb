package metrics

import "github.com/prometheus/client_golang/prometheus"

// lockMetrics are the daemon's lock error counts (see LockError).
type lockMetrics struct {
	lockErrors *prometheus.CounterVec
}

func (m *Metrics) registerLocks() {
	m.lockErrors = m.counterVec("lock_errors_total",
		"Job lock errors: the lock backend (Redis) unreachable, refusing the login or too slow, so the run did not happen on this replica, or a held lock not released or lost. Another replica holding the lock is not an error.",
		"task")
}

// LockTasks starts the lock error counter of each task at zero, so that
// increase() sees the first error.
func (m *Metrics) LockTasks(tasks ...string) {
	for _, t := range tasks {
		m.lockErrors.WithLabelValues(label(t))
	}
}

// LockError counts one lock error of the task (the job's name).
func (m *Metrics) LockError(task string) {
	m.lockErrors.WithLabelValues(label(task)).Inc()
}

package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// lockMetrics are the daemon's lock metrics (see LockError and
// SetLockProbe).
type lockMetrics struct {
	lockErrors *prometheus.CounterVec
	lockUp     *lockUpCollector
}

func (m *Metrics) registerLocks() {
	m.lockErrors = m.counterVec("lock_errors_total",
		"Job lock errors: the lock backend (Redis) unreachable, refusing the login or too slow, so the run did not happen on this replica, or a held lock not released or lost. Another replica holding the lock is not an error.",
		"task")
	o := m.add("lock_backend_up", "gauge", "Whether the lock backend (Redis) took a probe write at this scrape (1) or not (0), so that no job could take its lock; absent without Redis.", nil)
	m.lockUp = &lockUpCollector{desc: prometheus.NewDesc(prometheus.BuildFQName(o.Namespace, "", o.Name), o.Help, nil, nil)}
	m.reg.MustRegister(m.lockUp)
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

// SetLockProbe makes retentiond_lock_backend_up ask probe at every
// scrape: 1 when it returns nil, 0 when not. Lock errors only happen at a
// job's firing, nightly; the gauge tells at once that the next firing
// would fail. probe must return within the scrape timeout. Without a
// probe (no Redis) the series is absent.
func (m *Metrics) SetLockProbe(probe func() error) {
	m.lockUp.mu.Lock()
	m.lockUp.probe = probe
	m.lockUp.mu.Unlock()
}

// lockUpCollector is retentiond_lock_backend_up, asked at each scrape.
type lockUpCollector struct {
	desc  *prometheus.Desc
	mu    sync.Mutex
	probe func() error
}

func (c *lockUpCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *lockUpCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	probe := c.probe
	c.mu.Unlock()
	if probe == nil {
		return
	}
	v := 1.0
	if probe() != nil {
		v = 0
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v)
}

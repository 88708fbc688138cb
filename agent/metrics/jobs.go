package metrics

import (
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
)

// jobStatuses are the gocron job statuses every job's run counter starts
// with at zero.
var jobStatuses = []gocron.JobStatus{gocron.Success, gocron.Fail, gocron.Skip, gocron.SingletonRescheduled}

// JobMonitor records gocron job runs in Metrics. Give it to the scheduler
// with gocron.WithMonitorStatus (or use Metrics.SchedulerOption).
//
// gocron calls a value given to both WithMonitor and WithMonitorStatus
// three times per run; only RecordJobTimingWithStatus records, so that
// such a run is counted once. A JobMonitor given to WithMonitor alone
// records nothing.
type JobMonitor struct{ m *Metrics }

var _ gocron.MonitorStatus = (*JobMonitor)(nil)

// JobMonitor returns the monitor for a gocron scheduler.
func (m *Metrics) JobMonitor() *JobMonitor { return &JobMonitor{m} }

// SchedulerOption returns the gocron option that feeds the job metrics.
func (m *Metrics) SchedulerOption() gocron.SchedulerOption {
	return gocron.WithMonitorStatus(m.JobMonitor())
}

// IncrementJob does nothing: RecordJobTimingWithStatus counts the run.
func (*JobMonitor) IncrementJob(uuid.UUID, string, []string, gocron.JobStatus) {}

// RecordJobTiming does nothing: RecordJobTimingWithStatus times the run.
func (*JobMonitor) RecordJobTiming(time.Time, time.Time, uuid.UUID, string, []string) {}

// RecordJobTimingWithStatus counts the run of the job by its name (the
// job's id and tags are not used: ids change at every start; nor is its
// error, whose text may name a record) and observes its duration; a
// successful run sets the job's last success time.
func (j *JobMonitor) RecordJobTimingWithStatus(start, end time.Time, _ uuid.UUID, name string, _ []string, status gocron.JobStatus, _ error) {
	j.m.ObserveJob(name, string(status), end.Sub(start), end)
}

// ObserveJob records one run of the named job with its result (a
// gocron.JobStatus value: success, fail, skip, singleton_rescheduled), for
// runs that do not go through gocron.
func (m *Metrics) ObserveJob(job, result string, d time.Duration, end time.Time) {
	job = label(job)
	m.mu.Lock()
	if !m.jobs[job] {
		m.jobs[job] = true
		for _, s := range jobStatuses {
			m.jobRuns.WithLabelValues(job, string(s))
		}
	}
	m.mu.Unlock()
	m.jobRuns.WithLabelValues(job, label(result)).Inc()
	m.jobDuration.WithLabelValues(job).Observe(d.Seconds())
	if result == string(gocron.Success) {
		m.jobLastSuccess.WithLabelValues(job).Set(unix(end))
	}
}

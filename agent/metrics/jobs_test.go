package metrics

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestSchedulerFeedsJobMetrics runs two jobs in a real gocron scheduler,
// one failing, and checks each run is counted once.
func TestSchedulerFeedsJobMetrics(t *testing.T) {
	m := New()
	// Both options with the same monitor: gocron then calls all three
	// methods, and a run must still be counted once.
	s, err := gocron.NewScheduler(m.SchedulerOption(), gocron.WithMonitor(m.JobMonitor()))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{}, 2)
	for _, j := range []struct {
		name string
		err  error
	}{{"plan", nil}, {"apply", errors.New("plan not approved")}} {
		_, err := s.NewJob(gocron.OneTimeJob(gocron.OneTimeJobStartImmediately()),
			gocron.NewTask(func() error { return j.err }),
			gocron.WithName(j.name),
			gocron.WithEventListeners(gocron.AfterJobRuns(func(uuid.UUID, string) { done <- struct{}{} }),
				gocron.AfterJobRunsWithError(func(uuid.UUID, string, error) { done <- struct{}{} })))
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Start()
	for range 2 {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("jobs did not run")
		}
	}
	// The monitor is called after the listeners; Shutdown waits for it.
	if err := s.Shutdown(); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP retentiond_job_runs_total Scheduler job runs, by result (success, fail, skip, singleton_rescheduled).
# TYPE retentiond_job_runs_total counter
retentiond_job_runs_total{result="fail",task="apply"} 1
retentiond_job_runs_total{result="singleton_rescheduled",task="apply"} 0
retentiond_job_runs_total{result="skip",task="apply"} 0
retentiond_job_runs_total{result="success",task="apply"} 0
retentiond_job_runs_total{result="fail",task="plan"} 0
retentiond_job_runs_total{result="singleton_rescheduled",task="plan"} 0
retentiond_job_runs_total{result="skip",task="plan"} 0
retentiond_job_runs_total{result="success",task="plan"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_job_runs_total"); err != nil {
		t.Error(err)
	}
	if n, _ := testutil.GatherAndCount(m.Registry(), "retentiond_job_last_success_timestamp_seconds"); n != 1 {
		t.Errorf("%d last-success series, want 1 (plan only)", n)
	}
	if n, _ := testutil.GatherAndCount(m.Registry(), "retentiond_job_duration_seconds"); n != 2 {
		t.Errorf("%d duration series, want 2", n)
	}
}

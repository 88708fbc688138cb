package metrics

import (
	"runtime"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestNoTargetLabels: a label named like one of the target labels
// Prometheus attaches to every scraped series (job, instance) is renamed
// by the server to exported_job or exported_instance (honor_labels off,
// the default), which splits and merges series on a dashboard. No family
// may use one.
func TestNoTargetLabels(t *testing.T) {
	for _, f := range New().families {
		for _, l := range f.labels {
			if l == "job" || l == "instance" || strings.HasPrefix(l, "__") {
				t.Errorf("%s has label %q, which Prometheus keeps as exported_%s", f.name, l, l)
			}
		}
	}
}

// TestJobMetricsByTask: the scheduler job metrics name the job by the
// label task.
func TestJobMetricsByTask(t *testing.T) {
	m := New()
	m.ObserveJob("plan", "fail", 0, at)
	want := `
# HELP retentiond_job_runs_total Scheduler job runs, by result (success, fail, skip, singleton_rescheduled).
# TYPE retentiond_job_runs_total counter
retentiond_job_runs_total{result="fail",task="plan"} 1
retentiond_job_runs_total{result="singleton_rescheduled",task="plan"} 0
retentiond_job_runs_total{result="skip",task="plan"} 0
retentiond_job_runs_total{result="success",task="plan"} 0
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_job_runs_total"); err != nil {
		t.Error(err)
	}
}

// TestInfo: retentiond_info names the organisation (one series, the
// latest config's), retentiond_build_info the build.
func TestInfo(t *testing.T) {
	m := New()
	if n, _ := testutil.GatherAndCount(m.Registry(), "retentiond_info"); n != 0 {
		t.Errorf("retentiond_info has %d series before SetInfo, want none", n)
	}
	m.SetInfo("Kinderopvang De Boomhut")
	m.SetInfo("kdv-de-boomhut")
	want := `
# HELP retentiond_info The organisation this daemon works for (the config's organisation), always 1; join it for the organisation label.
# TYPE retentiond_info gauge
retentiond_info{organisation="kdv-de-boomhut"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_info"); err != nil {
		t.Error(err)
	}
	m.SetInfo("Kinderopvang De Boomhut")
	want = `
# HELP retentiond_info The organisation this daemon works for (the config's organisation), always 1; join it for the organisation label.
# TYPE retentiond_info gauge
retentiond_info{organisation="Kinderopvang De Boomhut"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_info"); err != nil {
		t.Error(err)
	}

	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, mf := range mfs {
		if mf.GetName() != "retentiond_build_info" {
			continue
		}
		found = true
		if len(mf.Metric) != 1 || mf.Metric[0].GetGauge().GetValue() != 1 {
			t.Fatalf("retentiond_build_info: %v", mf.Metric)
		}
		got := map[string]string{}
		for _, lp := range mf.Metric[0].Label {
			got[lp.GetName()] = lp.GetValue()
		}
		if got["goversion"] != runtime.Version() || got["version"] == "" || got["revision"] == "" {
			t.Errorf("retentiond_build_info labels %v, want goversion %s and a version and revision", got, runtime.Version())
		}
	}
	if !found {
		t.Error("no retentiond_build_info")
	}
}

// TestNotificationsFailed starts at 0 (so that increase() sees the first
// failure) and counts each failure.
func TestNotificationsFailed(t *testing.T) {
	m := New()
	if v := testutil.ToFloat64(m.notifyFailed); v != 0 {
		t.Errorf("before any failure %v", v)
	}
	m.AddNotificationFailed()
	m.AddNotificationFailed()
	want := `
# HELP retentiond_notifications_failed_total Notifications (mail, webhook) that could not be sent.
# TYPE retentiond_notifications_failed_total counter
retentiond_notifications_failed_total 2
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_notifications_failed_total"); err != nil {
		t.Error(err)
	}
}

// TestSetVersion: a release build's version (-ldflags -X main.version)
// is the build_info version, as --version prints it; "dev" keeps what
// the toolchain stamped. One series either way.
func TestSetVersion(t *testing.T) {
	m := New()
	stamped, _, _ := buildInfo()
	m.SetVersion("v1.2.3")
	if got := buildLabel(t, m, "version"); got != "v1.2.3" {
		t.Errorf("version %q after SetVersion(v1.2.3)", got)
	}
	m.SetVersion("dev")
	if got := buildLabel(t, m, "version"); got != stamped {
		t.Errorf("version %q after SetVersion(dev), want the stamped %q", got, stamped)
	}
}

// buildLabel returns the label of retentiond_build_info's one series.
func buildLabel(t *testing.T, m *Metrics, name string) string {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "retentiond_build_info" {
			continue
		}
		if len(mf.Metric) != 1 {
			t.Fatalf("%d build_info series, want 1", len(mf.Metric))
		}
		for _, lp := range mf.Metric[0].Label {
			if lp.GetName() == name {
				return lp.GetValue()
			}
		}
	}
	t.Fatal("no retentiond_build_info")
	return ""
}

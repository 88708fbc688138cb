package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/agent/notify"
)

// TestScanDurationPerStore: the nightly plan observes each store's own
// scan time, not the whole plan's for every store: the stores' times add
// up to no more than the job took.
func TestScanDurationPerStore(t *testing.T) {
	s := demoService(t)
	m := metrics.New()
	s.metrics = m
	if len(s.cfg.Stores) < 2 {
		t.Fatalf("the demo has %d stores, want several", len(s.cfg.Stores))
	}
	start := time.Now()
	if err := s.NightlyPlan(t.Context()); err != nil {
		t.Fatal(err)
	}
	wall := time.Since(start).Seconds()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	stores := 0
	for _, mf := range mfs {
		if mf.GetName() != "retentiond_scan_duration_seconds" {
			continue
		}
		for _, mt := range mf.Metric {
			h := mt.GetHistogram()
			if h.GetSampleCount() != 1 {
				t.Errorf("%v: %d scans observed, want 1", mt.Label, h.GetSampleCount())
			}
			if h.GetSampleSum() <= 0 {
				t.Errorf("%v: scan took %vs", mt.Label, h.GetSampleSum())
			}
			sum += h.GetSampleSum()
			stores++
		}
	}
	if stores != len(s.cfg.Stores) {
		t.Errorf("scan durations of %d stores, want %d", stores, len(s.cfg.Stores))
	}
	if sum > wall {
		t.Errorf("the %d stores' scan durations add up to %.3fs, more than the %.3fs the whole job took", stores, sum, wall)
	}
}

// failingNotifier refuses every notification.
type failingNotifier struct{}

func (failingNotifier) Notify(context.Context, notify.Event) error {
	return errors.New("smtp: 535 authentication failed")
}

// TestDaemonMetricsInfoAndNotifications: the daemon's service names its
// organisation in retentiond_info, and counts a notification that could
// not be sent.
func TestDaemonMetricsInfoAndNotifications(t *testing.T) {
	cfg := demoService(t).cfg
	m := metrics.New()
	s, err := ForDaemon(cfg, Options{Metrics: m, Notify: failingNotifier{}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("\n# HELP retentiond_info The organisation this daemon works for (the config's organisation), always 1; join it for the organisation label.\n"+
		"# TYPE retentiond_info gauge\nretentiond_info{organisation=%q} 1\n", cfg.Organisation)
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_info"); err != nil {
		t.Error(err)
	}
	s.tell(t.Context(), notify.Event{Kind: notify.KindFailure, Error: "plan failed"})
	want = "\n# HELP retentiond_notifications_failed_total Notifications (mail, webhook) that could not be sent.\n" +
		"# TYPE retentiond_notifications_failed_total counter\nretentiond_notifications_failed_total 1\n"
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_notifications_failed_total"); err != nil {
		t.Error(err)
	}
}

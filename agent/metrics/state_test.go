package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestConfigReload: a successful load sets the flag to 1 and the time; a
// failed reload sets the flag to 0 and leaves the time of the last good
// one. Neither is shown before the first load.
func TestConfigReload(t *testing.T) {
	names := []string{"retentiond_config_last_reload_successful", "retentiond_config_last_reload_success_timestamp_seconds"}
	m := New()
	if n, err := testutil.GatherAndCount(m.Registry(), names...); err != nil || n != 0 {
		t.Fatalf("before any load: %d series (%v), want none", n, err)
	}
	m.SetConfigReload(true, at)
	m.SetConfigReload(false, at.Add(time.Hour))
	want := `
# HELP retentiond_config_last_reload_successful Whether the last load of the config (at start-up or on SIGHUP) succeeded (1) or failed and the running config was kept (0).
# TYPE retentiond_config_last_reload_successful gauge
retentiond_config_last_reload_successful 0
# HELP retentiond_config_last_reload_success_timestamp_seconds Unix time of the last successful load of the config.
# TYPE retentiond_config_last_reload_success_timestamp_seconds gauge
retentiond_config_last_reload_success_timestamp_seconds 1.7953992e+09
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	m.SetConfigReload(true, at.Add(2*time.Hour))
	if v := testutil.ToFloat64(m.configReloadOK); v != 1 {
		t.Errorf("after a good reload: %v, want 1", v)
	}
	if v := testutil.ToFloat64(m.configReloadAt); v != float64(at.Add(2*time.Hour).Unix()) {
		t.Errorf("after a good reload the time is %v", v)
	}
}

// TestStateReadErrors: every kind of state file starts at 0, so that
// increase() sees the first error; a value that is not a fixed kind
// (a path passed by mistake) is counted as "other", never as a label of
// its own.
func TestStateReadErrors(t *testing.T) {
	m := New()
	m.AddStateReadError("approvals")
	m.AddStateReadError("approvals")
	m.AddStateReadError("/var/lib/retentiond/approvals/ab.json")
	want := `
# HELP retentiond_state_read_errors_total State files the daemon could not read or parse, by kind of file (approvals, holds, requests, resolutions, plans, ledger).
# TYPE retentiond_state_read_errors_total counter
retentiond_state_read_errors_total{file="approvals"} 2
retentiond_state_read_errors_total{file="holds"} 0
retentiond_state_read_errors_total{file="ledger"} 0
retentiond_state_read_errors_total{file="other"} 1
retentiond_state_read_errors_total{file="plans"} 0
retentiond_state_read_errors_total{file="requests"} 0
retentiond_state_read_errors_total{file="resolutions"} 0
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_state_read_errors_total"); err != nil {
		t.Error(err)
	}
}

// TestRestoreScan: gauges rebuilt from the state dir (at start-up, after
// an apply) set the store's gauges as a scan would, but observe no scan
// duration, and a store the rebuild says failed keeps its other gauges.
func TestRestoreScan(t *testing.T) {
	m := New()
	m.ObserveScan("dossiers", ScanStats{Records: 10, Due: map[string]int{ActionDelete: 7}, Overdue: 5, Duration: time.Minute, At: at})
	m.RestoreScan("dossiers", ScanStats{Records: 10, Due: map[string]int{ActionDelete: 1}, Overdue: 0, Review: 2, At: at})
	m.RestoreScan("archief", ScanStats{Records: 3, Due: map[string]int{ActionPseudonymise: 2}, Overdue: 2, At: at.Add(-time.Hour)})
	m.RestoreScan("archief", ScanStats{Err: true})
	want := `
# HELP retentiond_items_due Items the last plan has due for the action in the store.
# TYPE retentiond_items_due gauge
retentiond_items_due{action="delete",store="archief"} 0
retentiond_items_due{action="pseudonymise",store="archief"} 2
retentiond_items_due{action="delete",store="dossiers"} 1
retentiond_items_due{action="pseudonymise",store="dossiers"} 0
# HELP retentiond_items_overdue Items past their due date and still present in the store at the last scan; should be 0.
# TYPE retentiond_items_overdue gauge
retentiond_items_overdue{store="archief"} 2
retentiond_items_overdue{store="dossiers"} 0
# HELP retentiond_scan_success Whether the store's last scan succeeded (1) or failed (0).
# TYPE retentiond_scan_success gauge
retentiond_scan_success{store="archief"} 0
retentiond_scan_success{store="dossiers"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_items_due", "retentiond_items_overdue", "retentiond_scan_success"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(m.scanDuration); n != 1 {
		t.Errorf("%d scan duration series, want the one real scan's", n)
	}
}

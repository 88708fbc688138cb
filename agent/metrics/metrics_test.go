package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// at is a fixed instant: 2026-11-23T02:00:00Z = 1795399200.
var at = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

// fed returns Metrics with every family fed once.
func fed() *Metrics {
	m := New()
	m.ObserveScan("dossiers", ScanStats{
		Records: 1200, Due: map[string]int{ActionDelete: 7}, Overdue: 2, Hold: 3, Locked: 1, Review: 4,
		Links: map[string]int{ScopeAnonymous: 5}, Duration: 90 * time.Second, At: at,
	})
	m.ObserveScan("backups", ScanStats{Duration: 3 * time.Second, Err: true, At: at})
	m.ObserveApply(ApplyStats{
		Actions: []ActionCount{
			{Store: "dossiers", Action: ActionDelete, Outcome: OutcomeDone, N: 5},
			{Store: "dossiers", Action: ActionDelete, Outcome: OutcomeFailed, N: 1},
		},
		Duration: 40 * time.Second, At: at.Add(time.Hour),
	})
	m.SetPendingPlans(2, at.Add(-8*24*time.Hour))
	m.SetLedger(130, true, at)
	m.AddRequests("onedrive", ServiceGraph, "list", 40)
	m.AddThrottled("onedrive", ServiceGraph, "list", 3)
	m.SetSubjectRequests(SubjectRequests{Open: map[string]int{"erase": 1}, Answered: map[string]int{"erase": 2, "access": 1},
		OldestOpened: at.Add(-24 * time.Hour), NextDeadline: at.Add(29 * 24 * time.Hour)})
	m.ObserveJob("plan", "success", 2*time.Minute, at)
	m.SetConfigReload(true, at)
	m.AddStateReadError(StateApprovals)
	m.SetInfo("Kinderopvang De Boomhut")
	m.AddNotificationFailed()
	m.LockError("plan")
	m.SetLockProbe(func() error { return nil })
	return m
}

func TestExposition(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  string
	}{
		{"scan gauges", []string{"retentiond_scan_records", "retentiond_scan_success", "retentiond_scan_last_success_timestamp_seconds"}, `
# HELP retentiond_scan_records Records the last successful scan of the store found.
# TYPE retentiond_scan_records gauge
retentiond_scan_records{store="dossiers"} 1200
# HELP retentiond_scan_success Whether the store's last scan succeeded (1) or failed (0).
# TYPE retentiond_scan_success gauge
retentiond_scan_success{store="backups"} 0
retentiond_scan_success{store="dossiers"} 1
# HELP retentiond_scan_last_success_timestamp_seconds Unix time of the store's last successful scan.
# TYPE retentiond_scan_last_success_timestamp_seconds gauge
retentiond_scan_last_success_timestamp_seconds{store="dossiers"} 1.7953992e+09
`},
		{"plan items", []string{"retentiond_items_due", "retentiond_items_overdue", "retentiond_items_held", "retentiond_items_locked", "retentiond_items_review", "retentiond_sharing_links"}, `
# HELP retentiond_items_due Items the last plan has due for the action in the store.
# TYPE retentiond_items_due gauge
retentiond_items_due{action="delete",store="dossiers"} 7
retentiond_items_due{action="pseudonymise",store="dossiers"} 0
# HELP retentiond_items_overdue Items past their due date and still present in the store at the last scan; should be 0.
# TYPE retentiond_items_overdue gauge
retentiond_items_overdue{store="dossiers"} 2
# HELP retentiond_items_held Items due but kept by a hold (legal hold, request or store lock) at the last scan.
# TYPE retentiond_items_held gauge
retentiond_items_held{store="dossiers"} 3
# HELP retentiond_items_locked Items due but locked by the store itself (such as S3 Object Lock) at the last scan.
# TYPE retentiond_items_locked gauge
retentiond_items_locked{store="dossiers"} 1
# HELP retentiond_items_review Items a person has to review (no subject, no date, ambiguous) at the last scan.
# TYPE retentiond_items_review gauge
retentiond_items_review{store="dossiers"} 4
# HELP retentiond_sharing_links Sharing links found at the last scan, by link scope.
# TYPE retentiond_sharing_links gauge
retentiond_sharing_links{scope="anonymous",store="dossiers"} 5
retentiond_sharing_links{scope="organization",store="dossiers"} 0
`},
		{"scan duration", []string{"retentiond_scan_duration_seconds"}, `
# HELP retentiond_scan_duration_seconds Time a scan of the store took, failed scans included.
# TYPE retentiond_scan_duration_seconds histogram
retentiond_scan_duration_seconds_bucket{store="backups",le="1"} 0
retentiond_scan_duration_seconds_bucket{store="backups",le="5"} 1
retentiond_scan_duration_seconds_bucket{store="backups",le="15"} 1
retentiond_scan_duration_seconds_bucket{store="backups",le="30"} 1
retentiond_scan_duration_seconds_bucket{store="backups",le="60"} 1
retentiond_scan_duration_seconds_bucket{store="backups",le="120"} 1
retentiond_scan_duration_seconds_bucket{store="backups",le="300"} 1
retentiond_scan_duration_seconds_bucket{store="backups",le="600"} 1
retentiond_scan_duration_seconds_bucket{store="backups",le="1800"} 1
retentiond_scan_duration_seconds_bucket{store="backups",le="3600"} 1
retentiond_scan_duration_seconds_bucket{store="backups",le="7200"} 1
retentiond_scan_duration_seconds_bucket{store="backups",le="14400"} 1
retentiond_scan_duration_seconds_bucket{store="backups",le="+Inf"} 1
retentiond_scan_duration_seconds_sum{store="backups"} 3
retentiond_scan_duration_seconds_count{store="backups"} 1
retentiond_scan_duration_seconds_bucket{store="dossiers",le="1"} 0
retentiond_scan_duration_seconds_bucket{store="dossiers",le="5"} 0
retentiond_scan_duration_seconds_bucket{store="dossiers",le="15"} 0
retentiond_scan_duration_seconds_bucket{store="dossiers",le="30"} 0
retentiond_scan_duration_seconds_bucket{store="dossiers",le="60"} 0
retentiond_scan_duration_seconds_bucket{store="dossiers",le="120"} 1
retentiond_scan_duration_seconds_bucket{store="dossiers",le="300"} 1
retentiond_scan_duration_seconds_bucket{store="dossiers",le="600"} 1
retentiond_scan_duration_seconds_bucket{store="dossiers",le="1800"} 1
retentiond_scan_duration_seconds_bucket{store="dossiers",le="3600"} 1
retentiond_scan_duration_seconds_bucket{store="dossiers",le="7200"} 1
retentiond_scan_duration_seconds_bucket{store="dossiers",le="14400"} 1
retentiond_scan_duration_seconds_bucket{store="dossiers",le="+Inf"} 1
retentiond_scan_duration_seconds_sum{store="dossiers"} 90
retentiond_scan_duration_seconds_count{store="dossiers"} 1
`},
		{"actions start at zero per store", []string{"retentiond_actions_total"}, `
# HELP retentiond_actions_total Apply actions on items, by action and outcome.
# TYPE retentiond_actions_total counter
retentiond_actions_total{action="delete",outcome="done",store="backups"} 0
retentiond_actions_total{action="delete",outcome="failed",store="backups"} 0
retentiond_actions_total{action="delete",outcome="gone",store="backups"} 0
retentiond_actions_total{action="delete",outcome="skipped",store="backups"} 0
retentiond_actions_total{action="pseudonymise",outcome="done",store="backups"} 0
retentiond_actions_total{action="pseudonymise",outcome="failed",store="backups"} 0
retentiond_actions_total{action="pseudonymise",outcome="gone",store="backups"} 0
retentiond_actions_total{action="pseudonymise",outcome="skipped",store="backups"} 0
retentiond_actions_total{action="delete",outcome="done",store="dossiers"} 5
retentiond_actions_total{action="delete",outcome="failed",store="dossiers"} 1
retentiond_actions_total{action="delete",outcome="gone",store="dossiers"} 0
retentiond_actions_total{action="delete",outcome="skipped",store="dossiers"} 0
retentiond_actions_total{action="pseudonymise",outcome="done",store="dossiers"} 0
retentiond_actions_total{action="pseudonymise",outcome="failed",store="dossiers"} 0
retentiond_actions_total{action="pseudonymise",outcome="gone",store="dossiers"} 0
retentiond_actions_total{action="pseudonymise",outcome="skipped",store="dossiers"} 0
retentiond_actions_total{action="delete",outcome="done",store="onedrive"} 0
retentiond_actions_total{action="delete",outcome="failed",store="onedrive"} 0
retentiond_actions_total{action="delete",outcome="gone",store="onedrive"} 0
retentiond_actions_total{action="delete",outcome="skipped",store="onedrive"} 0
retentiond_actions_total{action="pseudonymise",outcome="done",store="onedrive"} 0
retentiond_actions_total{action="pseudonymise",outcome="failed",store="onedrive"} 0
retentiond_actions_total{action="pseudonymise",outcome="gone",store="onedrive"} 0
retentiond_actions_total{action="pseudonymise",outcome="skipped",store="onedrive"} 0
`},
		{"apply", []string{"retentiond_apply_success", "retentiond_apply_last_success_timestamp_seconds", "retentiond_apply_duration_seconds"}, `
# HELP retentiond_apply_success Whether the last apply run succeeded (1) or failed (0).
# TYPE retentiond_apply_success gauge
retentiond_apply_success 1
# HELP retentiond_apply_last_success_timestamp_seconds Unix time of the last successful apply run.
# TYPE retentiond_apply_last_success_timestamp_seconds gauge
retentiond_apply_last_success_timestamp_seconds 1.7954028e+09
# HELP retentiond_apply_duration_seconds Time an apply run took.
# TYPE retentiond_apply_duration_seconds histogram
retentiond_apply_duration_seconds_bucket{le="1"} 0
retentiond_apply_duration_seconds_bucket{le="5"} 0
retentiond_apply_duration_seconds_bucket{le="15"} 0
retentiond_apply_duration_seconds_bucket{le="30"} 0
retentiond_apply_duration_seconds_bucket{le="60"} 1
retentiond_apply_duration_seconds_bucket{le="120"} 1
retentiond_apply_duration_seconds_bucket{le="300"} 1
retentiond_apply_duration_seconds_bucket{le="600"} 1
retentiond_apply_duration_seconds_bucket{le="1800"} 1
retentiond_apply_duration_seconds_bucket{le="3600"} 1
retentiond_apply_duration_seconds_bucket{le="7200"} 1
retentiond_apply_duration_seconds_bucket{le="14400"} 1
retentiond_apply_duration_seconds_bucket{le="+Inf"} 1
retentiond_apply_duration_seconds_sum 40
retentiond_apply_duration_seconds_count 1
`},
		{"plans and ledger", []string{"retentiond_plans_pending_approval", "retentiond_plans_pending_oldest_timestamp_seconds", "retentiond_ledger_entries", "retentiond_ledger_verify_success", "retentiond_ledger_last_verify_timestamp_seconds"}, `
# HELP retentiond_plans_pending_approval Plans written and not yet approved.
# TYPE retentiond_plans_pending_approval gauge
retentiond_plans_pending_approval 2
# HELP retentiond_plans_pending_oldest_timestamp_seconds Unix time the oldest plan awaiting approval was made; absent when none awaits.
# TYPE retentiond_plans_pending_oldest_timestamp_seconds gauge
retentiond_plans_pending_oldest_timestamp_seconds 1.7947080e+09
# HELP retentiond_ledger_entries Entries in the signed ledger.
# TYPE retentiond_ledger_entries gauge
retentiond_ledger_entries 130
# HELP retentiond_ledger_verify_success Whether the last ledger verification succeeded (1) or failed (0).
# TYPE retentiond_ledger_verify_success gauge
retentiond_ledger_verify_success 1
# HELP retentiond_ledger_last_verify_timestamp_seconds Unix time of the last ledger verification, whatever its result.
# TYPE retentiond_ledger_last_verify_timestamp_seconds gauge
retentiond_ledger_last_verify_timestamp_seconds 1.7953992e+09
`},
		{"remote requests", []string{"retentiond_remote_requests_total", "retentiond_remote_throttled_total"}, `
# HELP retentiond_remote_requests_total Requests sent to a remote service, throttled ones included.
# TYPE retentiond_remote_requests_total counter
retentiond_remote_requests_total{operation="list",service="graph",store="onedrive"} 40
# HELP retentiond_remote_throttled_total Requests a remote service answered with a throttling response (429, 503 SlowDown).
# TYPE retentiond_remote_throttled_total counter
retentiond_remote_throttled_total{operation="list",service="graph",store="onedrive"} 3
`},
		{"subject requests", []string{"retentiond_subject_requests_open", "retentiond_subject_requests_answered", "retentiond_subject_requests_oldest_open_timestamp_seconds", "retentiond_subject_requests_next_deadline_timestamp_seconds"}, `
# HELP retentiond_subject_requests_open Data-subject requests not yet answered, by kind (erase, access, export).
# TYPE retentiond_subject_requests_open gauge
retentiond_subject_requests_open{kind="access"} 0
retentiond_subject_requests_open{kind="erase"} 1
retentiond_subject_requests_open{kind="export"} 0
# HELP retentiond_subject_requests_answered Data-subject requests answered and not yet completed (such as an erasure waiting for records a statutory minimum keeps), by kind.
# TYPE retentiond_subject_requests_answered gauge
retentiond_subject_requests_answered{kind="access"} 1
retentiond_subject_requests_answered{kind="erase"} 2
retentiond_subject_requests_answered{kind="export"} 0
# HELP retentiond_subject_requests_oldest_open_timestamp_seconds Unix time the oldest data-subject request not yet answered was received; absent when none is open.
# TYPE retentiond_subject_requests_oldest_open_timestamp_seconds gauge
retentiond_subject_requests_oldest_open_timestamp_seconds 1.7953128e+09
# HELP retentiond_subject_requests_next_deadline_timestamp_seconds Unix time of the nearest deadline of a data-subject request not yet answered; absent when none is open.
# TYPE retentiond_subject_requests_next_deadline_timestamp_seconds gauge
retentiond_subject_requests_next_deadline_timestamp_seconds 1.797904800e+09
`},
		{"jobs", []string{"retentiond_job_runs_total", "retentiond_job_last_success_timestamp_seconds"}, `
# HELP retentiond_job_runs_total Scheduler job runs, by result (success, fail, skip, singleton_rescheduled).
# TYPE retentiond_job_runs_total counter
retentiond_job_runs_total{result="fail",task="plan"} 0
retentiond_job_runs_total{result="singleton_rescheduled",task="plan"} 0
retentiond_job_runs_total{result="skip",task="plan"} 0
retentiond_job_runs_total{result="success",task="plan"} 1
# HELP retentiond_job_last_success_timestamp_seconds Unix time the job last ended successfully.
# TYPE retentiond_job_last_success_timestamp_seconds gauge
retentiond_job_last_success_timestamp_seconds{task="plan"} 1.7953992e+09
`},
	}
	m := fed()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(tt.want), tt.names...); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestAbsentUntilSet checks that the timestamp and success gauges without
// labels are absent before the first value, so that an alert on them does
// not fire on a daemon that has not yet run a job.
func TestAbsentUntilSet(t *testing.T) {
	m := New()
	m.SetPendingPlans(0, at) // no plan pending: no oldest time
	m.SetSubjectRequests(SubjectRequests{})
	for _, name := range []string{
		"retentiond_apply_success", "retentiond_apply_last_success_timestamp_seconds",
		"retentiond_plans_pending_oldest_timestamp_seconds", "retentiond_ledger_verify_success",
		"retentiond_subject_requests_oldest_open_timestamp_seconds", "retentiond_subject_requests_next_deadline_timestamp_seconds",
	} {
		n, err := testutil.GatherAndCount(m.Registry(), name)
		if err != nil || n != 0 {
			t.Errorf("%s: %d series (err %v), want none", name, n, err)
		}
	}
	m = fed()
	m.SetPendingPlans(0, time.Time{})
	if n, _ := testutil.GatherAndCount(m.Registry(), "retentiond_plans_pending_oldest_timestamp_seconds"); n != 0 {
		t.Errorf("oldest pending plan still shown after the last was approved")
	}
}

func TestFailedScanKeepsLastValues(t *testing.T) {
	m := fed()
	m.ObserveScan("dossiers", ScanStats{Records: 1, Overdue: 99, Err: true, Duration: time.Second, At: at.Add(time.Hour)})
	want := `
# HELP retentiond_items_overdue Items past their due date and still present in the store at the last scan; should be 0.
# TYPE retentiond_items_overdue gauge
retentiond_items_overdue{store="dossiers"} 2
# HELP retentiond_scan_success Whether the store's last scan succeeded (1) or failed (0).
# TYPE retentiond_scan_success gauge
retentiond_scan_success{store="backups"} 0
retentiond_scan_success{store="dossiers"} 0
# HELP retentiond_scan_last_success_timestamp_seconds Unix time of the store's last successful scan.
# TYPE retentiond_scan_last_success_timestamp_seconds gauge
retentiond_scan_last_success_timestamp_seconds{store="dossiers"} 1.7953992e+09
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"retentiond_items_overdue", "retentiond_scan_success", "retentiond_scan_last_success_timestamp_seconds"); err != nil {
		t.Error(err)
	}
}

func TestMapKeysFollowLastScan(t *testing.T) {
	m := New()
	m.ObserveScan("od", ScanStats{Links: map[string]int{"users": 2, ScopeAnonymous: 1}, At: at})
	m.ObserveScan("od", ScanStats{Links: map[string]int{ScopeOrganization: 4}, At: at})
	want := `
# HELP retentiond_sharing_links Sharing links found at the last scan, by link scope.
# TYPE retentiond_sharing_links gauge
retentiond_sharing_links{scope="anonymous",store="od"} 0
retentiond_sharing_links{scope="organization",store="od"} 4
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_sharing_links"); err != nil {
		t.Error(err)
	}
	m.ObserveScan("od", ScanStats{At: at}) // nil Links: a store without links
	if n, _ := testutil.GatherAndCount(m.Registry(), "retentiond_sharing_links"); n != 0 {
		t.Errorf("%d sharing link series after a scan without links, want 0", n)
	}
}

func TestRemoveStore(t *testing.T) {
	m := fed()
	m.RemoveStore("dossiers")
	if n, _ := testutil.GatherAndCount(m.Registry(), "retentiond_items_overdue", "retentiond_scan_records", "retentiond_sharing_links", "retentiond_items_due"); n != 0 {
		t.Errorf("%d series of a removed store remain", n)
	}
	if n := countStore(t, m, "dossiers"); n != 0 {
		t.Errorf("%d series still name the removed store", n)
	}
	if n := countStore(t, m, "backups"); n == 0 {
		t.Error("removing one store removed another")
	}
	if got := m.RetainStores("backups"); got != 1 { // onedrive goes
		t.Errorf("RetainStores removed %d stores, want 1", got)
	}
	if countStore(t, m, "onedrive") != 0 || countStore(t, m, "backups") == 0 {
		t.Error("RetainStores kept the wrong stores")
	}
	// A store that comes back starts its counters at zero again.
	m.ObserveScan("dossiers", ScanStats{At: at})
	if n, _ := testutil.GatherAndCount(m.Registry(), "retentiond_actions_total"); n != 16 {
		t.Errorf("%d action series for two stores, want 16", n)
	}
}

// countStore counts the series that carry store="name".
func countStore(t *testing.T, m *Metrics, name string) int {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, mf := range mfs {
		for _, s := range mf.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "store" && l.GetValue() == name {
					n++
				}
			}
		}
	}
	return n
}

func TestLabelsAreTokens(t *testing.T) {
	tests := []struct{ in, want string }{
		{"dossiers", "dossiers"},
		{"onedrive-2", "onedrive-2"},
		{"ListObjectsV2", "ListObjectsV2"},
		{"Jansen, Piet/intake.pdf", OtherLabel},
		{"a b", OtherLabel},
		{"", OtherLabel},
		{strings.Repeat("x", 65), OtherLabel},
	}
	for _, tt := range tests {
		if got := label(tt.in); got != tt.want {
			t.Errorf("label(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	m := New()
	m.AddRequests("od", ServiceGraph, "/drives/b!x/items/Piet Jansen.pdf", 1)
	want := `
# HELP retentiond_remote_requests_total Requests sent to a remote service, throttled ones included.
# TYPE retentiond_remote_requests_total counter
retentiond_remote_requests_total{operation="other",service="graph",store="od"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_remote_requests_total"); err != nil {
		t.Error(err)
	}
}

func TestLint(t *testing.T) {
	problems, err := testutil.GatherAndLint(fed().Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

func TestNames(t *testing.T) {
	m := fed()
	names := m.Names()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	// Every family the fed instance exposes is in Names, by its series
	// names, and Names lists nothing that fed exposes under another name.
	exposed := map[string]bool{}
	for _, mf := range mfs {
		n := mf.GetName()
		if !strings.HasPrefix(n, Namespace+"_") {
			continue
		}
		if mf.GetType().String() == "HISTOGRAM" {
			exposed[n+"_bucket"], exposed[n+"_sum"], exposed[n+"_count"] = true, true, true
		} else {
			exposed[n] = true
		}
	}
	if len(exposed) != len(names) {
		t.Errorf("fed exposes %d series names, Names lists %d", len(exposed), len(names))
	}
	for _, n := range names {
		if !exposed[n] {
			t.Errorf("Names lists %s, which fed does not expose", n)
		}
	}
}

// TestSubjectRequestKinds: the three usual kinds are always shown, at 0
// when none is open or answered; another kind is shown while it has
// requests and removed when it has none, in both families.
func TestSubjectRequestKinds(t *testing.T) {
	m := New()
	m.SetSubjectRequests(SubjectRequests{Open: map[string]int{"rectify": 1}, Answered: map[string]int{"restrict": 2}})
	m.SetSubjectRequests(SubjectRequests{Answered: map[string]int{"rectify": 1}})
	want := `
# HELP retentiond_subject_requests_open Data-subject requests not yet answered, by kind (erase, access, export).
# TYPE retentiond_subject_requests_open gauge
retentiond_subject_requests_open{kind="access"} 0
retentiond_subject_requests_open{kind="erase"} 0
retentiond_subject_requests_open{kind="export"} 0
# HELP retentiond_subject_requests_answered Data-subject requests answered and not yet completed (such as an erasure waiting for records a statutory minimum keeps), by kind.
# TYPE retentiond_subject_requests_answered gauge
retentiond_subject_requests_answered{kind="access"} 0
retentiond_subject_requests_answered{kind="erase"} 0
retentiond_subject_requests_answered{kind="export"} 0
retentiond_subject_requests_answered{kind="rectify"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_subject_requests_open", "retentiond_subject_requests_answered"); err != nil {
		t.Error(err)
	}
}

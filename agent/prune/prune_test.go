package prune

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/flock"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/rules"
)

var ams = mustLoc("Europe/Amsterdam")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// now is the injected clock of every case: 1 June 2025, 03:00.
var now = time.Date(2025, 6, 1, 3, 0, 0, 0, ams)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 2, 0, 0, 0, ams) }

func term(s string) rules.Term {
	t, err := rules.ParseTerm(s)
	if err != nil {
		panic(err)
	}
	return t
}

// defaults are the config's default terms, with plan_max_age 14d.
func defaults() Terms {
	return Terms{PlanMaxAge: term("14d"), UnapprovedPlans: term("30d"), AppliedPlans: term("90d"),
		AccessPackages: term("30d"), Location: ams}
}

// fakePlan is a plan folder to build in a fake state dir.
type fakePlan struct {
	created  time.Time
	approved bool      // an approval file exists in STATE_DIR/approvals
	applied  time.Time // the applied marker's time; zero: no marker
	stale    bool
	reports  []time.Time // apply-*.csv (an apply ran) at these times
	dryRuns  []time.Time // apply-*-dry-run.csv
	noJSON   bool        // plan.json missing (an interrupted run left plan.csv)
	badJSON  bool        // plan.json is not a plan
	auto     *fakePlan   // the auto/ sub-plan
	locked   bool        // a live run holds the folder's lock
}

// personal is what a plan file holds about people; it must never be
// printed.
const personal = "Jansen, Emma"

// writePlan writes the plan (and its markers, reports, approval) into
// dir.
func writePlan(t *testing.T, stateDir, dir string, p fakePlan) {
	t.Helper()
	mkdir(t, dir)
	write(t, filepath.Join(dir, report.PlanCSV), "store;record\ndossiers;"+personal+"/a.pdf\n")
	write(t, filepath.Join(dir, report.ReportHTML), "<p>"+personal+"</p>")
	switch {
	case p.noJSON:
	case p.badJSON:
		write(t, filepath.Join(dir, report.PlanJSON), `{"version": 1, "items": [`)
	default:
		f := plan.File{Header: plan.Header{Version: plan.Version, Organisation: "X", AsOf: rules.DateIn(p.created, ams).String(),
			CreatedAt: p.created.Format(time.RFC3339), ConfigSHA256: strings.Repeat("0", 64)},
			Items: []*plan.Item{{Store: "dossiers", Record: personal + "/a.pdf", Action: rules.Delete}}}
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, report.PlanJSON)
		write(t, path, string(b))
		if p.approved {
			pf, err := plan.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			ap := approval.Path(stateDir, pf.Digest)
			mkdir(t, filepath.Dir(ap))
			write(t, ap, `{"plan": "`+pf.Digest+`"}`)
		}
	}
	if !p.applied.IsZero() {
		write(t, filepath.Join(dir, "applied"), p.applied.Format(time.RFC3339)+"\n")
	}
	if p.stale {
		write(t, filepath.Join(dir, "stale"), p.created.Format(time.RFC3339)+"\n")
	}
	for _, r := range p.reports {
		f := filepath.Join(dir, "apply-"+r.Format("20060102-150405")+".csv")
		write(t, f, "item;record\n1;"+personal+"/a.pdf\n")
		touch(t, f, r)
	}
	for _, r := range p.dryRuns {
		f := filepath.Join(dir, "apply-"+r.Format("20060102-150405")+"-dry-run.csv")
		write(t, f, "item;record\n1;"+personal+"/a.pdf\n")
		touch(t, f, r)
	}
	if p.auto != nil {
		writePlan(t, stateDir, filepath.Join(dir, "auto"), *p.auto)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func touch(t *testing.T, path string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// latest is a plan made this night: every case has it, so that the rule
// "the latest plan stays" does not decide the folders a case is about.
var latest = fakePlan{created: day(2025, 6, 1)}

const latestName = "20250601-020000"

func TestPlans(t *testing.T) {
	tests := []struct {
		name  string
		terms func(*Terms) // changes to the default terms
		plans map[string]fakePlan
		gone  []string // folders removed; every other one stays
		want  Count
	}{
		{
			name:  "an unapproved plan 30 days past its expiry goes",
			plans: map[string]fakePlan{"20250401-020000": {created: day(2025, 4, 1)}},
			gone:  []string{"20250401-020000"},
			want:  Count{Removed: 1, Kept: 1},
		},
		{
			// made 18 April, expired 2 May, term ran out on 1 June (today).
			name:  "an unapproved plan goes on the day its term runs out",
			plans: map[string]fakePlan{"20250418-020000": {created: day(2025, 4, 18)}},
			gone:  []string{"20250418-020000"},
			want:  Count{Removed: 1, Kept: 1},
		},
		{
			name:  "an unapproved plan stays until its term has run out",
			plans: map[string]fakePlan{"20250419-020000": {created: day(2025, 4, 19)}},
			want:  Count{Kept: 2},
		},
		{
			// With terms of 0 days a plan counted from when it was made
			// would go at once; counted from its expiry it stays.
			name:  "an approved plan not applied and not expired stays, whatever the terms",
			terms: func(t *Terms) { t.UnapprovedPlans, t.AppliedPlans = term("0d"), term("0d") },
			plans: map[string]fakePlan{"20250529-020000": {created: day(2025, 5, 29), approved: true,
				reports: []time.Time{day(2025, 5, 30)}}},
			want: Count{Kept: 2},
		},
		{
			name:  "an approved plan never applied goes 30 days after it expired",
			plans: map[string]fakePlan{"20250401-020000": {created: day(2025, 4, 1), approved: true}},
			gone:  []string{"20250401-020000"},
			want:  Count{Removed: 1, Kept: 1},
		},
		{
			name:  "a stale plan is not applied: 30 days after expiry",
			plans: map[string]fakePlan{"20250401-020000": {created: day(2025, 4, 1), approved: true, stale: true}},
			gone:  []string{"20250401-020000"},
			want:  Count{Removed: 1, Kept: 1},
		},
		{
			name: "an applied plan goes 90 days after it was applied",
			plans: map[string]fakePlan{
				"20250201-020000": {created: day(2025, 2, 1), approved: true, applied: day(2025, 3, 3), reports: []time.Time{day(2025, 3, 3)}},
				"20250310-020000": {created: day(2025, 3, 10), approved: true, applied: day(2025, 3, 11), reports: []time.Time{day(2025, 3, 11)}},
			},
			gone: []string{"20250201-020000"},
			want: Count{Removed: 1, Kept: 2},
		},
		{
			// Stopped at the delete limit and expired before it was
			// finished: its apply report is kept as long as an applied
			// plan's, not only 30 days after expiry.
			name: "a plan applied in part keeps its reports 90 days after its last apply",
			plans: map[string]fakePlan{"20250310-020000": {created: day(2025, 3, 10), approved: true,
				reports: []time.Time{day(2025, 3, 11), day(2025, 3, 20)}}},
			want: Count{Kept: 2},
		},
		{
			name:  "a dry run of apply is not an apply",
			plans: map[string]fakePlan{"20250310-020000": {created: day(2025, 3, 10), dryRuns: []time.Time{day(2025, 3, 20)}}},
			gone:  []string{"20250310-020000"},
			want:  Count{Removed: 1, Kept: 1},
		},
		{
			name:  "a folder a live run holds is skipped",
			plans: map[string]fakePlan{"20250101-020000": {created: day(2025, 1, 1), locked: true}},
			want:  Count{Busy: 1, Kept: 1},
		},
		{
			name: "a plan.json that is not a plan is kept",
			plans: map[string]fakePlan{"20250101-020000": {created: day(2025, 1, 1), badJSON: true},
				"20250102-020000": {created: day(2025, 1, 2), auto: &fakePlan{badJSON: true}}},
			want: Count{Unreadable: 2, Kept: 1},
		},
		{
			name:  "a folder an interrupted run left without plan.json is aged by its name",
			plans: map[string]fakePlan{"20250101-020000-2": {noJSON: true}, "20250520-020000": {noJSON: true}},
			gone:  []string{"20250101-020000-2"},
			want:  Count{Removed: 1, Kept: 2},
		},
		{
			name: "the auto plan must be due too",
			plans: map[string]fakePlan{
				"20250101-020000": {created: day(2025, 1, 1), auto: &fakePlan{created: day(2025, 1, 1), approved: true, applied: day(2025, 1, 1)}},
				// The main plan ran out on 18 April; the auto plan, applied
				// on 5 March, runs out on 3 June.
				"20250305-020000": {created: day(2025, 3, 5), auto: &fakePlan{created: day(2025, 3, 5), approved: true, applied: day(2025, 3, 5)}},
			},
			gone: []string{"20250101-020000"},
			want: Count{Removed: 1, Kept: 2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			plans := filepath.Join(state, "plans")
			tc.plans[latestName] = latest
			for name, p := range tc.plans {
				writePlan(t, state, filepath.Join(plans, name), p)
				if p.noJSON {
					touch(t, filepath.Join(plans, name), day(2025, 5, 31)) // the name, not the folder's time, counts
				}
				if p.locked {
					l, err := flock.Try(filepath.Join(plans, name, report.LockFile))
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(l.Unlock)
				}
			}
			terms := defaults()
			if tc.terms != nil {
				tc.terms(&terms)
			}
			for _, dry := range []bool{true, false} {
				res, err := Run(Options{StateDir: state, Terms: terms, Now: now, DryRun: dry})
				if err != nil {
					t.Fatalf("dry run %v: %v", dry, err)
				}
				if res.Plans != tc.want || res.Packages != (Count{}) {
					t.Errorf("dry run %v: plans %+v, packages %+v; want plans %+v", dry, res.Plans, res.Packages, tc.want)
				}
				for name := range tc.plans {
					wantGone := !dry && slices.Contains(tc.gone, name)
					if got := !exists(filepath.Join(plans, name)); got != wantGone {
						t.Errorf("dry run %v: %s gone = %v, want %v", dry, name, got, wantGone)
					}
				}
			}
		})
	}
}

// TestLatestPlanStays: however old, the newest plan is never removed (the
// daemon's metrics and an administrator look at it); the one before it
// goes.
func TestLatestPlanStays(t *testing.T) {
	state := t.TempDir()
	plans := filepath.Join(state, "plans")
	writePlan(t, state, filepath.Join(plans, "20240101-020000"), fakePlan{created: day(2024, 1, 1)})
	writePlan(t, state, filepath.Join(plans, "20240102-020000"), fakePlan{created: day(2024, 1, 2)})
	// A folder without a plan (an interrupted run) is not the latest plan.
	writePlan(t, state, filepath.Join(plans, "20240103-020000"), fakePlan{noJSON: true})
	res, err := Run(Options{StateDir: state, Terms: defaults(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Count{Removed: 2, Kept: 1}); res.Plans != want {
		t.Errorf("plans %+v, want %+v", res.Plans, want)
	}
	if exists(filepath.Join(plans, "20240101-020000")) || !exists(filepath.Join(plans, "20240102-020000")) || exists(filepath.Join(plans, "20240103-020000")) {
		t.Error("want the latest plan kept and the others removed")
	}
}

func TestPackages(t *testing.T) {
	state := t.TempDir()
	pk := filepath.Join(state, "packages")
	outside := filepath.Join(t.TempDir(), "elsewhere")
	mkdir(t, outside)
	write(t, filepath.Join(outside, "keep.txt"), personal)
	touch(t, outside, day(2024, 1, 1))
	made := func(id string, at time.Time, index bool) {
		dir := filepath.Join(pk, id)
		mkdir(t, filepath.Join(dir, "files", "dossiers", personal))
		write(t, filepath.Join(dir, "files", "dossiers", personal, "a.pdf"), personal)
		if index {
			write(t, filepath.Join(dir, "index.html"), personal)
			touch(t, filepath.Join(dir, "index.html"), at)
			touch(t, dir, day(2025, 5, 31)) // index.html's time counts
		} else {
			touch(t, dir, at)
		}
	}
	made("REQ-0001", day(2025, 4, 1), true)  // 30 days ran out on 1 May: goes
	made("REQ-0002", day(2025, 5, 2), true)  // runs out today: goes
	made("REQ-0003", day(2025, 5, 3), true)  // runs out tomorrow: stays
	made("REQ-0004", day(2025, 1, 1), false) // interrupted, no index.html: by the folder's time
	made("notes", day(2024, 1, 1), false)    // not a package: never touched
	if err := os.Symlink(outside, filepath.Join(pk, "REQ-0005")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(pk, "REQ-0006"), personal) // a file, not a package
	touch(t, filepath.Join(pk, "REQ-0006"), day(2024, 1, 1))

	for _, dry := range []bool{true, false} {
		res, err := Run(Options{StateDir: state, Terms: defaults(), Now: now, DryRun: dry})
		if err != nil {
			t.Fatal(err)
		}
		if want := (Count{Removed: 3, Kept: 1}); res.Packages != want || res.Plans != (Count{}) {
			t.Errorf("dry run %v: packages %+v, plans %+v; want packages %+v", dry, res.Packages, res.Plans, want)
		}
		for id, wantGone := range map[string]bool{"REQ-0001": !dry, "REQ-0002": !dry, "REQ-0003": false, "REQ-0004": !dry,
			"notes": false, "REQ-0005": false, "REQ-0006": false} {
			if got := !exists(filepath.Join(pk, id)); got != wantGone {
				t.Errorf("dry run %v: %s gone = %v, want %v", dry, id, got, wantGone)
			}
		}
	}
	if !exists(filepath.Join(outside, "keep.txt")) {
		t.Error("a package's symlink was followed out of the state dir")
	}
}

// TestOnlyPlansAndPackages: the ledger, approvals, journals, requests and
// everything else in the state dir stay, however old; a plans folder that
// is a symlink out of the state dir is refused, not followed.
func TestOnlyPlansAndPackages(t *testing.T) {
	state := t.TempDir()
	old := day(2020, 1, 1)
	others := []string{"ledger/entries.jsonl", "approvals/abc.json", "journal/x.jsonl", "requests.json", "holds.json", "apply.lock"}
	for _, f := range others {
		p := filepath.Join(state, f)
		mkdir(t, filepath.Dir(p))
		write(t, p, "x")
		touch(t, p, old)
	}
	writePlan(t, state, filepath.Join(state, "plans", "20200101-020000"), fakePlan{created: old})
	writePlan(t, state, filepath.Join(state, "plans", latestName), latest)
	write(t, filepath.Join(state, "plans", "notes.txt"), personal) // a file among the plan folders
	touch(t, filepath.Join(state, "plans", "notes.txt"), old)
	if _, err := Run(Options{StateDir: state, Terms: defaults(), Now: now}); err != nil {
		t.Fatal(err)
	}
	for _, f := range append(others, "plans/notes.txt", "plans/"+latestName) {
		if !exists(filepath.Join(state, f)) {
			t.Errorf("%s was removed", f)
		}
	}
	if exists(filepath.Join(state, "plans", "20200101-020000")) {
		t.Error("the old plan stayed")
	}

	// plans -> a folder outside the state dir
	state2 := t.TempDir()
	outside := t.TempDir()
	writePlan(t, state2, filepath.Join(outside, "20200101-020000"), fakePlan{created: old})
	writePlan(t, state2, filepath.Join(outside, latestName), latest)
	if err := os.Symlink(outside, filepath.Join(state2, "plans")); err != nil {
		t.Fatal(err)
	}
	res, err := Run(Options{StateDir: state2, Terms: defaults(), Now: now})
	if err == nil || !strings.Contains(err.Error(), "symlink") {
		t.Errorf("err %v, want a refusal of the symlink", err)
	}
	if res == nil || res.Plans != (Count{}) || !exists(filepath.Join(outside, "20200101-020000")) {
		t.Errorf("a plans folder that is a symlink was pruned: %+v", res)
	}
}

// TestApplyRunning: while an apply holds the state dir's apply lock (it
// writes reports and markers into plan folders) no plan folder is
// removed; packages still are.
func TestApplyRunning(t *testing.T) {
	state := t.TempDir()
	writePlan(t, state, filepath.Join(state, "plans", "20250101-020000"), fakePlan{created: day(2025, 1, 1)})
	writePlan(t, state, filepath.Join(state, "plans", latestName), latest)
	mkdir(t, filepath.Join(state, "packages", "REQ-0001"))
	touch(t, filepath.Join(state, "packages", "REQ-0001"), day(2025, 1, 1))
	lockPath := filepath.Join(state, "apply.lock")
	l, err := flock.Try(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(Options{StateDir: state, Terms: defaults(), Now: now, ApplyLock: lockPath})
	if err != nil {
		t.Fatal(err)
	}
	if res.Plans != (Count{Busy: 2}) || res.Packages != (Count{Removed: 1}) {
		t.Errorf("plans %+v, packages %+v", res.Plans, res.Packages)
	}
	if !exists(filepath.Join(state, "plans", "20250101-020000")) {
		t.Error("a plan folder was removed during an apply")
	}
	l.Unlock()
	res, err = Run(Options{StateDir: state, Terms: defaults(), Now: now, ApplyLock: lockPath})
	if err != nil || res.Plans != (Count{Removed: 1, Kept: 1}) {
		t.Errorf("after the apply: %+v, %v", res, err)
	}
}

// TestNoClockInside: the decision uses the injected time only: a year
// later every folder but the latest has gone; a year earlier nothing has.
func TestNoClockInside(t *testing.T) {
	state := t.TempDir()
	writePlan(t, state, filepath.Join(state, "plans", "20250401-020000"), fakePlan{created: day(2025, 4, 1)})
	writePlan(t, state, filepath.Join(state, "plans", latestName), latest)
	res, err := Run(Options{StateDir: state, Terms: defaults(), Now: now.AddDate(-1, 0, 0)})
	if err != nil || res.Plans != (Count{Kept: 2}) {
		t.Fatalf("a year before: %+v, %v", res, err)
	}
	res, err = Run(Options{StateDir: state, Terms: defaults(), Now: now})
	if err != nil || res.Plans != (Count{Removed: 1, Kept: 1}) {
		t.Fatalf("today: %+v, %v", res, err)
	}
}

// TestErrorsNameNoRecord: what a failed removal reports carries neither
// the path nor the name in it, only what went wrong.
func TestErrorsNameNoRecord(t *testing.T) {
	path := filepath.Join("/state/packages/REQ-0001/files/dossiers", personal, "a.pdf")
	err := fmt.Errorf("wrapped: %w", &fs.PathError{Op: "unlinkat", Path: path, Err: fs.ErrPermission})
	got := pathless(err)
	if strings.Contains(got.Error(), personal) || strings.Contains(got.Error(), "/state") || !errors.Is(got, fs.ErrPermission) {
		t.Errorf("pathless: %v", got)
	}
}

func TestLedgerEntry(t *testing.T) {
	if _, ok := LedgerEntry(&Result{}, now); ok {
		t.Error("an entry for a run that removed nothing")
	}
	if _, ok := LedgerEntry(&Result{DryRun: true, Plans: Count{Removed: 2}}, now); ok {
		t.Error("an entry for a dry run")
	}
	e, ok := LedgerEntry(&Result{Plans: Count{Removed: 2, Kept: 5, Busy: 1}, Packages: Count{Removed: 1, Failed: 1}}, now)
	if !ok {
		t.Fatal("no entry")
	}
	want := ledger.Entry{Time: now.UTC(), Action: ActionPruned, Outcome: ledger.OutcomeDone,
		Reason: "plans_removed=2 packages_removed=1 failed=1"}
	if e != want {
		t.Errorf("entry %+v, want %+v", e, want)
	}
}

package main

import (
	"github.com/retentiond/retentiond/agent"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// TestDaemonGaugesFollowStateDir: the daemon's gauges come from the
// state dir, not only from its own jobs. After a restart they show the
// latest plan at once (plans_pending_approval 1 while it waits, the
// stores' due and overdue items); after an apply from the command line
// they show nothing overdue and nothing pending, without waiting for the
// next night; and the command-line apply marks the plan applied, as the
// apply job does.
func TestDaemonGaugesFollowStateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	addr := freeAddr(t)
	// Today, so that the command-line apply re-checks as of the plan's day.
	today := rules.DateIn(time.Now(), amsterdam())
	cfg := clockDemo(t, dir, today, addr, "")
	first := startClockDaemon(t, cfg, addr, today)
	first.jobs(t, "plan", 1)
	first.jobs(t, "apply", 1)
	if code := first.stop(t); code != 0 {
		t.Fatalf("stop: %d\n%s", code, first.errs.String())
	}
	plans, _ := filepath.Glob(filepath.Join(dir, "state", "plans", "*", "plan.json"))
	if len(plans) != 1 {
		t.Fatalf("%d plans, want 1", len(plans))
	}
	f, err := plan.Read(plans[0])
	if err != nil {
		t.Fatal(err)
	}
	var dossiers plan.StoreResult
	for _, s := range f.Stores {
		if s.Name == "kinddossiers" {
			dossiers = s
		}
	}
	if dossiers.Overdue == 0 || dossiers.Summary.Delete == 0 {
		t.Fatalf("the demo's kinddossiers have nothing overdue: %+v", dossiers)
	}

	// A restart: the jobs do not run again before 02:00.
	d := startClockDaemon(t, cfg, addr, today)
	if v := d.waitMetric(t, `retentiond_plans_pending_approval`); v != 1 {
		t.Errorf("after a restart plans_pending_approval = %v while a plan waits, want 1", v)
	}
	if v := d.waitMetric(t, `retentiond_items_due\{action="delete",store="kinddossiers"\}`); int(v) != dossiers.Summary.Delete {
		t.Errorf("after a restart items_due{kinddossiers,delete} = %v, the plan says %d", v, dossiers.Summary.Delete)
	}
	if v := d.waitMetric(t, `retentiond_items_overdue\{store="kinddossiers"\}`); int(v) != dossiers.Overdue {
		t.Errorf("after a restart items_overdue{kinddossiers} = %v, the plan says %d", v, dossiers.Overdue)
	}
	if v, ok := d.metric(`retentiond_job_runs_total\{result="success",task="plan"\}`); ok && v > 0 {
		t.Fatalf("the restarted daemon planned again (%v): the gauges would not test the restart", v)
	}

	// An apply from the command line.
	pdir := filepath.Dir(plans[0])
	for _, args := range [][]string{
		{"approve", "--config", cfg, "--plan", pdir, "--by", "Beheerder"},
		{"apply", "--config", cfg, "--plan", pdir},
	} {
		if code, out, errs := runCLI(t, args...); code != 0 {
			t.Fatalf("%s: exit %d\n%s\n%s", args[0], code, out, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(pdir, agent.AppliedMarker)); err != nil {
		t.Errorf("the command-line apply did not mark the plan applied: %v", err)
	}
	for _, s := range f.Stores {
		re := `retentiond_items_overdue\{store="` + s.Name + `"\}`
		d.waitValue(t, re, func(v float64) bool { return v == 0 })
	}
	d.waitValue(t, `retentiond_items_due\{action="delete",store="kinddossiers"\}`, func(v float64) bool { return v == 0 })
	d.waitValue(t, `retentiond_plans_pending_approval`, func(v float64) bool { return v == 0 })
	d.waitValue(t, `retentiond_ledger_entries`, func(v float64) bool { return v > float64(dossiers.Summary.Delete) })
}

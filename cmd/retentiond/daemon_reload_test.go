package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDaemonKeepsLoadedConfig: after a SIGHUP with a broken config file
// the daemon keeps the config it loaded, and its jobs run on it (not on
// the file): the next night's plan and apply succeed. The reload metrics
// say that the last reload failed and keep the time of the last good one.
func TestDaemonKeepsLoadedConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	addr := freeAddr(t)
	cfg := clockDemo(t, dir, nightsDay, addr, "")
	d := startClockDaemon(t, cfg, addr, nightsDay)
	d.jobs(t, "plan", 1) // catch-up runs: never ran before
	d.jobs(t, "apply", 1)
	if v := d.waitMetric(t, `retentiond_config_last_reload_successful`); v != 1 {
		t.Fatalf("after start-up config_last_reload_successful = %v, want 1", v)
	}
	loadedAt := d.waitMetric(t, `retentiond_config_last_reload_success_timestamp_seconds`)

	good, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfg, string(good)+"stores: [\n")
	d.hup()
	d.waitValue(t, `retentiond_config_last_reload_successful`, func(v float64) bool { return v == 0 })

	d.advanceTo(t, nightsDay, 3)
	d.jobs(t, "apply", 2)
	d.advanceTo(t, nightsDay.AddDays(1), 2)
	d.jobs(t, "plan", 2)
	if v := d.waitMetric(t, `retentiond_config_last_reload_success_timestamp_seconds`); v != loadedAt {
		t.Errorf("the last successful reload moved from %v to %v on a failed reload", loadedAt, v)
	}
	plans, _ := filepath.Glob(filepath.Join(dir, "state", "plans", "*", "plan.json"))
	if len(plans) != 2 {
		t.Errorf("%d plans, want the catch-up's and the 02:00 one", len(plans))
	}
}

package daemon

import (
	"context"
	"strings"
	"testing"
	"time"
)

func amsterdam(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		spec    string
		wantErr string
	}{
		{"0 2 * * *", ""},
		{"@daily", ""},
		{"*/5 * * * * *", ""}, // seconds, for tests
		{"", "empty cron schedule"},
		{"0 2 * *", "five fields"},
		{"61 2 * * *", "five fields"},
		{"0 0 30 2 *", "never fires"},
	}
	for _, tt := range tests {
		_, err := parseSchedule(tt.spec, time.UTC)
		if tt.wantErr == "" && err != nil {
			t.Errorf("parseSchedule(%q): %v", tt.spec, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("parseSchedule(%q) = %v, want error containing %q", tt.spec, err, tt.wantErr)
		}
	}
}

func TestPrevAndNext(t *testing.T) {
	ams := amsterdam(t)
	at := func(y int, mo time.Month, d, h, mi, s int) time.Time { return time.Date(y, mo, d, h, mi, s, 0, ams) }
	tests := []struct {
		name       string
		spec       string
		t          time.Time
		prev, next time.Time
	}{
		{"daily, after today's firing", "0 2 * * *", at(2026, 11, 23, 9, 0, 0), at(2026, 11, 23, 2, 0, 0), at(2026, 11, 24, 2, 0, 0)},
		{"daily, before today's firing", "0 2 * * *", at(2026, 11, 23, 1, 59, 59), at(2026, 11, 22, 2, 0, 0), at(2026, 11, 23, 2, 0, 0)},
		{"daily, exactly at the firing", "0 2 * * *", at(2026, 11, 23, 2, 0, 0), at(2026, 11, 23, 2, 0, 0), at(2026, 11, 24, 2, 0, 0)},
		{"yearly, far back", "0 3 1 1 *", at(2026, 11, 23, 9, 0, 0), at(2026, 1, 1, 3, 0, 0), at(2027, 1, 1, 3, 0, 0)},
		{"leap day", "0 0 29 2 *", at(2027, 3, 1, 0, 0, 0), at(2024, 2, 29, 0, 0, 0), at(2028, 2, 29, 0, 0, 0)},
		{"every second", "* * * * * *", at(2026, 11, 23, 9, 0, 0).Add(300 * time.Millisecond), at(2026, 11, 23, 9, 0, 0), at(2026, 11, 23, 9, 0, 1)},
		// Clocks go back on 2026-10-25 at 03:00 CEST: 02:30 happens twice
		// and fires once.
		{"fall back fires once", "30 2 * * *", time.Date(2026, 10, 24, 23, 50, 0, 0, time.UTC), at(2026, 10, 24, 2, 30, 0), time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{"fall back, after both", "30 2 * * *", time.Date(2026, 10, 25, 4, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), at(2026, 10, 26, 2, 30, 0)},
		// Clocks go forward on 2026-03-29 at 02:00: 02:00 does not exist.
		{"spring forward skips", "0 2 * * *", at(2026, 3, 28, 12, 0, 0), at(2026, 3, 28, 2, 0, 0), at(2026, 3, 30, 2, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseSchedule(tt.spec, ams)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.prev(tt.t); !got.Equal(tt.prev) {
				t.Errorf("prev(%v) = %v, want %v", tt.t, got, tt.prev)
			}
			if got := s.next(tt.t); !got.Equal(tt.next) {
				t.Errorf("next(%v) = %v, want %v", tt.t, got, tt.next)
			}
		})
	}
}

// TestCatchUpRule is the start-up rule: run at once when the schedule fired
// after the last successful start, or when the job never succeeded.
func TestCatchUpRule(t *testing.T) {
	ams := amsterdam(t)
	at := func(d, h, mi int) time.Time { return time.Date(2026, 11, d, h, mi, 0, 0, ams) }
	var never time.Time
	tests := []struct {
		name       string
		spec       string
		last, now  time.Time
		wantRun    bool
		wantFiring time.Time
	}{
		{"never ran: run now for the latest firing", "0 2 * * *", never, at(23, 9, 0), true, at(23, 2, 0)},
		{"never ran, before today's firing", "0 2 * * *", never, at(23, 1, 0), true, at(22, 2, 0)},
		{"ran at today's firing", "0 2 * * *", at(23, 2, 0), at(23, 9, 0), false, time.Time{}},
		{"ran yesterday, today's firing missed", "0 2 * * *", at(22, 2, 0), at(23, 9, 0), true, at(23, 2, 0)},
		{"ran yesterday, today's firing still ahead", "0 2 * * *", at(22, 2, 0), at(23, 1, 59), false, time.Time{}},
		{"down for three days: one run", "0 2 * * *", at(19, 2, 0), at(23, 9, 0), true, at(23, 2, 0)},
		{"catch-up run at 09:00 covers 02:00", "0 2 * * *", at(23, 9, 0), at(23, 10, 0), false, time.Time{}},
		{"started a second after the firing", "0 2 * * *", at(23, 2, 0).Add(time.Second), at(23, 2, 0).Add(2 * time.Second), false, time.Time{}},
		{"start exactly at a firing it has not run", "0 2 * * *", at(22, 2, 0), at(23, 2, 0), true, at(23, 2, 0)},
		{"weekly, missed", "0 3 * * 1", at(9, 3, 0), at(17, 8, 0), true, at(16, 3, 0)},
		{"weekly, not missed", "0 3 * * 1", at(16, 3, 5), at(22, 8, 0), false, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseSchedule(tt.spec, ams)
			if err != nil {
				t.Fatal(err)
			}
			run, firing := catchUp(s, tt.last, tt.now)
			if run != tt.wantRun || !firing.Equal(tt.wantFiring) {
				t.Errorf("catchUp(last %v, now %v) = %v, %v; want %v, %v", tt.last, tt.now, run, firing, tt.wantRun, tt.wantFiring)
			}
		})
	}
}

func TestValidateJobs(t *testing.T) {
	run := func(context.Context) error { return nil }
	tests := []struct {
		name    string
		jobs    []Job
		wantErr string
	}{
		{"ok", []Job{{Name: "plan", Schedule: "0 2 * * *", Run: run}, {Name: "apply", Schedule: "0 3 * * *", Run: run}}, ""},
		{"empty name", []Job{{Schedule: "0 2 * * *", Run: run}}, "empty name"},
		{"duplicate", []Job{{Name: "plan", Schedule: "0 2 * * *", Run: run}, {Name: "plan", Schedule: "0 3 * * *", Run: run}}, "defined twice"},
		{"no run", []Job{{Name: "plan", Schedule: "0 2 * * *"}}, "no Run"},
		{"bad schedule", []Job{{Name: "plan", Schedule: "nope", Run: run}}, `job "plan": cron schedule`},
		{"at sign", []Job{{Name: "plan@x", Schedule: "0 2 * * *", Run: run}}, "must not contain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := validateJobs(tt.jobs, time.UTC)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestLockKey(t *testing.T) {
	f := time.Date(2026, 11, 23, 2, 0, 0, 0, amsterdam(t))
	if got, want := LockKey("plan:dossiers", f), "job:plan:dossiers@2026-11-23T01:00:00Z"; got != want {
		t.Fatalf("LockKey = %q, want %q", got, want)
	}
}

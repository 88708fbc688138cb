package daemon

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/robfig/cron/v3"
)

// Job is one scheduled task of the daemon, such as "plan", "plan:dossiers"
// or "apply".
type Job struct {
	// Name identifies the job in logs, metrics, the state file and lock
	// keys. Names are unique within a Scheduler.
	Name string
	// Schedule is a 5-field cron expression (minute hour day-of-month
	// month day-of-week) evaluated in the Scheduler's Location, or a
	// descriptor such as "@daily". A 6-field expression with a leading
	// seconds field is accepted too; it exists for tests.
	Schedule string
	// Run does the work. Its ctx is cancelled when the daemon stops:
	// finish or journal the item in hand and return. Firing(ctx) tells
	// which scheduled firing the run is for.
	Run func(ctx context.Context) error
	// Scan marks a job whose failed last run makes the readiness check
	// (Scheduler.Check, /readyz) fail until it next succeeds. Set it on the
	// plan jobs, which scan the stores.
	Scan bool
}

// cronParser accepts standard 5-field expressions and descriptors, plus an
// optional leading seconds field so that tests need not wait minutes.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour |
	cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// schedule is a parsed cron expression bound to a location. It implements
// gocron.Cron so that gocron's timers and the daemon's catch-up and lock
// keys agree on every firing.
type schedule struct {
	spec string
	loc  *time.Location
	cron cron.Schedule
}

var _ gocron.Cron = (*schedule)(nil)

func parseSchedule(spec string, loc *time.Location) (*schedule, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, errors.New("empty cron schedule: write five fields, e.g. \"0 2 * * *\"")
	}
	c, err := cronParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("cron schedule %q: %w (write five fields: minute hour day-of-month month day-of-week)", spec, err)
	}
	s := &schedule{spec: spec, loc: loc, cron: c}
	if s.next(time.Now()).IsZero() {
		return nil, fmt.Errorf("cron schedule %q never fires", spec)
	}
	return s, nil
}

// IsValid implements gocron.Cron; the expression was parsed already.
func (s *schedule) IsValid(string, *time.Location, time.Time) error { return nil }

// Next implements gocron.Cron.
func (s *schedule) Next(t time.Time) time.Time { return s.next(t) }

// next returns the first firing strictly after t, or the zero time. When
// clocks go back, a wall-clock time in the repeated hour fires the first
// time only (as gocron does); when they go forward, a time in the skipped
// hour does not fire that day (robfig/cron's and gocron's default).
func (s *schedule) next(t time.Time) time.Time {
	n := s.cron.Next(t.In(s.loc))
	if !n.IsZero() && repeatedWallClock(n) {
		n = s.cron.Next(n)
	}
	return n
}

// repeatedWallClock reports whether n's wall-clock time already occurred
// before, because the zone's offset dropped (clocks went back) in the hours
// before n.
func repeatedWallClock(n time.Time) bool {
	_, off := n.Zone()
	_, before := n.Add(-6 * time.Hour).Zone()
	if before <= off {
		return false
	}
	e := n.Add(-time.Duration(before-off) * time.Second)
	return e.Format(time.DateTime) == n.Format(time.DateTime)
}

// maxLookback bounds prev: robfig/cron itself gives up five years ahead.
const maxLookback = 6 * 366 * 24 * time.Hour

// prev returns the latest firing at or before t, or the zero time if there
// was none in the last six years. The window doubles until it holds a
// firing, so dense schedules cost a few dozen steps and sparse ones a few
// more.
func (s *schedule) prev(t time.Time) time.Time {
	for w := time.Minute; w <= maxLookback; w *= 2 {
		var last time.Time
		for n := s.next(t.Add(-w)); !n.IsZero() && !n.After(t); n = s.next(n) {
			last = n
		}
		if !last.IsZero() {
			return last
		}
	}
	return time.Time{}
}

// catchUp is the start-up rule: it reports whether a job must run at once
// because its schedule fired after its last successful start (or it never
// succeeded and the schedule has fired before), and the firing that run
// stands for: the latest one at or before now. Several missed firings
// collapse into one run.
func catchUp(s *schedule, lastStart time.Time, now time.Time) (bool, time.Time) {
	f := s.prev(now)
	if f.IsZero() {
		return false, time.Time{}
	}
	// A job that never succeeded has a zero lastStart, before any firing.
	if lastStart.Before(f) {
		return true, f
	}
	return false, time.Time{}
}

// firingKey is a context key for the firing time of a run.
type firingKey struct{}

// Firing returns the scheduled firing a run of Job.Run stands for: the
// latest firing of its schedule at or before the start of the run, with
// 200ms of tolerance (for a catch-up run, the latest missed firing). Callers may use it as the plan's as-of
// moment. ok is false outside a scheduled run.
func Firing(ctx context.Context) (t time.Time, ok bool) {
	t, ok = ctx.Value(firingKey{}).(time.Time)
	return t, ok
}

func withFiring(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, firingKey{}, t)
}

// validateJobs checks names and schedules and returns the parsed schedules
// by name.
func validateJobs(jobs []Job, loc *time.Location) (map[string]*schedule, error) {
	out := make(map[string]*schedule, len(jobs))
	for i, j := range jobs {
		if j.Name == "" {
			return nil, fmt.Errorf("job %d: empty name", i+1)
		}
		if strings.ContainsAny(j.Name, "@ \t\n") {
			return nil, fmt.Errorf("job %q: name must not contain '@' or white space", j.Name)
		}
		if _, dup := out[j.Name]; dup {
			return nil, fmt.Errorf("job %q: defined twice; give each job its own name", j.Name)
		}
		if j.Run == nil {
			return nil, fmt.Errorf("job %q: no Run function", j.Name)
		}
		s, err := parseSchedule(j.Schedule, loc)
		if err != nil {
			return nil, fmt.Errorf("job %q: %w", j.Name, err)
		}
		out[j.Name] = s
	}
	return out, nil
}

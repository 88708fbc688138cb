package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"
)

// Options configure a Scheduler.
type Options struct {
	// Location is the time zone cron schedules are read in (the config's
	// timezone). Nil means time.Local.
	Location *time.Location
	// Jobs is the initial job set.
	Jobs []Job
	// StateDir holds StateFile, the last successful start of each job.
	// Required.
	StateDir string
	// Locker, when set, makes several replicas run each firing once: every
	// run, catch-up runs included, first takes the lock
	// "job:NAME@FIRING" (FIRING in RFC 3339, UTC). A replica that does
	// not get the lock skips the run, also when the locker is unreachable:
	// no run rather than a double one. Another replica holding the lock
	// (an error for which IsLockHeld is true) is logged at INFO; any other
	// error is a lock error: logged at ERROR, told to OnLockError, and
	// failing CheckLocks. Nil means a single instance. See package
	// redislock.
	Locker gocron.Locker
	// OnLockError, when set, is told of every lock error (see Locker and
	// LockFailure), for a metric and a notification. It is called in the
	// firing's goroutine: it must not block for long.
	OnLockError func(LockFailure)
	// Monitor receives gocron's job counts and timings (the metrics
	// package). If it also implements gocron.MonitorStatus it is used as
	// such. Optional.
	Monitor gocron.Monitor
	// Logger receives job start, end and failure events. Nil discards.
	Logger *slog.Logger
	// Clock replaces the wall clock in tests. Nil means the real clock.
	Clock clockwork.Clock
}

// errAlreadyRunning is the local half of the no-overlap rule; gocron counts
// the firing as skipped.
var errAlreadyRunning = errors.New("previous run still in progress")

// errAlreadyRan skips a run for a firing this instance already ran
// successfully.
var errAlreadyRan = errors.New("this firing already ran")

// errStopping refuses runs once Stop has begun.
var errStopping = errors.New("scheduler is stopping")

// firingTolerance absorbs a timer that fires a little before the wall clock
// reaches the firing (a clock step), so that the run is keyed by the firing
// it was meant for. It is far below the smallest cron interval.
const firingTolerance = 200 * time.Millisecond

// Scheduler runs Jobs on their cron schedules with gocron v2.
//
// A job never overlaps itself: a firing that comes while the previous run
// is in progress is skipped by a guard keyed by job name, which holds across
// Update too. The guard is the Locker gocron sees, so gocron's Monitor
// counts the firing as gocron.Skip; gocron's own singleton mode would skip
// it without telling the Monitor. With Options.Locker the rule holds across
// replicas for a given firing.
type Scheduler struct {
	loc      *time.Location
	clock    clockwork.Clock
	log      *slog.Logger
	locker   gocron.Locker
	onLock   func(LockFailure)
	stateDir string
	gs       gocron.Scheduler

	runCtx     context.Context
	cancelRuns context.CancelFunc
	wg         sync.WaitGroup

	stopOnce sync.Once
	stopped  chan struct{} // closed when runs in hand have returned

	updateMu sync.Mutex // serialises Update
	saveMu   sync.Mutex // serialises state file writes

	mu       sync.Mutex
	defs     map[string]*entry
	running  map[string]time.Time // name -> firing of the run in hand
	state    map[string]jobState
	last     map[string]runResult
	started  bool
	stopping bool
	lockDown bool // a lock error since a lock was last taken
}

type entry struct {
	job   Job
	sched *schedule
	gj    gocron.Job
}

type runResult struct {
	firing time.Time
	failed bool
}

// New builds a Scheduler. It validates the jobs (unique names, valid cron
// expressions, a Run function) and reads the state file, but runs nothing
// until Start.
func New(opts Options) (*Scheduler, error) {
	if opts.StateDir == "" {
		return nil, errors.New("daemon: no state directory: set state_dir in the config")
	}
	loc := opts.Location
	if loc == nil {
		loc = time.Local
	}
	clock := opts.Clock
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	scheds, err := validateJobs(opts.Jobs, loc)
	if err != nil {
		return nil, err
	}
	state, corrupt, err := loadState(opts.StateDir)
	if err != nil {
		return nil, err
	}
	if corrupt != nil {
		log.Error("scheduler state unreadable; every job counts as never run", "err", corrupt)
	}
	s := &Scheduler{
		loc:      loc,
		clock:    clock,
		log:      log,
		locker:   opts.Locker,
		onLock:   opts.OnLockError,
		stateDir: opts.StateDir,
		defs:     map[string]*entry{},
		running:  map[string]time.Time{},
		state:    state,
		last:     map[string]runResult{},
	}
	s.runCtx, s.cancelRuns = context.WithCancel(context.Background())
	gopts := []gocron.SchedulerOption{
		gocron.WithLocation(loc),
		gocron.WithClock(clock),
		gocron.WithLogger(log.With("component", "gocron")),
		gocron.WithDistributedLocker(guard{s}),
		// Stop waits for runs itself, bounded by its ctx. gocron's own
		// wait spins a CPU until its timeout, so keep that minimal.
		gocron.WithStopTimeout(time.Millisecond),
	}
	if opts.Monitor != nil {
		gopts = append(gopts, gocron.WithMonitor(opts.Monitor))
		if ms, ok := opts.Monitor.(gocron.MonitorStatus); ok {
			gopts = append(gopts, gocron.WithMonitorStatus(ms))
		}
	}
	s.gs, err = gocron.NewScheduler(gopts...)
	if err != nil {
		return nil, fmt.Errorf("daemon: %w", err)
	}
	for _, j := range opts.Jobs {
		e := &entry{job: j, sched: scheds[j.Name]}
		if err := s.add(e); err != nil {
			_ = s.gs.Shutdown()
			return nil, err
		}
		s.defs[j.Name] = e
	}
	return s, nil
}

// add registers e with gocron.
func (s *Scheduler) add(e *entry) error {
	name := e.job.Name
	gj, err := s.gs.NewJob(
		gocron.CronJob(e.sched.spec, false),
		gocron.NewTask(func() error { return s.execute(name) }),
		gocron.WithName(name),
		gocron.WithCronImplementation(e.sched),
		gocron.WithEventListeners(gocron.AfterLockError(func(_ uuid.UUID, name string, err error) {
			if !isLockError(err) { // lock errors were logged where they happened
				s.log.Info("job not run here", "job", name, "why", err.Error())
			}
		})),
	)
	if err != nil {
		return fmt.Errorf("daemon: job %q: %w", name, err)
	}
	e.gj = gj
	return nil
}

// Start starts the timers and applies the catch-up rule to every job: a job
// whose schedule fired after its last successful start, or that never
// succeeded, runs once at once (through the Locker when there is one).
func (s *Scheduler) Start() error {
	s.mu.Lock()
	if s.started || s.stopping {
		s.mu.Unlock()
		return errors.New("daemon: scheduler already started")
	}
	s.started = true
	s.mu.Unlock()
	s.gs.Start()
	now := s.clock.Now()
	for _, name := range s.names() {
		e := s.entry(name)
		s.log.Info("job scheduled", "job", name, "schedule", e.sched.spec, "next", e.sched.next(now))
	}
	s.catchUpAll()
	return nil
}

// catchUpAll runs every job that the catch-up rule selects.
func (s *Scheduler) catchUpAll() {
	now := s.clock.Now()
	for _, name := range s.names() {
		s.mu.Lock()
		e, st := s.defs[name], s.state[name]
		s.mu.Unlock()
		run, firing := catchUp(e.sched, st.LastSuccessStart, now)
		if !run {
			continue
		}
		s.log.Info("job missed a firing; running it now", "job", name, "firing", firing,
			"last_success_start", st.LastSuccessStart)
		if err := e.gj.RunNow(); err != nil {
			s.log.Error("catch-up run not started", "job", name, "err", err)
		}
	}
}

// Update replaces the job set, as after a reload of a validated config.
// Jobs are matched by name: an unchanged schedule keeps its timer and only
// swaps Run; a changed schedule gets a new timer; missing jobs are removed.
// A run in hand is never cancelled by Update and a job with the same name
// does not start again until it ends. The catch-up rule is then applied to
// the new set, as at Start (so a job whose last run failed runs again).
// On a validation error nothing changes.
func (s *Scheduler) Update(jobs []Job) error {
	scheds, err := validateJobs(jobs, s.loc)
	if err != nil {
		return err
	}
	s.updateMu.Lock()
	defer s.updateMu.Unlock()
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return errStopping
	}
	old := s.defs
	started := s.started
	s.mu.Unlock()

	next := make(map[string]*entry, len(jobs))
	var errs []error
	for _, j := range jobs {
		e := &entry{job: j, sched: scheds[j.Name]}
		if o := old[j.Name]; o != nil && o.sched.spec == e.sched.spec {
			e.sched, e.gj = o.sched, o.gj
		} else {
			if o != nil {
				errs = append(errs, s.gs.RemoveJob(o.gj.ID()))
			}
			if err := s.add(e); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		next[j.Name] = e
	}
	for name, o := range old {
		if _, keep := next[name]; !keep {
			errs = append(errs, s.gs.RemoveJob(o.gj.ID()))
		}
	}
	s.mu.Lock()
	s.defs = next
	s.mu.Unlock()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("daemon: update jobs: %w", err)
	}
	if started {
		s.catchUpAll()
	}
	return nil
}

// Stop stops the timers, cancels the context of every run in hand and
// waits for those runs to return, or for ctx to end. It returns an error
// naming the jobs still running when ctx ended; calling Stop again waits
// again.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.stopping = true
		s.mu.Unlock()
		s.cancelRuns()
		s.stopped = make(chan struct{})
		go func() {
			// gocron reports ErrStopJobsTimedOut at once (see New); the
			// wait group is what counts.
			_ = s.gs.ShutdownWithContext(context.Background())
			s.wg.Wait()
			close(s.stopped)
		}()
	})
	select {
	case <-s.stopped:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		names := slices.Sorted(maps.Keys(s.running))
		s.mu.Unlock()
		return fmt.Errorf("daemon: stop: jobs %v still running after the stop timeout", names)
	}
}

// Check is the scheduler's readiness check: it fails while the last run of
// any Scan job failed, naming the jobs (never the error text, which is
// logged instead).
func (s *Scheduler) Check() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(s.defs)) {
		if r, ok := s.last[name]; ok && r.failed && s.defs[name].job.Scan {
			errs = append(errs, fmt.Errorf("job %s: last run (firing %s) failed",
				name, r.firing.In(s.loc).Format(time.RFC3339)))
		}
	}
	return errors.Join(errs...)
}

func (s *Scheduler) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.defs))
}

func (s *Scheduler) entry(name string) *entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.defs[name]
}

// execute is the gocron task of job name. guard.Lock has run before it and
// recorded the firing.
func (s *Scheduler) execute(name string) (err error) {
	s.mu.Lock()
	e, firing := s.defs[name], s.running[name]
	s.mu.Unlock()
	if e == nil {
		return nil // removed by Update between the timer and now
	}
	start := s.clock.Now()
	log := s.log.With("job", name, "firing", firing)
	log.Info("job started")
	defer func() {
		if p := recover(); p != nil {
			log.Error("job panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("job %s panicked", name)
		}
		s.finish(name, start, firing, err)
		if err != nil {
			log.Error("job failed", "err", err, "duration", s.clock.Since(start).String())
		} else {
			log.Info("job finished", "duration", s.clock.Since(start).String())
		}
	}()
	return e.job.Run(withFiring(s.runCtx, firing))
}

// finish records a run's outcome and, on success, persists its start.
func (s *Scheduler) finish(name string, start, firing time.Time, err error) {
	s.mu.Lock()
	s.last[name] = runResult{firing: firing, failed: err != nil}
	if err != nil {
		s.mu.Unlock()
		return
	}
	s.state[name] = jobState{LastSuccessStart: start, LastSuccessFiring: firing}
	snapshot := maps.Clone(s.state)
	s.mu.Unlock()
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	if err := saveState(s.stateDir, snapshot); err != nil {
		s.log.Error("scheduler state not saved; the job may run again at start-up", "job", name, "err", err)
	}
}

package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
)

// Setup is what one load of the config gives the daemon.
type Setup struct {
	// Location, StateDir and Listen are read at start-up only; a reload
	// that changes them logs that a restart is needed and keeps the old
	// values.
	Location *time.Location
	StateDir string
	// Listen is the HTTP address; empty means DefaultListen.
	Listen string
	// Jobs, Metrics and Ready are swapped on reload.
	Jobs []Job
	// Metrics serves /metrics.
	Metrics http.Handler
	// Ready is the caller's readiness check (nil: none). Its error text is
	// shown in /readyz and must hold no personal data.
	Ready func() error
}

// RunOptions configure Run.
type RunOptions struct {
	// Load reads and validates the config. It is called at start-up (an
	// error ends Run) and on SIGHUP (an error is logged and the running
	// setup kept).
	Load func() (Setup, error)
	// Locker, OnLockError, Monitor, Logger and Clock are passed to the
	// Scheduler. With a Locker, /readyz has a "locks" check
	// (Scheduler.CheckLocks).
	Locker      gocron.Locker
	OnLockError func(LockFailure)
	Monitor     gocron.Monitor
	Logger      *slog.Logger
	Clock       clockwork.Clock
	// Signals replaces signal.Notify for SIGHUP, SIGTERM and SIGINT
	// (tests). Nil means the process's real signals.
	Signals <-chan os.Signal
	// Notifier sends sd_notify messages; nil means NotifierFromEnv.
	Notifier *Notifier
	// StopTimeout bounds the wait for runs in hand at shutdown; zero means
	// DefaultStopTimeout. Keep it below systemd's TimeoutStopSec.
	StopTimeout time.Duration
	// Started, if set, is called once the scheduler and the HTTP server
	// are up and READY=1 was sent, with the server's address.
	Started func(addr net.Addr)
	// Loaded, if set, is told of every load of the config: the first one
	// and each on SIGHUP, with its error (nil when the setup is now in
	// force; else the running one was kept) and the Clock's time. For the
	// config-reload metrics.
	Loaded func(err error, at time.Time)
	// WebConfigFile is the exporter-toolkit web config file (TLS, basic
	// auth) the HTTP server serves with (ServerOptions.WebConfigFile);
	// read at start-up, where a bad file ends Run.
	WebConfigFile string
}

// DefaultStopTimeout is how long Run waits for runs in hand at shutdown.
const DefaultStopTimeout = 60 * time.Second

// httpShutdownTimeout bounds the wait for HTTP requests in flight.
const httpShutdownTimeout = 5 * time.Second

// Run is the daemon's main loop (`retentiond run`):
//
//  1. Load the config; start the Scheduler and the HTTP Server (a taken
//     port is an error); send READY=1.
//  2. On SIGHUP send RELOADING=1, call Load and, if it succeeds, swap the
//     jobs, the /metrics handler and the Ready check; if it fails, log the
//     error and keep the running setup. Then send READY=1.
//  3. Send WATCHDOG=1 every WATCHDOG_USEC/2 while the loop runs.
//  4. On SIGTERM, SIGINT or the end of ctx send STOPPING=1, stop the timers,
//     cancel the context of the runs in hand and wait for them up to
//     StopTimeout, then close the HTTP server.
//
// Run returns nil after a clean stop, an error wrapping Load's error if the
// first load fails, and an error if runs were still going at the timeout.
func Run(ctx context.Context, opts RunOptions) error {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	notifier := opts.Notifier
	if notifier == nil {
		notifier = NotifierFromEnv()
	}
	stopTimeout := opts.StopTimeout
	if stopTimeout <= 0 {
		stopTimeout = DefaultStopTimeout
	}
	sigs := opts.Signals
	if sigs == nil {
		ch := make(chan os.Signal, 4)
		signal.Notify(ch, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
		defer signal.Stop(ch)
		sigs = ch
	}

	clock := opts.Clock
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	loadedHook := func(err error) {
		if opts.Loaded != nil {
			opts.Loaded(err, clock.Now())
		}
	}

	setup, err := opts.Load()
	loadedHook(err)
	if err != nil {
		return fmt.Errorf("load config: %w", err)
	}
	sched, err := New(Options{
		Location: setup.Location, Jobs: setup.Jobs, StateDir: setup.StateDir,
		Locker: opts.Locker, OnLockError: opts.OnLockError, Monitor: opts.Monitor, Logger: log, Clock: clock,
	})
	if err != nil {
		return err
	}
	var loaded atomic.Bool
	checks := func(s Setup) []Check {
		cs := []Check{
			{"config", func() error {
				if !loaded.Load() {
					return errors.New("not loaded yet")
				}
				return nil
			}},
			{"state_dir", func() error { return CheckStateDir(s.StateDir) }},
			{"jobs", sched.Check},
		}
		if opts.Locker != nil {
			cs = append(cs, Check{"locks", sched.CheckLocks})
		}
		if s.Ready != nil {
			cs = append(cs, Check{"ready", s.Ready})
		}
		return cs
	}
	srv, err := NewServer(ServerOptions{Addr: setup.Listen, Metrics: setup.Metrics, Checks: checks(setup), Logger: log, WebConfigFile: opts.WebConfigFile})
	if err != nil {
		_ = sched.Stop(context.Background())
		return err
	}
	srv.Serve()
	if err := sched.Start(); err != nil {
		_ = srv.Shutdown(context.Background())
		return err
	}
	loaded.Store(true)
	notifyOrLog(log, notifier.Notify(NotifyReady))
	log.Info("retentiond running", "listen", srv.Addr().String(), "jobs", len(setup.Jobs))
	if opts.Started != nil {
		opts.Started(srv.Addr())
	}

	var watchdog <-chan time.Time
	if every, ok := WatchdogInterval(); ok && notifier.Enabled() {
		t := time.NewTicker(every)
		defer t.Stop()
		watchdog = t.C
	}

	for {
		select {
		case <-watchdog:
			notifyOrLog(log, notifier.Notify(NotifyWatchdog))
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				notifyOrLog(log, notifier.Reloading())
				setup, err = reload(log, opts.Load, setup, sched, srv, checks)
				loadedHook(err)
				notifyOrLog(log, notifier.Notify(NotifyReady))
				continue
			}
			log.Info("stopping", "signal", sig.String())
			return shutdown(log, notifier, sched, srv, stopTimeout)
		case <-ctx.Done():
			log.Info("stopping", "reason", context.Cause(ctx).Error())
			return shutdown(log, notifier, sched, srv, stopTimeout)
		}
	}
}

// reload loads the config again and swaps what can be swapped; it returns
// the setup now in force and the error that kept the running one, if any.
func reload(log *slog.Logger, load func() (Setup, error), cur Setup, sched *Scheduler, srv *Server, checks func(Setup) []Check) (Setup, error) {
	next, err := load()
	if err != nil {
		log.Error("config reload failed; keeping the running config", "err", err)
		return cur, err
	}
	if err := sched.Update(next.Jobs); err != nil {
		log.Error("config reload failed; keeping the running jobs", "err", err)
		return cur, err
	}
	if next.Location.String() != cur.Location.String() || next.StateDir != cur.StateDir || next.Listen != cur.Listen {
		log.Warn("timezone, state_dir and daemon.listen changes take effect at restart")
		next.Location, next.StateDir, next.Listen = cur.Location, cur.StateDir, cur.Listen
	}
	srv.SetMetrics(next.Metrics)
	srv.SetChecks(checks(next))
	log.Info("config reloaded", "jobs", len(next.Jobs))
	return next, nil
}

func shutdown(log *slog.Logger, notifier *Notifier, sched *Scheduler, srv *Server, timeout time.Duration) error {
	notifyOrLog(log, notifier.Notify(NotifyStopping))
	srv.SetAlive(false)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	stopErr := sched.Stop(ctx)
	hctx, hcancel := context.WithTimeout(context.Background(), httpShutdownTimeout)
	defer hcancel()
	if err := srv.Shutdown(hctx); err != nil {
		log.Warn("http server did not close cleanly", "err", err)
	}
	if stopErr != nil {
		log.Error("stopped with runs still going", "err", stopErr)
		return stopErr
	}
	log.Info("stopped")
	return nil
}

func notifyOrLog(log *slog.Logger, err error) {
	if err != nil {
		log.Warn("systemd notification failed", "err", err)
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/redis/go-redis/v9"

	"github.com/retentiond/retentiond/agent/daemon"
	"github.com/retentiond/retentiond/agent/daemon/redislock"
	"github.com/retentiond/retentiond/agent/gauges"
	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/agent/notify"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/config"
)

// runDaemon is `retentiond run`: the service. It plans on a schedule,
// applies what the config's auto_apply rules allow and what a person
// approved, serves /metrics, /healthz and /readyz, and tells the
// administrator when a plan awaits review or something failed.
func runDaemon(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runDaemonWith(ctx, args, stdout, stderr, daemonHooks{})
}

// daemonHooks replace the daemon's real clock and signals (tests). The
// clock decides when jobs fire and the as-of day of the plans they make.
type daemonHooks struct {
	clock   clockwork.Clock  // nil: the real clock
	signals <-chan os.Signal // nil: the process's signals
}

func runDaemonWith(ctx context.Context, args []string, stdout, stderr io.Writer, hooks daemonHooks) error {
	fs := newFlags("run", stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageErr("--config is required")
	}
	// The first load decides the logger and the locker, which a reload
	// cannot change (restart the service for those).
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	level := new(slog.LevelVar)
	level.Set(logLevel(cfg.Daemon.LogLevel))
	log := daemon.NewLogger(stderr, level)
	m := metrics.New()
	clock := hooks.clock
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	opts := daemon.RunOptions{Monitor: m.JobMonitor(), Logger: log, Clock: clock, Signals: hooks.signals,
		Loaded: func(err error, at time.Time) { m.SetConfigReload(err == nil, at) }}
	if r := cfg.Daemon.Redis; r != nil {
		client, err := redisClient(r)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		defer client.Close()
		opts.Locker = redislock.New(client)
		log.Info("replicas share job locks on Redis", "address", r.Address)
	}
	opts.Load = func() (daemon.Setup, error) {
		d, err := loadDaemon(*cfgPath, m, log)
		if err != nil {
			return daemon.Setup{}, err
		}
		d.now = clock.Now
		d.watch.Check() // the gauges as the state dir has them, before any job
		level.Set(logLevel(d.cfg.Daemon.LogLevel))
		return d.setup(), nil
	}
	if err := daemon.Run(ctx, opts); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "retentiond run: stopped")
	return nil
}

func logLevel(s string) slog.Level {
	switch s {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

func redisClient(r *config.Redis) (*redis.Client, error) {
	o := &redis.Options{Addr: r.Address, DB: r.DB}
	if r.PasswordFile != "" {
		pw, err := pipeline.ReadSecret("daemon.redis.password_file", r.PasswordFile, "")
		if err != nil {
			return nil, err
		}
		o.Password = pw
	}
	return redis.NewClient(o), nil
}

// daemonJobs is one load of the config: the jobs and what they share.
type daemonJobs struct {
	path   string
	cfg    *config.Config
	m      *metrics.Metrics
	log    *slog.Logger
	notify notify.Notifier // nil: nobody is told
	// now is the daemon's clock: a plan job plans as of its day.
	now func() time.Time
	// told is when the administrator was told of unreadable state files.
	told *stateTold
	// watch rebuilds the gauges from the state dir when it changed.
	watch *gauges.Watcher
}

// loadDaemon reads and checks the config as `validate` does (policy,
// overrides, auto_apply rules, notify settings), so that a bad config is
// refused at start-up or on reload, before any job runs with it.
func loadDaemon(path string, m *metrics.Metrics, log *slog.Logger) (*daemonJobs, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	pol, err := pipeline.Policy(cfg)
	if err != nil {
		return nil, err
	}
	for i, id := range cfg.Daemon.AutoApply {
		if _, ok := pol.Rule(id); !ok {
			return nil, fmt.Errorf("%s:%d: daemon.auto_apply[%d]: the policy has no rule %s", cfg.Path, cfg.Line("daemon.auto_apply"), i, id)
		}
	}
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("state_dir: %w", err)
	}
	d := &daemonJobs{path: path, cfg: cfg, m: m, log: log, now: time.Now, told: &stateTold{}}
	d.watch = gauges.NewWatcher(cfg.StateDir, d.refresh)
	if nc, ok := notifyConfig(cfg.Notify); ok {
		if err := nc.Validate(); err != nil {
			return nil, fmt.Errorf("%s: notify: %w", cfg.Path, err)
		}
		if d.notify, err = notify.New(nc); err != nil {
			return nil, fmt.Errorf("%s: notify: %w", cfg.Path, err)
		}
	}
	var names []string
	for _, s := range cfg.Stores {
		names = append(names, s.Name)
	}
	m.RetainStores(names...)
	return d, nil
}

// notifyConfig turns the config's notify section into the notify
// package's; ok is false when nothing is configured.
func notifyConfig(n config.Notify) (notify.Config, bool) { return n.NotifyConfig() }

func (d *daemonJobs) setup() daemon.Setup {
	return daemon.Setup{
		Location: d.cfg.Location,
		StateDir: d.cfg.StateDir,
		Listen:   d.cfg.Daemon.Listen,
		Jobs: []daemon.Job{
			{Name: "plan", Schedule: d.cfg.Daemon.PlanSchedule, Run: d.plan, Scan: true},
			{Name: "apply", Schedule: d.cfg.Daemon.ApplySchedule, Run: d.apply},
		},
		Metrics: d.watch.Handler(d.m.Handler()),
		Ready:   d.ready,
	}
}

// ready fails when the keys the jobs need are missing, so that a service
// that cannot apply shows as not ready rather than failing at night.
func (d *daemonJobs) ready() error {
	for _, k := range []struct{ key, path string }{{"pseudonym_key_file", d.cfg.PseudonymKeyFile}, {"ledger_key_file", d.cfg.LedgerKeyFile}} {
		if k.path == "" {
			return fmt.Errorf("%s is not set", k.key)
		}
		if _, err := os.Stat(k.path); err != nil {
			return fmt.Errorf("%s cannot be read", k.key)
		}
	}
	return nil
}

// tell sends an event to the administrator, if the config says how, and
// logs a failure to do so (a mail server being down must not fail a job).
func (d *daemonJobs) tell(ctx context.Context, e notify.Event) {
	if d.notify == nil {
		return
	}
	e.Organisation, e.ConfigPath, e.Time = d.cfg.Organisation, d.path, time.Now().In(d.cfg.Location)
	if e.Lang == "" {
		e.Lang = d.cfg.Notify.Lang
	}
	if err := d.notify.Notify(ctx, e); err != nil {
		d.log.Warn("notification not sent", "kind", e.Kind, "err", err)
	}
}

// failure logs and tells of a failed job; err must hold no personal data
// (the project's errors do not).
func (d *daemonJobs) failure(ctx context.Context, what string, err error) error {
	d.log.Error(what+" failed", "err", err)
	d.tell(ctx, notify.Event{Kind: notify.KindFailure, Error: what + " failed"})
	return fmt.Errorf("%s: %w", what, err)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/redis/go-redis/v9"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/daemon"
	"github.com/retentiond/retentiond/agent/daemon/redislock"
	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/config"
)

// runDaemon is `retentiond run`: the service. It plans on a schedule,
// applies what the config's auto_apply rules allow and what a person
// approved, serves /metrics, /healthz and /readyz, serves the review
// console on console.listen, and tells the administrator when a plan
// awaits review or something failed.
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
	webConfig := fs.String("web.config.file", "", "exporter-toolkit web config file: TLS and basic auth for /metrics, /healthz and /readyz (as node_exporter's)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageErr("--config is required")
	}
	if err := daemon.CheckWebConfig(*webConfig); err != nil {
		return &exitError{code: 2, err: err}
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
	// Libraries that log on their own go through the same JSON handler
	// (and journald priorities): go-redis through its logger, anything
	// on the standard log package through slog's default. gocron gets
	// the logger from the scheduler; the AWS SDK is kept silent
	// (logging.Nop) where its clients are made.
	redislock.SetLogger(log)
	slog.SetDefault(log)
	m := metrics.New()
	m.SetVersion(version) // build_info says what --version says
	clock := hooks.clock
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	opts := daemon.RunOptions{Monitor: m.JobMonitor(), Logger: log, Clock: clock, Signals: hooks.signals,
		Loaded: func(err error, at time.Time) { m.SetConfigReload(err == nil, at) }, WebConfigFile: *webConfig}
	// The service of the config in force, for the lock notifications.
	var current atomic.Pointer[agent.Service]
	if r := cfg.Daemon.Redis; r != nil {
		client, err := redisClient(r)
		if err != nil {
			return &exitError{code: 2, err: redisConfigError(cfg, err)}
		}
		defer client.Close()
		locker := redislock.New(client, redislock.WithPrefix(r.KeyPrefix))
		opts.Locker = locker
		m.LockTasks("plan", "apply")
		m.SetLockProbe(func() error {
			pctx, cancel := context.WithTimeout(ctx, lockProbeTimeout)
			defer cancel()
			return locker.Ping(pctx)
		})
		opts.OnLockError = func(f daemon.LockFailure) {
			m.LockError(f.Job)
			if svc := current.Load(); svc != nil && f.First {
				go svc.LockFailed(f.Job, f.WhileHeld)
			}
		}
		log.Info("replicas share job locks on Redis", "address", r.Address, "key_prefix", r.KeyPrefix, "tls", r.TLS != nil)
	}
	// The review console, on its own listener, over the same service as
	// the jobs; it stops with the daemon.
	cctx, stopConsole := context.WithCancel(ctx)
	defer stopConsole()
	cons, err := listenConsole(cfg, log)
	if err != nil {
		return err
	}
	opts.Load = func() (daemon.Setup, error) {
		svc, err := loadDaemonAt(*cfgPath, m, log, clock.Now)
		if err != nil {
			return daemon.Setup{}, err
		}
		svc.CheckGauges() // the gauges as the state dir has them, before any job
		level.Set(logLevel(svc.Config().Daemon.LogLevel))
		if err := cons.load(cctx, svc); err != nil {
			return daemon.Setup{}, err
		}
		current.Store(svc)
		return setup(svc, m), nil
	}
	err = daemon.Run(ctx, opts)
	stopConsole()
	if cerr := cons.wait(); cerr != nil {
		log.Error("console stopped", "err", cerr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "retentiond run: stopped")
	return nil
}

// lockProbeTimeout bounds the Redis probe of a scrape
// (retentiond_lock_backend_up), well under a scrape timeout.
const lockProbeTimeout = 2 * time.Second

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

// redisClient is the client of daemon.redis: its ACL user and password,
// TLS with the system's roots plus tls.ca_file.
func redisClient(r *config.Redis) (*redis.Client, error) {
	c := redislock.ClientConfig{Address: r.Address, Username: r.Username, DB: r.DB}
	if r.PasswordFile != "" {
		pw, err := pipeline.ReadSecret("daemon.redis.password_file", r.PasswordFile, "")
		if err != nil {
			return nil, err
		}
		c.Password = pw
	}
	if t := r.TLS; t != nil {
		c.TLS = &redislock.TLSConfig{CAFile: t.CAFile, ServerName: t.ServerName, CertFile: t.CertFile, KeyFile: t.KeyFile}
	}
	return redislock.NewClient(c)
}

// redisConfigError places an error of redisClient at its key in the
// config: FILE:LINE: daemon.redis.KEY: ….
func redisConfigError(cfg *config.Config, err error) error {
	var ce *redislock.ConfigError
	if !errors.As(err, &ce) {
		return fmt.Errorf("%s: %w", cfg.Path, err)
	}
	key := "daemon.redis." + ce.Key
	if cfg.Line(key) == 0 {
		key = "daemon.redis"
	}
	fix := "give a readable PEM file, or leave the key out"
	if ce.Key == "address" {
		fix = "write the Redis server's address as host:port"
	}
	e := cfg.ErrorAt(key, ce.Err.Error(), fix)
	e.Key = "daemon.redis." + ce.Key
	return e
}

// loadDaemon reads the config and makes the daemon's service on it
// (agent.ForDaemon checks it as validate does), so that a bad config is
// refused at start-up or on reload, before any job runs with it.
func loadDaemon(path string, m *metrics.Metrics, log *slog.Logger) (*agent.Service, error) {
	return loadDaemonAt(path, m, log, time.Now)
}

// loadDaemonAt is loadDaemon with the daemon's clock: a plan job plans
// as of its day, and apply's re-check decides as of it.
func loadDaemonAt(path string, m *metrics.Metrics, log *slog.Logger, now func() time.Time) (*agent.Service, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	return agent.ForDaemon(cfg, agent.Options{Log: log, Now: now, Metrics: m, ConfigPath: path})
}

// setup is the daemon's schedule and endpoints on one load of the
// config: the service's nightly jobs, its metrics and readiness.
func setup(svc *agent.Service, m *metrics.Metrics) daemon.Setup {
	cfg := svc.Config()
	return daemon.Setup{
		Location: cfg.Location,
		StateDir: cfg.StateDir,
		Listen:   cfg.Daemon.Listen,
		Jobs: []daemon.Job{
			{Name: "plan", Schedule: cfg.Daemon.PlanSchedule, Run: svc.NightlyPlan, Scan: true},
			{Name: "apply", Schedule: cfg.Daemon.ApplySchedule, Run: svc.NightlyApply},
		},
		Metrics: svc.MetricsHandler(m.Handler()),
		Ready:   svc.Ready,
	}
}

// Package agent is retentiond's one service: every operation of the
// product (plan, approve, apply, requests, holds, review resolutions,
// access packages, the ledger, the daemon's nightly jobs) as methods of
// Service, which the command line (cmd/retentiond), the daemon and the
// web console all call. The front ends parse their input, say who asks
// (Actor) and show the results; the rules of the product live here and
// in the packages below it.
//
// Package agent opens stores through agent/pipeline and does not import
// the remote store packages (OneDrive, S3) itself: a program that wants
// them imports agent/pipeline/graphstore and agent/pipeline/s3store for
// their side effects, as cmd/retentiond does.
//
// Errors never carry personal data (names, record paths, cell values):
// they may be logged and shown. A caller's bad input is an *InputError.
package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/gauges"
	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/agent/notify"
	"github.com/retentiond/retentiond/config"
)

// Options are what a Service is given besides its config. Every field
// may be left zero.
type Options struct {
	// Log receives the service's log lines (never personal data); nil
	// discards them.
	Log *slog.Logger
	// Now is the clock that decides the day of a plan made without an
	// as-of day and the day apply's re-check decides as of (the daemon's
	// clock); nil is time.Now.
	Now func() time.Time
	// Metrics, if set, is updated by the daemon's jobs.
	Metrics *metrics.Metrics
	// Notify, if set, is told when a plan awaits review, an apply ran or
	// something failed. The daemon sets it from the config's notify:
	// section.
	Notify notify.Notifier
	// Out receives the lines the command line prints on stdout as an
	// operation goes (a request answered, the ledger copied); nil logs
	// them at level info.
	Out io.Writer
	// Warn receives warnings (a stale file that could not be removed, a
	// ledger repaired after an interruption); nil logs them as warnings.
	Warn io.Writer
	// ConfigPath is the config file's path as the caller named it, for
	// the commands the service's messages suggest; "" is the config's
	// own path.
	ConfigPath string
}

// Service carries out retentiond's operations on one loaded config and
// its state dir. It is safe for use by one goroutine per operation: the
// state files are locked by the packages that write them, and one apply
// at a time runs per state dir (the apply lock).
type Service struct {
	cfg     *config.Config
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics.Metrics
	notify  notify.Notifier
	out     io.Writer
	warn    io.Writer
	path    string
	told    *stateTold
	// watch rebuilds the gauges from the state dir when it changed (the
	// daemon's; nil otherwise).
	watch *gauges.Watcher
}

// New returns the service for cfg, a config as config.Load returned it.
func New(cfg *config.Config, o Options) (*Service, error) {
	if cfg == nil {
		return nil, errors.New("agent.New: no config")
	}
	s := &Service{cfg: cfg, log: o.Log, now: o.Now, metrics: o.Metrics, notify: o.Notify, path: o.ConfigPath, told: &stateTold{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.path == "" {
		s.path = cfg.Path
	}
	s.out = o.Out
	if s.out == nil {
		s.out = logLines{s.log, slog.LevelInfo}
	}
	s.warn = o.Warn
	if s.warn == nil {
		s.warn = logLines{s.log, slog.LevelWarn}
	}
	return s, nil
}

// Config is the config the service was made with.
func (s *Service) Config() *config.Config { return s.cfg }

// InputError is a problem with what the caller gave (a flag, an id, a
// date) or with the config: the command line exits 2 on it.
type InputError struct {
	// Flag, if set, names the command line flag the input came in
	// ("--as-of"); the console shows its own label instead.
	Flag string
	Err  error
}

func (e *InputError) Error() string {
	if e.Flag != "" {
		return e.Flag + ": " + e.Err.Error()
	}
	return e.Err.Error()
}

func (e *InputError) Unwrap() error { return e.Err }

// inputErr is an *InputError of a formatted message.
func inputErr(format string, a ...any) error {
	return &InputError{Err: fmt.Errorf(format, a...)}
}

// badInput marks err as the caller's or the config's (exit 2 on the
// command line).
func badInput(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}

// logLines writes the lines written to it to a log at one level (a
// front end that gave no Out or Warn writer).
type logLines struct {
	log   *slog.Logger
	level slog.Level
}

func (w logLines) Write(p []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		if l != "" {
			w.log.Log(context.Background(), w.level, l)
		}
	}
	return len(p), nil
}

// fmtErr is fmt.Errorf, for files that need nothing else of fmt.
func fmtErr(format string, a ...any) error { return fmt.Errorf(format, a...) }

package agent

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/gauges"
	"github.com/retentiond/retentiond/agent/notify"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/config"
)

// ForDaemon is the service of the daemon (`retentiond run`) on one load
// of the config: it checks the config as `validate` does (auto_apply
// rules the policy has, notify settings), so that a bad config is
// refused at start-up or on reload before any job runs with it; makes
// the state dir; sets o.Notify from the config's notify: section when
// o.Notify is nil; and keeps o.Metrics' gauges as the state dir has them
// (MetricsHandler, RefreshGauges).
func ForDaemon(cfg *config.Config, o Options) (*Service, error) {
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
	if o.Notify == nil {
		if nc, ok := cfg.Notify.NotifyConfig(); ok {
			if err := nc.Validate(); err != nil {
				return nil, fmt.Errorf("%s: notify: %w", cfg.Path, err)
			}
			n, err := notify.New(nc)
			if err != nil {
				return nil, fmt.Errorf("%s: notify: %w", cfg.Path, err)
			}
			o.Notify = n
		}
	}
	s, err := New(cfg, o)
	if err != nil {
		return nil, err
	}
	if s.metrics != nil {
		var names []string
		for _, st := range cfg.Stores {
			names = append(names, st.Name)
		}
		s.metrics.RetainStores(names...)
		s.metrics.SetInfo(cfg.Organisation)
		s.watch = gauges.NewWatcher(cfg.StateDir, s.RefreshGauges)
	}
	return s, nil
}

// MetricsHandler serves next (the metrics) after rebuilding the gauges
// from the state dir when it changed since (gauges.Watcher).
func (s *Service) MetricsHandler(next http.Handler) http.Handler {
	if s.watch == nil {
		return next
	}
	return s.watch.Handler(next)
}

// CheckGauges rebuilds the gauges when the state dir changed since they
// were last built, and says whether it did.
func (s *Service) CheckGauges() bool {
	if s.watch == nil {
		return false
	}
	return s.watch.Check()
}

// Ready fails when the keys the jobs need are missing, so that a service
// that cannot apply shows as not ready rather than failing at night; and
// when the nightly ledger verification cannot run (LedgerVerifier: no
// ledger_verify_key_file, or not the ledger key's verifier).
func (s *Service) Ready() error {
	for _, k := range []struct{ key, path string }{{"pseudonym_key_file", s.cfg.PseudonymKeyFile}, {"ledger_key_file", s.cfg.LedgerKeyFile}} {
		if k.path == "" {
			return fmt.Errorf("%s is not set", k.key)
		}
		if _, err := os.Stat(k.path); err != nil {
			return fmt.Errorf("%s cannot be read", k.key)
		}
	}
	if _, err := s.LedgerVerifier(); err != nil {
		return fmt.Errorf("the ledger cannot be verified: %w", err)
	}
	return nil
}

// tell sends an event to the administrator, if the service has a
// notifier, and logs a failure to do so (a mail server being down must
// not fail a job).
func (s *Service) tell(ctx context.Context, e notify.Event) {
	if s.notify == nil {
		return
	}
	e.Organisation, e.ConfigPath, e.Time = s.cfg.Organisation, s.path, time.Now().In(s.cfg.Location)
	if s.cfg.Console.Enabled() {
		e.Console = s.cfg.Console.PublicURL // links by PlanID or Request (notify.ConsoleLink)
	}
	if e.Lang == "" {
		e.Lang = s.cfg.Notify.Lang
	}
	if err := s.notify.Notify(ctx, e); err != nil {
		s.log.Warn("notification not sent", "kind", e.Kind, "err", err)
		if s.metrics != nil {
			s.metrics.AddNotificationFailed()
		}
	}
}

// failure logs and tells of a failed job; err must hold no personal data
// (the project's errors do not).
func (s *Service) failure(ctx context.Context, what string, err error) error {
	s.log.Error(what+" failed", "err", err)
	s.tell(ctx, notify.Event{Kind: notify.KindFailure, Error: what + " failed"})
	return fmt.Errorf("%s: %w", what, err)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

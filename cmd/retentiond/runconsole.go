package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/console"
	"github.com/retentiond/retentiond/agent/console/auth"
	"github.com/retentiond/retentiond/config"
)

// consoleServer is the review console of `retentiond run`, on its own
// listener (console.listen). Its listener is opened before the daemon
// starts, so that a port in use stops start-up with a clear error; the
// console itself is made at the first load of the config and, on a
// reload, works on the new service. Sign-in settings (console.oidc,
// console.roles, TLS) are read at start-up: restart for those.
type consoleServer struct {
	log *slog.Logger
	ln  net.Listener

	mu   sync.Mutex
	c    *console.Console
	done chan error
}

// listenConsole opens the console's listener, or returns nil when the
// config turns the console off.
func listenConsole(cfg *config.Config, log *slog.Logger) (*consoleServer, error) {
	if !cfg.Console.Enabled() {
		log.Info("console off (console.listen: off)")
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.Console.Listen)
	if err != nil {
		return nil, fmt.Errorf("console.listen: %w", err)
	}
	return &consoleServer{log: log, ln: ln}, nil
}

// load gives the console the service of a (re)load of the config: the
// first time it makes the console and starts serving it until ctx ends.
func (s *consoleServer) load(ctx context.Context, svc *agent.Service) error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := svc.Config()
	if s.c != nil {
		s.c.SetBackend(svc, cfg)
		return nil
	}
	a, err := auth.New(ctx, cfg, auth.Options{Log: s.log})
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	c, err := console.New(svc, console.FromAuth(a), cfg, console.Options{Log: s.log})
	if err != nil {
		return err
	}
	s.c = c
	s.done = make(chan error, 1)
	go func() { s.done <- console.ServeOn(ctx, s.ln, c, cfg, s.log) }()
	return nil
}

// wait waits for the console to stop after ctx ended; a console never
// started closes its listener.
func (s *consoleServer) wait() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done == nil {
		return s.ln.Close()
	}
	return <-done
}

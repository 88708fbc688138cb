package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
)

// DefaultListen is the address the HTTP server listens on when the config
// sets none: loopback only, since /metrics needs no wider audience by
// default.
const DefaultListen = "127.0.0.1:9465"

// Check is one named readiness check. Fn returns nil when ready; its error
// text is shown in the /readyz body and must hold no personal data.
type Check struct {
	Name string
	Fn   func() error
}

// ServerOptions configure a Server.
type ServerOptions struct {
	// Addr is host:port; empty means DefaultListen. Port 0 picks a free
	// port (tests); Server.Addr tells which.
	Addr string
	// Metrics serves /metrics (the metrics package's handler). Nil answers
	// 503 until SetMetrics.
	Metrics http.Handler
	// Checks are run in order by /readyz.
	Checks []Check
	// Logger receives serve errors. Nil discards.
	Logger *slog.Logger
	// WebConfigFile is an exporter-toolkit web config file (TLS, basic
	// auth: `retentiond run --web.config.file`, as node_exporter's) for
	// every endpoint; "" serves plain HTTP.
	WebConfigFile string
}

// Server is the daemon's HTTP endpoint:
//
//   - /metrics: the handler from the caller;
//   - /healthz: liveness, 200 "ok" while the daemon runs its loop, 503
//     "stopping" once shutdown has begun;
//   - /readyz: 200 "ready" when every Check passes, otherwise 503 with one
//     line "NAME: error" per failing check.
type Server struct {
	ln     net.Listener
	srv    *http.Server
	log    *slog.Logger
	alive  atomic.Bool
	mu     sync.RWMutex
	metric http.Handler
	checks []Check
	web    string // the web config file; "" is plain HTTP
}

// NewServer binds the listen address, so that a taken port is an error at
// start-up rather than a log line later. Call Serve to answer requests.
func NewServer(opts ServerOptions) (*Server, error) {
	addr := opts.Addr
	if addr == "" {
		addr = DefaultListen
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("daemon: listen on %s: the port is already in use (another retentiond or another program); stop it or set daemon.listen to a free address", addr)
		}
		return nil, fmt.Errorf("daemon: listen on %s: %w (check daemon.listen in the config)", addr, err)
	}
	if err := CheckWebConfig(opts.WebConfigFile); err != nil {
		ln.Close()
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{ln: ln, log: log, metric: opts.Metrics, checks: opts.Checks, web: opts.WebConfigFile}
	s.alive.Store(true)
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// CheckWebConfig reads an exporter-toolkit web config file (its TLS
// certificate and key, its basic auth users' bcrypt hashes) as Serve
// will, so that a bad one stops start-up with an error naming the file.
// "" (plain HTTP) passes.
func CheckWebConfig(path string) error {
	if path == "" {
		return nil
	}
	if err := web.Validate(path); err != nil {
		return fmt.Errorf("--web.config.file %s: %w (the format: https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md; passwords are bcrypt hashes)", path, err)
	}
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve answers requests in the background until Shutdown: over TLS and
// with basic auth as the web config file says, if there is one
// (exporter-toolkit's web.Serve, which reads the file again as it
// changes, so a renewed certificate needs no restart).
func (s *Server) Serve() {
	go func() {
		var err error
		if s.web != "" {
			systemd := false
			err = web.Serve(s.ln, s.srv, &web.FlagConfig{WebConfigFile: &s.web, WebSystemdSocket: &systemd,
				WebListenAddresses: &[]string{s.ln.Addr().String()}}, s.log)
		} else {
			err = s.srv.Serve(s.ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "err", err)
		}
	}()
}

// Shutdown marks the daemon as stopping (/healthz 503), lets requests in
// flight finish until ctx ends, and closes the listener.
func (s *Server) Shutdown(ctx context.Context) error {
	s.alive.Store(false)
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// SetAlive sets what /healthz reports.
func (s *Server) SetAlive(alive bool) { s.alive.Store(alive) }

// SetMetrics swaps the /metrics handler (after a reload).
func (s *Server) SetMetrics(h http.Handler) {
	s.mu.Lock()
	s.metric = h
	s.mu.Unlock()
}

// SetChecks swaps the readiness checks (after a reload).
func (s *Server) SetChecks(cs []Check) {
	s.mu.Lock()
	s.checks = cs
	s.mu.Unlock()
}

// Handler returns the server's routes, for tests and for embedding.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("/metrics", s.metrics)
	return mux
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	if !s.alive.Load() {
		text(w, http.StatusServiceUnavailable, "stopping\n")
		return
	}
	text(w, http.StatusOK, "ok\n")
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	s.mu.RLock()
	checks := s.checks
	s.mu.RUnlock()
	var b strings.Builder
	for _, c := range checks {
		if err := c.Fn(); err != nil {
			// One line per error, also for errors.Join of several.
			for line := range strings.SplitSeq(err.Error(), "\n") {
				fmt.Fprintf(&b, "%s: %s\n", c.Name, line)
			}
		}
	}
	if b.Len() > 0 {
		text(w, http.StatusServiceUnavailable, "not ready\n"+b.String())
		return
	}
	text(w, http.StatusOK, "ready\n")
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	h := s.metric
	s.mu.RUnlock()
	if h == nil {
		text(w, http.StatusServiceUnavailable, "metrics not configured\n")
		return
	}
	h.ServeHTTP(w, r)
}

func text(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

// Package console is the review console that `retentiond run` serves on
// console.listen: server-rendered pages (html/template, a small embedded
// stylesheet and script, no inline script or style) in Dutch and English
// through which the organisation's administrator and privacy officer
// review a plan, exclude items, approve or reject it, settle review items,
// handle requests and holds, and check the ledger.
//
// The console holds no logic of its own: every read and every change goes
// through the Backend (*agent.Service), which checks it and ledgers it
// with the actor (agent.Actor{Via: "console"}). What the console adds is
// the web's side of safety:
//
//   - every state change is a POST, passed through net/http's
//     CrossOriginProtection, and checks the person's role on the server
//     (a button hidden from a viewer is refused to a viewer as well);
//   - a Content-Security-Policy that allows no inline script or style,
//     frames from nowhere and forms to this site only;
//   - no personal data in URLs or logs: items are named by plan id and
//     item number, people by their index in the plan, and search text is
//     POSTed and kept on the server for the browser's session.
package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/retentiond/retentiond/config"
)

// Options tune the console; the zero value is usable.
type Options struct {
	// Log receives one line per request (method, route pattern, status,
	// duration: never a URL's query, a form's value or a name).
	Log *slog.Logger
	// Now is the clock (tests fix it); default time.Now.
	Now func() time.Time
	// PageSize is the number of items per page of a plan (default 50).
	PageSize int
}

// Console serves the review console. It is an http.Handler.
type Console struct {
	cur   atomic.Pointer[live]
	h     http.Handler
	auth  Authenticator
	log   *slog.Logger
	now   func() time.Time
	size  int
	pages *pages
	views *views
	ix    *indexCache
	ledg  *ledgerCache
	mux   *http.ServeMux
}

// live is the service and config the console works on now.
type live struct {
	b   Backend
	cfg *config.Config
}

// New returns the console: every page behind a.Require, every state
// change behind CrossOriginProtection and a role check. cfg's console
// section (listen, TLS, idle timeout) is read here once; the rest is
// taken from the config SetBackend gives on a reload.
func New(b Backend, a Authenticator, cfg *config.Config, o Options) (*Console, error) {
	if b == nil || a == nil || cfg == nil {
		return nil, errors.New("console: a backend, an authenticator and a config are needed")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PageSize <= 0 {
		o.PageSize = 50
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	idle := cfg.Console.ParsedIdleTimeout
	if idle <= 0 {
		idle = 30 * time.Minute
	}
	c := &Console{
		auth: a, log: o.Log, now: o.Now, size: o.PageSize,
		pages: p,
		views: newViews(idle, o.Now),
		ix:    newIndexCache(4),
		ledg:  &ledgerCache{ttl: time.Minute},
	}
	c.cur.Store(&live{b: b, cfg: cfg})
	c.routes()
	c.h = c.handler()
	return c, nil
}

// ServeHTTP serves the console's pages.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.h.ServeHTTP(w, r) }

// SetBackend makes the console work on b and cfg from now on: the
// daemon's service after a reload of the config.
func (c *Console) SetBackend(b Backend, cfg *config.Config) {
	if b != nil && cfg != nil {
		c.cur.Store(&live{b: b, cfg: cfg})
	}
}

func (c *Console) backend() Backend       { return c.cur.Load().b }
func (c *Console) config() *config.Config { return c.cur.Load().cfg }

// Serve serves the console on cfg.Console.Listen until ctx is done, with
// TLS when console.tls_cert_file and tls_key_file are set. It returns nil
// after a clean shutdown.
func Serve(ctx context.Context, h http.Handler, cfg *config.Config, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", cfg.Console.Listen)
	if err != nil {
		return fmt.Errorf("console: listen on %s: %w", cfg.Console.Listen, err)
	}
	return ServeOn(ctx, ln, h, cfg, log)
}

// ServeOn is Serve on a listener the caller opened (it is closed when
// ServeOn returns).
func ServeOn(ctx context.Context, ln net.Listener, h http.Handler, cfg *config.Config, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cc := cfg.Console
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() {
		if cc.TLSCertFile != "" && cc.TLSKeyFile != "" {
			done <- srv.ServeTLS(ln, cc.TLSCertFile, cc.TLSKeyFile)
		} else {
			done <- srv.Serve(ln)
		}
	}()
	log.Info("console listening", "addr", ln.Addr().String(), "tls", cc.TLSCertFile != "")
	select {
	case err := <-done:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("console: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return fmt.Errorf("console: shutdown: %w", err)
		}
		return nil
	}
}

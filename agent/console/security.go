package console

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// csp allows the console's own stylesheet, script and images and nothing
// inline: no inline script, no style attributes, no frames of the console
// anywhere, forms posting to the console only.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// handler puts the console together: static files, the authenticator's
// sign-in routes, the pages behind sign-in, all behind the security
// headers and CrossOriginProtection, with one log line per request.
func (c *Console) handler() http.Handler {
	root := http.NewServeMux()
	root.Handle("GET /static/", staticHandler())
	c.auth.Routes(root)
	root.Handle("/", c.auth.Require(c.mux))
	cop := http.NewCrossOriginProtection()
	// Behind a reverse proxy that passes another Host on, a browser
	// without Sec-Fetch-Site is told apart by its Origin: the console's
	// public address is its own.
	if u, err := url.Parse(c.config().Console.PublicURL); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		if err := cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			c.log.Warn("console: console.public_url is not an origin", "err", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	return c.logged(c.headers(cop.Handler(root)))
}

// headers sets the security headers on every response.
func (c *Console) headers(next http.Handler) http.Handler {
	secure := c.auth.Secure()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if len(r.URL.Path) < 8 || r.URL.Path[:8] != "/static/" {
			// pages hold names and paths: no copy in any cache
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// maxBody bounds a form the console accepts: a page of item numbers,
// a comment and a reason fit many times over.
const maxBody = 256 << 10

// reqInfo carries what the log line may tell of a request: the route
// pattern ("GET /plans/{id}/items/{n}"), never the URL itself.
type reqInfo struct{ pattern string }

type reqInfoKey struct{}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// logged logs each request by method, route pattern, status and
// duration. The path is logged only for static files; a page's path and
// query are not (though they hold no personal data by design, a mistyped
// URL might).
func (c *Console) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := c.now()
		info := &reqInfo{}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, info)))
		route := info.pattern
		if route == "" {
			route = r.Method + " (other)"
		}
		c.log.Info("console request", "route", route, "status", sw.status, "ms", time.Since(start).Milliseconds())
	})
}

// route wraps a page's handler: it records the route pattern for the log
// line and, for a role other than viewer, refuses a person without it
// with 403 (so a hidden button is also a refused request).
func (c *Console) route(pattern, role string, h func(w http.ResponseWriter, r *http.Request, p *Person)) {
	c.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if info, ok := r.Context().Value(reqInfoKey{}).(*reqInfo); ok {
			info.pattern = pattern
		}
		p := c.auth.Person(r.Context())
		if p == nil {
			http.Error(w, "not signed in", http.StatusUnauthorized)
			return
		}
		if role != "" && !p.Can(role) {
			c.forbidden(w, r, p)
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		h(w, r, p)
		if r.Method == http.MethodPost {
			c.ledg.forget() // a change was (maybe) ledgered: verify again
		}
	})
}

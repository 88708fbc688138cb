package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Webhook payload formats.
const (
	FormatJSON  = "json"  // the event with stable field names; see payload
	FormatSlack = "slack" // {"text": …}, Slack mrkdwn; also Mattermost
	FormatTeams = "teams" // an Adaptive Card, as Teams Workflows webhooks expect
)

// WebhookConfig says where to POST events: the notify.webhook section.
// The URL may itself be a secret (Slack's is), so it appears in no error:
// errors name only its scheme and host.
type WebhookConfig struct {
	URL          string            `yaml:"url"`
	Format       string            `yaml:"format"`        // json (default), slack or teams
	Headers      map[string]string `yaml:"headers"`       // plain headers; no secrets here
	HeaderFiles  map[string]string `yaml:"header_files"`  // header name → file holding its value (e.g. Authorization)
	Timeout      time.Duration     `yaml:"timeout"`       // per attempt; default 10s
	Attempts     int               `yaml:"attempts"`      // default 4
	CAFile       string            `yaml:"ca_file"`       // PEM roots to trust instead of the system's
	InsecureHTTP bool              `yaml:"insecure_http"` // allow http:// to a host other than localhost
	RootCAs      *x509.CertPool    `yaml:"-"`             // set by code; wins over CAFile
}

// secretHeaders may carry credentials, so they belong in header_files.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie"}

// Validate checks the config without touching files or the network.
// Its errors are *ConfigError values joined with errors.Join.
func (c WebhookConfig) Validate() error {
	var errs []error
	bad := func(key, msg, fix string) {
		errs = append(errs, &ConfigError{Key: "notify.webhook." + key, Msg: msg, Fix: fix})
	}
	if c.URL == "" {
		bad("url", "missing", "set the URL to POST to, e.g. https://chat.example.nl/hooks/retentiond")
	} else if u, err := url.Parse(c.URL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		bad("url", "not an http or https URL", "write it as https://host/path")
	} else if u.Scheme == "http" && !isLocalhost(u.Hostname()) && !c.InsecureHTTP {
		bad("url", "http sends the message and any secret header unencrypted",
			"use https, or set notify.webhook.insecure_http: true for a host on a trusted network")
	}
	switch c.Format {
	case "", FormatJSON, FormatSlack, FormatTeams:
	default:
		bad("format", "unknown value", "use json (default), slack or teams")
	}
	for name := range c.Headers {
		if !validHeaderName(name) {
			bad("headers", "a header name is not a valid HTTP header name", "use names such as X-Source")
		} else if isSecretHeader(name) {
			bad("headers."+name, "would put a credential in the config file", "move it to notify.webhook.header_files: {"+name+": /etc/retentiond/webhook.secret}")
		}
	}
	for name, path := range c.HeaderFiles {
		if !validHeaderName(name) {
			bad("header_files", "a header name is not a valid HTTP header name", "use names such as Authorization")
		} else if path == "" {
			bad("header_files."+name, "no file given", "point it at a file (mode 0600) holding the header's value")
		}
	}
	if c.Timeout < 0 {
		bad("timeout", "negative", "use a duration such as 10s")
	}
	if c.Attempts < 0 || c.Attempts > 10 {
		bad("attempts", "out of range", "use 1 to 10 (default 4)")
	}
	return errors.Join(errs...)
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

func isSecretHeader(name string) bool {
	return slices.ContainsFunc(secretHeaders, func(s string) bool { return strings.EqualFold(name, s) })
}

// Webhook POSTs events to a URL. It retries network errors, 429 and 5xx
// with growing waits (honouring Retry-After), and does not retry other
// answers, which a retry would not change. It follows no redirect, so
// that a secret header never goes to a host it was not configured for.
type Webhook struct {
	cfg      WebhookConfig
	endpoint string // scheme://host, the only part of the URL errors show
	client   *http.Client

	// Sleep waits between attempts; nil waits on a timer. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Backoff is the first wait, doubled after each attempt up to
	// MaxBackoff; a Retry-After longer than MaxRetryAfter ends the retries.
	Backoff, MaxBackoff, MaxRetryAfter time.Duration
}

var _ Notifier = (*Webhook)(nil)

// NewWebhook checks c, fills its defaults and loads its CA file. It reads
// the header files once, to fail at start, and again at every send.
func NewWebhook(c WebhookConfig) (*Webhook, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Format == "" {
		c.Format = FormatJSON
	}
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Attempts == 0 {
		c.Attempts = 4
	}
	roots := c.RootCAs
	if roots == nil && c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, &ConfigError{Key: "notify.webhook.ca_file", Msg: "cannot read: " + err.Error(), Fix: "point it at a PEM file of CA certificates"}
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, &ConfigError{Key: "notify.webhook.ca_file", Msg: "holds no PEM certificate", Fix: "point it at a PEM file of CA certificates"}
		}
	}
	for name, path := range c.HeaderFiles {
		if _, err := readSecret("notify.webhook.header_files."+name, path); err != nil {
			return nil, err
		}
	}
	u, _ := url.Parse(c.URL) // checked by Validate
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return &Webhook{
		cfg:      c,
		endpoint: u.Scheme + "://" + u.Host,
		client: &http.Client{
			Transport:     tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Backoff:       time.Second,
		MaxBackoff:    30 * time.Second,
		MaxRetryAfter: 2 * time.Minute,
	}, nil
}

// Notify renders e in the configured format and POSTs it.
func (w *Webhook) Notify(ctx context.Context, e Event) error {
	if err := e.Check(); err != nil {
		return w.wrap(err)
	}
	e = e.normalise(time.Now)
	body, err := encode(w.cfg.Format, e, render(e))
	if err != nil {
		return w.wrap(err)
	}
	return w.wrap(w.post(ctx, body))
}

func (w *Webhook) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("notify: webhook %s: %w", w.endpoint, err)
}

// post sends body, retrying what may pass on a later try.
func (w *Webhook) post(ctx context.Context, body []byte) error {
	hdr, secrets, err := w.headers()
	if err != nil {
		return err
	}
	wait := w.Backoff
	var last error
	for n := 1; ; n++ {
		retry, after, err := w.attempt(ctx, body, hdr, secrets)
		if err == nil {
			return nil
		}
		last = fmt.Errorf("attempt %d of %d: %w", n, w.cfg.Attempts, err)
		if !retry || n >= w.cfg.Attempts || ctx.Err() != nil {
			return last
		}
		d := wait
		if after > 0 {
			if after > w.MaxRetryAfter {
				return fmt.Errorf("%w; the server asked to wait %s, longer than retentiond waits", last, after)
			}
			d = after
		}
		if err := w.sleep(ctx, d); err != nil {
			return fmt.Errorf("%w; stopped waiting to retry: %w", last, err)
		}
		wait = min(2*wait, w.MaxBackoff)
	}
}

// attempt makes one POST. It reports whether a retry may help and how
// long the server asked to wait.
func (w *Webhook) attempt(ctx context.Context, body []byte, hdr http.Header, secrets []string) (retry bool, after time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return false, 0, errors.New("cannot build the request; check notify.webhook.url")
	}
	req.Header = hdr.Clone()
	resp, err := w.client.Do(req)
	if err != nil {
		// *url.Error quotes the whole URL, which may hold a token.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return true, 0, errors.New(redact(err.Error(), secrets))
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return false, 0, nil
	}
	msg := "the server answered " + resp.Status
	if s := redact(string(snippet), secrets); s != "" {
		msg += ": " + cut(strings.Join(strings.Fields(s), " "), 120)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return true, retryAfter(resp.Header.Get("Retry-After"), time.Now()), errors.New(msg)
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return false, 0, errors.New(msg + "; redirects are not followed: fix: set notify.webhook.url to the final URL")
	}
	return false, 0, errors.New(msg)
}

// headers builds the request headers, reading the secret ones from their
// files, and lists every value that must never appear in an error.
func (w *Webhook) headers() (http.Header, []string, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("User-Agent", "retentiond")
	for k, v := range w.cfg.Headers {
		h.Set(k, v)
	}
	var secrets []string
	for k, path := range w.cfg.HeaderFiles {
		v, err := readSecret("notify.webhook.header_files."+textproto.CanonicalMIMEHeaderKey(k), path)
		if err != nil {
			return nil, nil, err
		}
		h.Set(k, v)
		secrets = append(secrets, v)
		// "Bearer abc": the token alone may be echoed too.
		if _, tok, ok := strings.Cut(v, " "); ok {
			secrets = append(secrets, tok)
		}
	}
	for _, v := range w.cfg.Headers {
		secrets = append(secrets, v)
	}
	return h, append(secrets, urlSecrets(w.cfg.URL)...), nil
}

// urlSecrets lists the parts of a URL that may be a token: the whole URL,
// its user-info, its query values and its longer path segments (Slack's
// hook URLs carry their secret in the path).
func urlSecrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return []string{raw}
	}
	s := []string{raw, u.RawQuery, u.EscapedPath(), u.Path}
	if u.User != nil {
		s = append(s, u.User.Username())
		if p, ok := u.User.Password(); ok {
			s = append(s, p)
		}
	}
	for _, vs := range u.Query() {
		s = append(s, vs...)
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if len(seg) >= 6 {
			s = append(s, seg)
		}
	}
	return s
}

// redact replaces each secret of four or more bytes in s, longest first
// so that a part does not leave the rest of a longer secret behind.
func redact(s string, secrets []string) string {
	sorted := slices.Clone(secrets)
	slices.SortFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	for _, sec := range sorted {
		if len(sec) >= 4 && sec != "/" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// retryAfter reads a Retry-After value: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func (w *Webhook) sleep(ctx context.Context, d time.Duration) error {
	if w.Sleep != nil {
		return w.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

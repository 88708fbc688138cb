package notify

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookServer records the requests it gets and answers from a script:
// the i-th request gets answers[i] (the last one repeats).
type hookServer struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []*http.Request
	bodies  [][]byte
	answers []func(w http.ResponseWriter, r *http.Request)
}

func newHookServer(t *testing.T, answers ...func(w http.ResponseWriter, r *http.Request)) *hookServer {
	h := &hookServer{answers: answers}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		n := len(h.reqs)
		h.reqs = append(h.reqs, r)
		h.bodies = append(h.bodies, body)
		h.mu.Unlock()
		if len(h.answers) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.answers[min(n, len(h.answers)-1)](w, r)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.reqs)
}

func status(code int, hdr ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(code)
	}
}

// mustWebhook builds a webhook whose waits are recorded, not slept.
func mustWebhook(t *testing.T, c WebhookConfig) (*Webhook, *[]time.Duration) {
	t.Helper()
	w, err := NewWebhook(c)
	if err != nil {
		t.Fatalf("NewWebhook: %v", err)
	}
	var slept []time.Duration
	w.Sleep = func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return ctx.Err()
	}
	return w, &slept
}

// TestWebhookFormats pins each format's body, and checks the headers:
// the secret one read from its file, the plain one from the config.
func TestWebhookFormats(t *testing.T) {
	for _, format := range []string{FormatJSON, FormatSlack, FormatTeams} {
		t.Run(format, func(t *testing.T) {
			srv := newHookServer(t)
			w, _ := mustWebhook(t, WebhookConfig{
				URL: srv.URL + "/hook", Format: format,
				Headers:     map[string]string{"X-Source": "retentiond-test"},
				HeaderFiles: map[string]string{"Authorization": writeSecret(t, "Bearer hook-token-123\n")},
			})
			e := sampleEvents()[KindPlanReady]
			if format == FormatSlack {
				e.Organisation = "Zon & Maan <BV>" // mrkdwn's markup characters
			}
			if err := w.Notify(context.Background(), e); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			if srv.count() != 1 {
				t.Fatalf("%d requests, want 1", srv.count())
			}
			r := srv.reqs[0]
			for k, v := range map[string]string{
				"Authorization": "Bearer hook-token-123",
				"X-Source":      "retentiond-test",
				"Content-Type":  "application/json; charset=utf-8",
			} {
				if got := r.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if r.Method != http.MethodPost || r.URL.Path != "/hook" {
				t.Errorf("request = %s %s", r.Method, r.URL.Path)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, srv.bodies[0], "", "  "); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			golden(t, "webhook-"+format+".json", append(pretty.Bytes(), '\n'))
		})
	}
}

// TestWebhookRetries: which answers are retried, how long it waits, and
// when it gives up.
func TestWebhookRetries(t *testing.T) {
	tests := []struct {
		name     string
		answers  []func(http.ResponseWriter, *http.Request)
		wantReqs int
		wantWait []time.Duration
		wantErr  string // "" for success
	}{
		{"503 then success", []func(http.ResponseWriter, *http.Request){status(503), status(503), status(200)},
			3, []time.Duration{time.Second, 2 * time.Second}, ""},
		{"429 with Retry-After", []func(http.ResponseWriter, *http.Request){status(429, "Retry-After", "7"), status(204)},
			2, []time.Duration{7 * time.Second}, ""},
		{"400 is not retried", []func(http.ResponseWriter, *http.Request){status(400)},
			1, nil, "attempt 1 of 4: the server answered 400 Bad Request"},
		{"404 is not retried", []func(http.ResponseWriter, *http.Request){status(404)},
			1, nil, "404"},
		{"always 502", []func(http.ResponseWriter, *http.Request){status(502)},
			4, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, "attempt 4 of 4: the server answered 502"},
		{"Retry-After too long", []func(http.ResponseWriter, *http.Request){status(503, "Retry-After", "3600")},
			1, nil, "asked to wait 1h0m0s"},
		{"redirect not followed", []func(http.ResponseWriter, *http.Request){status(302, "Location", "https://elsewhere.example/")},
			1, nil, "redirects are not followed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newHookServer(t, tt.answers...)
			w, slept := mustWebhook(t, WebhookConfig{URL: srv.URL})
			err := w.Notify(context.Background(), sampleEvents()[KindFailure])
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Notify: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Notify = %v, want an error with %q", err, tt.wantErr)
			}
			if srv.count() != tt.wantReqs {
				t.Errorf("%d requests, want %d", srv.count(), tt.wantReqs)
			}
			if !slices.Equal(*slept, tt.wantWait) {
				t.Errorf("waited %v, want %v", *slept, tt.wantWait)
			}
		})
	}
}

// TestWebhookNetworkErrorRetried: a refused connection is retried, and
// the error quotes no part of the URL past its host.
func TestWebhookNetworkErrorRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	w, slept := mustWebhook(t, WebhookConfig{URL: "http://" + addr + "/services/T0001/B0002/pathtoken42?token=querytoken42", Attempts: 3})
	err = w.Notify(context.Background(), sampleEvents()[KindFailure])
	if err == nil || !strings.Contains(err.Error(), "attempt 3 of 3") {
		t.Fatalf("Notify = %v, want a failure after 3 attempts", err)
	}
	if len(*slept) != 2 {
		t.Errorf("waited %d times, want 2", len(*slept))
	}
	if !strings.Contains(err.Error(), "webhook http://"+addr+":") {
		t.Errorf("error does not name the endpoint: %v", err)
	}
	for _, s := range []string{"pathtoken42", "querytoken42", "services", `Post "`} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error holds %q: %v", s, err)
		}
	}
}

// TestWebhookSecretsNotInErrors: a server that echoes the request back
// in its error page does not get the URL's tokens or the secret header
// into retentiond's error.
func TestWebhookSecretsNotInErrors(t *testing.T) {
	srv := newHookServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "denied %s?%s auth=%s", r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"))
	})
	u := strings.Replace(srv.URL, "http://", "http://hookuser:userinfo-pw-77@", 1) + "/services/T0001/B0002/pathtoken42?token=querytoken42"
	w, _ := mustWebhook(t, WebhookConfig{URL: u, HeaderFiles: map[string]string{"Authorization": writeSecret(t, "Bearer header-token-42")}})
	err := w.Notify(context.Background(), sampleEvents()[KindFailure])
	if err == nil || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "denied") {
		t.Fatalf("Notify = %v, want a 403 with the server's words", err)
	}
	for _, s := range []string{"userinfo-pw-77", "hookuser", "pathtoken42", "querytoken42", "header-token-42", "T0001"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error holds %q: %v", s, err)
		}
	}
}

// TestWebhookCancel: cancelling the context during a wait stops retrying.
func TestWebhookCancel(t *testing.T) {
	srv := newHookServer(t, status(503))
	w, err := NewWebhook(WebhookConfig{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.Backoff = time.Hour // a real wait, cut short by the cancel
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	err = w.Notify(ctx, sampleEvents()[KindFailure])
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("Notify = %v, want it cancelled", err)
	}
	if time.Since(start) > 5*time.Second || srv.count() != 1 {
		t.Errorf("took %v and %d requests; want a prompt stop after 1", time.Since(start), srv.count())
	}
}

// TestWebhookTLS: an https hook whose certificate a configured CA signed.
func TestWebhookTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted case's handshake error is expected
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	for _, tt := range []struct {
		roots *x509.CertPool
		ok    bool
	}{{pool, true}, {x509.NewCertPool(), false}} {
		w, _ := mustWebhook(t, WebhookConfig{URL: srv.URL, RootCAs: tt.roots, Attempts: 1})
		if err := w.Notify(context.Background(), sampleEvents()[KindFailure]); (err == nil) != tt.ok {
			t.Errorf("trusted = %v: Notify = %v", tt.ok, err)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"5":                             5 * time.Second,
		" 12 ":                          12 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"Mon, 23 Nov 2026 02:00:30 GMT": 30 * time.Second,
		"Mon, 23 Nov 2026 01:59:00 GMT": 0,
	} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

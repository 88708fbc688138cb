package onedrive

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/onedrive/graphtest"
	"github.com/retentiond/retentiond/scanners/scannertest"
)

// testSecret is the client secret of test stores; tests check it never
// shows in errors.
const testSecret = "s3cr3t-Value~of.the_client"

// sleeps records the waits of a store (retries and budget) and waits only
// briefly, so that tests of Retry-After and backoff run fast.
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
	max   time.Duration // longest real wait; 0 means 2ms
}

func (r *sleeps) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	real := r.max
	r.mu.Unlock()
	if real == 0 {
		real = 2 * time.Millisecond
	}
	return sleepCtx(ctx, min(d, real))
}

func (r *sleeps) all() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.waits)
}

// fixture is a fake Graph server and what a test needs to open stores on
// it.
type fixture struct {
	srv    *graphtest.Server
	sleeps *sleeps
	tune   tuning
	cfg    Config
}

func newFixture(t testing.TB, opts graphtest.Options) *fixture {
	t.Helper()
	opts.ClientID, opts.ClientSecret = "retentiond-app", testSecret
	srv := graphtest.NewServer(t, opts)
	f := &fixture{srv: srv, sleeps: &sleeps{}}
	f.tune = defaultTuning()
	f.tune.sleep = f.sleeps.sleep
	f.tune.baseDelay, f.tune.maxDelay = time.Second, 8*time.Second
	f.cfg = Config{
		TenantID:      srv.TenantID(),
		ClientID:      "retentiond-app",
		ClientSecret:  testSecret,
		DriveID:       srv.DefaultDrive(),
		Endpoint:      srv.GraphURL(),
		AuthorityHost: srv.AuthorityHost(),
		StateDir:      t.TempDir(),
		Transport:     srv.Client().Transport,
	}
	return f
}

func (f *fixture) open(t testing.TB) *Store {
	t.Helper()
	return f.openWith(t, f.cfg)
}

func (f *fixture) openWith(t testing.TB, cfg Config) *Store {
	t.Helper()
	s, err := open(t.Context(), cfg, f.tune)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

// add puts files into the default drive.
func (f *fixture) add(files map[string][]byte) {
	when := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, id := range slices.Sorted(maps.Keys(files)) {
		when = when.Add(time.Minute)
		f.srv.AddFile("", id, files[id], when)
	}
}

// harness makes each store on a server of its own.
type harness struct {
	mu      sync.Mutex
	servers map[scanners.Store]*graphtest.Server
}

func (h *harness) Make(t *testing.T, files map[string][]byte) scanners.Store {
	f := newFixture(t, graphtest.Options{})
	f.add(files)
	s := f.open(t)
	h.mu.Lock()
	h.servers[s] = f.srv
	h.mu.Unlock()
	return s
}

func (h *harness) Write(t *testing.T, s scanners.Store, id string, data []byte) {
	h.mu.Lock()
	srv := h.servers[s]
	h.mu.Unlock()
	srv.AddFile("", id, data, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
}

func TestConformance(t *testing.T) {
	scannertest.RunConformance(t, &harness{servers: map[scanners.Store]*graphtest.Server{}})
}

// TestConformanceWithoutState runs the suite on stores that keep no
// state, so every Scan is a full listing.
func TestConformanceWithoutState(t *testing.T) {
	h := &statelessHarness{harness{servers: map[scanners.Store]*graphtest.Server{}}}
	scannertest.RunConformance(t, h)
}

type statelessHarness struct{ harness }

func (h *statelessHarness) Make(t *testing.T, files map[string][]byte) scanners.Store {
	f := newFixture(t, graphtest.Options{})
	f.add(files)
	cfg := f.cfg
	cfg.StateDir = ""
	s := f.openWith(t, cfg)
	h.mu.Lock()
	h.servers[s] = f.srv
	h.mu.Unlock()
	return s
}

// collect scans s and fails the test on an error.
func collect(t testing.TB, s *Store) map[string]scanners.Record {
	t.Helper()
	return scannertest.MustCollect(t, s)
}

// countRequests returns how many Graph requests on the wire the server has
// seen by endpoint since the last reset, and resets.
func countRequests(srv *graphtest.Server) graphtest.Stats {
	st := srv.Stats()
	srv.ResetStats()
	return st
}

// transportFunc adapts a function to http.RoundTripper.
type transportFunc func(*http.Request) (*http.Response, error)

func (f transportFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

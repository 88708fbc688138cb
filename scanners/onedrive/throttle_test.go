package onedrive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retentiond/retentiond/scanners/onedrive/graphtest"
)

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
	}{
		{"429", http.StatusTooManyRequests},
		{"503", http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, graphtest.Options{})
			f.add(map[string][]byte{"a.txt": []byte("a")})
			s := f.open(t)
			f.srv.InjectFault(graphtest.Fault{Status: tc.status, RetryAfter: 7, Count: 2})
			f.srv.ResetStats()
			if _, err := s.Stat(t.Context(), "a.txt"); err != nil {
				t.Fatalf("Stat after two throttled answers: %v", err)
			}
			if got := f.sleeps.all(); !slices.Equal(got, []time.Duration{7 * time.Second, 7 * time.Second}) {
				t.Errorf("waits = %v, want the Retry-After of 7s twice", got)
			}
			if st := f.srv.Stats(); st.GraphRequests != 3 || st.Throttled != 2 {
				t.Errorf("server saw %d requests, %d throttled; want 3, 2", st.GraphRequests, st.Throttled)
			}
		})
	}
}

func TestBackoffWithoutRetryAfter(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{"a.txt": []byte("a")})
	s := f.open(t)
	f.srv.InjectFault(graphtest.Fault{Status: http.StatusTooManyRequests, OmitRetryAfter: true, Count: 4})
	if _, err := s.Stat(t.Context(), "a.txt"); err != nil {
		t.Fatalf("Stat: %v", err)
	}
	waits := f.sleeps.all()
	if len(waits) != 4 {
		t.Fatalf("waits = %v, want 4", waits)
	}
	// baseDelay 1s doubling, capped at 8s; each wait is in [step/2, step).
	for i, step := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		if waits[i] < step/2 || waits[i] >= step {
			t.Errorf("wait %d = %v, want in [%v, %v)", i+1, waits[i], step/2, step)
		}
	}
}

func TestThrottledTooLong(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{"a.txt": []byte("a")})
	s := f.open(t)
	f.srv.Throttle(100, 1)
	f.srv.ResetStats()
	_, err := s.Stat(t.Context(), "a.txt")
	if !errors.Is(err, ErrThrottled) {
		t.Fatalf("Stat while always throttled: %v, want ErrThrottled", err)
	}
	if n := f.srv.Stats().GraphRequests; n != f.tune.maxRetries+1 {
		t.Errorf("sent %d requests, want %d", n, f.tune.maxRetries+1)
	}
	// A Retry-After beyond maxRetryAfter is not waited for.
	f.srv.ClearFaults()
	f.srv.Throttle(1, 3600)
	f.srv.ResetStats()
	if _, err := s.Stat(t.Context(), "a.txt"); !errors.Is(err, ErrThrottled) {
		t.Errorf("Stat asked to wait an hour: %v, want ErrThrottled at once", err)
	}
	if n := f.srv.Stats().GraphRequests; n != 1 {
		t.Errorf("sent %d requests, want 1", n)
	}
}

// TestThrottledBatchIsResentPlain guards NOTES-GRAPH item 4: a throttled
// $batch POST must go out again as it was, not marked gzip.
func TestThrottledBatchIsResentPlain(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	files := map[string][]byte{}
	for i := range 5 {
		files[string(rune('a'+i))+".txt"] = []byte("x")
	}
	f.add(files)
	s := f.open(t)
	recs := collect(t, s)
	f.srv.InjectFault(graphtest.Fault{Method: http.MethodPost, PathContains: "$batch", Status: http.StatusTooManyRequests, RetryAfter: 2})
	f.srv.ResetStats()
	var reqs []DeleteRequest
	for id, r := range recs {
		reqs = append(reqs, DeleteRequest{ID: id, Version: r.Version})
	}
	for i, err := range s.DeleteMany(t.Context(), reqs) {
		if err != nil {
			t.Errorf("DeleteMany[%d]: %v", i, err)
		}
	}
	if st := f.srv.Stats(); st.BatchRequests != 2 || st.BatchSubRequests != 5 {
		t.Errorf("server saw %d batches with %d sub-requests; want 2 (one throttled), 5", st.BatchRequests, st.BatchSubRequests)
	}
	if len(collect(t, s)) != 0 {
		t.Error("files remain after the retried batch")
	}
}

// TestTokenRenewal runs with tokens that expire within seconds: MSAL
// fetches a new one whenever the cached one is about to expire.
func TestTokenRenewal(t *testing.T) {
	f := newFixture(t, graphtest.Options{TokenLifetime: time.Second, MaxPageSize: 2})
	f.add(map[string][]byte{"a.txt": []byte("a"), "b.txt": []byte("b"), "c.txt": []byte("c")})
	s := f.open(t)
	collect(t, s)
	time.Sleep(1100 * time.Millisecond) // every token issued so far has expired
	f.srv.AddFile("", "d.txt", []byte("d"), later)
	if got := collect(t, s); len(got) != 4 {
		t.Errorf("scan after the token expired listed %d records, want 4", len(got))
	}
	if _, err := s.Stat(t.Context(), "d.txt"); err != nil {
		t.Errorf("Stat after the token expired: %v", err)
	}
	st := f.srv.Stats()
	if st.Unauthorized != 0 {
		t.Errorf("Graph answered 401 %d times: an expired token was sent", st.Unauthorized)
	}
	if st.TokenRequests < 2 {
		t.Errorf("%d token requests; the token was never renewed", st.TokenRequests)
	}
}

// TestTokenRevokedMidListing revokes the access token between two delta
// pages: Graph answers 401 with a claims challenge, and the listing goes
// on with a new token.
func TestTokenRevokedMidListing(t *testing.T) {
	f := newFixture(t, graphtest.Options{MaxPageSize: 2})
	f.add(map[string][]byte{"a.txt": []byte("a"), "b.txt": []byte("b"), "c/d.txt": []byte("d"), "c/e.txt": []byte("e")})
	var once sync.Once
	base := f.cfg.Transport
	f.cfg.Transport = transportFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		if err == nil && strings.Contains(r.URL.Path, "/delta") && resp.StatusCode == 200 {
			once.Do(f.srv.ExpireAccessTokens)
		}
		return resp, err
	})
	s := f.open(t)
	if got := collect(t, s); len(got) != 4 {
		t.Errorf("scan listed %d records, want 4", len(got))
	}
	st := f.srv.Stats()
	if st.Unauthorized != 1 || st.TokenRequests != 2 {
		t.Errorf("%d 401s and %d token requests; want 1 and 2 (one renewal)", st.Unauthorized, st.TokenRequests)
	}
}

// TestBudgetNeverExceeded sends requests from several goroutines, with
// throttling (so retries count too) and a batch, through a budget of 4
// requests per 300ms, and checks on the wire that no window of 300ms held
// more than 4.
func TestBudgetNeverExceeded(t *testing.T) {
	const n, window = 4, 300 * time.Millisecond
	f := newFixture(t, graphtest.Options{})
	files := map[string][]byte{}
	for i := range 8 {
		files[string(rune('a'+i))+".txt"] = []byte("x")
	}
	f.add(files)
	var mu sync.Mutex
	type sent struct {
		at     time.Time
		weight int
	}
	var log []sent
	base := f.cfg.Transport
	f.cfg.Transport = transportFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasPrefix(r.URL.Path, "/v1.0/") {
			w := 1
			if strings.HasSuffix(r.URL.Path, "$batch") {
				data, _ := io.ReadAll(r.Body)
				var b struct{ Requests []any }
				_ = json.Unmarshal(data, &b)
				w = len(b.Requests)
				r.Body = io.NopCloser(bytes.NewReader(data))
			}
			mu.Lock()
			log = append(log, sent{time.Now(), w})
			mu.Unlock()
		}
		return base.RoundTrip(r)
	})
	f.cfg.RequestsPerMinute = n
	f.tune.window = window
	f.tune.sleep = sleepCtx // real waits: the budget is what is tested
	s := f.open(t)
	f.srv.Throttle(3, 0)
	start := time.Now()
	var wg sync.WaitGroup
	for id := range files {
		wg.Go(func() {
			if _, err := s.Stat(t.Context(), id); err != nil {
				t.Errorf("Stat: %v", err)
			}
		})
	}
	wg.Wait()
	recs := collect(t, s)
	var reqs []DeleteRequest
	for id, r := range recs {
		if len(reqs) < n+2 { // more than the budget: two batches
			reqs = append(reqs, DeleteRequest{ID: id, Version: r.Version})
		}
	}
	for _, err := range s.DeleteMany(t.Context(), reqs) {
		if err != nil {
			t.Errorf("DeleteMany: %v", err)
		}
	}
	elapsed := time.Since(start)

	mu.Lock()
	defer mu.Unlock()
	total := 0
	for _, x := range log {
		total += x.weight
	}
	// 1 (Open) + 8 Stats + 3 throttled retries + the scan + 6 deletes.
	if total < 15 {
		t.Fatalf("only %d requests logged", total)
	}
	// Allow for the moment between the budget's clock and the wire, which
	// a loaded machine (CI on two cores, the whole suite at once) can
	// stretch: a request logged late would otherwise share a window with
	// the next window's requests. Without a budget all of them land within
	// a few milliseconds, so the check still bites.
	slack := window / 5
	for i := range log {
		inWindow := 0
		for _, y := range log[i:] {
			if y.at.Sub(log[i].at) < window-slack {
				inWindow += y.weight
			}
		}
		if inWindow > n {
			t.Fatalf("%d requests within %v of request %d: the budget of %d was exceeded", inWindow, window, i, n)
		}
	}
	if min := time.Duration(total/n-1) * window; elapsed < min {
		t.Errorf("%d requests took %v, want at least %v", total, elapsed, min)
	}
}

func TestBudgetTake(t *testing.T) {
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var waits []time.Duration
	b := newBudget(3, time.Minute, func() time.Time { return clock }, func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		clock = clock.Add(d)
		return nil
	})
	step := func(k int, advance time.Duration) {
		t.Helper()
		clock = clock.Add(advance)
		if err := b.take(t.Context(), k); err != nil {
			t.Fatal(err)
		}
	}
	step(1, 0)              // t=0
	step(1, 10*time.Second) // t=10
	step(1, 10*time.Second) // t=20: budget full
	step(1, 0)              // waits until t=60
	step(2, 0)              // needs the slots of t=10 and t=20: waits until t=80
	step(5, 0)              // capped at 3: waits until the t=80 slots are a minute old
	want := []time.Duration{40 * time.Second, 20 * time.Second, 60 * time.Second}
	if !slices.Equal(waits, want) {
		t.Errorf("waits = %v, want %v", waits, want)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"Wed, 01 Jan 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Wed, 01 Jan 2025 11:00:00 GMT", 0, true},
		{"", 0, false},
		{"soon", 0, false},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		method string
		status int
		want   bool
	}{
		{"GET", 429, true},
		{"POST", 429, true},
		{"DELETE", 503, true},
		{"GET", 504, true},
		{"DELETE", 504, false},
		{"POST", 502, false},
		{"GET", 500, false},
		{"GET", 404, false},
		{"DELETE", 412, false},
	} {
		if got := retryable(tc.method, tc.status); got != tc.want {
			t.Errorf("retryable(%s, %d) = %v, want %v", tc.method, tc.status, got, tc.want)
		}
	}
}

func TestDelay(t *testing.T) {
	tune := defaultTuning()
	tune.baseDelay, tune.maxDelay = time.Second, 5*time.Second
	for _, tc := range []struct {
		retryAfter string
		attempt    int
		jitter     float64
		want       time.Duration
		ok         bool
	}{
		{"", 0, 0, 500 * time.Millisecond, true},
		{"", 0, 0.5, 750 * time.Millisecond, true},
		{"", 1, 0.5, 1500 * time.Millisecond, true},
		{"", 2, 0.99, 3980 * time.Millisecond, true},
		{"", 3, 0, 2500 * time.Millisecond, true}, // capped at maxDelay
		{"", 60, 0, 2500 * time.Millisecond, true},
		{"3", 5, 0.9, 3 * time.Second, true}, // Retry-After wins, no jitter
		{"601", 0, 0, 601 * time.Second, false},
	} {
		tune.jitter = func() float64 { return tc.jitter }
		got, ok := (&transport{tune: tune}).delay(tc.retryAfter, tc.attempt)
		if got != tc.want || ok != tc.ok {
			t.Errorf("delay(%q, %d) with jitter %v = %v, %v; want %v, %v", tc.retryAfter, tc.attempt, tc.jitter, got, ok, tc.want, tc.ok)
		}
	}
}

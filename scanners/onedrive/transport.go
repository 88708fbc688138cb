package onedrive

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// tuning holds the timings of retries and of the budget; tests shorten them.
type tuning struct {
	// maxRetries is how many times a throttled request is re-sent.
	maxRetries int
	// baseDelay is the first backoff when Graph gives no Retry-After; it
	// doubles on every retry up to maxDelay.
	baseDelay, maxDelay time.Duration
	// maxRetryAfter is the longest Retry-After honoured; a longer one
	// gives up on the request (Graph asks that long when it blocks an
	// application, and waiting would stall the run for no gain).
	maxRetryAfter time.Duration
	// window is the budget's window: a minute.
	window time.Duration
	now    func() time.Time
	// sleep waits (retries and budget); tests record the waits.
	sleep func(context.Context, time.Duration) error
	// jitter returns a number in [0, 1).
	jitter func() float64
}

func defaultTuning() tuning {
	return tuning{
		maxRetries:    6,
		baseDelay:     2 * time.Second,
		maxDelay:      2 * time.Minute,
		maxRetryAfter: 10 * time.Minute,
		window:        time.Minute,
		now:           time.Now,
		sleep:         sleepCtx,
		jitter:        rand.Float64,
	}
}

// transport sends every request of a store: it takes each attempt from the
// budget and re-sends throttled requests. It sits below kiota's middleware
// (which has neither compression nor retry handler in this store's chain,
// see newHTTPClient), so a retried request is the very bytes first sent.
//
// Network errors are not retried: a listing that loses its connection
// fails, and the caller decides what to do with a store it could not list.
type transport struct {
	base   http.RoundTripper
	budget *budget
	tune   tuning
	count  *counter // nil: not counted
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	weight := requestWeight(req, body)
	for attempt := 0; ; attempt++ {
		r := req.Clone(ctx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			r.ContentLength = int64(len(body))
		}
		if attempt > 0 {
			r.Header.Set("Retry-Attempt", strconv.Itoa(attempt))
		}
		if err := t.budget.take(ctx, weight); err != nil {
			return nil, err
		}
		resp, err := t.base.RoundTrip(r)
		t.count.add(req, weight, resp)
		if err != nil || !retryable(req.Method, resp.StatusCode) || attempt >= t.tune.maxRetries {
			return resp, err
		}
		delay, ok := t.delay(resp.Header.Get("Retry-After"), attempt)
		if !ok {
			return resp, nil
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if err := t.tune.sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// retryable says whether a response means the request was not carried out
// and may be sent again: 429 and 503 are Graph's throttling answers, for
// any method; a gateway timeout may have come after the work was done, so
// only reads are re-sent after one.
func retryable(method string, status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return method == http.MethodGet || method == http.MethodHead
	}
	return false
}

// delay is how long to wait before retry attempt+1: what Retry-After says
// (in seconds or as a date), or else exponential backoff with jitter
// ("equal jitter": half the step fixed, half random). It returns false
// when Graph asks for a wait longer than maxRetryAfter.
func (t *transport) delay(retryAfter string, attempt int) (time.Duration, bool) {
	if d, ok := parseRetryAfter(retryAfter, t.tune.now()); ok {
		return d, d <= t.tune.maxRetryAfter
	}
	step := t.tune.baseDelay << min(attempt, 20)
	if step > t.tune.maxDelay || step <= 0 {
		step = t.tune.maxDelay
	}
	return step/2 + time.Duration(t.tune.jitter()*float64(step/2)), true
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an
// HTTP-date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if when, err := http.ParseTime(v); err == nil {
		return max(0, when.Sub(now)), true
	}
	return 0, false
}

// requestWeight is how many Graph requests req is: the number of
// sub-requests for a $batch, 1 for anything else.
func requestWeight(req *http.Request, body []byte) int {
	if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/$batch") {
		return 1
	}
	var b struct {
		Requests []json.RawMessage `json:"requests"`
	}
	if json.Unmarshal(body, &b) != nil || len(b.Requests) == 0 {
		return 1
	}
	return len(b.Requests)
}

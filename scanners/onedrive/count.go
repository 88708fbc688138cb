package onedrive

import (
	"maps"
	"net/http"
	"strings"
	"sync"

	"github.com/retentiond/retentiond/scanners"
)

// counter counts the requests sent to Graph (sign-in not included) by
// operation, retries included, and the throttled answers, for the
// daemon's metrics. A $batch counts once as "batch" and its
// sub-requests once each as "batched".
type counter struct {
	mu        sync.Mutex
	ops       map[string]int64
	throttled int64
}

func (c *counter) add(req *http.Request, weight int, resp *http.Response) {
	if c == nil {
		return
	}
	op := strings.ToLower(req.Method)
	if strings.HasSuffix(req.URL.Path, "/$batch") {
		op = "batch"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ops == nil {
		c.ops = map[string]int64{}
	}
	c.ops[op]++
	if op == "batch" {
		c.ops["batched"] += int64(weight)
	}
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		c.throttled++
	}
}

// Requests counts the requests the store sent to Graph since it was
// opened, by operation (get, delete, post, batch, and batched for the
// requests inside batches), retries included.
func (s *Store) Requests() map[string]int64 {
	s.count.mu.Lock()
	defer s.count.mu.Unlock()
	return maps.Clone(s.count.ops)
}

// Throttled counts Graph's 429 and 503 answers since the store was
// opened (sub-requests throttled inside a successful batch are not
// seen here: they are retried in a new batch).
func (s *Store) Throttled() int64 {
	s.count.mu.Lock()
	defer s.count.mu.Unlock()
	return s.count.throttled
}

var _ scanners.RequestCounter = (*Store)(nil)

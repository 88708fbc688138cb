package s3

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// counter counts the requests a store sends, by S3 operation, and the
// throttling answers among them. It sits in the SDK's middleware stack
// just inside the retry loop, so every attempt counts once.
type counter struct {
	mu        sync.Mutex
	byOp      map[string]int64
	throttled int64
}

func newCounter() *counter { return &counter{byOp: make(map[string]int64)} }

// register adds the counting middleware to one operation's stack.
func (c *counter) register(stack *middleware.Stack) error {
	mw := middleware.FinalizeMiddlewareFunc("RetentiondRequestCount", c.handle)
	if err := stack.Finalize.Insert(mw, "Retry", middleware.After); err != nil {
		// No retry middleware (never so for S3): count the call once.
		return stack.Finalize.Add(mw, middleware.After)
	}
	return nil
}

func (c *counter) handle(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	op := middleware.GetOperationName(ctx)
	out, md, err := next.HandleFinalize(ctx, in)
	throttled := isThrottle(md, err)
	c.mu.Lock()
	c.byOp[op]++
	if throttled {
		c.throttled++
	}
	c.mu.Unlock()
	return out, md, err
}

// isThrottle says whether an attempt was answered 503 (S3's SlowDown) or
// 429.
func isThrottle(md middleware.Metadata, err error) bool {
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	} else if r, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && r != nil {
		status = r.StatusCode
	}
	return status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests ||
		apiCode(err) == "SlowDown"
}

func (c *counter) snapshot() (map[string]int64, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.byOp), c.throttled
}

// Requests returns how many requests the store has sent since it was
// opened, by S3 operation ("ListObjectsV2", "ListObjectVersions",
// "DeleteObjects", "GetObjectRetention", ...), retries included. The map is
// a copy.
func (s *Store) Requests() map[string]int64 {
	m, _ := s.counts.snapshot()
	return m
}

// Throttled returns how many of the requests S3 answered with 503
// SlowDown or 429; the SDK retries them with backoff, up to 8 attempts per
// call.
func (s *Store) Throttled() int64 {
	_, n := s.counts.snapshot()
	return n
}

package s3test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// S3 query parameters that mark a request's kind, for Faults.Query.
const (
	QueryListObjectsV2      = "list-type"
	QueryListObjectVersions = "versions"
	QueryDeleteObjects      = "delete"
	QueryLegalHold          = "legal-hold"
	QueryRetention          = "retention"
)

// Faults is an http.RoundTripper that makes chosen requests fail, to test
// what a client does when S3 fails half-way. Requests whose URL query has
// the parameter Query (such as QueryListObjectVersions) are the chosen
// kind; the first Pass of them go through, and the rest are answered with
// Status and an S3 error body (InternalError for 500, SlowDown for 503,
// AccessDenied for 403, else InvalidRequest), up to Limit times (0: no
// limit). Other requests always go through.
type Faults struct {
	// Base carries the requests that go through; nil for
	// http.DefaultTransport.
	Base http.RoundTripper
	// Query is the query parameter of the requests to fail.
	Query string
	// Pass is how many of them go through first.
	Pass int
	// Status is the HTTP status of the failed answers.
	Status int
	// Limit is the most failures; 0 for no limit.
	Limit int
	// Before, if set, is called before each chosen request that goes
	// through: a test sets a legal hold there to race a delete, say.
	Before func(*http.Request)

	mu     sync.Mutex
	seen   int
	failed int
}

// RoundTrip sends the request on or fails it.
func (f *Faults) RoundTrip(r *http.Request) (*http.Response, error) {
	base := f.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if f.Query == "" || !r.URL.Query().Has(f.Query) {
		return base.RoundTrip(r)
	}
	f.mu.Lock()
	f.seen++
	fail := f.seen > f.Pass && (f.Limit == 0 || f.failed < f.Limit)
	if fail {
		f.failed++
	}
	f.mu.Unlock()
	if !fail {
		if f.Before != nil {
			f.Before(r)
		}
		return base.RoundTrip(r)
	}
	if r.Body != nil {
		r.Body.Close()
	}
	code := map[int]string{500: "InternalError", 503: "SlowDown", 403: "AccessDenied"}[f.Status]
	if code == "" {
		code = "InvalidRequest"
	}
	body := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>injected by s3test</Message><RequestId>s3test-fault</RequestId></Error>`, code)
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", f.Status, http.StatusText(f.Status)),
		StatusCode:    f.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/xml"}, "X-Amz-Request-Id": {"s3test-fault"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}

// Seen returns how many chosen requests arrived, failed or not.
func (f *Faults) Seen() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen
}

// Failed returns how many requests it failed.
func (f *Faults) Failed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

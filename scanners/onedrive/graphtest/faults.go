package graphtest

import (
	"maps"
	"net/http"
	"strconv"
	"strings"
)

// Fault is a failure the server gives to matching Graph requests. A fault
// matches a request when Method (if set) equals its method, PathContains
// (if set) is part of its decoded path relative to /v1.0 (such as
// "/delta" or "/$batch"), and InBatch says whether it is a request inside a
// $batch (a sub-request) or one on the wire. The first Skip matching
// requests pass; the next Count (at least 1) fail. Faults apply after the
// bearer token is checked.
type Fault struct {
	Method       string
	PathContains string
	InBatch      bool
	Skip         int
	Count        int

	// Status is the status to answer, such as 429 or 503.
	Status int
	// RetryAfter is the Retry-After header in seconds (0 is sent as "0").
	RetryAfter int
	// OmitRetryAfter leaves the Retry-After header out, so that the client
	// must back off on its own.
	OmitRetryAfter bool
	// Drop closes the connection in the middle of a 200 response instead
	// of answering (ignored inside a batch).
	Drop bool
}

// InjectFault adds a fault. Faults are tried in the order they were added;
// the first that matches a request decides it.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Count < 1 {
		f.Count = 1
	}
	s.faults = append(s.faults, &f)
}

// Throttle answers the next n Graph requests on the wire 429 with the
// given Retry-After in seconds.
func (s *Server) Throttle(n, retryAfter int) {
	s.InjectFault(Fault{Count: n, Status: http.StatusTooManyRequests, RetryAfter: retryAfter})
}

// ThrottleBatchItems answers the next n requests inside batches 429 with
// the given Retry-After in seconds, while the batches themselves answer
// 200.
func (s *Server) ThrottleBatchItems(n, retryAfter int) {
	s.InjectFault(Fault{InBatch: true, Count: n, Status: http.StatusTooManyRequests, RetryAfter: retryAfter})
}

// DropDeltaPage closes the connection in the middle of the k-th delta
// request from now on (k = 1 is the next one).
func (s *Server) DropDeltaPage(k int) {
	s.InjectFault(Fault{Method: http.MethodGet, PathContains: "delta", Skip: k - 1, Count: 1, Drop: true})
}

// ClearFaults removes the faults not yet used up.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault finds the fault that decides req, and uses it up once.
func (s *Server) takeFault(req *request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.InBatch != req.inBatch || (f.Method != "" && !strings.EqualFold(f.Method, req.method)) ||
			(f.PathContains != "" && !strings.Contains(req.path, f.PathContains)) {
			continue
		}
		if f.Drop && req.inBatch {
			continue
		}
		if f.Skip > 0 {
			f.Skip--
			return nil
		}
		f.Count--
		if f.Count == 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f
	}
	return nil
}

// response is the answer a throttling fault gives.
func (f *Fault) response() *response {
	code, msg := "serviceNotAvailable", "The service is temporarily unavailable. Try again later."
	if f.Status == http.StatusTooManyRequests {
		code, msg = "activityLimitReached", "The request has been throttled."
	}
	resp := errResp(f.Status, code, msg)
	if !f.OmitRetryAfter {
		resp.header.Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	return resp
}

// drop sends the start of a 200 response and closes the connection, as a
// network failure in the middle of a listing looks to the client.
func (s *Server) drop(w http.ResponseWriter, req *request, endpoint string) {
	s.mu.Lock()
	s.stats.Dropped++
	s.mu.Unlock()
	s.record(req, endpoint, 0)
	hj, ok := w.(http.Hijacker)
	if !ok {
		s.t.Errorf("graphtest: cannot drop the connection: the response writer cannot be hijacked")
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		s.t.Errorf("graphtest: hijacking a connection: %v", err)
		return
	}
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"@odata.context\":\"x\",\"value\":[{\"id\":\"01")
	_ = buf.Flush()
	_ = conn.Close()
}

// Stats are the server's counters since it started or since ResetStats.
type Stats struct {
	// Requests counts every HTTP request the server received: Graph,
	// token, discovery and download requests.
	Requests int
	// GraphRequests counts HTTP requests under /v1.0; a $batch counts
	// once, whatever it holds.
	GraphRequests int
	// TokenRequests counts calls to the token endpoint.
	TokenRequests int
	// BatchRequests counts $batch calls; BatchSubRequests the requests
	// inside them.
	BatchRequests    int
	BatchSubRequests int
	// Throttled counts 429 and 503 answers, on the wire and inside
	// batches.
	Throttled int
	// Unauthorized counts 401 answers.
	Unauthorized int
	// Dropped counts connections closed by a Drop fault.
	Dropped int
	// ByEndpoint counts requests on the wire by endpoint, such as
	// "GET delta", "DELETE item", "POST $batch", "POST token".
	ByEndpoint map[string]int
	// BatchByEndpoint counts sub-requests of batches by endpoint.
	BatchByEndpoint map[string]int
}

func newStats() Stats {
	return Stats{ByEndpoint: map[string]int{}, BatchByEndpoint: map[string]int{}}
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByEndpoint = maps.Clone(s.stats.ByEndpoint)
	st.BatchByEndpoint = maps.Clone(s.stats.BatchByEndpoint)
	return st
}

// ResetStats zeroes the counters and empties the request log, to start a
// measurement.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = newStats()
	s.log = nil
}

// LoggedRequest is one request as the server saw it.
type LoggedRequest struct {
	// Method and Path (decoded; relative to /v1.0 for Graph requests) and
	// the raw query.
	Method string
	Path   string
	Query  string
	// Endpoint is the counter name, such as "GET delta".
	Endpoint string
	// Status is the answer; 0 for a dropped connection.
	Status int
	// InBatch says the request was inside a $batch.
	InBatch bool
	// IfMatch is the If-Match header, if any.
	IfMatch string
}

// Requests returns the request log, oldest first.
func (s *Server) Requests() []LoggedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LoggedRequest(nil), s.log...)
}

// record logs and counts a request.
func (s *Server) record(req *request, endpoint string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, LoggedRequest{
		Method: req.method, Path: req.path, Query: req.query.Encode(), Endpoint: endpoint,
		Status: status, InBatch: req.inBatch, IfMatch: req.header.Get("If-Match"),
	})
	switch {
	case req.inBatch:
		s.stats.BatchSubRequests++
		s.stats.BatchByEndpoint[endpoint]++
	default:
		s.stats.ByEndpoint[endpoint]++
		if req.graph {
			s.stats.GraphRequests++
		}
		if endpoint == "POST $batch" {
			s.stats.BatchRequests++
		}
		if endpoint == "POST token" {
			s.stats.TokenRequests++
		}
	}
	switch status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		s.stats.Throttled++
	case http.StatusUnauthorized:
		s.stats.Unauthorized++
	}
}

package graphtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// MaxBatch is the most requests Graph accepts in one $batch.
const MaxBatch = 20

type batchBody struct {
	Requests []batchItem `json:"requests"`
}

type batchItem struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	Body      json.RawMessage   `json:"body"`
	DependsOn []string          `json:"dependsOn"`
}

// batch answers a JSON batch: it checks the whole batch first (at most 20
// requests, unique ids, relative URLs, known dependencies), then runs the
// requests in order, a request whose dependency failed answering 424.
// Responses come back in reverse order, as Graph may return them in any
// order: clients must match them by id.
func (s *Server) batch(req *request) *response {
	if req.method != http.MethodPost {
		return methodNotAllowed()
	}
	var b batchBody
	dec := json.NewDecoder(bytes.NewReader(req.body))
	if err := dec.Decode(&b); err != nil || b.Requests == nil {
		return errResp(http.StatusBadRequest, "BadRequest", "Invalid batch payload format.")
	}
	if len(b.Requests) > MaxBatch {
		return errResp(http.StatusBadRequest, "BadRequest", "The number of requests in the batch exceeds the limit of 20.")
	}
	seen := map[string]bool{}
	for _, it := range b.Requests {
		switch {
		case it.ID == "":
			return errResp(http.StatusBadRequest, "BadRequest", "Request id is missing in the batch payload.")
		case seen[it.ID]:
			return errResp(http.StatusBadRequest, "BadRequest", "Batch request contains duplicate request ids.")
		case it.Method == "" || it.URL == "":
			return errResp(http.StatusBadRequest, "BadRequest", "A request in the batch has no method or no url.")
		case isAbsolute(it.URL):
			return errResp(http.StatusBadRequest, "BadRequest", "Invalid request URI: the url of a request in a batch must be relative to the version, such as /drives/{id}/items/{id}.")
		}
		for _, dep := range it.DependsOn {
			if !seen[dep] {
				return errResp(http.StatusBadRequest, "BadRequest", "A request in the batch depends on a request that does not come before it.")
			}
		}
		seen[it.ID] = true
	}
	status := map[string]int{}
	out := make([]any, 0, len(b.Requests))
	for _, it := range b.Requests {
		sub, bad := subRequest(it)
		var resp *response
		switch {
		case bad != nil:
			resp = bad
		case slices.ContainsFunc(it.DependsOn, func(dep string) bool { return status[dep] >= 400 }):
			resp = errResp(http.StatusFailedDependency, "FailedDependency", "The request was not run because a request it depends on failed.")
		case sub.path == "/$batch":
			resp = errResp(http.StatusBadRequest, "BadRequest", "A batch cannot hold another batch.")
		default:
			if f := s.takeFault(sub); f != nil {
				resp = f.response()
			} else {
				resp = s.route(sub)
			}
		}
		if sub == nil {
			sub = &request{method: it.Method, path: it.URL, query: url.Values{}, header: http.Header{}, inBatch: true}
		}
		s.record(sub, endpointName(sub), resp.status)
		status[it.ID] = resp.status
		out = append(out, batchResponseJSON(it.ID, resp))
	}
	slices.Reverse(out)
	return jsonResp(http.StatusOK, map[string]any{"responses": out})
}

func isAbsolute(u string) bool {
	p, err := url.Parse(u)
	return err != nil || p.Scheme != "" || p.Host != "" || strings.HasPrefix(u, "//")
}

// subRequest turns a batch item into a request, or says why it cannot.
func subRequest(it batchItem) (*request, *response) {
	u, err := url.Parse("/" + strings.TrimPrefix(it.URL, "/"))
	if err != nil {
		return nil, errResp(http.StatusBadRequest, "BadRequest", "Invalid request URI.")
	}
	h := http.Header{}
	for k, v := range it.Headers {
		h.Set(k, v)
	}
	var body []byte
	if len(it.Body) > 0 && string(it.Body) != "null" {
		body = it.Body
	}
	return &request{method: strings.ToUpper(it.Method), path: u.Path, query: u.Query(), header: h, body: body, inBatch: true, graph: true}, nil
}

// batchResponseJSON is one entry of "responses": id, status, headers (a
// map of strings) and, when there is one, a JSON object body.
func batchResponseJSON(id string, resp *response) map[string]any {
	headers := map[string]string{}
	for k, v := range resp.header {
		headers[http.CanonicalHeaderKey(k)] = strings.Join(v, ",")
	}
	m := map[string]any{"id": id, "status": resp.status, "headers": headers}
	if resp.body != nil {
		headers["Content-Type"] = "application/json; charset=utf-8"
		m["body"] = resp.body
	}
	return m
}

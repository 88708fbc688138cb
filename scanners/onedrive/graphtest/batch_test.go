package graphtest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

type batchReq struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers,omitempty"`
	DependsOn []string          `json:"dependsOn,omitempty"`
}

func batchBytes(t *testing.T, reqs []batchReq) []byte {
	t.Helper()
	data, err := json.Marshal(map[string]any{"requests": reqs})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sendBatch posts a batch and returns the sub-responses by id.
func sendBatch(t *testing.T, c *client, reqs []batchReq) (reply, map[string]map[string]any) {
	t.Helper()
	r := c.do(http.MethodPost, "/$batch", batchBytes(t, reqs), map[string]string{"Content-Type": "application/json"})
	byID := map[string]map[string]any{}
	if r.status == http.StatusOK {
		for _, v := range r.body["responses"].([]any) {
			m := v.(map[string]any)
			byID[m["id"].(string)] = m
		}
	}
	return r, byID
}

// deletes makes n batch requests deleting f0.txt … f{n-1}.txt.
func deletes(s *Server, n int) []batchReq {
	var reqs []batchReq
	for i := range n {
		reqs = append(reqs, batchReq{ID: fmt.Sprint(i + 1), Method: "DELETE", URL: "/drives/" + s.DefaultDrive() + "/root:/f" + fmt.Sprint(i) + ".txt"})
	}
	return reqs
}

func seedFiles(s *Server, n int) {
	for i := range n {
		s.AddFile("", fmt.Sprintf("f%d.txt", i), []byte("x"), t0)
	}
}

func TestBatchDeletes(t *testing.T) {
	s, c := newClient(t, Options{})
	seedFiles(s, 20)
	reqs := deletes(s, 20)
	reqs[0].URL = strings.TrimPrefix(reqs[0].URL, "/") // Graph takes both
	info, _ := s.Lookup("", "f1.txt")
	reqs[1].Headers = map[string]string{"If-Match": info.ETag}
	reqs[2].Headers = map[string]string{"If-Match": `"{00000000-0000-0000-0000-000000000000},1"`}
	r, byID := sendBatch(t, c, reqs)
	r.want(t, http.StatusOK)
	if first := r.body["responses"].([]any)[0].(map[string]any)["id"]; first == "1" {
		t.Errorf("responses came back in request order; the fake should shuffle them")
	}
	for i := range 20 {
		want := http.StatusNoContent
		if i == 2 {
			want = http.StatusPreconditionFailed
		}
		if got := byID[fmt.Sprint(i+1)]["status"]; got != float64(want) {
			t.Errorf("request %d: status %v, want %d", i+1, got, want)
		}
	}
	if body := byID["3"]["body"].(map[string]any); field(body, "error", "code") != "resourceModified" {
		t.Errorf("412 body %v", body)
	}
	if ct := field(byID["3"], "headers", "Content-Type"); ct == nil {
		t.Errorf("error sub-response without Content-Type")
	}
	if _, ok := byID["1"]["body"]; ok {
		t.Errorf("204 sub-response has a body")
	}
	st := s.Stats()
	if st.GraphRequests != 1 || st.BatchRequests != 1 || st.BatchSubRequests != 20 || st.BatchByEndpoint["DELETE item"] != 20 {
		t.Errorf("stats %+v", st)
	}
	if len(s.RecycleBin("")) != 19 {
		t.Errorf("recycle bin holds %d, want 19", len(s.RecycleBin("")))
	}
}

func TestBatchRejected(t *testing.T) {
	s, c := newClient(t, Options{})
	seedFiles(s, 21)
	abs := deletes(s, 2)
	abs[1].URL = "https://graph.microsoft.com/v1.0" + abs[1].URL
	dup := deletes(s, 2)
	dup[1].ID = dup[0].ID
	dep := deletes(s, 2)
	dep[0].DependsOn = []string{"2"}
	tests := []struct {
		name string
		reqs []batchReq
	}{
		{"21 requests", deletes(s, 21)},
		{"absolute url", abs},
		{"duplicate ids", dup},
		{"depends on a later request", dep},
	}
	for _, tt := range tests {
		r, _ := sendBatch(t, c, tt.reqs)
		if r.status != http.StatusBadRequest || r.errCode() != "BadRequest" {
			t.Errorf("%s: status %d code %q, want 400 BadRequest", tt.name, r.status, r.errCode())
		}
	}
	if !s.Exists("", "f0.txt") {
		t.Errorf("a rejected batch deleted something")
	}
	c.do(http.MethodPost, "/$batch", []byte("{not json"), nil).want(t, http.StatusBadRequest)
}

func TestBatchDependsOn(t *testing.T) {
	s, c := newClient(t, Options{})
	seedFiles(s, 1)
	reqs := []batchReq{
		{ID: "a", Method: "GET", URL: "/drives/" + s.DefaultDrive() + "/root:/missing.txt"},
		{ID: "b", Method: "DELETE", URL: "/drives/" + s.DefaultDrive() + "/root:/f0.txt", DependsOn: []string{"a"}},
	}
	_, byID := sendBatch(t, c, reqs)
	if byID["a"]["status"] != float64(404) || byID["b"]["status"] != float64(424) || !s.Exists("", "f0.txt") {
		t.Errorf("responses %v", byID)
	}
}

func TestBatchItemsThrottled(t *testing.T) {
	s, c := newClient(t, Options{})
	seedFiles(s, 5)
	s.ThrottleBatchItems(2, 7)
	r, byID := sendBatch(t, c, deletes(s, 5))
	r.want(t, http.StatusOK)
	for i := range 5 {
		resp := byID[fmt.Sprint(i+1)]
		if i < 2 {
			if resp["status"] != float64(429) || field(resp, "headers", "Retry-After") != "7" {
				t.Errorf("request %d: %v, want 429 with Retry-After 7", i+1, resp)
			}
			continue
		}
		if resp["status"] != float64(204) {
			t.Errorf("request %d: status %v, want 204", i+1, resp["status"])
		}
	}
	if !s.Exists("", "f0.txt") || s.Exists("", "f2.txt") {
		t.Errorf("throttled sub-requests acted, or others did not")
	}
	if st := s.Stats(); st.Throttled != 2 {
		t.Errorf("Throttled = %d, want 2", st.Throttled)
	}
}

func TestGzipBody(t *testing.T) {
	s, c := newClient(t, Options{})
	seedFiles(s, 2)
	plain := batchBytes(t, deletes(s, 1))
	r := c.do(http.MethodPost, "/$batch", plain, map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"})
	if r.status != http.StatusBadRequest || !s.Exists("", "f0.txt") {
		t.Errorf("plain body marked gzip: status %d; want 400 and nothing deleted", r.status)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(plain)
	_ = zw.Close()
	c.do(http.MethodPost, "/$batch", zipped.Bytes(), map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"}).want(t, http.StatusOK)
	if s.Exists("", "f0.txt") {
		t.Errorf("gzip batch did not run")
	}
}

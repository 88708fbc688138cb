package onedrive

import (
	"net/http"
	"testing"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/onedrive/graphtest"
)

// TestRequestCounts: the store's own counts, which feed the daemon's
// metrics, agree with what the server received, throttled answers and
// batches included.
func TestStoreCountsRequests(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{"a.txt": []byte("a"), "b.txt": []byte("b"), "c.txt": []byte("c")})
	f.srv.InjectFault(graphtest.Fault{Method: "GET", PathContains: "delta", Count: 1, Status: http.StatusTooManyRequests})
	s := f.open(t)
	recs := collect(t, s)
	var reqs []scanners.DeleteRequest
	for id := range recs {
		reqs = append(reqs, scanners.DeleteRequest{ID: id})
	}
	for _, err := range s.DeleteMany(t.Context(), reqs) {
		if err != nil {
			t.Fatal(err)
		}
	}
	st := f.srv.Stats()
	got := s.Requests()
	total := got["get"] + got["post"] + got["delete"] + got["batch"]
	if total != int64(st.GraphRequests) || got["batch"] != int64(st.BatchRequests) || got["batched"] != int64(st.BatchSubRequests) {
		t.Errorf("store counts %v; server saw %d Graph requests, %d batches of %d", got, st.GraphRequests, st.BatchRequests, st.BatchSubRequests)
	}
	if n := s.Throttled(); n != 1 {
		t.Errorf("Throttled = %d, want 1", n)
	}
}

package graphtest

import (
	"errors"
	"io"
	"net/http"
	"testing"
)

func TestThrottle(t *testing.T) {
	s, c := newClient(t, Options{})
	path := "/drives/" + s.DefaultDrive() + "/root"
	s.Throttle(2, 3)
	for range 2 {
		r := c.get(path).want(t, http.StatusTooManyRequests)
		if r.header.Get("Retry-After") != "3" || r.errCode() != "activityLimitReached" {
			t.Errorf("throttled answer: Retry-After %q code %q", r.header.Get("Retry-After"), r.errCode())
		}
	}
	c.get(path).want(t, http.StatusOK)
	if st := s.Stats(); st.Throttled != 2 || st.ByEndpoint["GET item"] != 3 || st.GraphRequests != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestFaultMatching(t *testing.T) {
	s, c := newClient(t, Options{})
	id := s.AddFile("", "a.txt", []byte("a"), t0)
	d := s.DefaultDrive()
	s.InjectFault(Fault{Method: "GET", PathContains: "/permissions", Skip: 1, Count: 2, Status: http.StatusServiceUnavailable, OmitRetryAfter: true})
	perms := "/drives/" + d + "/items/" + id + "/permissions"
	c.get("/drives/"+d+"/items/"+id).want(t, http.StatusOK) // other path: not matched
	c.get(perms).want(t, http.StatusOK)                     // skipped
	r := c.get(perms).want(t, http.StatusServiceUnavailable)
	if _, ok := r.header["Retry-After"]; ok {
		t.Errorf("Retry-After sent despite OmitRetryAfter")
	}
	c.get(perms).want(t, http.StatusServiceUnavailable)
	c.get(perms).want(t, http.StatusOK)

	// A batch-only fault leaves requests on the wire alone, and the reverse.
	s.InjectFault(Fault{InBatch: true, Status: http.StatusTooManyRequests})
	c.get(perms).want(t, http.StatusOK)
	s.ClearFaults()
	s.Throttle(1, 0)
	_, byID := sendBatch(t, c, []batchReq{{ID: "1", Method: "GET", URL: "/drives/" + d + "/items/" + id}})
	if len(byID) != 0 {
		t.Errorf("throttled batch answered with sub-responses")
	}
	_, byID = sendBatch(t, c, []batchReq{{ID: "1", Method: "GET", URL: "/drives/" + d + "/items/" + id}})
	if byID["1"]["status"] != float64(200) || field(byID["1"], "body", "name") != "a.txt" {
		t.Errorf("batch GET: %v", byID["1"])
	}
}

func TestDropDeltaPage(t *testing.T) {
	s, c := newClient(t, Options{PageSize: 2})
	seedFiles(s, 5)
	s.DropDeltaPage(2)
	r := c.get("/drives/"+s.DefaultDrive()+"/items/root/delta()").want(t, http.StatusOK)
	next := r.str("@odata.nextLink")
	req, _ := http.NewRequest(http.MethodGet, next, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := s.Client().Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("second page: err %v, want unexpected EOF", err)
	}
	// The same nextLink works when retried: the fault is used up.
	items, _, _ := listDelta(t, c, next)
	if len(items) != 4 {
		t.Errorf("rest of the listing after the drop: %d items, want 4", len(items))
	}
	if st := s.Stats(); st.Dropped != 1 {
		t.Errorf("Dropped = %d, want 1", st.Dropped)
	}
}

func TestRequestLogAndReset(t *testing.T) {
	s, c := newClient(t, Options{})
	id := s.AddFile("", "a.txt", []byte("a"), t0)
	info, _ := s.Lookup("", "a.txt")
	c.do(http.MethodDelete, "/drives/"+s.DefaultDrive()+"/items/"+id, nil, map[string]string{"If-Match": info.ETag}).want(t, http.StatusNoContent)
	log := s.Requests()
	if len(log) != 1 || log[0].Endpoint != "DELETE item" || log[0].Status != 204 || log[0].IfMatch != info.ETag {
		t.Errorf("log %+v", log)
	}
	s.ResetStats()
	if st := s.Stats(); st.Requests != 0 || len(st.ByEndpoint) != 0 || len(s.Requests()) != 0 {
		t.Errorf("after ResetStats: %+v", st)
	}
}

package console

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"
)

// The console serves until its context ends, then shuts down cleanly;
// SetBackend switches the service a reload made, for the next request.
func TestServeAndSetBackend(t *testing.T) {
	s := newSite(t, 20)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fb := newFake()
	fb.plans = nil
	con, err := New(fb, benchAuth{}, s.cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeOn(ctx, ln, con, s.cfg, nil) }()
	get := func(path string) *http.Response {
		resp, err := http.Get("http://" + ln.Addr().String() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get("/plans/" + s.plan.ID); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("plan before the reload: %s, want 404 (the first service has no plans)", resp.Status)
	}
	con.SetBackend(s.b, s.cfg)
	if resp := get("/plans/" + s.plan.ID); resp.StatusCode != http.StatusOK {
		t.Fatalf("plan after the reload: %s", resp.Status)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}

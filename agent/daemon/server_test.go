package daemon_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/daemon"
)

// readOnlyDir returns a directory the test process cannot create files in.
// As root permissions do not apply, so it uses /proc there.
func readOnlyDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() == 0 {
		if runtime.GOOS != "linux" {
			t.Skip("no read-only directory for root on this system")
		}
		return "/proc"
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	return dir
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestServerEndpoints(t *testing.T) {
	stateDir := t.TempDir()
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "retentiond_up 1\n")
	})
	ok := func() error { return nil }
	tests := []struct {
		name     string
		metrics  http.Handler
		checks   []daemon.Check
		path     string
		wantCode int
		wantBody string
	}{
		{"healthz", nil, nil, "/healthz", 200, "ok\n"},
		{"metrics from caller", metrics, nil, "/metrics", 200, "retentiond_up 1\n"},
		{"metrics not configured", nil, nil, "/metrics", 503, "metrics not configured\n"},
		{"ready", nil, []daemon.Check{
			{"state_dir", func() error { return daemon.CheckStateDir(stateDir) }},
			{"ready", ok},
		}, "/readyz", 200, "ready\n"},
		{"state dir not writable", nil, []daemon.Check{
			{"state_dir", func() error { return daemon.CheckStateDir(readOnlyDir(t)) }},
		}, "/readyz", 503, "not ready\nstate_dir: cannot create a file in the state directory: "},
		{"state dir is a file", nil, []daemon.Check{
			{"state_dir", func() error { return daemon.CheckStateDir(notADir) }},
		}, "/readyz", 503, "not ready\nstate_dir: cannot create a file in the state directory: not a directory\n"},
		{"caller not ready", nil, []daemon.Check{
			{"state_dir", func() error { return daemon.CheckStateDir(stateDir) }},
			{"ready", func() error { return errors.New("no approved plan readable") }},
		}, "/readyz", 503, "not ready\nready: no approved plan readable\n"},
		{"several failures, one line each", nil, []daemon.Check{
			{"jobs", func() error { return errors.Join(errors.New("job plan: failed"), errors.New("job plan:x: failed")) }},
			{"ready", func() error { return errors.New("down") }},
		}, "/readyz", 503, "not ready\njobs: job plan: failed\njobs: job plan:x: failed\nready: down\n"},
		{"unknown path", nil, nil, "/nope", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := daemon.NewServer(daemon.ServerOptions{Addr: "127.0.0.1:0", Metrics: tt.metrics, Checks: tt.checks})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Shutdown(context.Background())
			code, body := get(t, s.Handler(), tt.path)
			if code != tt.wantCode || !strings.HasPrefix(body, tt.wantBody) {
				t.Errorf("GET %s = %d %q, want %d %q", tt.path, code, body, tt.wantCode, tt.wantBody)
			}
		})
	}
}

func TestServerSwapsAndStops(t *testing.T) {
	s, err := daemon.NewServer(daemon.ServerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	s.Serve()
	url := "http://" + s.Addr().String()
	fetch := func(path string) (int, string) {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := fetch("/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", code, body)
	}
	s.SetMetrics(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "v2") }))
	s.SetChecks([]daemon.Check{{"ready", func() error { return errors.New("later") }}})
	if code, body := fetch("/metrics"); code != 200 || body != "v2" {
		t.Errorf("/metrics after SetMetrics = %d %q", code, body)
	}
	if code, body := fetch("/readyz"); code != 503 || body != "not ready\nready: later\n" {
		t.Errorf("/readyz after SetChecks = %d %q", code, body)
	}
	s.SetAlive(false)
	if code, body := fetch("/healthz"); code != 503 || body != "stopping\n" {
		t.Errorf("/healthz while stopping = %d %q", code, body)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("server still answers after Shutdown")
	}
}

func TestServerRefusesTakenPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = daemon.NewServer(daemon.ServerOptions{Addr: ln.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "already in use") || !strings.Contains(err.Error(), "daemon.listen") {
		t.Fatalf("NewServer on a taken port: err = %v, want a clear 'already in use' error", err)
	}
}

package daemon_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/daemon"
)

// notifications collects sd_notify messages in the background; expect
// skips WATCHDOG=1, which it counts.
type notifications struct {
	t         *testing.T
	msgs      chan string
	watchdogs atomic.Int32
}

func listenNotify(t *testing.T) (*daemon.Notifier, *notifications) {
	t.Helper()
	name := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	n := &notifications{t: t, msgs: make(chan string, 100)}
	go func() {
		buf := make([]byte, 4096)
		for {
			k, _, err := conn.ReadFromUnix(buf)
			if err != nil {
				return
			}
			msg := string(buf[:k])
			if msg == daemon.NotifyWatchdog {
				n.watchdogs.Add(1)
				continue
			}
			n.msgs <- msg
		}
	}()
	return daemon.NewNotifier(name), n
}

func (n *notifications) expect(prefix string) {
	n.t.Helper()
	select {
	case msg := <-n.msgs:
		if !strings.HasPrefix(msg, prefix) {
			n.t.Fatalf("sd_notify message %q, want %q", msg, prefix)
		}
	case <-time.After(5 * time.Second):
		n.t.Fatalf("no sd_notify message, want %q", prefix)
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func text(s string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, s) })
}

func TestRunLifecycle(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "100000") // 100ms: a ping every 50ms
	t.Setenv("WATCHDOG_PID", "")
	notifier, notes := listenNotify(t)
	stateDir := t.TempDir()

	var aRuns, bRuns atomic.Int32
	longStarted := make(chan struct{})
	var longCancelled atomic.Bool
	setups := []func() (daemon.Setup, error){
		func() (daemon.Setup, error) {
			return daemon.Setup{Listen: "127.0.0.1:0", StateDir: stateDir, Metrics: text("v1"),
				Jobs: []daemon.Job{{Name: "a", Schedule: "* * * * * *", Run: func(context.Context) error { aRuns.Add(1); return nil }}}}, nil
		},
		func() (daemon.Setup, error) {
			return daemon.Setup{Listen: "127.0.0.1:0", StateDir: stateDir, Metrics: text("v2"),
				Ready: func() error { return errors.New("v2 not ready") },
				Jobs: []daemon.Job{
					{Name: "b", Schedule: "* * * * * *", Run: func(context.Context) error { bRuns.Add(1); return nil }},
					{Name: "long", Schedule: "0 3 * * *", Run: func(ctx context.Context) error {
						close(longStarted)
						<-ctx.Done()
						time.Sleep(100 * time.Millisecond)
						longCancelled.Store(true)
						return ctx.Err()
					}},
				}}, nil
		},
		func() (daemon.Setup, error) {
			return daemon.Setup{}, errors.New("config.yaml:3: key daemon.listen: bad value")
		},
	}
	var loads atomic.Int32
	sigs := make(chan os.Signal, 1)
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- daemon.Run(context.Background(), daemon.RunOptions{
			Load:     func() (daemon.Setup, error) { return setups[loads.Add(1)-1]() },
			Signals:  sigs,
			Notifier: notifier,
			Started:  func(a net.Addr) { addrs <- a },
		})
	}()

	notes.expect(daemon.NotifyReady)
	url := "http://" + (<-addrs).String()
	for path, want := range map[string]string{"/healthz": "ok\n", "/metrics": "v1", "/readyz": "ready\n"} {
		if code, body := httpGet(t, url+path); code != 200 || body != want {
			t.Errorf("GET %s = %d %q, want 200 %q", path, code, body, want)
		}
	}
	waitFor(t, "job a to run", 3*time.Second, func() bool { return aRuns.Load() > 0 })

	// Reload with a new setup.
	sigs <- syscall.SIGHUP
	notes.expect(daemon.NotifyReloading)
	notes.expect(daemon.NotifyReady)
	if code, body := httpGet(t, url+"/metrics"); body != "v2" {
		t.Errorf("/metrics after reload = %d %q, want v2", code, body)
	}
	if code, body := httpGet(t, url+"/readyz"); code != 503 || !strings.Contains(body, "ready: v2 not ready\n") {
		t.Errorf("/readyz after reload = %d %q", code, body)
	}
	waitFor(t, "job b to run", 3*time.Second, func() bool { return bRuns.Load() > 0 })
	<-longStarted
	a := aRuns.Load()

	// A reload that fails keeps the running setup.
	sigs <- syscall.SIGHUP
	notes.expect(daemon.NotifyReloading)
	notes.expect(daemon.NotifyReady)
	if _, body := httpGet(t, url+"/metrics"); body != "v2" {
		t.Errorf("/metrics after a failed reload = %q, want v2 kept", body)
	}
	b := bRuns.Load()
	waitFor(t, "job b to keep running", 3*time.Second, func() bool { return bRuns.Load() > b })
	if got := aRuns.Load(); got != a {
		t.Errorf("job a, gone since the reload, ran %d more times", got-a)
	}

	// SIGTERM: STOPPING=1, the run in hand sees its context cancelled and
	// finishes, Run returns nil.
	sigs <- syscall.SIGTERM
	notes.expect(daemon.NotifyStopping)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after SIGTERM")
	}
	if !longCancelled.Load() {
		t.Error("Run returned before the run in hand finished")
	}
	if notes.watchdogs.Load() == 0 {
		t.Error("no WATCHDOG=1 with WATCHDOG_USEC set")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("HTTP server still up after Run returned")
	}
}

func TestRunRealSignals(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "")
	notifier, notes := listenNotify(t)
	stateDir := t.TempDir()
	var loads atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- daemon.Run(context.Background(), daemon.RunOptions{
			Load: func() (daemon.Setup, error) {
				loads.Add(1)
				return daemon.Setup{Listen: "127.0.0.1:0", StateDir: stateDir,
					Jobs: []daemon.Job{{Name: "plan", Schedule: "0 2 * * *", Run: func(context.Context) error { return nil }}}}, nil
			},
			Notifier: notifier,
		})
	}()
	notes.expect(daemon.NotifyReady) // signal handlers are installed before READY=1
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	notes.expect(daemon.NotifyReloading)
	notes.expect(daemon.NotifyReady)
	if got := loads.Load(); got != 2 {
		t.Errorf("Load called %d times, want 2 (start and SIGHUP)", got)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	notes.expect(daemon.NotifyStopping)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after SIGTERM")
	}
}

func TestRunStartErrors(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	errBad := errors.New("config.yaml:1: key timezone: unknown zone")
	tests := []struct {
		name    string
		load    func() (daemon.Setup, error)
		wantErr func(error) bool
	}{
		{"bad config", func() (daemon.Setup, error) { return daemon.Setup{}, errBad },
			func(err error) bool { return errors.Is(err, errBad) }},
		{"port taken", func() (daemon.Setup, error) {
			return daemon.Setup{Listen: taken.Addr().String(), StateDir: t.TempDir()}, nil
		}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "already in use") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			notifier, notes := listenNotify(t)
			err := daemon.Run(context.Background(), daemon.RunOptions{Load: tt.load, Notifier: notifier, Signals: make(chan os.Signal)})
			if !tt.wantErr(err) {
				t.Fatalf("Run: err = %v", err)
			}
			select {
			case msg := <-notes.msgs:
				t.Errorf("sent %q although start-up failed", msg)
			case <-time.After(100 * time.Millisecond):
			}
		})
	}
}

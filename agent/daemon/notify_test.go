package daemon_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/daemon"
)

// notifySocket listens like systemd does and returns its name and a
// function that reads the next message.
func notifySocket(t *testing.T, name string) (string, func() string) {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return name, func() string {
		t.Helper()
		buf := make([]byte, 4096)
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := conn.ReadFromUnix(buf)
		if err != nil {
			t.Fatalf("no sd_notify message: %v", err)
		}
		return string(buf[:n])
	}
}

func TestNotifierSends(t *testing.T) {
	sockets := map[string]string{
		"path":     filepath.Join(t.TempDir(), "notify.sock"),
		"abstract": fmt.Sprintf("@retentiond-test-%d-%d", os.Getpid(), time.Now().UnixNano()),
	}
	for kind, name := range sockets {
		t.Run(kind, func(t *testing.T) {
			socket, next := notifySocket(t, name)
			n := daemon.NewNotifier(socket)
			if !n.Enabled() {
				t.Fatal("Notifier with a socket not enabled")
			}
			for _, msg := range []string{daemon.NotifyReady, daemon.NotifyStopping, daemon.NotifyWatchdog} {
				if err := n.Notify(msg); err != nil {
					t.Fatal(err)
				}
				if got := next(); got != msg {
					t.Errorf("received %q, want %q", got, msg)
				}
			}
			if err := n.Reloading(); err != nil {
				t.Fatal(err)
			}
			got := next()
			lines := strings.Split(got, "\n")
			if lines[0] != daemon.NotifyReloading || len(lines) != 2 || !strings.HasPrefix(lines[1], "MONOTONIC_USEC=") {
				t.Fatalf("reloading message %q, want RELOADING=1 and MONOTONIC_USEC", got)
			}
			if us, err := strconv.ParseInt(strings.TrimPrefix(lines[1], "MONOTONIC_USEC="), 10, 64); err != nil || us <= 0 {
				t.Errorf("MONOTONIC_USEC not a positive number: %q", lines[1])
			}
		})
	}
}

func TestNotifierWithoutSocket(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	n := daemon.NotifierFromEnv()
	if n.Enabled() {
		t.Fatal("Notifier enabled without NOTIFY_SOCKET")
	}
	if err := n.Notify(daemon.NotifyReady); err != nil {
		t.Fatalf("Notify without socket: %v", err)
	}
	missing := daemon.NewNotifier(filepath.Join(t.TempDir(), "gone.sock"))
	if err := missing.Notify(daemon.NotifyReady); err == nil {
		t.Fatal("Notify to a missing socket succeeded")
	}
}

func TestWatchdogInterval(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	tests := []struct {
		usec, pid string
		want      time.Duration
		wantOK    bool
	}{
		{"", "", 0, false},
		{"30000000", "", 15 * time.Second, true},
		{"30000000", self, 15 * time.Second, true},
		{"30000000", "1", 0, false}, // meant for another process
		{"nonsense", "", 0, false},
		{"0", "", 0, false},
	}
	for _, tt := range tests {
		t.Setenv("WATCHDOG_USEC", tt.usec)
		t.Setenv("WATCHDOG_PID", tt.pid)
		got, ok := daemon.WatchdogInterval()
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("WATCHDOG_USEC=%q WATCHDOG_PID=%q: %v, %v; want %v, %v", tt.usec, tt.pid, got, ok, tt.want, tt.wantOK)
		}
	}
}

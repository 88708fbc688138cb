package daemon

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// sd_notify(3) states the daemon sends.
const (
	NotifyReady     = "READY=1"
	NotifyStopping  = "STOPPING=1"
	NotifyReloading = "RELOADING=1"
	NotifyWatchdog  = "WATCHDOG=1"
)

// Notifier sends sd_notify messages to systemd over the datagram socket
// named by NOTIFY_SOCKET. A Notifier without a socket does nothing, so
// callers need not check whether they run under systemd. Socket names
// starting with '@' are Linux abstract sockets (Go's net package maps the
// '@' to the leading NUL byte).
type Notifier struct {
	addr *net.UnixAddr
}

// NewNotifier returns a Notifier for socket; an empty socket gives a
// Notifier that does nothing.
func NewNotifier(socket string) *Notifier {
	if socket == "" {
		return &Notifier{}
	}
	return &Notifier{addr: &net.UnixAddr{Name: socket, Net: "unixgram"}}
}

// NotifierFromEnv returns a Notifier for $NOTIFY_SOCKET.
func NotifierFromEnv() *Notifier { return NewNotifier(os.Getenv("NOTIFY_SOCKET")) }

// Enabled reports whether the Notifier has a socket.
func (n *Notifier) Enabled() bool { return n != nil && n.addr != nil }

// Notify sends one message: newline-separated VAR=VALUE assignments, such
// as NotifyReady.
func (n *Notifier) Notify(state string) error {
	if !n.Enabled() {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	return nil
}

// Reloading sends RELOADING=1 with the MONOTONIC_USEC stamp that systemd
// requires for Type=notify-reload services.
func (n *Notifier) Reloading() error {
	msg := NotifyReloading
	if us, ok := monotonicUsec(); ok {
		msg += "\nMONOTONIC_USEC=" + strconv.FormatInt(us, 10)
	}
	return n.Notify(msg)
}

// WatchdogInterval reads WATCHDOG_USEC (and WATCHDOG_PID, which must be
// this process if set) and returns how often to send NotifyWatchdog: half
// the watchdog timeout, as sd_watchdog_enabled(3) advises. ok is false
// when the watchdog is off.
func WatchdogInterval() (every time.Duration, ok bool) {
	usec := os.Getenv("WATCHDOG_USEC")
	if usec == "" {
		return 0, false
	}
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return 0, false
	}
	us, err := strconv.ParseInt(usec, 10, 64)
	if err != nil || us <= 0 {
		return 0, false
	}
	return time.Duration(us) * time.Microsecond / 2, true
}

//go:build unix

package ledger

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// lock takes an exclusive flock on path, so that two processes (or two
// Opens in one process) never append at once. The kernel drops the lock
// when the holder exits, however it exits, so a crash leaves no stale
// lock. The file holds the holder's pid for the error message; it is
// never removed, since removing a lock file races with its next taker.
func lock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("ledger lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := ""
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
				holder = fmt.Sprintf(" (process %d)", pid)
			}
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s is held by another retentiond%s: wait for it to finish", ErrLocked, path, holder)
		}
		return nil, fmt.Errorf("ledger lock %s: %w", path, err)
	}
	// The pid is informative only; failing to write it is not an error.
	if f.Truncate(0) == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// Package flock takes advisory file locks (flock) for the state dir: the
// kernel drops a lock when its holder exits, however it exits, so a crash
// leaves no stale lock. Lock files are never removed by a holder that
// others may still race for.
package flock

import "errors"

// ErrBusy is returned when another process (or another open in this one)
// holds the lock.
var ErrBusy = errors.New("held by another retentiond run")

// Lock is a held lock; Unlock releases it.
type Lock struct {
	release func()
}

// Unlock releases the lock. It is safe to call more than once.
func (l *Lock) Unlock() {
	if l != nil && l.release != nil {
		l.release()
		l.release = nil
	}
}

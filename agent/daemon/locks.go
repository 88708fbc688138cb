package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// LockFailure is one lock error of a Scheduler with a Locker: the lock of
// a run could not be taken (the run did not happen on this replica), or a
// held lock could not be released or was lost while the run went on.
type LockFailure struct {
	// Job is the job's name; Firing the firing the run stood for.
	Job    string
	Firing time.Time
	// Err is the Locker's error. It names the lock backend (an address),
	// never personal data.
	Err error
	// First is true for the first lock error since a lock was last taken
	// (or since start): once per outage, for a notification.
	First bool
	// WhileHeld is true when the run took its lock and ran, and the lock
	// was then lost or could not be released; false when the lock could
	// not be taken and the run did not happen here.
	WhileHeld bool
}

// IsLockHeld reports whether err, from a Locker, means that another
// replica holds the lock: err or an error it wraps has a method
// LockHeld() bool that returns true (redislock.ErrTaken does). That is
// contention, the normal case with replicas, not a lock error.
func IsLockHeld(err error) bool {
	var h interface{ LockHeld() bool }
	return errors.As(err, &h) && h.LockHeld()
}

// Pinger is a Locker that can tell whether it could take a lock now,
// without taking one; CheckLocks uses it so that readiness follows the
// lock backend rather than the last firing.
type Pinger interface {
	Ping(ctx context.Context) error
}

// pingTimeout bounds CheckLocks' probe of the lock backend; it stays under
// a readiness probe's usual timeout.
const pingTimeout = 2 * time.Second

// lockError marks an error as a lock error already logged and told.
type lockError struct{ err error }

func (e lockError) Error() string { return e.err.Error() }
func (e lockError) Unwrap() error { return e.err }

func isLockError(err error) bool {
	var le lockError
	return errors.As(err, &le)
}

// lockFailed logs a lock error at ERROR and tells OnLockError.
func (s *Scheduler) lockFailed(msg, name string, firing time.Time, held bool, err error) {
	s.mu.Lock()
	first := !s.lockDown
	s.lockDown = true
	s.mu.Unlock()
	s.log.Error(msg, "job", name, "firing", firing, "err", err)
	if s.onLock != nil {
		s.onLock(LockFailure{Job: name, Firing: firing, Err: err, First: first, WhileHeld: held})
	}
}

// lockAnswered records that the lock backend answered a Lock (taken or
// held elsewhere): an outage, if any, is over.
func (s *Scheduler) lockAnswered() {
	s.mu.Lock()
	down := s.lockDown
	s.lockDown = false
	s.mu.Unlock()
	if down {
		s.log.Info("job locks work again")
	}
}

// CheckLocks is the lock readiness check: with a Locker, it fails while no
// job could take its lock. A Locker that is a Pinger is asked now (so the
// check recovers as soon as the backend is back); another fails from a
// lock error until a lock is next taken. Without a Locker it passes.
func (s *Scheduler) CheckLocks() error {
	if s.locker == nil {
		return nil
	}
	if p, ok := s.locker.(Pinger); ok {
		ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
		defer cancel()
		if err := p.Ping(ctx); err != nil {
			return fmt.Errorf("the lock backend does not answer, so no job can take its lock: %w", err)
		}
		return nil
	}
	s.mu.Lock()
	down := s.lockDown
	s.mu.Unlock()
	if down {
		return errors.New("the last lock could not be taken, so no job can take its lock (see the log)")
	}
	return nil
}

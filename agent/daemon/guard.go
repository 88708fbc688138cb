package daemon

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// guard is the Locker gocron sees. It keeps a job from overlapping itself,
// works out which firing a run stands for, and takes the caller's Locker
// for that firing.
type guard struct{ s *Scheduler }

// Lock implements gocron.Locker; key is the job name.
func (g guard) Lock(ctx context.Context, name string) (gocron.Lock, error) {
	s := g.s
	s.mu.Lock()
	e := s.defs[name]
	switch {
	case s.stopping:
		s.mu.Unlock()
		return nil, errStopping
	case e == nil:
		s.mu.Unlock()
		return nil, fmt.Errorf("job %s was removed", name)
	}
	if _, busy := s.running[name]; busy {
		s.mu.Unlock()
		return nil, errAlreadyRunning
	}
	firing := e.sched.prev(s.clock.Now().Add(firingTolerance))
	if done := s.state[name].LastSuccessFiring; !done.IsZero() && !done.Before(firing) {
		// A catch-up run just before a firing stands for that firing;
		// the timer's run for it must not repeat it.
		s.mu.Unlock()
		return nil, errAlreadyRan
	}
	s.running[name] = firing
	s.wg.Add(1)
	s.mu.Unlock()

	h := &held{s: s, name: name, firing: firing}
	if s.locker != nil {
		l, err := s.locker.Lock(ctx, LockKey(name, firing))
		if err != nil {
			h.release()
			if IsLockHeld(err) {
				s.lockAnswered()
				return nil, err
			}
			s.lockFailed("job not run: its lock could not be taken", name, firing, false, err)
			return nil, lockError{err}
		}
		s.lockAnswered()
		h.dist = l
	}
	return h, nil
}

// LockKey is the key a Scheduler passes to its Locker for a run of job
// name standing for firing.
func LockKey(name string, firing time.Time) string {
	return "job:" + name + "@" + firing.UTC().Format(time.RFC3339)
}

// held is one run's lock: the local guard plus the distributed lock.
type held struct {
	s      *Scheduler
	name   string
	firing time.Time
	dist   gocron.Lock
	once   sync.Once
}

// unlockTimeout bounds the release of a distributed lock.
const unlockTimeout = 10 * time.Second

// Unlock implements gocron.Lock. gocron passes the job's context, which is
// cancelled at shutdown, so the distributed release uses its own deadline.
func (h *held) Unlock(ctx context.Context) error {
	var err error
	h.once.Do(func() {
		if h.dist != nil {
			uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
			err = h.dist.Unlock(uctx)
			cancel()
			if err != nil {
				h.s.lockFailed("job lock not released or lost while held; it expires on its own", h.name, h.firing, true, err)
			}
		}
		h.release()
	})
	return err
}

func (h *held) release() {
	h.s.mu.Lock()
	delete(h.s.running, h.name)
	h.s.mu.Unlock()
	h.s.wg.Done()
}

package auth

import (
	"sync"
	"time"
)

// Sign-in rate limit for local accounts: after a few failures, each
// further attempt must wait, twice as long after every failure.
// Counted in memory, per account name (also for names that do not
// exist, so the wait tells nothing) and per client address (more free
// failures there: behind a reverse proxy every person shares one).
const (
	freeAccountFailures = 5
	freeAddrFailures    = 20
	firstWait           = 30 * time.Second
	longestWait         = time.Hour
	forgetAfter         = 24 * time.Hour
	maxLimited          = 100000 // keys kept at most; the oldest go first
)

type strikes struct {
	n    int
	last time.Time
}

// limiter counts failed sign-ins.
type limiter struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[string]*strikes
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, m: map[string]*strikes{}}
}

// waitFor is how long after its last failure a key with n failures
// waits, free failures allowed.
func waitFor(n, free int) time.Duration {
	if n < free {
		return 0
	}
	d := firstWait
	for i := free; i < n && d < longestWait; i++ {
		d *= 2
	}
	return min(d, longestWait)
}

// keyAccount and keyAddr name the two kinds of key.
func keyAccount(name string) string { return "a:" + name }
func keyAddr(addr string) string    { return "i:" + addr }

func free(key string) int {
	if key[0] == 'i' {
		return freeAddrFailures
	}
	return freeAccountFailures
}

// wait returns how much longer the keys must wait before an attempt (0:
// go ahead).
func (l *limiter) wait(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var longest time.Duration
	for _, k := range keys {
		s := l.m[k]
		if s == nil {
			continue
		}
		if left := s.last.Add(waitFor(s.n, free(k))).Sub(now); left > longest {
			longest = left
		}
	}
	return longest
}

// fail counts a failed attempt against keys.
func (l *limiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.m) >= maxLimited {
		l.prune(now)
	}
	for _, k := range keys {
		s := l.m[k]
		if s == nil {
			s = &strikes{}
			l.m[k] = s
		}
		s.n++
		s.last = now
	}
}

// reset forgets key's failures (a successful sign-in of the account).
func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.m, key)
	l.mu.Unlock()
}

// prune forgets keys whose last failure is old, and if that is not
// enough, the oldest half.
func (l *limiter) prune(now time.Time) {
	for k, s := range l.m {
		if now.Sub(s.last) > forgetAfter {
			delete(l.m, k)
		}
	}
	if len(l.m) < maxLimited {
		return
	}
	cut := now.Add(-forgetAfter / 2)
	for k, s := range l.m {
		if s.last.Before(cut) || len(l.m) >= maxLimited {
			delete(l.m, k)
		}
	}
}

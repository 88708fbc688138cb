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

// begin returns how much longer the keys must wait before an attempt;
// if nothing (0), it counts the attempt as a failure already, so that
// attempts made at once cannot all slip in before the first failure is
// counted. A successful attempt takes that back with succeeded.
func (l *limiter) begin(keys ...string) time.Duration {
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
	if longest > 0 {
		return longest
	}
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
	return 0
}

// succeeded takes back the failure begin counted: the account's count is
// forgotten, the others' lowered by one.
func (l *limiter) succeeded(account string, others ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, account)
	for _, k := range others {
		if s := l.m[k]; s != nil {
			if s.n--; s.n <= 0 {
				delete(l.m, k)
			}
		}
	}
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

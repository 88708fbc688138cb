// Package redislock is a gocron.Locker on Redis (redsync), so that several
// retentiond replicas run each scheduled firing once.
//
// Keys are prefixed with Prefix, or with WithPrefix's prefix: give each
// organisation sharing a Redis its own (the daemon uses
// daemon.redis.key_prefix, by default "retentiond:" and a slug of the
// organisation), or one organisation's locks stop another's jobs. A lock is taken with one try: a key that
// is held means another replica has the run, and waiting would only run it
// twice. While held, the lock is extended every expiry/3, so the expiry
// bounds how long a crashed holder blocks the others, not how long a job may
// run. On Unlock the key is not deleted but kept for the hold period (see
// WithHold), so that a replica whose timer fires a little late still finds
// the firing taken; the daemon's keys name the firing, so the next firing
// is never blocked by this one.
package redislock

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/go-redsync/redsync/v4"
	"github.com/go-redsync/redsync/v4/redis/goredis/v9"
	"github.com/redis/go-redis/v9"
)

// Prefix starts every key this package writes unless WithPrefix sets
// another.
const Prefix = "retentiond:"

// Defaults for New.
const (
	DefaultExpiry = time.Minute
	DefaultHold   = 10 * time.Minute
)

// ErrTaken means another holder has the key: the run belongs to another
// replica. It is contention, not a failure: it has the method
// LockHeld() bool that daemon.IsLockHeld looks for.
var ErrTaken error = takenError{}

type takenError struct{}

func (takenError) Error() string  { return "redislock: lock held by another instance" }
func (takenError) LockHeld() bool { return true }

// ErrLost is returned by Unlock when the lock could not be kept alive while
// held (Redis unreachable for longer than the expiry), so another replica
// may have run the same job meanwhile.
var ErrLost = errors.New("redislock: lock lost while held")

// Option configures New.
type Option func(*Locker)

// WithExpiry sets the key's time to live while held (default
// DefaultExpiry); it is renewed every expiry/3 until Unlock.
func WithExpiry(d time.Duration) Option { return func(l *Locker) { l.expiry = d } }

// WithHold sets how long a key stays after Unlock (default DefaultHold; 0
// deletes it at once). It must exceed the clock skew and start-up spread
// between replicas. With keys that do not name the firing, such as gocron's
// own WithDistributedLocker (key = job name), it must be shorter than the
// interval between firings or the next firing is skipped.
func WithHold(d time.Duration) Option { return func(l *Locker) { l.hold = d } }

// WithPrefix sets the prefix of every key (default Prefix), such as
// "retentiond:kinderopvang-zonnetje:". An ACL user may then be limited
// to the keys of its organisation (~retentiond:kinderopvang-zonnetje:*).
func WithPrefix(p string) Option { return func(l *Locker) { l.prefix = p } }

// Locker is a gocron.Locker on Redis.
type Locker struct {
	client redis.UniversalClient
	rs     *redsync.Redsync
	prefix string
	expiry time.Duration
	hold   time.Duration
}

var _ gocron.Locker = (*Locker)(nil)

// New returns a Locker on client.
func New(client redis.UniversalClient, opts ...Option) *Locker {
	l := &Locker{client: client, rs: redsync.New(goredis.NewPool(client)), prefix: Prefix, expiry: DefaultExpiry, hold: DefaultHold}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Lock implements gocron.Locker. A key another holder has gives ErrTaken;
// Redis unreachable, refusing the user (WRONGPASS, NOPERM) or too slow
// gives another error, naming the key.
func (l *Locker) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	m := l.rs.NewMutex(l.prefix+key, redsync.WithExpiry(l.expiry), redsync.WithTries(1))
	if err := m.LockContext(ctx); err != nil {
		var taken *redsync.ErrTaken
		if errors.As(err, &taken) || errors.Is(err, redsync.ErrFailed) {
			return nil, fmt.Errorf("%s: %w", key, ErrTaken)
		}
		return nil, fmt.Errorf("redislock: lock %s: %w", key, err)
	}
	h := &lock{l: l, m: m, stop: make(chan struct{}), done: make(chan struct{})}
	go h.keepAlive()
	return h, nil
}

// pingKey is the key Ping writes, under the prefix.
const pingKey = "ping"

// Ping reports whether a lock could be taken now: it writes a short-lived
// key under the prefix, so that an unreachable server, a refused login
// and an ACL user without the prefix's keys all fail it. It is what the
// daemon's readiness asks (daemon.Pinger).
func (l *Locker) Ping(ctx context.Context) error {
	if err := l.client.Set(ctx, l.prefix+pingKey, "1", 10*time.Second).Err(); err != nil {
		return fmt.Errorf("redislock: %w", err)
	}
	return nil
}

type lock struct {
	l    *Locker
	m    *redsync.Mutex
	stop chan struct{}
	done chan struct{}
	once sync.Once
	mu   sync.Mutex
	lost bool
}

func (h *lock) keepAlive() {
	defer close(h.done)
	t := time.NewTicker(h.l.expiry / 3)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), h.l.expiry/3)
			ok, _ := h.m.ExtendContext(ctx)
			cancel()
			if !ok && time.Now().After(h.m.Until()) {
				h.mu.Lock()
				h.lost = true
				h.mu.Unlock()
			}
		}
	}
}

// holdScript shortens the key's life to the hold period, if it is still
// ours.
var holdScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)

// Unlock implements gocron.Lock: it stops the renewal and lets the key
// expire after the hold period (or deletes it if the hold is 0).
func (h *lock) Unlock(ctx context.Context) error {
	var err error
	h.once.Do(func() {
		close(h.stop)
		<-h.done
		h.mu.Lock()
		lost := h.lost
		h.mu.Unlock()
		if h.l.hold > 0 {
			err = holdScript.Run(ctx, h.l.client, []string{h.m.Name()}, h.m.Value(), h.l.hold.Milliseconds()).Err()
		} else {
			_, err = h.m.UnlockContext(ctx)
		}
		if err != nil {
			err = fmt.Errorf("redislock: unlock %s: %w", h.m.Name(), err)
		}
		if lost {
			err = errors.Join(fmt.Errorf("%s: %w", h.m.Name(), ErrLost), err)
		}
	})
	return err
}

package redislock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/retentiond/retentiond/agent/daemon/redislock"
	"github.com/retentiond/retentiond/agent/daemon/redislock/redistest"
)

func TestLockIsExclusiveAndPrefixed(t *testing.T) {
	c := redistest.Start(t).Client(t)
	ctx := context.Background()
	a := redislock.New(c, redislock.WithHold(0))
	b := redislock.New(c, redislock.WithHold(0))

	la, err := a.Lock(ctx, "job:plan@x")
	if err != nil {
		t.Fatalf("first Lock: %v", err)
	}
	if n, err := c.Exists(ctx, "retentiond:job:plan@x").Result(); err != nil || n != 1 {
		t.Fatalf("key retentiond:job:plan@x: exists=%d err=%v", n, err)
	}
	if _, err := b.Lock(ctx, "job:plan@x"); !errors.Is(err, redislock.ErrTaken) {
		t.Fatalf("second Lock while held: err = %v, want ErrTaken", err)
	}
	if _, err := b.Lock(ctx, "job:plan@y"); err != nil {
		t.Fatalf("Lock on another key: %v", err)
	}
	if err := la.Unlock(ctx); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	lb, err := b.Lock(ctx, "job:plan@x")
	if err != nil {
		t.Fatalf("Lock after Unlock with hold 0: %v", err)
	}
	_ = lb.Unlock(ctx)
}

func TestHoldKeepsKeyAfterUnlock(t *testing.T) {
	c := redistest.Start(t).Client(t)
	ctx := context.Background()
	const hold = 400 * time.Millisecond
	l := redislock.New(c, redislock.WithHold(hold))

	h, err := l.Lock(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	ttl, err := c.PTTL(ctx, redislock.Prefix+"k").Result()
	if err != nil || ttl <= 0 || ttl > hold {
		t.Fatalf("PTTL after Unlock = %v (err %v), want in (0, %v]", ttl, err, hold)
	}
	if _, err := l.Lock(ctx, "k"); !errors.Is(err, redislock.ErrTaken) {
		t.Fatalf("Lock during hold: err = %v, want ErrTaken", err)
	}
	time.Sleep(hold + 100*time.Millisecond)
	h, err = l.Lock(ctx, "k")
	if err != nil {
		t.Fatalf("Lock after hold: %v", err)
	}
	_ = h.Unlock(ctx)
}

func TestLockIsExtendedWhileHeld(t *testing.T) {
	c := redistest.Start(t).Client(t)
	ctx := context.Background()
	const expiry = 300 * time.Millisecond
	l := redislock.New(c, redislock.WithExpiry(expiry), redislock.WithHold(0))

	h, err := l.Lock(ctx, "slow")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * expiry) // a job longer than the expiry
	if _, err := l.Lock(ctx, "slow"); !errors.Is(err, redislock.ErrTaken) {
		t.Fatalf("Lock after 3×expiry while held: err = %v, want ErrTaken (lock not extended)", err)
	}
	if err := h.Unlock(ctx); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	// With the renewal stopped and no hold, the key is gone.
	if n, _ := c.Exists(ctx, redislock.Prefix+"slow").Result(); n != 0 {
		t.Fatalf("key still there after Unlock with hold 0")
	}
}

func TestRedisDownIsNotTaken(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	_, err := redislock.New(c).Lock(context.Background(), "k")
	if err == nil || errors.Is(err, redislock.ErrTaken) {
		t.Fatalf("Lock with Redis down: err = %v, want a connection error", err)
	}
}

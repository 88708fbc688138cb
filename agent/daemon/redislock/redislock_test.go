package redislock_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
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

// TestOrganisationsDoNotShareLocks is the reported defect: a second
// organisation on the same Redis skipped its plan because the first held
// the same key. Each organisation's prefix keeps their keys apart.
func TestOrganisationsDoNotShareLocks(t *testing.T) {
	c := redistest.Start(t).Client(t)
	ctx := context.Background()
	a := redislock.New(c, redislock.WithPrefix("retentiond:org-a:"))
	b := redislock.New(c, redislock.WithPrefix("retentiond:org-b:"))
	la, err := a.Lock(ctx, "job:plan@x")
	if err != nil {
		t.Fatal(err)
	}
	defer la.Unlock(ctx)
	lb, err := b.Lock(ctx, "job:plan@x")
	if err != nil {
		t.Fatalf("second organisation's Lock of the same job and firing: %v", err)
	}
	defer lb.Unlock(ctx)
	for _, k := range []string{"retentiond:org-a:job:plan@x", "retentiond:org-b:job:plan@x"} {
		if n, err := c.Exists(ctx, k).Result(); err != nil || n != 1 {
			t.Errorf("key %s: exists=%d err=%v", k, n, err)
		}
	}
	if _, err := redislock.New(c, redislock.WithPrefix("retentiond:org-a:")).Lock(ctx, "job:plan@x"); !errors.Is(err, redislock.ErrTaken) {
		t.Errorf("a replica of the first organisation: err = %v, want ErrTaken", err)
	}
}

// TestTLSAndACLUser: a Redis with TLS only and an ACL user limited to its
// organisation's keys. The client trusts the server's CA from ca_file
// (besides the system roots) and logs in as the user; a lock outside the
// user's keys, a wrong password, no TLS or an untrusted CA are errors,
// never ErrTaken, and fail Ping.
func TestTLSAndACLUser(t *testing.T) {
	srv := redistest.StartWith(t, redistest.Options{TLS: true, Users: map[string]string{
		"org-a": "on >pw-a ~retentiond:org-a:* +@all",
	}})
	ctx := context.Background()
	good := redislock.ClientConfig{Address: srv.Addr, Username: "org-a", Password: "pw-a",
		TLS: &redislock.TLSConfig{CAFile: srv.CAFile, ServerName: redistest.ServerName}}
	c, err := redislock.NewClient(good)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l := redislock.New(c, redislock.WithPrefix("retentiond:org-a:"))
	if err := l.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	h, err := l.Lock(ctx, "job:plan@x")
	if err != nil {
		t.Fatalf("Lock over TLS as org-a: %v", err)
	}
	_ = h.Unlock(ctx)

	other := redislock.New(c, redislock.WithPrefix("retentiond:org-b:"))
	if _, err := other.Lock(ctx, "job:plan@x"); err == nil || errors.Is(err, redislock.ErrTaken) {
		t.Errorf("Lock outside the user's keys: err = %v, want a refusal", err)
	}
	if err := other.Ping(ctx); err == nil {
		t.Error("Ping outside the user's keys passed")
	}

	bad := func(name string, mod func(*redislock.ClientConfig)) {
		t.Run(name, func(t *testing.T) {
			cfg := good
			tc := *good.TLS
			cfg.TLS = &tc
			mod(&cfg)
			c, err := redislock.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			l := redislock.New(c, redislock.WithPrefix("retentiond:org-a:"))
			if err := l.Ping(ctx); err == nil {
				t.Error("Ping passed")
			}
			if _, err := l.Lock(ctx, "job:plan@y"); err == nil || errors.Is(err, redislock.ErrTaken) {
				t.Errorf("Lock: err = %v, want an error that is not ErrTaken", err)
			}
		})
	}
	bad("wrong password", func(c *redislock.ClientConfig) { c.Password = "nope" })
	bad("no TLS", func(c *redislock.ClientConfig) { c.TLS = nil })
	bad("untrusted CA", func(c *redislock.ClientConfig) { c.TLS.CAFile = "" })
	bad("wrong server name", func(c *redislock.ClientConfig) { c.TLS.ServerName = "other.test" })
}

// TestNewClientBadCAFile names the setting.
func TestNewClientBadCAFile(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{notPEM, filepath.Join(dir, "missing.pem")} {
		_, err := redislock.NewClient(redislock.ClientConfig{Address: "127.0.0.1:6379", TLS: &redislock.TLSConfig{CAFile: f}})
		if err == nil || !strings.Contains(err.Error(), "tls.ca_file") {
			t.Errorf("ca_file %s: err = %v, want one naming tls.ca_file", filepath.Base(f), err)
		}
	}
}

// TestHungRedisIsAnError: a Redis that accepts connections and never
// answers (paused, black-holed) is a lock error within seconds, not
// contention and not a wait through the night; Ping fails within its
// context. Once it answers again, locks are taken.
func TestHungRedisIsAnError(t *testing.T) {
	srv := redistest.Start(t)
	c, err := redislock.NewClient(redislock.ClientConfig{Address: srv.Addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l := redislock.New(c)
	srv.Pause(t)
	start := time.Now()
	if _, err := l.Lock(context.Background(), "job:plan@x"); err == nil || errors.Is(err, redislock.ErrTaken) {
		t.Errorf("Lock on a hung Redis: err = %v, want an error that is not ErrTaken", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Lock on a hung Redis took %v", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := l.Ping(ctx); err == nil {
		t.Error("Ping on a hung Redis passed")
	}
	srv.Resume(t)
	h, err := l.Lock(context.Background(), "job:plan@y")
	if err != nil {
		t.Fatalf("Lock once Redis answers again: %v", err)
	}
	_ = h.Unlock(context.Background())
}

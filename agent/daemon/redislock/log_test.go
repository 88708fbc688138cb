package redislock_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/retentiond/retentiond/agent/daemon/redislock"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestGoRedisLogsThroughSlog: go-redis' own lines (here its pool giving up
// on dialling) come out as the daemon's JSON records at WARN, not as
// plain "redis: 2026/…" lines on stderr.
func TestGoRedisLogsThroughSlog(t *testing.T) {
	var buf lockedBuffer
	redislock.SetLogger(slog.New(slog.NewJSONHandler(&buf, nil)))
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer c.Close()
	for range 10 {
		_ = c.Ping(context.Background()).Err()
	}
	if strings.TrimSpace(buf.String()) == "" {
		t.Fatal("go-redis logged nothing through slog")
	}
	var recs []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON record: %q", line)
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 || recs[0]["level"] != "WARN" || recs[0]["component"] != "go-redis" ||
		!strings.Contains(recs[0]["msg"].(string), "dial") || strings.HasPrefix(recs[0]["msg"].(string), "redis: ") {
		t.Errorf("go-redis records %v, want WARN component=go-redis about dialling", recs)
	}
}

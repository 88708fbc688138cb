package redislock

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"
)

// SetLogger sends go-redis' own log lines (a pool that cannot dial, a
// connection dropped with unread data) to log at WARN with
// component=go-redis, instead of go-redis' plain lines on stderr, so that
// journald and Loki get them as JSON with a priority like the daemon's
// other lines. go-redis has one logger per process: the daemon calls this
// once at start-up.
func SetLogger(log *slog.Logger) { redis.SetLogger(slogAdapter{log.With("component", "go-redis")}) }

type slogAdapter struct{ log *slog.Logger }

// Printf implements go-redis' logger.
func (a slogAdapter) Printf(ctx context.Context, format string, v ...any) {
	a.log.Log(ctx, slog.LevelWarn, strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: "))
}

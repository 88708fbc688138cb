package onedrive

import (
	"context"
	"sync"
	"time"
)

// DefaultRequestsPerMinute is the default request budget. SharePoint (which
// holds every OneDrive for Business and document library) allows an
// application 1,200 resource units a minute in a tenant of up to 1,000
// licences; a delete costs 2 units and a get, a download or a delta page
// with a token 1, so 600 requests a minute stay inside the limit even when
// every one is a delete. Each request inside a $batch counts, as Graph
// counts them one by one.
const DefaultRequestsPerMinute = 600

// budget lets at most n requests start in any window of the given length.
// It is a sliding-window log rather than a token bucket, because a bucket
// that starts full allows up to twice its rate in the first window: it
// remembers when each of the last n requests started, and a new request
// waits until the oldest of them is a window old.
type budget struct {
	mu     sync.Mutex
	window time.Duration
	slots  []time.Time // start times, oldest at head; zero = unused
	head   int
	latest time.Time // the latest start handed out
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
}

func newBudget(n int, window time.Duration, now func() time.Time, sleep func(context.Context, time.Duration) error) *budget {
	return &budget{window: window, slots: make([]time.Time, n), now: now, sleep: sleep}
}

// take waits until k more requests may start and reserves them. A k larger
// than the whole budget is capped at it (the store keeps its batches
// within the budget, so this does not happen). A reservation is kept even if ctx
// ends while waiting, which errs on the side of sending fewer requests.
func (b *budget) take(ctx context.Context, k int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k = max(1, min(k, len(b.slots)))
	b.mu.Lock()
	now := b.now()
	// Starts never go backwards, so the ring stays in order and the slot
	// reused is always the oldest.
	start := now
	if b.latest.After(start) {
		start = b.latest
	}
	// The k oldest slots are the ones reused; the youngest of them
	// decides when all k are free.
	if last := b.slots[(b.head+k-1)%len(b.slots)]; !last.IsZero() {
		if free := last.Add(b.window); free.After(start) {
			start = free
		}
	}
	b.latest = start
	for range k {
		b.slots[b.head] = start
		b.head = (b.head + 1) % len(b.slots)
	}
	b.mu.Unlock()
	if wait := start.Sub(now); wait > 0 {
		return b.sleep(ctx, wait)
	}
	return nil
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

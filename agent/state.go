package agent

import (
	"sync"
	"time"
)

// retellAfter is how long the daemon waits before it tells the
// administrator again of a state file it still cannot read; it logs and
// counts it at every job.
const retellAfter = 12 * time.Hour

// stateTold remembers when the administrator was told of each unreadable
// state file, so that the plan and apply jobs of one night send one
// message.
type stateTold struct {
	mu   sync.Mutex
	when map[string]time.Time
}

//go:build !unix

package statefile

import (
	"errors"
	"time"
)

// lock is not implemented outside Unix: without it two writers could lose
// each other's updates, so changing a state file is refused.
func lock(path string, wait time.Duration) (func(), error) {
	return nil, errors.New("changing retentiond state files needs file locking (flock), which this system does not offer: run retentiond on Linux or macOS")
}

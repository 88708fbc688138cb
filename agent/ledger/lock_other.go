//go:build !unix

package ledger

import (
	"errors"
	"os"
)

// lock is not implemented outside Unix: without it two writers could
// interleave, so opening a ledger for writing is refused.
func lock(path string) (*os.File, error) {
	return nil, errors.New("ledger: appending needs file locking (flock), which this system does not offer; run retentiond apply on Linux or macOS")
}

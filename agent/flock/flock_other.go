//go:build !unix

package flock

import "errors"

// Try is not available outside Unix: without it two runs could write one
// plan folder or apply one plan at once, so it refuses.
func Try(path string) (*Lock, error) {
	return nil, errors.New("locking needs flock, which this system does not offer; run retentiond on Linux or macOS")
}

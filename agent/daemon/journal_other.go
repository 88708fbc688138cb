//go:build !unix

package daemon

import "io"

// toJournal is false where there is no systemd.
func toJournal(io.Writer) bool { return false }

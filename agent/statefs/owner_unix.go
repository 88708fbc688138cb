//go:build unix

package statefs

import (
	"io/fs"
	"syscall"
)

// errNotDir is what opening a path under a file gives.
var errNotDir = syscall.ENOTDIR

func ownerOf(fi fs.FileInfo) (uid, gid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return -1, -1, false
	}
	return int(st.Uid), int(st.Gid), true
}

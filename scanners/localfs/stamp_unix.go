//go:build unix && !darwin && !freebsd && !netbsd

package localfs

import (
	"io/fs"
	"syscall"
)

// fileStamp is the inode and change time of fi, as Lstat gave it.
func fileStamp(fi fs.FileInfo) stamp {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return stamp{}
	}
	return stamp{ok: true, ino: uint64(st.Ino), ctime: st.Ctim.Nano()}
}

//go:build unix

package localfs

import "syscall"

// openFlags keeps an open from hanging if a regular file is swapped for a
// named pipe between Lstat and open; openFile then refuses it.
const openFlags = syscall.O_NONBLOCK

//go:build unix

package export

import "syscall"

// openFlags refuses a file swapped for a symbolic link since Lstat, and
// keeps an open from hanging on a named pipe swapped in the same way.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

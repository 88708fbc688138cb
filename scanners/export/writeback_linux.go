package export

import (
	"os"

	"golang.org/x/sys/unix"
)

// writebackEvery is how much a rewrite writes between the calls that
// start the kernel writing it to disk.
const writebackEvery = 8 << 20

// writeback writes to a new file and, every writebackEvery bytes, asks
// the kernel to start writing what it has to disk (sync_file_range with
// SYNC_FILE_RANGE_WRITE, which does not wait), so that the disk works
// while the rewrite does and the fsync at the end finds little left to
// write. It changes no guarantee: the file is still fsynced before it
// replaces the original. A failure to start writeback is ignored, for
// the fsync then does the work.
type writeback struct {
	f                *os.File
	written, started int64
}

func newWriteback(f *os.File) *writeback { return &writeback{f: f} }

func (w *writeback) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.written += int64(n)
	if w.written-w.started >= writebackEvery {
		off, n := w.started, w.written-w.started
		if rc, err := w.f.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) { unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE) })
		}
		w.started = w.written
	}
	return n, err
}

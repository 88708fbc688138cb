//go:build unix

package daemon

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// toJournal reports whether w is the stream systemd connected to the
// journal: JOURNAL_STREAM holds that stream's "DEVICE:INODE"
// (systemd.exec(5)), which must be w's. A process whose stderr was
// redirected, or a shell that inherited the variable, does not match.
func toJournal(w io.Writer) bool {
	js := os.Getenv("JOURNAL_STREAM")
	f, ok := w.(*os.File)
	if js == "" || !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && js == fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

package console

import (
	"io/fs"
	"strings"
	"syscall"
	"testing"
)

// TestZipErrorWithoutPath: a failure while sending an access package is
// logged without the file's name, which names the person's records.
func TestZipErrorWithoutPath(t *testing.T) {
	err := withoutPath(&fs.PathError{Op: "read", Path: "files/Jansen, Piet/intake.pdf", Err: syscall.EIO})
	if strings.Contains(err.Error(), "Jansen") || !strings.Contains(err.Error(), "input/output error") {
		t.Fatalf("logged error: %v", err)
	}
}

//go:build unix

package localfs

import (
	"errors"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/retentiond/retentiond/scanners"
)

// A named pipe is not a record, and opening one would hang a scan.
func TestNamedPipeIsSkipped(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", []byte("a"))
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	s := open(t, dir, Options{})
	if got := ids(t, s); !slices.Equal(got, []string{"a.txt"}) {
		t.Errorf("Scan listed %q, want [a.txt]", got)
	}
	for _, fn := range []func() error{
		func() error { _, err := s.Stat(t.Context(), "pipe"); return err },
		func() error { _, err := s.Open(t.Context(), "pipe"); return err },
		func() error { return s.Delete(t.Context(), "pipe") },
	} {
		if err := fn(); !errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("on a named pipe: %v, want ErrNotFound", err)
		}
	}
}

package flock

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestTry(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.lock")
	a, err := Try(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Try(p); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Try: %v, want ErrBusy", err)
	}
	a.Unlock()
	a.Unlock()
	b, err := Try(p)
	if err != nil {
		t.Fatalf("after Unlock: %v", err)
	}
	b.Unlock()
}

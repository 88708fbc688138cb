package scannertest

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/retentiond/retentiond/scanners"
)

// Collect scans s into a map by ID. It fails if Scan fails or lists an ID
// twice. It keeps every record in memory, which is what tests want and
// stores must not do.
func Collect(ctx context.Context, s scanners.Store) (map[string]scanners.Record, error) {
	got := make(map[string]scanners.Record)
	err := s.Scan(ctx, func(r scanners.Record) error {
		if _, dup := got[r.ID]; dup {
			return fmt.Errorf("scannertest: Scan listed %q twice", r.ID)
		}
		got[r.ID] = r
		return nil
	})
	return got, err
}

// MustCollect is Collect that fails the test on an error.
func MustCollect(t testing.TB, s scanners.Store) map[string]scanners.Record {
	t.Helper()
	got, err := Collect(t.Context(), s)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return got
}

// ReadAll opens id in s and reads it to the end.
func ReadAll(ctx context.Context, s scanners.Store, id string) ([]byte, error) {
	rc, err := s.Open(ctx, id)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	return data, err
}

// SameRecord reports whether a and b describe the same record in the same
// state: equal fields, with ModTime compared by instant.
func SameRecord(a, b scanners.Record) bool {
	return a.ID == b.ID && a.Kind == b.Kind && a.Size == b.Size &&
		a.ModTime.Equal(b.ModTime) && a.Version == b.Version && a.Archive == b.Archive
}

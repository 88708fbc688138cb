package memstore_test

import (
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/memstore"
	"github.com/retentiond/retentiond/scanners/scannertest"
)

type harness struct{}

func (harness) Make(t *testing.T, files map[string][]byte) scanners.Store {
	return memstore.New(files)
}

func (harness) Write(t *testing.T, s scanners.Store, id string, data []byte) {
	s.(*memstore.Store).Put(id, data, time.Now())
}

func TestConformance(t *testing.T) {
	scannertest.RunConformance(t, harness{})
}

func TestFailScanAfter(t *testing.T) {
	boom := errors.New("listing broke")
	tests := []struct {
		n, wantListed int
		wantErr       bool
	}{
		{n: 0, wantListed: 0, wantErr: true},
		{n: 2, wantListed: 2, wantErr: true},
		{n: 3, wantListed: 3, wantErr: true}, // fails after the last record too
		{n: 4, wantListed: 3, wantErr: false},
	}
	for _, tc := range tests {
		s := memstore.New(map[string][]byte{"a": nil, "b": nil, "c": nil})
		s.FailScanAfter(tc.n, boom)
		listed := 0
		err := s.Scan(t.Context(), func(scanners.Record) error { listed++; return nil })
		if listed != tc.wantListed || errors.Is(err, boom) != tc.wantErr {
			t.Errorf("FailScanAfter(%d): listed %d, error %v; want %d, error %v", tc.n, listed, err, tc.wantListed, tc.wantErr)
		}
		// Only the next scan fails.
		if err := s.Scan(t.Context(), func(scanners.Record) error { return nil }); err != nil {
			t.Errorf("FailScanAfter(%d): second Scan: %v", tc.n, err)
		}
	}
}

func TestFailDelete(t *testing.T) {
	s := memstore.New(map[string][]byte{"a": []byte("x"), "b": []byte("y")})
	boom := errors.New("locked")
	s.FailDelete("a", boom)
	if err := s.Delete(t.Context(), "a"); !errors.Is(err, boom) {
		t.Fatalf("Delete = %v, want %v", err, boom)
	}
	if err := s.Delete(t.Context(), "b"); err != nil {
		t.Fatalf("Delete(b) = %v", err)
	}
	if got := s.IDs(); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("IDs = %q, want [a]", got)
	}
	s.FailDelete("a", nil)
	if err := s.Delete(t.Context(), "a"); err != nil || s.Has("a") {
		t.Fatalf("Delete after clearing the failure: %v, still there: %v", err, s.Has("a"))
	}
}

func TestPutSetsModTimeAndVersion(t *testing.T) {
	s := memstore.New(nil)
	when := time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)
	s.Put("x", []byte("one"), when)
	r1, err := s.Stat(t.Context(), "x")
	if err != nil || !r1.ModTime.Equal(when) || r1.Size != 3 {
		t.Fatalf("Stat = %+v, %v", r1, err)
	}
	s.Put("x", []byte("one"), when)
	r2, _ := s.Stat(t.Context(), "x")
	if r2.Version == r1.Version {
		t.Errorf("Version %q unchanged after a second Put", r2.Version)
	}
}

func TestOpenIsReaderAt(t *testing.T) {
	s := memstore.New(map[string][]byte{"z": []byte("content")})
	rc, err := s.Open(t.Context(), "z")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	ra, ok := rc.(interface {
		io.ReaderAt
		Size() int64
	})
	if !ok || ra.Size() != 7 {
		t.Fatalf("Open returned %T, want an io.ReaderAt with Size 7", rc)
	}
}

func TestPutPanicsOnBadID(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Put with an escaping id did not panic")
		}
	}()
	memstore.New(nil).Put("../x", nil, time.Time{})
}

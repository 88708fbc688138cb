package s3

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
)

// TestScanFailsMidway makes the second listing page fail: Scan must return
// the error, so that the records it passed on are never taken as the
// whole store.
func TestScanFailsMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 2,400 objects")
	}
	srv := s3test.Get(t)
	objs := make(map[string][]byte)
	for i := range 1200 {
		objs[fmt.Sprintf("Jansen, Piet %04d.pdf", i)] = []byte("x")
	}
	for _, tc := range []struct {
		name  string
		opts  s3test.BucketOptions
		query string
	}{
		{"Plain", s3test.BucketOptions{}, s3test.QueryListObjectsV2},
		{"Versioned", s3test.BucketOptions{Versioning: true}, s3test.QueryListObjectVersions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bucket := srv.NewBucket(t, tc.opts)
			putMany(t, srv, bucket, objs)
			for _, status := range []int{500, 403} {
				faults := &s3test.Faults{Query: tc.query, Pass: 1, Status: status}
				s := openStore(t, srv, bucket, "", faults)
				n := 0
				err := s.Scan(t.Context(), func(scanners.Record) error { n++; return nil })
				var se *Error
				if !errors.As(err, &se) || se.Status != status {
					t.Fatalf("Scan with page 2 failing %d: %d records, error %v; want an *Error with status %d", status, n, err, status)
				}
				if status == 403 && !errors.Is(err, ErrAccessDenied) {
					t.Errorf("403: error %v does not wrap ErrAccessDenied", err)
				}
				if strings.Contains(err.Error(), "Jansen") {
					t.Errorf("error repeats a key: %v", err)
				}
				if st := s.LastScan(); st.Complete || n == 0 || n >= len(objs) {
					t.Errorf("LastScan = %+v after %d records; want incomplete, part of %d", st, n, len(objs))
				}
			}
		})
	}
}

// TestThrottling checks that SlowDown answers are retried and counted.
func TestThrottling(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.PlainBucket(t)
	putMany(t, srv, bucket, map[string][]byte{"a": []byte("a"), "b/c": []byte("c")})

	faults := &s3test.Faults{Query: s3test.QueryListObjectsV2, Status: 503, Limit: 2}
	s := openStore(t, srv, bucket, "", faults)
	if got := collect(t, s); len(got) != 2 {
		t.Errorf("Scan after 2 SlowDowns listed %d records, want 2", len(got))
	}
	if s.Throttled() != 2 || s.Requests()["ListObjectsV2"] != 3 {
		t.Errorf("Throttled = %d, ListObjectsV2 = %d; want 2 and 3", s.Throttled(), s.Requests()["ListObjectsV2"])
	}

	faults = &s3test.Faults{Query: s3test.QueryListObjectsV2, Status: 503}
	s = openStore(t, srv, bucket, "", faults)
	err := s.Scan(t.Context(), func(scanners.Record) error { return nil })
	if !errors.Is(err, ErrThrottled) || s.Throttled() != int64(testTuning().maxAttempts) {
		t.Errorf("Scan while always throttled: %v after %d throttled attempts; want ErrThrottled after %d", err, s.Throttled(), testTuning().maxAttempts)
	}
}

// TestDeleteObjectsFailsForOneBatch makes the second of two DeleteObjects
// calls fail: only its records get the error, and they are all still
// there.
func TestDeleteObjectsFailsForOneBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 1,500 objects")
	}
	srv := s3test.Get(t)
	bucket := srv.VersionedBucket(t)
	objs := make(map[string][]byte)
	for i := range 1500 {
		objs[fmt.Sprintf("f/%04d", i)] = []byte("x")
	}
	putMany(t, srv, bucket, objs)
	faults := &s3test.Faults{Query: s3test.QueryDeleteObjects, Pass: 1, Status: 403}
	s := openStore(t, srv, bucket, "", faults)
	recs := collect(t, s)
	var reqs []scanners.DeleteRequest
	for i := range 1500 {
		id := fmt.Sprintf("f/%04d", i)
		reqs = append(reqs, scanners.DeleteRequest{ID: id, Version: recs[id].Version})
	}
	errs := s.DeleteMany(t.Context(), reqs)
	for i, err := range errs {
		if first := i < maxDeleteBatch; first != (err == nil) || (!first && !errors.Is(err, ErrAccessDenied)) {
			t.Fatalf("request %d: %v; want nil for the first %d, ErrAccessDenied after", i, err, maxDeleteBatch)
		}
	}
	if got := collect(t, s); len(got) != 500 || got["f/1000"].Version != recs["f/1000"].Version {
		t.Errorf("%d records left, want the 500 of the failed batch", len(got))
	}
	if faults.Seen() != 2 {
		t.Errorf("%d DeleteObjects requests, want 2", faults.Seen())
	}
}

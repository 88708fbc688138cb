package s3

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
)

func TestLockReported(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	future := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	later := future.Add(24 * time.Hour)

	held := srv.Put(t, bucket, "held.pdf", []byte("held"))
	srv.SetLegalHold(t, bucket, "held.pdf", held, true)
	oldHeld := srv.Put(t, bucket, "old-held.pdf", []byte("v1"))
	srv.SetLegalHold(t, bucket, "old-held.pdf", oldHeld, true)
	srv.Put(t, bucket, "old-held.pdf", []byte("v2"))
	hidden := srv.Put(t, bucket, "hidden-held.pdf", []byte("v1"))
	srv.SetLegalHold(t, bucket, "hidden-held.pdf", hidden, true)
	srv.DeleteMarker(t, bucket, "hidden-held.pdf")
	srv.PutLocked(t, bucket, "compliance.pdf", []byte("c"), s3test.Compliance, future)
	srv.PutLocked(t, bucket, "two-retentions.pdf", []byte("g1"), s3test.Governance, later)
	srv.PutLocked(t, bucket, "two-retentions.pdf", []byte("c2"), s3test.Compliance, future)
	srv.Put(t, bucket, "free.pdf", []byte("free"))
	expired := time.Now().Add(1500 * time.Millisecond).UTC()
	srv.PutLocked(t, bucket, "expired.pdf", []byte("e"), s3test.Compliance, expired)
	time.Sleep(time.Until(expired) + 100*time.Millisecond)

	s := openStore(t, srv, bucket, "", nil)
	before := s.Requests()
	got := collect(t, s)
	// 9 versions: the 3 held ones cost one lookup each, the 6 others
	// two; the delete marker none.
	d := delta(before, s.Requests())
	if d["GetObjectLegalHold"] != 9 || d["GetObjectRetention"] != 6 {
		t.Errorf("lock lookups: %d legal hold, %d retention; want 9 and 6", d["GetObjectLegalHold"], d["GetObjectRetention"])
	}
	want := map[string]*scanners.Lock{
		"held.pdf":           {Mode: ModeLegalHold},
		"old-held.pdf":       {Mode: ModeLegalHold},
		"hidden-held.pdf":    {Mode: ModeLegalHold},
		"compliance.pdf":     {Mode: ModeCompliance, Until: future},
		"two-retentions.pdf": {Mode: ModeGovernance, Until: later},
		// Reported as stored: the planner compares Until with its as-of
		// date.
		"expired.pdf": {Mode: ModeCompliance, Until: expired},
		"free.pdf":    nil,
	}
	if len(got) != len(want) {
		t.Errorf("Scan listed %d records, want %d", len(got), len(want))
	}
	for id, w := range want {
		r := got[id]
		if !sameLock(r.Lock, w) {
			t.Errorf("%q: Lock = %+v, want %+v", id, r.Lock, w)
		}
		st, err := s.Stat(t.Context(), id)
		if err != nil || !sameLock(st.Lock, w) {
			t.Errorf("Stat(%q).Lock = %+v, %v; want %+v", id, st.Lock, err, w)
		}
	}
	if st := s.LastScan(); !st.ObjectLock || !st.Versioned {
		t.Errorf("LastScan = %+v, want Object Lock and versioning", st)
	}
}

func sameLock(a, b *scanners.Lock) bool {
	if a == nil || b == nil {
		return a == b
	}
	// S3 keeps retain-until dates to the millisecond or the second.
	return a.Mode == b.Mode && a.Until.Sub(b.Until).Abs() < time.Second
}

// TestNoLockLookupsWithoutObjectLock checks that a bucket without Object
// Lock costs no request per object beyond the listing.
func TestNoLockLookupsWithoutObjectLock(t *testing.T) {
	srv := s3test.Get(t)
	objs := map[string][]byte{}
	for _, id := range []string{"a.txt", "b/c.txt", "d/e/f.txt"} {
		objs[id] = []byte(id)
	}
	for _, tc := range []struct {
		name string
		opts s3test.BucketOptions
		want map[string]int64
	}{
		{"Plain", s3test.BucketOptions{}, map[string]int64{"GetBucketVersioning": 1, "ListObjectsV2": 1}},
		// Both settings only ever turn on, so a second scan asks only
		// about those still off.
		{"Versioned", s3test.BucketOptions{Versioning: true}, map[string]int64{"GetObjectLockConfiguration": 1, "ListObjectVersions": 1}},
		{"ObjectLockNoLocks", s3test.BucketOptions{ObjectLock: true}, map[string]int64{"ListObjectVersions": 1, "GetObjectLegalHold": 3, "GetObjectRetention": 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bucket := srv.NewBucket(t, tc.opts)
			putMany(t, srv, bucket, objs)
			s := openStore(t, srv, bucket, "", nil)
			collect(t, s)
			before := s.Requests()
			collect(t, s)
			d := delta(before, s.Requests())
			if len(d) != len(tc.want) {
				t.Errorf("requests of a scan: %v, want %v", d, tc.want)
			}
			for op, n := range tc.want {
				if d[op] != n {
					t.Errorf("requests of a scan: %v, want %v", d, tc.want)
					break
				}
			}
		})
	}
}

func TestDeleteLocked(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	heldV1 := srv.Put(t, bucket, "held.pdf", []byte("v1"))
	srv.SetLegalHold(t, bucket, "held.pdf", heldV1, true)
	srv.Put(t, bucket, "held.pdf", []byte("v2"))
	srv.DeleteMarker(t, bucket, "held.pdf")
	srv.PutLocked(t, bucket, "retained.pdf", []byte("r"), s3test.Governance, time.Now().Add(time.Hour))
	srv.Put(t, bucket, "free1.pdf", []byte("f1"))
	srv.Put(t, bucket, "free2.pdf", []byte("f2"))
	srv.Put(t, bucket, "free2.pdf", []byte("f2 again"))
	// versitygw lets a held version go once its retention has expired;
	// the store must not.
	expired := time.Now().Add(1500 * time.Millisecond)
	ev := srv.PutLocked(t, bucket, "expired-held.pdf", []byte("e"), s3test.Compliance, expired)
	srv.SetLegalHold(t, bucket, "expired-held.pdf", ev, true)
	time.Sleep(time.Until(expired) + 100*time.Millisecond)

	s := openStore(t, srv, bucket, "", nil)
	recs := collect(t, s)
	ids := []string{"free1.pdf", "held.pdf", "retained.pdf", "free2.pdf", "expired-held.pdf"}
	var reqs []scanners.DeleteRequest
	for _, id := range ids {
		reqs = append(reqs, scanners.DeleteRequest{ID: id, Version: recs[id].Version})
	}
	errs := s.DeleteMany(t.Context(), reqs)
	for i, id := range ids {
		locked := recs[id].Lock != nil
		if locked != errors.Is(errs[i], scanners.ErrLocked) || (!locked && errs[i] != nil) {
			t.Errorf("DeleteMany %q: %v (Lock %+v)", id, errs[i], recs[id].Lock)
		}
		want := 0
		if locked {
			want = recs[id].Versions
		}
		if n := countVersions(t, srv, bucket, id); n != want {
			t.Errorf("%q: %d versions left, want %d", id, n, want)
		}
	}
	if err := s.Delete(t.Context(), "held.pdf"); !errors.Is(err, scanners.ErrLocked) {
		t.Errorf("Delete of a held record: %v, want ErrLocked", err)
	}
	if n := countVersions(t, srv, bucket, "held.pdf"); n != 3 {
		t.Errorf("held.pdf: %d versions left after a refused Delete, want all 3", n)
	}
	srv.SetLegalHold(t, bucket, "held.pdf", heldV1, false)
	if err := s.Delete(t.Context(), "held.pdf"); err != nil {
		t.Errorf("Delete after the hold was lifted: %v", err)
	}
	if n := countVersions(t, srv, bucket, "held.pdf"); n != 0 {
		t.Errorf("held.pdf: %d versions left, want 0", n)
	}
}

// TestDeleteRacesLegalHold puts a legal hold on a version after the store
// checked it and before DeleteObjects arrives: S3 refuses that one
// version, which must fail that record only, as locked.
func TestDeleteRacesLegalHold(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	for _, id := range []string{"a.pdf", "b.pdf", "c.pdf"} {
		srv.Put(t, bucket, id, []byte(id))
	}
	bV2 := srv.Put(t, bucket, "b.pdf", []byte("b2"))
	faults := &s3test.Faults{Query: s3test.QueryDeleteObjects, Pass: 1 << 30, Before: func(*http.Request) {
		srv.SetLegalHold(t, bucket, "b.pdf", bV2, true)
	}}
	s := openStore(t, srv, bucket, "", faults)
	recs := collect(t, s)
	var reqs []scanners.DeleteRequest
	for _, id := range []string{"a.pdf", "b.pdf", "c.pdf"} {
		reqs = append(reqs, scanners.DeleteRequest{ID: id, Version: recs[id].Version})
	}
	errs := s.DeleteMany(t.Context(), reqs)
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], scanners.ErrLocked) {
		t.Errorf("DeleteMany = %v, want nil, ErrLocked, nil", errs)
	}
	if faults.Seen() != 1 {
		t.Errorf("%d DeleteObjects requests, want 1", faults.Seen())
	}
	// The unheld version of b went; the held one stays.
	if n := countVersions(t, srv, bucket, "b.pdf"); n != 1 {
		t.Errorf("b.pdf: %d versions left, want the held one", n)
	}
	for _, id := range []string{"a.pdf", "c.pdf"} {
		if n := countVersions(t, srv, bucket, id); n != 0 {
			t.Errorf("%q: %d versions left, want 0", id, n)
		}
	}
}

// TestDeleteUnderBucketDefault deletes in a bucket whose default
// retention versitygw applies to the bucket as a whole, without stamping
// it on the versions: the refusal must still read as locked.
func TestDeleteUnderBucketDefault(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.ComplianceBucket(t, 1)
	srv.Put(t, bucket, "a.pdf", []byte("a"))
	s := openStore(t, srv, bucket, "", nil)
	recs := collect(t, s)
	errs := s.DeleteMany(t.Context(), []scanners.DeleteRequest{{ID: "a.pdf", Version: recs["a.pdf"].Version}})
	if !errors.Is(errs[0], scanners.ErrLocked) {
		t.Errorf("DeleteMany under the bucket's default retention: %v, want ErrLocked", errs[0])
	}
	if n := countVersions(t, srv, bucket, "a.pdf"); n != 1 {
		t.Errorf("%d versions left, want 1", n)
	}
}

package s3

import (
	"errors"
	"fmt"
	"testing"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
	"github.com/retentiond/retentiond/scanners/scannertest"
)

// countVersions counts the versions and delete markers of one key.
func countVersions(t *testing.T, srv *s3test.Server, bucket, key string) int {
	t.Helper()
	n := 0
	for _, v := range srv.ListVersions(t, bucket, key) {
		if v.Key == key {
			n++
		}
	}
	return n
}

func TestVersionsAndDeleteMarkers(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.VersionedBucket(t)
	srv.Put(t, bucket, "two.txt", []byte("one"))
	v2 := srv.Put(t, bucket, "two.txt", []byte("two!"))
	srv.Put(t, bucket, "hidden.txt", []byte("still here"))
	marker := srv.DeleteMarker(t, bucket, "hidden.txt")
	gone := srv.Put(t, bucket, "markers-only.txt", []byte("x"))
	lastMarker := srv.DeleteMarker(t, bucket, "markers-only.txt")
	deleteVersion(t, srv, bucket, "markers-only.txt", gone)
	srv.Put(t, bucket, "folder/", nil)
	srv.Put(t, bucket, "folder/inside.txt", []byte("in a folder"))

	s := openStore(t, srv, bucket, "", nil)
	got := collect(t, s)
	want := map[string]struct {
		version  string
		versions int
		size     int64
		content  string
	}{
		"two.txt":           {v2, 2, 4, "two!"},
		"hidden.txt":        {marker, 2, 10, "still here"},
		"markers-only.txt":  {lastMarker, 1, 0, ""},
		"folder/inside.txt": {"", 1, 11, "in a folder"},
	}
	if len(got) != len(want) {
		t.Errorf("Scan listed %d records, want %d: %v", len(got), len(want), got)
	}
	for id, w := range want {
		r, ok := got[id]
		if !ok {
			t.Errorf("%q not listed", id)
			continue
		}
		if (w.version != "" && r.Version != w.version) || r.Versions != w.versions || r.Size != w.size {
			t.Errorf("%q: Version %q, Versions %d, Size %d; want %q, %d, %d", id, r.Version, r.Versions, r.Size, w.version, w.versions, w.size)
		}
		st, err := s.Stat(t.Context(), id)
		if err != nil || !scannertest.SameRecord(st, r) || st.Versions != r.Versions {
			t.Errorf("Stat(%q) = %+v, %v; Scan listed %+v", id, st, err, r)
		}
		data, err := scannertest.ReadAll(t.Context(), s, id)
		if err != nil || string(data) != w.content {
			t.Errorf("Open(%q) read %q, %v; want %q", id, data, err, w.content)
		}
	}
	if st := s.LastScan(); st.FolderMarkers != 1 || !st.Versioned || st.ObjectLock || !st.Complete || st.Records != len(want) {
		t.Errorf("LastScan = %+v, want 1 folder marker, versioned, complete, %d records", st, len(want))
	}

	// Deleting removes the data hidden under the delete marker too.
	for _, id := range []string{"hidden.txt", "markers-only.txt"} {
		if err := s.Delete(t.Context(), id); err != nil {
			t.Fatalf("Delete(%q): %v", id, err)
		}
		if n := countVersions(t, srv, bucket, id); n != 0 {
			t.Errorf("%q: %d versions left after Delete, want 0", id, n)
		}
		if _, err := s.Stat(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Stat(%q) after Delete: %v, want ErrNotFound", id, err)
		}
	}
	if n := countVersions(t, srv, bucket, "two.txt"); n != 2 {
		t.Errorf("two.txt has %d versions after deleting other keys, want 2", n)
	}
}

// TestKeysThatAreNotIDs checks that keys no ID can name are left out and
// counted, not cleaned into another key's ID.
func TestKeysThatAreNotIDs(t *testing.T) {
	s := &Store{prefix: "p/"}
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"p/a.txt", true},
		{"p/a/b.txt", true},
		{"p//a.txt", false},
		{"p/a//b.txt", false},
		{"p/../a.txt", false},
		{"p/a/./b.txt", false},
		{"p/a/..", false},
		{"p/", false},
		{"other/a.txt", false},
		{"p/a\x00b", false},
	} {
		var st ScanStats
		id, ok := s.recordID(tc.key, &st)
		if ok != tc.ok || (!ok && st.Skipped != 1) || (ok && id != tc.key[2:]) {
			t.Errorf("recordID(%q) = %q, %v, skipped %d; want ok %v", tc.key, id, ok, st.Skipped, tc.ok)
		}
	}
}

// TestPaging lists past 1,000 keys and past 1,000 versions, where
// versitygw's ListObjectVersions repeats entries across pages.
func TestPaging(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 4,000 objects")
	}
	srv := s3test.Get(t)
	objs := make(map[string][]byte)
	for i := range 1500 {
		objs[fmt.Sprintf("kind %04d/dossier.pdf", i)] = []byte(fmt.Sprint(i))
	}
	t.Run("Keys", func(t *testing.T) {
		bucket := srv.PlainBucket(t)
		putMany(t, srv, bucket, objs)
		s := openStore(t, srv, bucket, "", nil)
		if got := collect(t, s); len(got) != len(objs) {
			t.Errorf("Scan listed %d records, want %d", len(got), len(objs))
		}
		if n := s.Requests()["ListObjectsV2"]; n != 2 {
			t.Errorf("%d ListObjectsV2 requests for 1,500 keys, want 2", n)
		}
	})
	t.Run("Versions", func(t *testing.T) {
		bucket := srv.VersionedBucket(t)
		putMany(t, srv, bucket, objs)
		putMany(t, srv, bucket, objs) // a second version of each key
		for i := range 100 {
			srv.DeleteMarker(t, bucket, fmt.Sprintf("kind %04d/dossier.pdf", i*7))
		}
		s := openStore(t, srv, bucket, "", nil)
		got := collect(t, s)
		if len(got) != len(objs) {
			t.Errorf("Scan listed %d records, want %d", len(got), len(objs))
		}
		total := 0
		for id, r := range got {
			total += r.Versions
			want := 2
			var i int
			fmt.Sscanf(id, "kind %04d", &i)
			if i%7 == 0 && i < 700 {
				want = 3
			}
			if r.Versions != want {
				t.Errorf("%q: Versions = %d, want %d", id, r.Versions, want)
			}
		}
		if total != 3100 {
			t.Errorf("records count %d versions and delete markers, want 3,100", total)
		}
		if n := s.Requests()["ListObjectVersions"]; n < 4 || n > 5 {
			t.Errorf("%d ListObjectVersions requests for 3,100 entries, want 4 (or 5 with repeats)", n)
		}
	})
	t.Run("OneKey", func(t *testing.T) {
		bucket := srv.VersionedBucket(t)
		const n = 1005
		for i := range n {
			srv.Put(t, bucket, "daily/backup.tar.gz", []byte(fmt.Sprint(i)))
		}
		s := openStore(t, srv, bucket, "daily/", nil)
		r, err := s.Stat(t.Context(), "backup.tar.gz")
		if err != nil || r.Versions != n {
			t.Fatalf("Stat = %+v, %v; want %d versions", r, err, n)
		}
		if got := collect(t, s); got["backup.tar.gz"].Versions != n {
			t.Errorf("Scan: %d versions, want %d", got["backup.tar.gz"].Versions, n)
		}
		before := s.Requests()
		errs := s.DeleteMany(t.Context(), []scanners.DeleteRequest{{ID: "backup.tar.gz", Version: r.Version}})
		if errs[0] != nil {
			t.Fatalf("DeleteMany: %v", errs[0])
		}
		if d := delta(before, s.Requests()); d["DeleteObjects"] != 2 {
			t.Errorf("deleting %d versions took %d DeleteObjects, want 2", n, d["DeleteObjects"])
		}
		if left := countVersions(t, srv, bucket, "daily/backup.tar.gz"); left != 0 {
			t.Errorf("%d versions left, want 0", left)
		}
	})
}

// deleteVersion deletes one version behind the store's back.
func deleteVersion(t *testing.T, srv *s3test.Server, bucket, key, versionID string) {
	t.Helper()
	_, err := srv.Client().DeleteObject(t.Context(), &awss3.DeleteObjectInput{Bucket: &bucket, Key: &key, VersionId: &versionID})
	if err != nil {
		t.Fatalf("deleting a version: %v", err)
	}
}

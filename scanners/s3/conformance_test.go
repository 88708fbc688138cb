package s3

import (
	"testing"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
	"github.com/retentiond/retentiond/scanners/scannertest"
)

// harness makes stores on fresh buckets of the test gateway.
type harness struct {
	opts   s3test.BucketOptions
	prefix string
}

func (h harness) Make(t *testing.T, files map[string][]byte) scanners.Store {
	srv := s3test.Get(t)
	bucket := srv.NewBucket(t, h.opts)
	objs := make(map[string][]byte, len(files))
	for id, data := range files {
		objs[h.prefix+id] = data
	}
	if h.prefix != "" {
		// Neighbours the store must not list: keys beside the prefix,
		// and one that only starts like it.
		objs["outside.txt"] = []byte("outside the prefix")
		objs["elsewhere/top.txt"] = []byte("outside the prefix")
		objs[h.prefix[:len(h.prefix)-1]+"-old/top.txt"] = []byte("a sibling of the prefix")
	}
	putMany(t, srv, bucket, objs)
	return openStore(t, srv, bucket, h.prefix, nil)
}

func (h harness) Write(t *testing.T, s scanners.Store, id string, data []byte) {
	s3test.Get(t).Put(t, s.(*Store).Bucket(), h.prefix+id, data)
}

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    harness
	}{
		{"Plain", harness{}},
		{"PlainPrefix", harness{prefix: "backups/daily/"}},
		{"Versioned", harness{opts: s3test.BucketOptions{Versioning: true}}},
		{"VersionedPrefix", harness{opts: s3test.BucketOptions{Versioning: true}, prefix: "daily/"}},
		{"ObjectLock", harness{opts: s3test.BucketOptions{ObjectLock: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) { scannertest.RunConformance(t, tc.h) })
	}
}

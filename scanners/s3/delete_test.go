package s3

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
	"github.com/retentiond/retentiond/scanners/scannertest"
)

// TestDeleteManyChecks checks each kind of outcome of DeleteMany, in a
// bucket with and without versioning.
func TestDeleteManyChecks(t *testing.T) {
	srv := s3test.Get(t)
	for _, opts := range []s3test.BucketOptions{{}, {Versioning: true}} {
		t.Run(fmt.Sprintf("versioning=%v", opts.Versioning), func(t *testing.T) {
			bucket := srv.NewBucket(t, opts)
			putMany(t, srv, bucket, map[string][]byte{
				"p/ok.txt": []byte("ok"), "p/changed.txt": []byte("old"), "p/gone.txt": []byte("gone"),
				"p/dup.txt": []byte("dup"), "p/sub/ok.txt": []byte("deeper"), "p/keep.txt": []byte("keep"),
			})
			s := openStore(t, srv, bucket, "p/", nil)
			recs := collect(t, s)
			srv.Put(t, bucket, "p/changed.txt", []byte("new content"))
			// Gone for good: in a versioned bucket a plain delete would
			// only add a delete marker, a new version of the record.
			for _, ver := range srv.ListVersions(t, bucket, "p/gone.txt") {
				deleteVersion(t, srv, bucket, ver.Key, ver.VersionID)
			}
			v := func(id string) string { return recs[id].Version }
			reqs := []scanners.DeleteRequest{
				{ID: "ok.txt", Version: v("ok.txt")},
				{ID: "changed.txt", Version: v("changed.txt")},
				{ID: "gone.txt", Version: v("gone.txt")},
				{ID: "../keep.txt", Version: v("keep.txt")},
				{ID: "keep.txt"},
				{ID: "dup.txt", Version: v("dup.txt")},
				{ID: "dup.txt", Version: v("dup.txt")},
				{ID: "sub/ok.txt", Version: v("sub/ok.txt")},
				{ID: "never.txt", Version: "x"},
			}
			want := []error{nil, scanners.ErrChanged, scanners.ErrNotFound, scanners.ErrOutsideRoot, scanners.ErrChanged, nil, nil, nil, scanners.ErrNotFound}
			errs := s.DeleteMany(t.Context(), reqs)
			for i, w := range want {
				if (w == nil && errs[i] != nil) || (w != nil && !errors.Is(errs[i], w)) {
					t.Errorf("request %d (%s): %v, want %v", i, reqs[i].ID, errs[i], w)
				}
			}
			got := collect(t, s)
			if len(got) != 2 || got["keep.txt"].Version != v("keep.txt") {
				t.Errorf("left after DeleteMany: %v, want changed.txt and keep.txt", got)
			}
			if data, err := scannertest.ReadAll(t.Context(), s, "changed.txt"); err != nil || string(data) != "new content" {
				t.Errorf("changed.txt reads %q, %v; want its new content", data, err)
			}
			if opts.Versioning {
				for _, key := range []string{"p/ok.txt", "p/dup.txt", "p/sub/ok.txt", "p/gone.txt"} {
					if n := countVersions(t, srv, bucket, key); n != 0 {
						t.Errorf("%q: %d versions left, want 0", key, n)
					}
				}
			}
		})
	}
}

// TestDeleteManyEmpty checks that nothing to do costs no request.
func TestDeleteManyEmpty(t *testing.T) {
	srv := s3test.Get(t)
	s := openStore(t, srv, srv.PlainBucket(t), "", nil)
	before := s.Requests()
	errs := s.DeleteMany(t.Context(), []scanners.DeleteRequest{{ID: "/abs", Version: "x"}})
	if len(errs) != 1 || !errors.Is(errs[0], scanners.ErrOutsideRoot) {
		t.Errorf("DeleteMany = %v, want ErrOutsideRoot", errs)
	}
	if d := delta(before, s.Requests()); len(d) != 0 {
		t.Errorf("requests for nothing to delete: %v", d)
	}
	if errs := s.DeleteMany(t.Context(), nil); len(errs) != 0 {
		t.Errorf("DeleteMany(nil) = %v", errs)
	}
}

// TestLookupFallsBackToKeys checks the re-check's two ways: a folder
// listing for many keys of a folder, a request per key for a lone key
// and when the folder is too big for the keys asked about.
func TestLookupFallsBackToKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 2,500 objects")
	}
	srv := s3test.Get(t)
	for _, versioned := range []bool{false, true} {
		t.Run(fmt.Sprintf("versioning=%v", versioned), func(t *testing.T) {
			bucket := srv.NewBucket(t, s3test.BucketOptions{Versioning: versioned})
			objs := map[string][]byte{"lone/a.txt": []byte("a")}
			for i := range 2500 {
				objs[fmt.Sprintf("big/%04d.txt", i)] = []byte("x")
			}
			putMany(t, srv, bucket, objs)
			s := openStore(t, srv, bucket, "", nil)
			recs := collect(t, s)
			// Two keys at both ends of a folder of 2,500: listing it would
			// take 3 pages, the keys one request each.
			ids := []string{"big/0000.txt", "big/2499.txt", "lone/a.txt"}
			var reqs []scanners.DeleteRequest
			for _, id := range ids {
				reqs = append(reqs, scanners.DeleteRequest{ID: id, Version: recs[id].Version})
			}
			before := s.Requests()
			for i, err := range s.DeleteMany(t.Context(), reqs) {
				if err != nil {
					t.Errorf("%q: %v", ids[i], err)
				}
			}
			d := delta(before, s.Requests())
			list, perKey := d["ListObjectsV2"], d["HeadObject"]
			if versioned {
				list, perKey = d["ListObjectVersions"], 0
			}
			// Folder: 2 pages, then one request for the key it did not
			// reach; the lone key: one request.
			if list+perKey != 4 || d["DeleteObjects"] != 1 {
				t.Errorf("requests: %v; want 4 to look up, 1 DeleteObjects", d)
			}
			if got := collect(t, s); len(got) != len(objs)-len(ids) {
				t.Errorf("%d records left, want %d", len(got), len(objs)-len(ids))
			}
		})
	}
}

// TestDeleteVersionAlreadyGone deletes versions behind the store's back
// between its re-check and its DeleteObjects: they count as deleted.
func TestDeleteVersionAlreadyGone(t *testing.T) {
	srv := s3test.Get(t)
	for _, opts := range []s3test.BucketOptions{{Versioning: true}, {ObjectLock: true}} {
		t.Run(fmt.Sprintf("objectlock=%v", opts.ObjectLock), func(t *testing.T) {
			bucket := srv.NewBucket(t, opts)
			srv.Put(t, bucket, "a.pdf", []byte("a1"))
			srv.Put(t, bucket, "a.pdf", []byte("a2"))
			srv.Put(t, bucket, "b.pdf", []byte("b"))
			faults := &s3test.Faults{Query: s3test.QueryDeleteObjects, Pass: 1 << 30, Before: func(*http.Request) {
				for _, v := range srv.ListVersions(t, bucket, "") {
					deleteVersion(t, srv, bucket, v.Key, v.VersionID)
				}
			}}
			s := openStore(t, srv, bucket, "", faults)
			recs := collect(t, s)
			errs := s.DeleteMany(t.Context(), []scanners.DeleteRequest{
				{ID: "a.pdf", Version: recs["a.pdf"].Version}, {ID: "b.pdf", Version: recs["b.pdf"].Version},
			})
			if errs[0] != nil || errs[1] != nil || faults.Seen() != 1 {
				t.Errorf("DeleteMany of versions deleted meanwhile: %v after %d DeleteObjects; want nil, nil after 1", errs, faults.Seen())
			}
		})
	}
}

// perKeyErrors answers DeleteObjects itself, deleting nothing, as if S3
// had refused the objects of some keys with the given codes and deleted
// the rest.
type perKeyErrors struct {
	codes  map[string]string // key → S3 error code
	before func()            // if set, called first
}

func (p perKeyErrors) RoundTrip(r *http.Request) (*http.Response, error) {
	if !r.URL.Query().Has(s3test.QueryDeleteObjects) {
		return http.DefaultTransport.RoundTrip(r)
	}
	if p.before != nil {
		p.before()
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	var del struct {
		Objects []struct{ Key, VersionId string } `xml:"Object"`
	}
	if err := xml.Unmarshal(body, &del); err != nil {
		return nil, err
	}
	var out strings.Builder
	out.WriteString(`<?xml version="1.0" encoding="UTF-8"?><DeleteResult>`)
	for _, o := range del.Objects {
		if code, ok := p.codes[o.Key]; ok {
			fmt.Fprintf(&out, "<Error><Key>%s</Key><VersionId>%s</VersionId><Code>%s</Code><Message>injected</Message></Error>", o.Key, o.VersionId, code)
		}
	}
	out.WriteString(`</DeleteResult>`)
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/xml"}},
		Body:          io.NopCloser(strings.NewReader(out.String())),
		ContentLength: int64(out.Len()), Request: r,
	}, nil
}

// TestDeleteObjectsPerKeyErrors checks how DeleteObjects' per-key errors
// reach the requests: "already gone" counts as deleted, and so does any
// error for a version that a listing then shows gone; anything else fails
// that request only.
func TestDeleteObjectsPerKeyErrors(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.VersionedBucket(t)
	ids := []string{"ok.pdf", "no-such-version.pdf", "invalid-argument.pdf", "vanished.pdf", "internal.pdf", "denied.pdf"}
	for _, id := range ids {
		srv.Put(t, bucket, id, []byte(id))
	}
	rt := perKeyErrors{codes: map[string]string{
		"no-such-version.pdf": "NoSuchVersion", "invalid-argument.pdf": "InvalidArgument",
		"vanished.pdf": "InternalError", "internal.pdf": "InternalError", "denied.pdf": "AccessDenied",
	}, before: func() {
		for _, v := range srv.ListVersions(t, bucket, "vanished.pdf") {
			deleteVersion(t, srv, bucket, v.Key, v.VersionID)
		}
	}}
	s := openStore(t, srv, bucket, "", rt)
	recs := collect(t, s)
	var reqs []scanners.DeleteRequest
	for _, id := range ids {
		reqs = append(reqs, scanners.DeleteRequest{ID: id, Version: recs[id].Version})
	}
	errs := s.DeleteMany(t.Context(), reqs)
	var se *Error
	for i := range 4 {
		if errs[i] != nil {
			t.Errorf("%s: %v, want nil", ids[i], errs[i])
		}
	}
	if !errors.As(errs[4], &se) || se.Code != "InternalError" || errors.Is(errs[4], scanners.ErrLocked) {
		t.Errorf("InternalError: %v, want an *Error with its code", errs[4])
	}
	if !errors.Is(errs[5], ErrAccessDenied) || errors.Is(errs[5], scanners.ErrLocked) {
		t.Errorf("AccessDenied without Object Lock: %v, want ErrAccessDenied, not ErrLocked", errs[5])
	}
}

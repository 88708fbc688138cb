package onedrive

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/onedrive/graphtest"
)

// seedN adds n files and returns a fixture, its store after one scan, and
// the delete requests for every record at its scanned version.
func seedN(t *testing.T, n int, opts graphtest.Options) (*fixture, *Store, []DeleteRequest) {
	t.Helper()
	f := newFixture(t, opts)
	files := map[string][]byte{}
	for i := range n {
		files[fmt.Sprintf("dossiers/kind %03d/intake.pdf", i)] = fmt.Appendf(nil, "intake %d", i)
	}
	f.add(files)
	s := f.open(t)
	recs := collect(t, s)
	var reqs []DeleteRequest
	for _, id := range slices.Sorted(maps.Keys(recs)) {
		reqs = append(reqs, DeleteRequest{ID: id, Version: recs[id].Version})
	}
	return f, s, reqs
}

func TestDeleteManyBatches(t *testing.T) {
	f, s, reqs := seedN(t, 45, graphtest.Options{})
	f.srv.ResetStats()
	for i, err := range s.DeleteMany(t.Context(), reqs) {
		if err != nil {
			t.Errorf("DeleteMany[%d]: %v", i, err)
		}
	}
	st := f.srv.Stats()
	if st.GraphRequests != 3 || st.BatchRequests != 3 || st.BatchByEndpoint["DELETE item"] != 45 {
		t.Errorf("45 deletes took %d requests (%d batches, sub-requests %v); want 3 batches of up to 20", st.GraphRequests, st.BatchRequests, st.BatchByEndpoint)
	}
	ifMatch := map[string]bool{}
	for _, r := range f.srv.Requests() {
		if r.InBatch {
			ifMatch[r.IfMatch] = true
		}
	}
	for _, r := range reqs {
		if !ifMatch[r.Version] {
			t.Errorf("no DELETE carried If-Match %s", r.Version)
		}
	}
	if n := len(f.srv.RecycleBin("")); n != 45 {
		t.Errorf("recycle bin holds %d items, want 45 (delete moves to the bin by default)", n)
	}
	if got := collect(t, s); len(got) != 0 {
		t.Errorf("%d records left", len(got))
	}
}

// TestDeleteManyRetriesOnlyThrottled throttles three requests inside a
// batch that itself succeeds: only those three are sent again, after their
// Retry-After.
func TestDeleteManyRetriesOnlyThrottled(t *testing.T) {
	f, s, reqs := seedN(t, 10, graphtest.Options{})
	f.srv.InjectFault(graphtest.Fault{InBatch: true, Skip: 2, Count: 3, Status: http.StatusTooManyRequests, RetryAfter: 4})
	f.srv.ResetStats()
	for i, err := range s.DeleteMany(t.Context(), reqs) {
		if err != nil {
			t.Errorf("DeleteMany[%d]: %v", i, err)
		}
	}
	st := f.srv.Stats()
	if st.BatchRequests != 2 || st.BatchSubRequests != 13 {
		t.Errorf("%d batches with %d sub-requests; want 2 with 10 + 3", st.BatchRequests, st.BatchSubRequests)
	}
	// The log holds a batch's sub-requests before the batch itself.
	var throttled, second []string
	batches := 0
	for _, r := range f.srv.Requests() {
		switch {
		case !r.InBatch:
			batches++
		case r.Status == http.StatusTooManyRequests:
			throttled = append(throttled, r.Path)
		case batches == 1:
			second = append(second, r.Path)
		}
	}
	slices.Sort(throttled)
	slices.Sort(second)
	if len(throttled) != 3 || !slices.Equal(throttled, second) {
		t.Errorf("second batch held %q, want exactly the throttled %q", second, throttled)
	}
	if waits := f.sleeps.all(); !slices.Contains(waits, 4*time.Second) {
		t.Errorf("waits = %v, want the sub-responses' Retry-After of 4s", waits)
	}
	if got := collect(t, s); len(got) != 0 {
		t.Errorf("%d records left", len(got))
	}
}

func TestDeleteManyStillThrottled(t *testing.T) {
	f, s, reqs := seedN(t, 3, graphtest.Options{})
	f.srv.InjectFault(graphtest.Fault{InBatch: true, Skip: 1, Count: 1000, Status: http.StatusServiceUnavailable, RetryAfter: 1})
	errs := s.DeleteMany(t.Context(), reqs)
	if errs[0] != nil || !errors.Is(errs[1], ErrThrottled) || !errors.Is(errs[2], ErrThrottled) {
		t.Errorf("errors = %v; want nil, ErrThrottled, ErrThrottled", errs)
	}
	if st := f.srv.Stats(); st.BatchRequests > 1+f.tune.maxRetries+1 { // +1: the scan's
		t.Errorf("%d batches sent; retries are not bounded", st.BatchRequests)
	}
}

func TestDeleteManyChangedAndMissing(t *testing.T) {
	f, s, reqs := seedN(t, 4, graphtest.Options{})
	f.srv.Modify("", reqs[0].ID, []byte("edited meanwhile"), later)
	f.srv.Remove("", reqs[1].ID)
	reqs = append(reqs,
		DeleteRequest{ID: "dossiers/never there.pdf", Version: `"x"`},
		DeleteRequest{ID: "../escape", Version: `"x"`},
		DeleteRequest{ID: reqs[3].ID}, // a second delete of the same file
	)
	errs := s.DeleteMany(t.Context(), reqs)
	for i, want := range []error{ErrChanged, scanners.ErrNotFound, nil, nil, scanners.ErrNotFound, scanners.ErrOutsideRoot} {
		if want == nil && errs[i] != nil || want != nil && !errors.Is(errs[i], want) {
			t.Errorf("DeleteMany[%d] = %v, want %v", i, errs[i], want)
		}
	}
	if !errors.Is(errs[6], scanners.ErrNotFound) && errs[6] != nil {
		t.Errorf("a second delete of the same file: %v", errs[6])
	}
	if !f.srv.Exists("", reqs[0].ID) {
		t.Error("a file that changed since the plan was deleted")
	}
	var ge *GraphError
	if !errors.As(errs[0], &ge) || ge.Status != http.StatusPreconditionFailed {
		t.Errorf("changed file: %v, want a GraphError with status 412", errs[0])
	}
}

func TestDeleteChangedBetweenStatAndDelete(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{"a.txt": []byte("a")})
	base := f.cfg.Transport
	f.cfg.Transport = transportFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodDelete {
			f.srv.Touch("", "a.txt", later) // someone edits it just before
		}
		return base.RoundTrip(r)
	})
	s := f.open(t)
	if err := s.Delete(t.Context(), "a.txt"); !errors.Is(err, ErrChanged) {
		t.Fatalf("Delete of a file changed after Stat: %v, want ErrChanged", err)
	}
	if !f.srv.Exists("", "a.txt") {
		t.Error("the changed file was deleted")
	}
}

func TestPermanentDelete(t *testing.T) {
	f, _, reqs := seedN(t, 3, graphtest.Options{})
	cfg := f.cfg
	cfg.PermanentDelete = true
	s := f.openWith(t, cfg)
	f.srv.AddVersion("", reqs[2].ID, []byte("old"), later.Add(-time.Hour))
	if err := s.Delete(t.Context(), reqs[2].ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for i, err := range s.DeleteMany(t.Context(), reqs[:2]) {
		if err != nil {
			t.Errorf("DeleteMany[%d]: %v", i, err)
		}
	}
	for _, r := range reqs {
		if f.srv.Exists("", r.ID) {
			t.Errorf("%s still exists", r.ID)
		}
	}
	if bin := f.srv.RecycleBin(""); len(bin) != 0 {
		t.Errorf("recycle bin holds %d items after permanent deletes, want 0", len(bin))
	}
	if n := f.srv.Stats().BatchByEndpoint["POST permanentDelete"]; n != 2 {
		t.Errorf("%d permanentDelete sub-requests, want 2", n)
	}
}

func TestPermanentDeleteUnsupported(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f, _, reqs := seedN(t, 2, graphtest.Options{})
			f.srv.DisablePermanentDelete("", status)
			cfg := f.cfg
			cfg.PermanentDelete = true
			s := f.openWith(t, cfg)
			errs := append([]error{s.Delete(t.Context(), reqs[0].ID)}, s.DeleteMany(t.Context(), reqs[1:])...)
			for i, err := range errs {
				if !errors.Is(err, ErrPermanentDeleteUnsupported) {
					t.Errorf("delete %d: %v, want ErrPermanentDeleteUnsupported", i, err)
				} else if !strings.Contains(err.Error(), "permanent_delete: false") {
					t.Errorf("error does not say how to fix it: %v", err)
				}
			}
			for _, r := range reqs {
				if !f.srv.Exists("", r.ID) {
					t.Errorf("%s was deleted", r.ID)
				}
			}
		})
	}
}

// TestDeleteTakesVersions checks NOTES-GRAPH item 7 as the store relies on
// it: the versions go with the item, and no version is deleted on its own.
func TestDeleteTakesVersions(t *testing.T) {
	f, s, reqs := seedN(t, 1, graphtest.Options{})
	f.srv.AddVersion("", reqs[0].ID, []byte("v1"), later.Add(-2*time.Hour))
	f.srv.AddVersion("", reqs[0].ID, []byte("v2"), later.Add(-time.Hour))
	if err := s.Delete(t.Context(), reqs[0].ID); err != nil {
		t.Fatal(err)
	}
	bin := f.srv.RecycleBin("")
	if len(bin) != 1 || bin[0].Versions != 2 {
		t.Errorf("recycle bin = %+v; want the file with its 2 versions", bin)
	}
	for _, r := range f.srv.Requests() {
		if strings.Contains(r.Path, "/versions") {
			t.Errorf("the store sent %s %s", r.Method, r.Path)
		}
	}
}

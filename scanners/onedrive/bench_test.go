package onedrive

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/retentiond/retentiond/scanners/onedrive/graphtest"
)

// figures are the request counts of issue 5 item 7: requests are counted
// on the fake server's wire (a $batch counts once).
type figures struct {
	items       int // files in the drive
	open        int // Open: finding the drive
	full        int // first Scan: a full listing
	unchanged   int // Scan of an unchanged drive
	changed     int // Scan after `changes` files changed
	changes     int
	deleted     int // files deleted with DeleteMany
	deleteReqs  int // requests for them
	deleteFails int
}

// measure builds a drive of n files (in folders of 100) and counts the
// requests of each step.
func measure(t testing.TB, n, changes, deletes int) figures {
	f := newFixture(t, graphtest.Options{})
	when := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		f.srv.AddFile("", fmt.Sprintf("Kinddossiers/kind %04d/document %03d.pdf", i/100, i%100), []byte("x"), when)
	}
	fig := figures{items: n, changes: changes, deleted: deletes}
	f.srv.ResetStats()
	s := f.open(t)
	fig.open = countRequests(f.srv).GraphRequests

	recs := collect(t, s)
	fig.full = countRequests(f.srv).GraphRequests
	if len(recs) != n {
		t.Fatalf("full listing: %d records, want %d", len(recs), n)
	}
	collect(t, s)
	fig.unchanged = countRequests(f.srv).GraphRequests

	ids := slices.Sorted(maps.Keys(recs))
	for _, id := range ids[:changes] {
		f.srv.Modify("", id, []byte("changed"), when.Add(time.Hour))
	}
	f.srv.ResetStats()
	after := collect(t, s)
	fig.changed = countRequests(f.srv).GraphRequests
	if len(after) != n || after[ids[0]].Version == recs[ids[0]].Version {
		t.Fatalf("incremental listing: %d records, first version %q (was %q)", len(after), after[ids[0]].Version, recs[ids[0]].Version)
	}

	var reqs []DeleteRequest
	for _, id := range ids[len(ids)-deletes:] {
		reqs = append(reqs, DeleteRequest{ID: id, Version: after[id].Version})
	}
	for _, err := range s.DeleteMany(t.Context(), reqs) {
		if err != nil {
			fig.deleteFails++
		}
	}
	fig.deleteReqs = countRequests(f.srv).GraphRequests
	return fig
}

// TestRequestCounts checks the targets of issue 5 item 7 on a drive of
// 20,000 files: a full listing at most 1 request per 200 items, an
// unchanged drive at most 2, deletion at most 1 request per 20 items.
func TestRequestCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a drive of 20,000 files")
	}
	fig := measure(t, 20000, 100, 1000)
	t.Logf("%d files: open %d, full listing %d, unchanged %d, %d changed %d, delete %d: %d requests",
		fig.items, fig.open, fig.full, fig.unchanged, fig.changes, fig.changed, fig.deleted, fig.deleteReqs)
	if fig.full > fig.items/200 {
		t.Errorf("full listing took %d requests, want at most %d", fig.full, fig.items/200)
	}
	if fig.unchanged > 2 {
		t.Errorf("listing an unchanged drive took %d requests, want at most 2", fig.unchanged)
	}
	if fig.changed > 2 {
		t.Errorf("listing %d changes took %d requests, want at most 2", fig.changes, fig.changed)
	}
	if fig.deleteReqs > fig.deleted/20 || fig.deleteFails != 0 {
		t.Errorf("deleting %d files took %d requests with %d failures, want at most %d and none", fig.deleted, fig.deleteReqs, fig.deleteFails, fig.deleted/20)
	}
}

// BenchmarkRequests reports the figures of issue 5 item 7 as metrics
// (requests, not time: run with -benchtime=1x).
func BenchmarkRequests(b *testing.B) {
	for b.Loop() {
		fig := measure(b, 20000, 100, 1000)
		b.ReportMetric(float64(fig.full), "full-listing-reqs")
		b.ReportMetric(float64(fig.unchanged), "unchanged-reqs")
		b.ReportMetric(float64(fig.changed), "100-changes-reqs")
		b.ReportMetric(float64(fig.deleteReqs), "delete-1000-reqs")
	}
}

package onedrive

import (
	"bytes"
	"errors"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/onedrive/graphtest"
)

var later = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// deltaRequests lists the delta requests in the server's log since the
// last reset, with their query.
func deltaRequests(srv *graphtest.Server) []graphtest.LoggedRequest {
	var out []graphtest.LoggedRequest
	for _, r := range srv.Requests() {
		if r.Endpoint == "GET delta" {
			out = append(out, r)
		}
	}
	return out
}

func TestIncrementalScan(t *testing.T) {
	f := newFixture(t, graphtest.Options{MaxPageSize: 3})
	f.add(map[string][]byte{
		"Kinddossiers/Jansen, Piet/intake.pdf":   []byte("intake"),
		"Kinddossiers/Jansen, Piet/contract.pdf": []byte("contract"),
		"Kinddossiers/de Vries, Anna/intake.pdf": []byte("intake 2"),
		"Kinddossiers/de Vries, Anna/notes.txt":  []byte("notes"),
		"top.txt":                                []byte("top"),
	})
	s := f.open(t)
	first := collect(t, s)
	if len(first) != 5 {
		t.Fatalf("first scan listed %d records, want 5", len(first))
	}
	full := deltaRequests(f.srv)
	if len(full) < 3 {
		t.Fatalf("full listing took %d delta requests; with pages of 3 items it takes more (is nextLink followed?)", len(full))
	}
	if !strings.Contains(full[0].Query, "top=1000") {
		t.Errorf("first delta request has query %q, want a large $top", full[0].Query)
	}
	if _, err := os.Stat(s.state); err != nil {
		t.Fatalf("no state file after a scan: %v", err)
	}

	// Changes behind the store's back: an edit, a new file, a removal,
	// and a renamed folder (whose children delta does not send again).
	f.srv.Modify("", "top.txt", []byte("top, edited"), later)
	f.srv.AddFile("", "Kinddossiers/new.txt", []byte("new"), later)
	f.srv.Remove("", "Kinddossiers/Jansen, Piet/contract.pdf")
	f.srv.Move("", "Kinddossiers/de Vries, Anna", "Kinddossiers/Vries, Anna de")
	f.srv.ResetStats()

	// A new Store on the same state dir, as the next run of the service.
	s2 := f.open(t)
	got := collect(t, s2)
	want := []string{
		"Kinddossiers/Jansen, Piet/intake.pdf",
		"Kinddossiers/Vries, Anna de/intake.pdf",
		"Kinddossiers/Vries, Anna de/notes.txt",
		"Kinddossiers/new.txt",
		"top.txt",
	}
	if ids := slices.Sorted(maps.Keys(got)); !slices.Equal(ids, want) {
		t.Fatalf("incremental scan listed %q, want %q", ids, want)
	}
	if got["top.txt"].Version == first["top.txt"].Version || got["top.txt"].Size != int64(len("top, edited")) {
		t.Errorf("edited file: %+v, first scan %+v", got["top.txt"], first["top.txt"])
	}
	if a, b := got["Kinddossiers/Jansen, Piet/intake.pdf"], first["Kinddossiers/Jansen, Piet/intake.pdf"]; !scannersSame(a, b) {
		t.Errorf("unchanged file changed: %+v, was %+v", a, b)
	}
	incr := deltaRequests(f.srv)
	for _, r := range incr {
		if !strings.Contains(r.Query, "token=") {
			t.Errorf("incremental scan sent a delta request with query %q: the saved token was not used", r.Query)
		}
	}
	if st := f.srv.Stats(); st.GraphRequests != len(incr)+1 { // +1: Open reads the drive
		t.Errorf("incremental scan made %d Graph requests (%v), want only the delta pages and Open's", st.GraphRequests, st.ByEndpoint)
	}

	// An unchanged drive: one request, and the same listing.
	f.srv.ResetStats()
	again := collect(t, s2)
	if !maps.EqualFunc(again, got, scannersSame) {
		t.Errorf("scan of an unchanged drive listed %v, want %v", again, got)
	}
	if n := len(deltaRequests(f.srv)); n != 1 {
		t.Errorf("scan of an unchanged drive took %d delta requests, want 1", n)
	}
}

func scannersSame(a, b scanners.Record) bool {
	return a.ID == b.ID && a.Kind == b.Kind && a.Size == b.Size && a.ModTime.Equal(b.ModTime) && a.Version == b.Version
}

func TestStatePerDrive(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{"a.txt": []byte("a")})
	other := f.srv.AddDrive("Second")
	f.srv.AddFile(other, "b.txt", []byte("b"), later)
	s1 := f.open(t)
	cfg := f.cfg
	cfg.DriveID = other
	s2 := f.openWith(t, cfg)
	if s1.state == s2.state {
		t.Fatalf("two drives share the state file %q", s1.state)
	}
	for range 2 {
		if got := slices.Sorted(maps.Keys(collect(t, s1))); !slices.Equal(got, []string{"a.txt"}) {
			t.Errorf("first drive lists %q", got)
		}
		if got := slices.Sorted(maps.Keys(collect(t, s2))); !slices.Equal(got, []string{"b.txt"}) {
			t.Errorf("second drive lists %q", got)
		}
	}
}

func TestExpiredTokenFallsBackToFullListing(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{"a.txt": []byte("a"), "b/c.txt": []byte("c"), "b/d.txt": []byte("d")})
	s := f.open(t)
	collect(t, s)
	f.srv.Remove("", "b/c.txt")
	f.srv.AddFile("", "e.txt", []byte("e"), later)
	f.srv.ExpireDeltaTokens("")
	f.srv.ResetStats()
	got := collect(t, s)
	if ids := slices.Sorted(maps.Keys(got)); !slices.Equal(ids, []string{"a.txt", "b/d.txt", "e.txt"}) {
		t.Fatalf("scan after an expired token listed %q", ids)
	}
	reqs := deltaRequests(f.srv)
	if len(reqs) != 2 || reqs[0].Status != 410 || strings.Contains(reqs[1].Query, "token=") {
		t.Errorf("delta requests after expiry: %+v; want a 410 and then a full listing", reqs)
	}
	// The new token is saved: the next scan is incremental again.
	f.srv.ResetStats()
	collect(t, s)
	if reqs := deltaRequests(f.srv); len(reqs) != 1 || reqs[0].Status != 200 || !strings.Contains(reqs[0].Query, "token=") {
		t.Errorf("scan after the resync: %+v; want one incremental request", reqs)
	}
}

// TestTokenExpiresDuringListing expires the delta tokens between two
// pages of a full listing: the listing starts over.
func TestTokenExpiresDuringListing(t *testing.T) {
	f := newFixture(t, graphtest.Options{MaxPageSize: 2})
	f.add(map[string][]byte{"a.txt": []byte("a"), "b.txt": []byte("b"), "c/d.txt": []byte("d"), "c/e.txt": []byte("e")})
	var once sync.Once
	base := f.cfg.Transport
	f.cfg.Transport = transportFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		if err == nil && strings.Contains(r.URL.Path, "/delta") && resp.StatusCode == 200 {
			once.Do(func() { f.srv.ExpireDeltaTokens("") })
		}
		return resp, err
	})
	s := f.open(t)
	if got := collect(t, s); len(got) != 4 {
		t.Errorf("listed %d records, want 4", len(got))
	}
	reqs := deltaRequests(f.srv)
	if len(reqs) < 3 || reqs[1].Status != 410 || strings.Contains(reqs[2].Query, "token=") {
		t.Errorf("delta requests %+v; want a page, a 410, and a new full listing", reqs)
	}
}

func TestDroppedConnectionFailsScan(t *testing.T) {
	for _, tc := range []struct {
		name  string
		prior bool // a scan saved state before the failing one
	}{
		{"full listing", false},
		{"incremental listing", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, graphtest.Options{MaxPageSize: 2})
			f.add(map[string][]byte{"a.txt": []byte("a"), "b.txt": []byte("b"), "c/d.txt": []byte("d"), "c/e.txt": []byte("e")})
			s := f.open(t)
			if tc.prior {
				collect(t, s)
				for _, id := range []string{"n1.txt", "n2.txt", "n3.txt", "n4.txt"} {
					f.srv.AddFile("", id, []byte(id), later)
				}
			}
			saved, _ := os.ReadFile(s.state)
			f.srv.DropDeltaPage(2)
			calls := 0
			err := s.Scan(t.Context(), func(scanners.Record) error { calls++; return nil })
			if err == nil {
				t.Fatal("Scan succeeded though the connection dropped mid-listing")
			}
			if calls != 0 {
				t.Errorf("callback called %d times for a listing that failed", calls)
			}
			if f.srv.Stats().Dropped != 1 {
				t.Errorf("the server dropped %d connections, want 1", f.srv.Stats().Dropped)
			}
			if !strings.Contains(err.Error(), "nothing in this store will be acted on") {
				t.Errorf("error does not say the listing is incomplete: %v", err)
			}
			if now, _ := os.ReadFile(s.state); !bytes.Equal(now, saved) {
				t.Error("the failed scan changed the saved state")
			}
			want := 4
			if tc.prior {
				want = 8
			}
			if got := collect(t, s); len(got) != want {
				t.Errorf("scan after the failure listed %d records, want %d", len(got), want)
			}
		})
	}
}

func TestDamagedStateListsEverything(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{"a.txt": []byte("a"), "b/c.txt": []byte("c")})
	s := f.open(t)
	collect(t, s)
	if err := os.WriteFile(s.state, []byte("{\"format\":\"something else\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.srv.ResetStats()
	if got := collect(t, s); len(got) != 2 {
		t.Errorf("scan with a damaged state listed %d records, want 2", len(got))
	}
	if reqs := deltaRequests(f.srv); len(reqs) != 1 || strings.Contains(reqs[0].Query, "token=") {
		t.Errorf("scan with a damaged state: %+v; want one full listing", reqs)
	}
}

func TestScanErrorIsGraphError(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{"Jansen, Piet/a.txt": []byte("a")})
	s := f.open(t)
	f.srv.InjectFault(graphtest.Fault{PathContains: "delta", Status: 500})
	err := s.Scan(t.Context(), func(scanners.Record) error { return nil })
	var ge *GraphError
	if !errors.As(err, &ge) || ge.Status != 500 {
		t.Fatalf("Scan error = %v, want a GraphError with status 500", err)
	}
}

package graphtest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// listDelta follows nextLinks from start to the deltaLink and returns the
// items, the number of pages and the deltaLink.
func listDelta(t *testing.T, c *client, start string) (items []map[string]any, pages int, deltaLink string) {
	t.Helper()
	next := start
	for next != "" {
		r := c.get(next).want(t, http.StatusOK)
		pages++
		items = append(items, r.values()...)
		next = r.str("@odata.nextLink")
		if d := r.str("@odata.deltaLink"); d != "" {
			if next != "" {
				t.Fatalf("page has both nextLink and deltaLink")
			}
			deltaLink = d
		}
		if pages > 1000 {
			t.Fatal("delta does not end")
		}
	}
	return items, pages, deltaLink
}

func seedDelta(s *Server, n int) {
	for i := range n {
		s.AddFile("", fmt.Sprintf("d%d/f%03d.txt", i%3, i), []byte("x"), t0)
	}
}

func TestDeltaFullListing(t *testing.T) {
	s, c := newClient(t, Options{MaxPageSize: 7})
	seedDelta(s, 20) // 20 files, 3 folders, the root: 24 items
	d := url.PathEscape(s.DefaultDrive())
	tests := []struct {
		start     string
		wantPages int
	}{
		{"/drives/" + d + "/items/root/delta()", 4}, // default page size is clamped to 7
		{"/drives/" + d + "/root/delta?$top=5", 5},
		{"/drives/" + d + "/items/root/microsoft.graph.delta()?$top=999", 4},
		{"/drives/" + d + "/root/delta?$top=3", 8},
	}
	for _, tt := range tests {
		items, pages, link := listDelta(t, c, tt.start)
		if pages != tt.wantPages || len(items) != 24 || link == "" {
			t.Errorf("%s: %d pages, %d items, deltaLink %q; want %d pages, 24 items", tt.start, pages, len(items), link, tt.wantPages)
		}
		if items[0]["root"] == nil {
			t.Errorf("%s: first item is not the root", tt.start)
		}
		seen := map[string]bool{}
		for _, it := range items {
			if field(it, "parentReference", "path") != nil {
				t.Errorf("%s: delta item has parentReference.path", tt.start)
			}
			if pid, ok := field(it, "parentReference", "id").(string); ok && !seen[pid] {
				t.Errorf("%s: %v comes before its parent", tt.start, it["name"])
			}
			seen[it["id"].(string)] = true
		}
	}
}

func TestDeltaIncremental(t *testing.T) {
	s, c := newClient(t, Options{})
	seedDelta(s, 6)
	start := "/drives/" + s.DefaultDrive() + "/items/root/delta()"
	_, _, link := listDelta(t, c, start)

	// Nothing changed: one page, nothing in it.
	items, pages, link2 := listDelta(t, c, link)
	if len(items) != 0 || pages != 1 || link2 == "" {
		t.Fatalf("unchanged drive: %d items in %d pages", len(items), pages)
	}

	gone := mustID(t, s, "", "d1/f001.txt")
	s.Modify("", "d0/f000.txt", []byte("changed"), t0.Add(time.Hour))
	s.AddFile("", "d2/new.txt", []byte("new"), t0)
	s.Remove("", "d1/f001.txt")
	items, _, link3 := listDelta(t, c, link2)
	got := names(items)
	want := []string{"root", "d0", "f000.txt", "d1", "d2", "new.txt", "deleted:" + gone}
	if !slices.Equal(got, want) {
		t.Errorf("changes: %v, want %v", got, want)
	}
	last := items[len(items)-1]
	if field(last, "deleted", "state") != "deleted" || field(last, "parentReference", "id") != mustID(t, s, "", "d1") {
		t.Errorf("deleted item = %v", last)
	}

	// Prefer: deltaExcludeParent leaves the folders out.
	s.Touch("", "d2/new.txt", t0.Add(time.Hour))
	r := c.do(http.MethodGet, link3, nil, map[string]string{"Prefer": "deltaExcludeParent"}).want(t, http.StatusOK)
	if got := names(r.values()); !slices.Equal(got, []string{"new.txt"}) {
		t.Errorf("with deltaExcludeParent: %v", got)
	}
}

func TestDeltaTokenForms(t *testing.T) {
	s, c := newClient(t, Options{})
	s.AddFile("", "a.txt", []byte("a"), t0)
	_, _, link := listDelta(t, c, "/drives/"+s.DefaultDrive()+"/root/delta")
	u, _ := url.Parse(link)
	tok := u.Query().Get("token")
	if tok == "" || !strings.HasSuffix(u.Path, "/root/delta") {
		t.Fatalf("deltaLink %q has no token", link)
	}
	s.AddFile("", "b.txt", []byte("b"), t0)
	d := s.DefaultDrive()
	for _, p := range []string{
		"/drives/" + d + "/items/root/delta(token='" + tok + "')",
		"/drives/" + d + "/root/delta(token=" + tok + ")",
		"/drives/" + d + "/items/root/delta()?token=" + tok,
	} {
		items, _, _ := listDelta(t, c, p)
		if got := names(items); !slices.Equal(got, []string{"root", "b.txt"}) {
			t.Errorf("%s: %v", p, got)
		}
	}
	r := c.get("/drives/"+d+"/root/delta?token=latest").want(t, http.StatusOK)
	if len(r.values()) != 0 || r.str("@odata.deltaLink") == "" {
		t.Errorf("token=latest: %s", r.raw)
	}
	c.get("/drives/"+d+"/root/delta?token=garbage").want(t, http.StatusBadRequest)
	c.get("/drives/"+d+"/root:/a.txt:/delta").want(t, http.StatusBadRequest)
}

func TestDeltaExpired(t *testing.T) {
	s, c := newClient(t, Options{PageSize: 2})
	seedDelta(s, 4)
	d := s.DefaultDrive()
	_, _, link := listDelta(t, c, "/drives/"+d+"/items/root/delta()")
	first := c.get("/drives/"+d+"/root/delta").want(t, http.StatusOK)
	next := first.str("@odata.nextLink")

	s.ExpireDeltaTokens("")
	for _, u := range []string{link, next} {
		r := c.get(u).want(t, http.StatusGone)
		if r.errCode() != "resyncRequired" {
			t.Errorf("code %q, want resyncRequired", r.errCode())
		}
		loc := r.header.Get("Location")
		if loc == "" {
			t.Fatalf("410 without Location")
		}
		items, _, _ := listDelta(t, c, loc)
		if len(items) != 8 {
			t.Errorf("fresh delta from Location: %d items, want 8", len(items))
		}
	}
}

func TestDeltaChangeDuringListing(t *testing.T) {
	s, c := newClient(t, Options{PageSize: 3})
	seedDelta(s, 6)
	d := s.DefaultDrive()
	r := c.get("/drives/"+d+"/root/delta").want(t, http.StatusOK)
	s.AddFile("", "late.txt", []byte("late"), t0)
	items, _, link := listDelta(t, c, r.str("@odata.nextLink"))
	if slices.Contains(names(items), "late.txt") {
		t.Errorf("item added during the listing shows in it")
	}
	items, _, _ = listDelta(t, c, link)
	if !slices.Contains(names(items), "late.txt") {
		t.Errorf("item added during the listing is missing from the next delta: %v", names(items))
	}
}

func TestDeltaLargeDrive(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 items")
	}
	s, c := newClient(t, Options{})
	for i := range 20000 {
		s.AddFile("", fmt.Sprintf("k%03d/f%05d.pdf", i%100, i), []byte("x"), t0)
	}
	start := time.Now()
	items, pages, link := listDelta(t, c, "/drives/"+s.DefaultDrive()+"/items/root/delta()?$top=999")
	if len(items) != 20101 || pages != 21 {
		t.Errorf("%d items in %d pages, want 20101 in 21", len(items), pages)
	}
	s.Modify("", "k007/f00007.pdf", []byte("y"), t0)
	items, pages, _ = listDelta(t, c, link)
	if len(items) != 3 || pages != 1 {
		t.Errorf("one change: %d items in %d pages, want 3 (root, folder, file) in 1", len(items), pages)
	}
	t.Logf("listed 20,000 items twice in %v", time.Since(start))
}

func TestMove(t *testing.T) {
	s, c := newClient(t, Options{})
	id := s.AddFile("", "old/a.txt", []byte("a"), t0)
	_, _, link := listDelta(t, c, "/drives/"+s.DefaultDrive()+"/root/delta")
	s.Move("", "old/a.txt", "new/b.txt")
	if s.Exists("", "old/a.txt") || mustID(t, s, "", "new/b.txt") != id {
		t.Fatalf("Move did not keep the id at the new path")
	}
	items, _, _ := listDelta(t, c, link)
	var moved map[string]any
	for _, it := range items {
		if it["id"] == id {
			moved = it
		}
	}
	if moved == nil || moved["name"] != "b.txt" || field(moved, "parentReference", "id") != mustID(t, s, "", "new") {
		t.Errorf("delta after Move: %v", names(items))
	}
}

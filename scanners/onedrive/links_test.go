package onedrive

import (
	"errors"
	"slices"
	"testing"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/onedrive/graphtest"
)

func TestSharingLinks(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{
		"Jansen, Piet/dossier.pdf": []byte("dossier"),
		"Jansen, Piet/foto.jpg":    []byte("photo"),
		"private.txt":              []byte("private"),
	})
	anyone := f.srv.Share("", "Jansen, Piet/dossier.pdf", "anonymous")
	f.srv.Share("", "Jansen, Piet/dossier.pdf", "users") // named people: not a finding
	org := f.srv.ShareLink("", "Jansen, Piet/dossier.pdf", "organization", "edit")
	f.srv.Share("", "Jansen, Piet/foto.jpg", "organization")
	s := f.open(t)

	for _, scanned := range []bool{false, true} {
		if scanned {
			collect(t, s) // then links are found without reading the item
		}
		f.srv.ResetStats()
		links, err := s.SharingLinks(t.Context(), "Jansen, Piet/dossier.pdf")
		if err != nil {
			t.Fatalf("SharingLinks: %v", err)
		}
		slices.SortFunc(links, func(a, b Link) int { return len(a.Scope) - len(b.Scope) })
		if len(links) != 2 {
			t.Fatalf("links = %+v, want the anonymous and the organisation link", links)
		}
		if l := links[0]; l.Scope != ScopeAnonymous || l.PermissionID != anyone || l.Type != "view" || !slices.Equal(l.Roles, []string{"read"}) {
			t.Errorf("anonymous link = %+v", l)
		}
		if l := links[1]; l.Scope != ScopeOrganization || l.PermissionID != org || l.Type != "edit" || !slices.Equal(l.Roles, []string{"write"}) {
			t.Errorf("organisation link = %+v", l)
		}
		want := 2
		if scanned {
			want = 1
		}
		if n := f.srv.Stats().GraphRequests; n != want {
			t.Errorf("SharingLinks took %d requests (scanned: %v), want %d", n, scanned, want)
		}
	}
	if links, err := s.SharingLinks(t.Context(), "private.txt"); err != nil || len(links) != 0 {
		t.Errorf("SharingLinks of an unshared file = %+v, %v; want none", links, err)
	}
	if _, err := s.SharingLinks(t.Context(), "Jansen, Piet/missing.pdf"); !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("SharingLinks of a missing file: %v, want ErrNotFound", err)
	}
	if _, err := s.SharingLinks(t.Context(), "../x"); !errors.Is(err, scanners.ErrOutsideRoot) {
		t.Errorf("SharingLinks of an escaping id: %v, want ErrOutsideRoot", err)
	}
}

// TestSharedMarksRecords checks that Scan marks the files reachable by a
// link, made on them or on a folder above them, and that Links finds the
// inherited link, so that the planner need ask only about marked files.
func TestSharedMarksRecords(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{
		"Gedeeld/Jansen, Piet/dossier.pdf": []byte("dossier"),
		"Gedeeld/los.txt":                  []byte("x"),
		"Eigen/Bakker, Ans/dossier.pdf":    []byte("dossier"),
		"Eigen/Bakker, Ans/foto.jpg":       []byte("photo"),
	})
	f.srv.Share("", "Gedeeld", "anonymous")
	f.srv.Share("", "Eigen/Bakker, Ans/foto.jpg", "users")
	s := f.open(t)

	got := map[string]bool{}
	for _, r := range collect(t, s) {
		got[r.ID] = r.Shared
	}
	want := map[string]bool{
		"Gedeeld/Jansen, Piet/dossier.pdf": true, "Gedeeld/los.txt": true,
		"Eigen/Bakker, Ans/dossier.pdf": false, "Eigen/Bakker, Ans/foto.jpg": true,
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: Shared = %v, want %v", id, got[id], w)
		}
	}
	links, err := s.Links(t.Context(), "Gedeeld/Jansen, Piet/dossier.pdf")
	if err != nil || len(links) != 1 || links[0].Scope != ScopeAnonymous || !links[0].Inherited {
		t.Errorf("Links of a file in a shared folder = %+v, %v; want one inherited anonymous link", links, err)
	}

	// The folder's link reaches a file added later, listed incrementally.
	f.add(map[string][]byte{"Gedeeld/nieuw.txt": []byte("y")})
	for _, r := range collect(t, s) {
		if r.ID == "Gedeeld/nieuw.txt" && !r.Shared {
			t.Errorf("a file added to a shared folder is not marked shared after an incremental scan")
		}
	}
}

package graphtest

import (
	"net/http"
	"slices"
	"testing"
)

func TestDeleteIfMatch(t *testing.T) {
	s, c := newClient(t, Options{})
	s.AddFile("", "dir/a.txt", []byte("a"), t0)
	s.AddVersion("", "dir/a.txt", []byte("old"), t0)
	info, _ := s.Lookup("", "dir/a.txt")
	base := "/drives/" + s.DefaultDrive() + "/items/" + info.ID
	stale := info.ETag
	s.Touch("", "dir/a.txt", t0)

	r := c.do(http.MethodDelete, base, nil, map[string]string{"If-Match": stale}).want(t, http.StatusPreconditionFailed)
	if r.errCode() != "resourceModified" || !s.Exists("", "dir/a.txt") {
		t.Fatalf("stale If-Match: code %q, exists %v", r.errCode(), s.Exists("", "dir/a.txt"))
	}
	fresh, _ := s.Lookup("", "dir/a.txt")
	c.do(http.MethodDelete, base, nil, map[string]string{"If-Match": fresh.ETag}).want(t, http.StatusNoContent)
	if s.Exists("", "dir/a.txt") {
		t.Fatal("file still there after DELETE")
	}
	bin := s.RecycleBin("")
	if len(bin) != 1 || bin[0].ID != info.ID || bin[0].Path != "dir/a.txt" || bin[0].Versions != 1 {
		t.Errorf("recycle bin %+v", bin)
	}
	c.do(http.MethodDelete, base, nil, nil).want(t, http.StatusNotFound)
	c.do(http.MethodDelete, "/drives/"+s.DefaultDrive()+"/root", nil, nil).want(t, http.StatusForbidden)
}

func TestDeleteFolder(t *testing.T) {
	s, c := newClient(t, Options{})
	s.AddFile("", "dir/sub/a.txt", []byte("a"), t0)
	s.AddFile("", "dir/b.txt", []byte("bb"), t0)
	c.do(http.MethodDelete, "/drives/"+s.DefaultDrive()+"/root:/dir", nil, nil).want(t, http.StatusNoContent)
	for _, p := range []string{"dir", "dir/sub/a.txt", "dir/b.txt"} {
		if s.Exists("", p) {
			t.Errorf("%s still exists", p)
		}
	}
	if bin := s.RecycleBin(""); len(bin) != 1 || !bin[0].Folder || bin[0].Size != 3 {
		t.Errorf("recycle bin %+v", bin)
	}
}

func TestPermanentDelete(t *testing.T) {
	tests := []struct {
		name     string
		disable  int
		status   int
		wantCode string
	}{
		{"allowed", 0, http.StatusNoContent, ""},
		{"refused 400", http.StatusBadRequest, http.StatusBadRequest, "notSupported"},
		{"refused 403", http.StatusForbidden, http.StatusForbidden, "notSupported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newClient(t, Options{})
			id := s.AddFile("", "a.txt", []byte("a"), t0)
			if tt.disable != 0 {
				s.DisablePermanentDelete("", tt.disable)
			}
			r := c.do(http.MethodPost, "/drives/"+s.DefaultDrive()+"/items/"+id+"/permanentDelete", nil, nil).want(t, tt.status)
			if r.errCode() != tt.wantCode {
				t.Errorf("code %q, want %q", r.errCode(), tt.wantCode)
			}
			if s.Exists("", "a.txt") != (tt.disable != 0) {
				t.Errorf("exists = %v after permanentDelete", s.Exists("", "a.txt"))
			}
			if len(s.RecycleBin("")) != 0 {
				t.Errorf("permanentDelete left something in the recycle bin")
			}
		})
	}
}

func TestDeleteShowsInDelta(t *testing.T) {
	s, c := newClient(t, Options{})
	id := s.AddFile("", "a.txt", []byte("a"), t0)
	_, _, link := listDelta(t, c, "/drives/"+s.DefaultDrive()+"/items/root/delta()")
	c.do(http.MethodDelete, "/drives/"+s.DefaultDrive()+"/items/"+id, nil, nil).want(t, http.StatusNoContent)
	items, _, _ := listDelta(t, c, link)
	if got := names(items); !slices.Equal(got, []string{"root", "deleted:" + id}) {
		t.Errorf("delta after DELETE: %v", got)
	}
}

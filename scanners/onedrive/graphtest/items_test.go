package graphtest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

func TestItemShape(t *testing.T) {
	s, c := newClient(t, Options{})
	created := t0.Add(-time.Hour)
	id := s.AddFile("", "Dossiers/Kind 1/intake.pdf", []byte("%PDF-1.4"), t0, Created(created), CreatedBy("Juf Anna", "anna@example.org"))
	d := s.DefaultDrive()
	r := c.get("/drives/"+url.PathEscape(d)+"/items/"+id).want(t, http.StatusOK)
	folder, _ := s.Lookup("", "Dossiers/Kind 1")
	info, _ := s.Lookup("", "Dossiers/Kind 1/intake.pdf")
	tests := []struct {
		keys []string
		want any
	}{
		{[]string{"id"}, id},
		{[]string{"name"}, "intake.pdf"},
		{[]string{"size"}, float64(8)},
		{[]string{"eTag"}, info.ETag},
		{[]string{"cTag"}, info.CTag},
		{[]string{"createdDateTime"}, "2019-03-04T09:30:00Z"},
		{[]string{"lastModifiedDateTime"}, "2019-03-04T10:30:00Z"},
		{[]string{"parentReference", "driveId"}, d},
		{[]string{"parentReference", "id"}, folder.ID},
		{[]string{"parentReference", "path"}, "/drive/root:/Dossiers/Kind 1"},
		{[]string{"file", "mimeType"}, "application/pdf"},
		{[]string{"createdBy", "user", "displayName"}, "Juf Anna"},
		{[]string{"createdBy", "user", "email"}, "anna@example.org"},
		{[]string{"folder"}, nil},
		{[]string{"deleted"}, nil},
	}
	for _, tt := range tests {
		if got := field(r.body, tt.keys...); got != tt.want {
			t.Errorf("%v = %v, want %v", tt.keys, got, tt.want)
		}
	}
	f := c.get("/drives/"+d+"/items/"+folder.ID).want(t, http.StatusOK)
	if got := field(f.body, "folder", "childCount"); got != float64(1) {
		t.Errorf("folder.childCount = %v, want 1", got)
	}
	if f.body["file"] != nil {
		t.Errorf("folder has a file facet")
	}
	root := c.get("/drives/"+d+"/root").want(t, http.StatusOK)
	if root.body["root"] == nil || field(root.body, "folder", "childCount") != float64(1) {
		t.Errorf("root = %s", root.raw)
	}
	if got := c.get("/drives/"+d+"/items/root").want(t, http.StatusOK).str("id"); got != root.str("id") {
		t.Errorf("items/root id = %q, want %q", got, root.str("id"))
	}
}

func TestCreatedByAbsent(t *testing.T) {
	s, c := newClient(t, Options{})
	id := s.AddFile("", "a.txt", []byte("x"), t0, CreatedBy("", ""))
	r := c.get("/drives/"+s.DefaultDrive()+"/items/"+id).want(t, http.StatusOK)
	if _, ok := r.body["createdBy"]; ok {
		t.Errorf("createdBy present: %s", r.raw)
	}
}

func TestETagAndCTag(t *testing.T) {
	s, _ := newClient(t, Options{})
	s.AddFile("", "a.txt", []byte("one"), t0)
	before, _ := s.Lookup("", "a.txt")
	s.Touch("", "a.txt", t0.Add(time.Hour))
	touched, _ := s.Lookup("", "a.txt")
	if touched.ETag == before.ETag || touched.CTag != before.CTag {
		t.Errorf("Touch: eTag %s→%s, cTag %s→%s; want eTag changed, cTag kept", before.ETag, touched.ETag, before.CTag, touched.CTag)
	}
	s.Share("", "a.txt", "anonymous")
	shared, _ := s.Lookup("", "a.txt")
	if shared.ETag == touched.ETag {
		t.Errorf("Share kept the eTag")
	}
	s.Modify("", "a.txt", []byte("two"), t0.Add(2*time.Hour))
	modified, _ := s.Lookup("", "a.txt")
	if modified.ETag == shared.ETag || modified.CTag == shared.CTag || modified.Versions != 1 {
		t.Errorf("Modify: %+v after %+v; want new eTag, new cTag, one earlier version", modified, shared)
	}
}

func TestAddressing(t *testing.T) {
	s, c := newClient(t, Options{})
	upnDrive := s.AddUserDrive("Directie@Example.org")
	siteID, lib := s.AddSiteLibrary("example.sharepoint.com", "/sites/kdv", "Documenten")
	_, lib2 := s.AddSiteLibrary("example.sharepoint.com", "/sites/kdv", "Contracten")
	s.AddFile(upnDrive, "Map/b.txt", []byte("b"), t0)
	s.AddFile(lib2, "c.txt", []byte("c"), t0)
	d := url.PathEscape(s.DefaultDrive())
	s.AddFile("", "Ouders/Inkomen 2020.pdf", []byte("p"), t0)
	tests := []struct {
		path, wantID string
	}{
		{"/drives/" + d, s.DefaultDrive()},
		{"/users/directie@example.org/drive", upnDrive},
		{"/users/" + url.PathEscape("Directie@Example.org") + "/drive", upnDrive},
		{"/sites/example.sharepoint.com:/sites/kdv", siteID},
		{"/sites/example.sharepoint.com:/sites/kdv:/drive", lib},
		{"/sites/" + url.PathEscape(siteID) + "/drive", lib},
		{"/sites/" + siteID + "/drives/" + url.PathEscape(lib2), lib2},
		{"/drives/" + d + "/root:/Ouders/Inkomen 2020.pdf", mustID(t, s, "", "Ouders/Inkomen 2020.pdf")},
		{"/drives/" + d + "/root:/ouders/INKOMEN 2020.PDF:", mustID(t, s, "", "Ouders/Inkomen 2020.pdf")},
		{"/drives/" + d + "/root:/Ouders", mustID(t, s, "", "Ouders")},
		{"/drives/" + d + "/items/" + mustID(t, s, "", "Ouders") + ":/Inkomen 2020.pdf:", mustID(t, s, "", "Ouders/Inkomen 2020.pdf")},
		{"/users/directie@example.org/drive/root:/Map/b.txt", mustID(t, s, upnDrive, "Map/b.txt")},
	}
	for _, tt := range tests {
		r := c.get(tt.path).want(t, http.StatusOK)
		if got := r.str("id"); got != tt.wantID {
			t.Errorf("GET %s: id %q, want %q", tt.path, got, tt.wantID)
		}
	}
	drives := c.get("/sites/"+siteID+"/drives").want(t, http.StatusOK).values()
	if len(drives) != 2 || drives[0]["name"] != "Documenten" || drives[1]["name"] != "Contracten" {
		t.Errorf("site drives = %v", drives)
	}
	for _, p := range []string{"/drives/" + d + "/root:/Nope.txt", "/drives/" + d + "/items/01NOPE", "/drives/b!nope", "/users/nobody@example.org/drive"} {
		c.get(p).want(t, http.StatusNotFound)
	}
	if r := c.get("/me/drive").want(t, http.StatusBadRequest); r.errCode() != "BadRequest" {
		t.Errorf("/me: code %q", r.errCode())
	}
}

func mustID(t *testing.T, s *Server, drive, p string) string {
	t.Helper()
	info, ok := s.Lookup(drive, p)
	if !ok {
		t.Fatalf("no %q", p)
	}
	return info.ID
}

func TestChildrenPaging(t *testing.T) {
	s, c := newClient(t, Options{MaxPageSize: 4})
	var want []string
	for i := range 10 {
		name := fmt.Sprintf("f%02d.txt", i)
		s.AddFile("", "dir/"+name, []byte(name), t0)
		want = append(want, name)
	}
	for _, top := range []string{"3", "100"} {
		var got []string
		pages := 0
		next := "/drives/" + s.DefaultDrive() + "/root:/dir:/children?$top=" + top
		for next != "" {
			r := c.get(next).want(t, http.StatusOK)
			pages++
			got = append(got, names(r.values())...)
			next = r.str("@odata.nextLink")
		}
		wantPages := map[string]int{"3": 4, "100": 3}[top] // 100 is clamped to 4
		if !slices.Equal(got, want) || pages != wantPages {
			t.Errorf("$top=%s: %d pages %v, want %d pages %v", top, pages, got, wantPages, want)
		}
	}
}

func TestContentAndVersions(t *testing.T) {
	s, c := newClient(t, Options{})
	s.AddFile("", "a.txt", []byte("v2"), t0.Add(time.Hour))
	s.AddVersion("", "a.txt", []byte("v1"), t0)
	s.Modify("", "a.txt", []byte("v3!"), t0.Add(2*time.Hour))
	id := mustID(t, s, "", "a.txt")
	base := "/drives/" + s.DefaultDrive() + "/items/" + id
	r := c.get(base+"/content").want(t, http.StatusFound)
	loc := r.header.Get("Location")
	resp, err := s.Client().Get(loc) // no bearer token: download URLs are pre-authenticated
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(data) != "v3!" {
		t.Errorf("content %q, want v3!", data)
	}
	vs := c.get(base+"/versions").want(t, http.StatusOK).values()
	var ids []string
	var sizes []float64
	for _, v := range vs {
		ids = append(ids, v["id"].(string))
		sizes = append(sizes, v["size"].(float64))
	}
	if !slices.Equal(ids, []string{"3.0", "2.0", "1.0"}) || !slices.Equal(sizes, []float64{3, 2, 2}) {
		t.Errorf("versions %v sizes %v", ids, sizes)
	}
	r = c.get(base+"/versions/1.0/content").want(t, http.StatusFound)
	resp, err = s.Client().Get(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	data, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(data) != "v1" {
		t.Errorf("version 1.0 content %q, want v1", data)
	}
	c.do(http.MethodDelete, base+"/versions/1.0", nil, nil).want(t, http.StatusMethodNotAllowed)
	s.AllowVersionDelete(true)
	c.do(http.MethodDelete, base+"/versions/3.0", nil, nil).want(t, http.StatusForbidden)
	c.do(http.MethodDelete, base+"/versions/1.0", nil, nil).want(t, http.StatusNoContent)
	if got := len(c.get(base + "/versions").values()); got != 2 {
		t.Errorf("%d versions after deleting one, want 2", got)
	}
}

func TestPermissions(t *testing.T) {
	s, c := newClient(t, Options{})
	s.AddFile("", "a.txt", []byte("a"), t0)
	s.Share("", "a.txt", "anonymous")
	s.ShareLink("", "a.txt", "organization", "edit")
	id := mustID(t, s, "", "a.txt")
	ps := c.get("/drives/"+s.DefaultDrive()+"/items/"+id+"/permissions").want(t, http.StatusOK).values()
	type perm struct{ role, scope, typ string }
	var got []perm
	for _, p := range ps {
		if p["id"] == "" {
			t.Errorf("permission without id: %v", p)
		}
		scope, _ := field(p, "link", "scope").(string)
		typ, _ := field(p, "link", "type").(string)
		got = append(got, perm{p["roles"].([]any)[0].(string), scope, typ})
	}
	want := []perm{{"owner", "", ""}, {"read", "anonymous", "view"}, {"write", "organization", "edit"}}
	if !slices.Equal(got, want) {
		t.Errorf("permissions %v, want %v", got, want)
	}
}

func TestSelect(t *testing.T) {
	s, c := newClient(t, Options{})
	id := s.AddFile("", "a.txt", []byte("a"), t0)
	r := c.get("/drives/"+s.DefaultDrive()+"/items/"+id+"?$select=name,eTag").want(t, http.StatusOK)
	if r.str("name") != "a.txt" || r.str("eTag") == "" || r.str("id") != id || r.body["size"] != nil {
		t.Errorf("$select=name,eTag gave %s", r.raw)
	}
}

func TestExpandRefused(t *testing.T) {
	s, c := newClient(t, Options{})
	id := s.AddFile("", "a.txt", []byte("a"), t0)
	r := c.get("/drives/"+s.DefaultDrive()+"/items/"+id+"?$expand=permissions").want(t, http.StatusBadRequest)
	if r.errCode() != "invalidRequest" {
		t.Errorf("code %q", r.errCode())
	}
}

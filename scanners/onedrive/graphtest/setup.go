package graphtest

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The helpers below fill and inspect drives. They take a drive id ("" for
// the default drive) and a slash-separated path from the drive's root,
// matched case-insensitively as OneDrive does. They fail the test on a
// drive or path that does not exist; call them from the test goroutine.

// FileOpt sets an optional property of a file AddFile creates.
type FileOpt func(*item)

// CreatedBy sets who created the file (and last modified it, unless
// ModifiedBy says otherwise). CreatedBy("", "") leaves createdBy out, as
// Graph does for some migrated files. The default is the drive's owner.
func CreatedBy(displayName, email string) FileOpt {
	return func(it *item) {
		it.createdBy = Identity{DisplayName: displayName, Email: email}
		it.modifiedBy = it.createdBy
	}
}

// ModifiedBy sets who last modified the file.
func ModifiedBy(displayName, email string) FileOpt {
	return func(it *item) { it.modifiedBy = Identity{DisplayName: displayName, Email: email} }
}

// Created sets the creation time; the default is the modification time.
func Created(t time.Time) FileOpt { return func(it *item) { it.created = t } }

// MimeType sets file.mimeType; the default follows the name's extension.
func MimeType(m string) FileOpt { return func(it *item) { it.mime = m } }

// AddDrive adds a drive (a document library not reached through a user or
// site) and returns its id.
func (s *Server) AddDrive(name string) string {
	return s.addDrive(name, name, Identity{DisplayName: "Beheer", Email: "beheer@example.org"})
}

// AddUserDrive adds the OneDrive of a user, reachable as
// /users/{upn}/drive, and returns its id.
func (s *Server) AddUserDrive(upn string) string {
	id := s.addDrive("user:"+strings.ToLower(upn), "OneDrive", Identity{DisplayName: upn, Email: upn})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[strings.ToLower(upn)] = id
	return id
}

// AddSiteLibrary adds a document library to the SharePoint site at
// https://{hostname}{sitePath} (creating the site), reachable through
// /sites/{hostname}:{sitePath} and /sites/{siteID}/drives. The first
// library of a site is its default (/sites/{id}/drive). It returns the
// site's id ("{hostname},{guid},{guid}") and the library's drive id.
func (s *Server) AddSiteLibrary(hostname, sitePath, library string) (siteID, driveID string) {
	sitePath = "/" + strings.Trim(sitePath, "/")
	id := s.addDrive("site:"+strings.ToLower(hostname+sitePath+"/"+library), library, Identity{DisplayName: library + " Owners"})
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.findSite(siteRef{host: hostname, path: sitePath})
	if st == nil {
		sum := sha256.Sum256([]byte(strings.ToLower(hostname + sitePath)))
		g := fmt.Sprintf("%x", sum[:16])
		h := fmt.Sprintf("%x", sum[16:])
		guid := func(x string) string {
			return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
		}
		st = &site{id: hostname + "," + guid(g) + "," + guid(h), hostname: hostname, path: sitePath}
		s.sites = append(s.sites, st)
	}
	st.drives = append(st.drives, id)
	return st.id, id
}

func (s *Server) addDrive(seed, name string, owner Identity) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := driveID(seed)
	if s.drives[id] != nil {
		s.t.Fatalf("graphtest: drive %q added twice", name)
	}
	s.drives[id] = newDrive(id, name, owner, time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC))
	return id
}

// drive finds a drive for a helper. Caller holds s.mu.
func (s *Server) drive(id string) *drive {
	s.t.Helper()
	if id == "" {
		id = s.defaultDrive
	}
	d := s.drives[id]
	if d == nil {
		s.t.Fatalf("graphtest: no drive %q", id)
	}
	return d
}

// item finds an item for a helper. Caller holds s.mu.
func (s *Server) item(driveID, p string) (*drive, *item) {
	s.t.Helper()
	d := s.drive(driveID)
	it := d.lookup(p)
	if it == nil {
		s.t.Fatalf("graphtest: no item at %q in drive %q", p, d.name)
	}
	return d, it
}

// AddFile creates a file, and the folders above it, and returns its id.
// If the file exists, it gets content as a new version (see Modify).
func (s *Server) AddFile(driveID, p string, content []byte, modTime time.Time, opts ...FileOpt) string {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.drive(driveID)
	if it := d.lookup(p); it != nil && it.parent != nil {
		s.modify(d, it, content, modTime)
		return it.id
	}
	dir, name := splitDir(p)
	if name == "" {
		s.t.Fatalf("graphtest: AddFile needs a file name, got %q", p)
	}
	checkNames(s.t, p)
	parent, err := d.mkdirs(dir, modTime, d.owner)
	if err != nil {
		s.t.Fatal(err)
	}
	it := &item{id: d.newItemID(), name: name, parent: parent, content: slices.Clone(content), mime: mimeType(name),
		created: modTime, modified: modTime, createdBy: d.owner, modifiedBy: d.owner,
		perms: []permission{{id: "aTowIy5mfG1lbWJlcnNoaXB8b3duZXI", roles: []string{"owner"}}}}
	for _, o := range opts {
		o(it)
	}
	parent.children[strings.ToLower(name)] = it
	d.items[it.id] = it
	d.touch(it, true)
	return it.id
}

// AddFolder creates a folder, and the folders above it, and returns its id.
func (s *Server) AddFolder(driveID, p string) string {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.drive(driveID)
	checkNames(s.t, p)
	it, err := d.mkdirs(p, s.now(), d.owner)
	if err != nil {
		s.t.Fatal(err)
	}
	return it.id
}

// checkNames refuses names OneDrive for Business refuses: with one of
// " * : < > ? \ | or with leading or trailing spaces.
func checkNames(t TB, p string) {
	t.Helper()
	for _, name := range splitPath(p) {
		if strings.ContainsAny(name, `"*:<>?\|`) || strings.TrimSpace(name) != name {
			t.Fatalf("graphtest: OneDrive does not allow the name %q", name)
		}
	}
}

func splitDir(p string) (dir, name string) {
	parts := splitPath(p)
	if len(parts) == 0 {
		return "", ""
	}
	return strings.Join(parts[:len(parts)-1], "/"), parts[len(parts)-1]
}

// Modify gives a file new content, as an edit in Office would: the current
// content becomes an earlier version, eTag and cTag change.
func (s *Server) Modify(driveID, p string, content []byte, modTime time.Time) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	d, it := s.item(driveID, p)
	s.modify(d, it, content, modTime)
}

func (s *Server) modify(d *drive, it *item, content []byte, modTime time.Time) {
	s.t.Helper()
	if it.folder {
		s.t.Fatalf("graphtest: %q is a folder", it.path())
	}
	it.versions = append(it.versions, version{content: it.content, modified: it.modified, by: it.modifiedBy})
	it.content = slices.Clone(content)
	it.modified = modTime
	d.touch(it, true)
}

// Touch changes a file's or folder's metadata only (its modification
// time): eTag changes, cTag does not.
func (s *Server) Touch(driveID, p string, modTime time.Time) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	d, it := s.item(driveID, p)
	it.modified = modTime
	d.touch(it, false)
}

// AddVersion adds an earlier version of a file, older than those it has,
// without changing its current content. Version ids are renumbered.
func (s *Server) AddVersion(driveID, p string, content []byte, modTime time.Time) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	d, it := s.item(driveID, p)
	if it.folder {
		s.t.Fatalf("graphtest: %q is a folder", p)
	}
	it.versions = slices.Insert(it.versions, 0, version{content: slices.Clone(content), modified: modTime, by: it.createdBy})
	d.touch(it, false)
}

// Move renames or moves an item; its id stays, its eTag changes.
func (s *Server) Move(driveID, from, to string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	d, it := s.item(driveID, from)
	dir, name := splitDir(to)
	checkNames(s.t, to)
	if it.parent == nil || name == "" || d.lookup(to) != nil {
		s.t.Fatalf("graphtest: cannot move %q to %q", from, to)
	}
	parent, err := d.mkdirs(dir, s.now(), d.owner)
	if err != nil {
		s.t.Fatal(err)
	}
	delete(it.parent.children, strings.ToLower(it.name))
	it.parent, it.name = parent, name
	parent.children[strings.ToLower(name)] = it
	it.walk(func(x *item) { d.touch(x, false) })
}

// Remove deletes an item as a user would, behind the client's back: it
// goes to the recycle bin and delta reports it deleted.
func (s *Server) Remove(driveID, p string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	d, it := s.item(driveID, p)
	if it.parent == nil {
		s.t.Fatalf("graphtest: cannot remove the root")
	}
	d.recycle(it, s.now())
}

// Exists says whether an item is at p.
func (s *Server) Exists(driveID, p string) bool {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drive(driveID).lookup(p) != nil
}

// ItemInfo is what Lookup tells about an item.
type ItemInfo struct {
	ID       string
	Path     string
	Folder   bool
	Size     int64
	ETag     string // quoted, as in the JSON and If-Match
	CTag     string
	Content  []byte
	Versions int // earlier versions
	Links    int // sharing links
}

// Lookup returns what is at p, if anything.
func (s *Server) Lookup(driveID, p string) (ItemInfo, bool) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.drive(driveID).lookup(p)
	if it == nil {
		return ItemInfo{}, false
	}
	return ItemInfo{ID: it.id, Path: it.path(), Folder: it.folder, Size: it.size(), ETag: it.eTag(), CTag: it.cTag(),
		Content: slices.Clone(it.content), Versions: len(it.versions), Links: len(it.perms) - 1}, true
}

// Share adds a view sharing link with scope "anonymous", "organization"
// or "users" and returns the permission's id. Sharing changes the eTag.
func (s *Server) Share(driveID, p, scope string) string {
	s.t.Helper()
	return s.ShareLink(driveID, p, scope, "view")
}

// ShareLink adds a sharing link of type "view" or "edit".
func (s *Server) ShareLink(driveID, p, scope, linkType string) string {
	s.t.Helper()
	if !slices.Contains([]string{"anonymous", "organization", "users"}, scope) || (linkType != "view" && linkType != "edit") {
		s.t.Fatalf("graphtest: bad link scope %q or type %q", scope, linkType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, it := s.item(driveID, p)
	role := "read"
	if linkType == "edit" {
		role = "write"
	}
	id := fmt.Sprintf("%s%02d", strings.ToLower(it.id[2:14]), len(it.perms))
	if it.perms == nil {
		it.perms = []permission{{id: "aTowIy5mfG1lbWJlcnNoaXB8b3duZXI", roles: []string{"owner"}}}
	}
	it.perms = append(it.perms, permission{id: id, roles: []string{role}, scope: scope, typ: linkType})
	d.touch(it, false)
	return id
}

// RecycleBin lists what DELETE and Remove moved to a drive's recycle bin,
// oldest first. permanentDelete leaves nothing there.
func (s *Server) RecycleBin(driveID string) []RecycledItem {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.drive(driveID).bin)
}

// ExpireDeltaTokens makes every delta token (deltaLink and nextLink) of
// the drive issued so far answer 410 Gone with resyncRequired and a
// Location header for a fresh full delta.
func (s *Server) ExpireDeltaTokens(driveID string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drive(driveID).epoch++
}

// DisablePermanentDelete makes permanentDelete on the drive answer status
// (400 or 403) with code "notSupported", as for an account that does not
// support it; status 0 turns permanentDelete back on.
func (s *Server) DisablePermanentDelete(driveID string, status int) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.drive(driveID)
	d.permDelOK, d.permDelSt = status == 0, status
	if status != 0 && status != http.StatusBadRequest && status != http.StatusForbidden {
		s.t.Fatalf("graphtest: DisablePermanentDelete wants 400 or 403, got %d", status)
	}
}

// AllowVersionDelete makes DELETE …/versions/{id} work (204) for earlier
// versions. It is off by default (405 notSupported), because Graph v1.0
// does not document deleting a single version; the current version can
// never be deleted (403).
func (s *Server) AllowVersionDelete(allow bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.versionDel = allow
}

// UploadDir adds every regular file under dir to the drive below the
// folder prefix, with its modification time, and returns how many. It
// follows no symbolic links.
func (s *Server) UploadDir(driveID, prefix, dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s.AddFile(driveID, path.Join(prefix, filepath.ToSlash(rel)), b, fi.ModTime())
		n++
		return nil
	})
	return n, err
}

// ShareSample shares, below the folder prefix, the first subfolder with
// anyone with the link and a file of the second subfolder with the whole
// organisation, and returns their paths: findings for a demo or a test.
func (s *Server) ShareSample(driveID, prefix string) (anyone, org string) {
	s.t.Helper()
	s.mu.Lock()
	_, folder := s.item(driveID, prefix)
	var subs []*item
	for _, c := range folder.children {
		if c.folder {
			subs = append(subs, c)
		}
	}
	slices.SortFunc(subs, func(a, b *item) int { return strings.Compare(a.name, b.name) })
	var file string
	if len(subs) > 1 {
		for _, c := range subs[1].children {
			if !c.folder && (file == "" || c.name < path.Base(file)) {
				file = c.path()
			}
		}
	}
	if len(subs) > 0 {
		anyone = subs[0].path()
	}
	s.mu.Unlock()
	if anyone != "" {
		s.Share(driveID, anyone, "anonymous")
	}
	if file != "" {
		org = file
		s.Share(driveID, file, "organization")
	}
	return anyone, org
}

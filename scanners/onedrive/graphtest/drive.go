package graphtest

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
)

// Identity is who created or last modified an item, as Graph's identitySet
// carries it under "user".
type Identity struct {
	DisplayName string
	Email       string
}

// drive is one document library: a tree of items plus what delta needs to
// answer "what changed since this token".
type drive struct {
	id        string
	name      string
	driveType string
	owner     Identity
	root      *item
	items     map[string]*item // live items by id, root included
	tombs     map[string]*item // deleted items by id, for incremental delta
	seq       int64            // bumped on every change; items remember theirs
	epoch     int              // bumped when the test expires delta tokens
	nextID    int
	bin       []RecycledItem
	enums     map[int]*enumeration
	nextEnum  int
	permDelOK bool // permanentDelete allowed
	permDelSt int  // status when it is not
}

// item is a file or folder.
type item struct {
	id         string
	name       string
	parent     *item
	children   map[string]*item // by lower-cased name: OneDrive names are case-insensitive
	folder     bool
	content    []byte
	mime       string
	created    time.Time
	modified   time.Time
	createdBy  Identity
	modifiedBy Identity
	etagN      int // bumped on every change
	ctagN      int // bumped on content changes only
	seq        int64
	versions   []version // earlier versions, oldest first
	perms      []permission
	deletedSeq int64
}

// version is an earlier version of a file.
type version struct {
	content  []byte
	modified time.Time
	by       Identity
}

// permission is a sharing permission on an item.
type permission struct {
	id    string
	roles []string
	scope string // link scope: anonymous, organization, users; "" for the owner grant
	typ   string // link type: view, edit
}

// RecycledItem is an item a DELETE (or Remove) moved to the drive's recycle
// bin.
type RecycledItem struct {
	// ID is the item's id.
	ID string
	// Path is the item's path from the drive's root, without a leading "/".
	Path string
	// Folder says whether the item was a folder.
	Folder bool
	// Size is the file's size, or the folder's total.
	Size int64
	// Versions is how many earlier versions went with it.
	Versions int
	// DeletedAt is when it was deleted (the server's clock).
	DeletedAt time.Time
}

func newDrive(id, name string, owner Identity, created time.Time) *drive {
	d := &drive{
		id: id, name: name, driveType: "business", owner: owner,
		items: map[string]*item{}, tombs: map[string]*item{},
		enums: map[int]*enumeration{}, permDelOK: true,
	}
	d.root = &item{name: "root", folder: true, children: map[string]*item{}, created: created, modified: created, createdBy: owner, modifiedBy: owner}
	d.root.id = d.newItemID()
	d.touch(d.root, true)
	d.items[d.root.id] = d.root
	return d
}

// driveID makes a drive id of the shape SharePoint gives: "b!" and 64
// URL-safe base64 characters, so that clients meet the "!" and "-" that
// real ids carry.
func driveID(seed string) string {
	sum := sha256.Sum256([]byte("drive:" + seed))
	more := sha256.Sum256(sum[:])
	return "b!" + base64.RawURLEncoding.EncodeToString(append(sum[:], more[:16]...))[:64]
}

// newItemID makes an id of the shape OneDrive for Business gives: "01" and
// 32 upper-case base32 characters.
func (d *drive) newItemID() string {
	d.nextID++
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", d.id, d.nextID))
	return "01" + base32.StdEncoding.EncodeToString(sum[:20])
}

// touch records a change to it: a new eTag, a new cTag if the content
// changed, and a place in the drive's change sequence for delta.
func (d *drive) touch(it *item, content bool) {
	d.seq++
	it.seq = d.seq
	it.etagN++
	if content {
		it.ctagN++
	}
}

func (it *item) guid() string {
	sum := sha256.Sum256([]byte(it.id))
	h := fmt.Sprintf("%X", sum[:16])
	return "{" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32] + "}"
}

// eTag and cTag are quoted, as Graph sends them and as If-Match wants them.
func (it *item) eTag() string { return fmt.Sprintf("\"%s,%d\"", it.guid(), it.etagN) }
func (it *item) cTag() string { return fmt.Sprintf("\"c:%s,%d\"", it.guid(), it.ctagN) }

func (it *item) size() int64 {
	if !it.folder {
		return int64(len(it.content))
	}
	var n int64
	for _, c := range it.children {
		n += c.size()
	}
	return n
}

// path is the item's path from the root without a leading "/"; "" for the
// root.
func (it *item) path() string {
	if it.parent == nil {
		return ""
	}
	if it.parent.parent == nil {
		return it.name
	}
	return it.parent.path() + "/" + it.name
}

// parentPath is what parentReference.path says: "/drive/root:" and the
// parent's path.
func (it *item) parentPath() string {
	p := it.parent.path()
	if p == "" {
		return "/drive/root:"
	}
	return "/drive/root:/" + p
}

func (it *item) depth() int {
	n := 0
	for p := it.parent; p != nil; p = p.parent {
		n++
	}
	return n
}

// sortedChildren lists children by name, case-insensitively, as the
// children endpoint orders them.
func (it *item) sortedChildren() []*item {
	out := make([]*item, 0, len(it.children))
	for _, c := range it.children {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *item) int { return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)) })
	return out
}

// walk visits it and its descendants, parents before children.
func (it *item) walk(fn func(*item)) {
	fn(it)
	for _, c := range it.sortedChildren() {
		c.walk(fn)
	}
}

// lookup finds the item at a slash-separated path from the root,
// case-insensitively.
func (d *drive) lookup(p string) *item {
	it := d.root
	for _, name := range splitPath(p) {
		if it = it.children[strings.ToLower(name)]; it == nil {
			return nil
		}
	}
	return it
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// mkdirs returns the folder at p, creating missing folders.
func (d *drive) mkdirs(p string, at time.Time, by Identity) (*item, error) {
	it := d.root
	for _, name := range splitPath(p) {
		c := it.children[strings.ToLower(name)]
		if c == nil {
			c = &item{id: d.newItemID(), name: name, parent: it, folder: true, children: map[string]*item{}, created: at, modified: at, createdBy: by, modifiedBy: by}
			it.children[strings.ToLower(name)] = c
			d.items[c.id] = c
			d.touch(c, true)
		} else if !c.folder {
			return nil, fmt.Errorf("graphtest: %q is a file, not a folder", c.path())
		}
		it = c
	}
	return it, nil
}

// remove takes it and its descendants out of the tree, leaving tombstones
// for delta, and returns what it removed, parents first.
func (d *drive) remove(it *item) []*item {
	var gone []*item
	it.walk(func(x *item) { gone = append(gone, x) })
	delete(it.parent.children, strings.ToLower(it.name))
	// Children's tombstones come first so that a client applying deletes
	// in order empties a folder before removing it.
	for i := len(gone) - 1; i >= 0; i-- {
		x := gone[i]
		delete(d.items, x.id)
		d.seq++
		x.seq = d.seq
		x.deletedSeq = d.seq
		d.tombs[x.id] = x
	}
	return gone
}

// recycle removes it and records it in the recycle bin.
func (d *drive) recycle(it *item, now time.Time) {
	p, size, versions := it.path(), it.size(), len(it.versions)
	d.remove(it)
	d.bin = append(d.bin, RecycledItem{ID: it.id, Path: p, Folder: it.folder, Size: size, Versions: versions, DeletedAt: now})
}

// mimeType guesses a file's content type from its name, as OneDrive does.
func mimeType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".pdf":
		return "application/pdf"
	case ".txt":
		return "text/plain"
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	}
	return "application/octet-stream"
}

package onedrive

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/retentiond/retentiond/scanners"
)

// indexFormat names the state file's format; a file of another format is
// ignored (and replaced by a full listing).
const indexFormat = "retentiond-onedrive-index/1"

// entry is an item of the drive as the index keeps it. Delta tracks items
// by id and gives no paths (a renamed folder's children are not sent
// again), so the index keeps each item's parent and name and builds paths
// when it lists.
type entry struct {
	ID     string    `json:"i"`
	Parent string    `json:"p,omitempty"`
	Name   string    `json:"n,omitempty"`
	File   bool      `json:"f,omitempty"`
	Size   int64     `json:"s,omitempty"`
	Mod    time.Time `json:"m,omitzero"`
	ETag   string    `json:"e,omitempty"`
	// Shared is Graph's shared facet: links or invitations were made on
	// this item itself.
	Shared bool `json:"sh,omitempty"`
}

// header is the state file's first line.
type header struct {
	Format    string `json:"format"`
	Endpoint  string `json:"endpoint"`
	Drive     string `json:"drive"`
	Root      string `json:"root"`
	DeltaLink string `json:"deltaLink"`
}

// index is the drive as of the last delta page applied.
type index struct {
	root  string
	items map[string]*entry
}

func newIndex() *index { return &index{items: map[string]*entry{}} }

// ref is what a path resolves to in the index.
type ref struct {
	itemID string
	eTag   string
}

// each calls fn for each file in refs, in path order.
func (x *index) each(ctx context.Context, refs map[string]ref, fn func(scanners.Record) error) error {
	recs := x.records(refs)
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// records lists the files reachable from the root, sorted by ID.
func (x *index) records(refs map[string]ref) []scanners.Record {
	var recs []scanners.Record
	shared := map[string]bool{}
	for p, r := range refs {
		e := x.items[r.itemID]
		recs = append(recs, scanners.Record{ID: p, Kind: scanners.KindFile, Size: e.Size, ModTime: e.Mod, Version: e.ETag,
			Shared: x.shared(r.itemID, shared)})
	}
	slices.SortFunc(recs, func(a, b scanners.Record) int { return strings.Compare(a.ID, b.ID) })
	return recs
}

// shared says whether the item or a folder above it carries Graph's
// shared facet: a link made on a folder reaches every file in it, but
// Graph marks only the folder. memo caches the answer per item.
func (x *index) shared(id string, memo map[string]bool) bool {
	var chain []string
	v := false
	for depth := 0; id != "" && id != x.root && depth <= 1000; depth++ {
		if m, ok := memo[id]; ok {
			v = m
			break
		}
		e := x.items[id]
		if e == nil {
			break
		}
		chain = append(chain, id)
		if e.Shared {
			v = true
			break
		}
		id = e.Parent
	}
	for _, c := range chain {
		memo[c] = v
	}
	return v
}

// refs maps the record ID of every file to its item.
func (x *index) refs() map[string]ref {
	paths := x.paths()
	out := make(map[string]ref, len(paths))
	for id, p := range paths {
		if e := x.items[id]; e.File {
			out[p] = ref{itemID: id, eTag: e.ETag}
		}
	}
	return out
}

// cached returns the item of a file of the last Scan in this process.
func (s *Store) cached(id string) (ref, bool) {
	s.refsMu.RLock()
	defer s.refsMu.RUnlock()
	r, ok := s.refs[id]
	return r, ok
}

// knownRefs returns the items of the files of the last Scan: in this
// process, or else as saved in the state dir (nil if neither).
func (s *Store) knownRefs() map[string]ref {
	s.refsMu.RLock()
	refs := s.refs
	s.refsMu.RUnlock()
	if refs != nil {
		return refs
	}
	if x, link, err := s.loadState(); err == nil && link != "" {
		return x.refs()
	}
	return nil
}

// paths maps the id of every item reachable from the root (the root
// excluded) to its record ID. Items whose chain of parents does not reach
// the root are left out: their folder was deleted (delta may report only
// the folder), or the chain is broken.
func (x *index) paths() map[string]string {
	memo := make(map[string]string, len(x.items))
	bad := map[string]bool{}
	var resolve func(id string, depth int) (string, bool)
	resolve = func(id string, depth int) (string, bool) {
		if id == x.root {
			return "", true
		}
		if p, ok := memo[id]; ok {
			return p, true
		}
		e := x.items[id]
		if e == nil || bad[id] || depth > 1000 {
			return "", false
		}
		parent, ok := resolve(e.Parent, depth+1)
		if !ok {
			bad[id] = true
			return "", false
		}
		p := e.Name
		if parent != "" {
			p = parent + "/" + e.Name
		}
		if _, err := scanners.CleanID(p); err != nil {
			bad[id] = true
			return "", false
		}
		memo[id] = p
		return p, true
	}
	for id := range x.items {
		resolve(id, 0)
	}
	return memo
}

// prune drops items that no longer hang from the root.
func (x *index) prune() {
	keep := x.paths()
	for id := range x.items {
		if _, ok := keep[id]; !ok && id != x.root {
			delete(x.items, id)
		}
	}
}

// statePath is the state file of a drive under dir. Its name is a hash, so
// that the drive id (and endpoint) need not be a valid file name.
func statePath(dir, endpoint, driveID string) string {
	sum := sha256.Sum256([]byte(endpoint + "\n" + driveID))
	return filepath.Join(dir, "onedrive", hex.EncodeToString(sum[:12])+".jsonl")
}

// loadState reads the index and delta link saved for this store. A missing
// file, or one of another format, endpoint or drive, gives an empty index
// and no link: the next listing is a full one.
func (s *Store) loadState() (*index, string, error) {
	if s.state == "" {
		return newIndex(), "", nil
	}
	f, err := os.Open(s.state)
	if errors.Is(err, fs.ErrNotExist) {
		return newIndex(), "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("onedrive: reading the saved delta state: %w; check that state_dir is readable", bareErr(err))
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var h header
	if !sc.Scan() || json.Unmarshal(sc.Bytes(), &h) != nil || h.Format != indexFormat || h.Endpoint != s.endpoint || h.Drive != s.driveID || h.DeltaLink == "" {
		return newIndex(), "", nil
	}
	x := newIndex()
	x.root = h.Root
	for sc.Scan() {
		e := new(entry)
		if json.Unmarshal(sc.Bytes(), e) != nil || e.ID == "" {
			return newIndex(), "", nil // damaged: list everything again
		}
		x.items[e.ID] = e
	}
	if err := sc.Err(); err != nil {
		return nil, "", fmt.Errorf("onedrive: reading the saved delta state: %w", bareErr(err))
	}
	return x, h.DeltaLink, nil
}

// saveState writes the index and delta link, replacing the old file only
// once the new one is complete. The file holds file names: it is private
// to the service's user.
func (s *Store) saveState(x *index, deltaLink string) error {
	if s.state == "" {
		return nil
	}
	dir := filepath.Dir(s.state)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("onedrive: saving the delta state: %w; check that state_dir is writable", bareErr(err))
	}
	tmp, err := os.CreateTemp(dir, ".index-*")
	if err != nil {
		return fmt.Errorf("onedrive: saving the delta state: %w; check that state_dir is writable", bareErr(err))
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 256<<10)
	enc := json.NewEncoder(w)
	err = enc.Encode(header{Format: indexFormat, Endpoint: s.endpoint, Drive: s.driveID, Root: x.root, DeltaLink: deltaLink})
	for _, e := range x.items {
		if err != nil {
			break
		}
		err = enc.Encode(e)
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.state)
	}
	if err != nil {
		return fmt.Errorf("onedrive: saving the delta state: %w", bareErr(err))
	}
	return nil
}

// bareErr strips the path from an os error.
func bareErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

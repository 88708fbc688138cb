// Package localfs is the store for a folder on the local disk, and for an
// iCloud Drive folder synced to a Mac.
//
// It never acts outside its root and never follows a symbolic link: every
// path is resolved one element at a time, through os.Root or, in a scan on
// Unix, relative to the open parent folder with O_NOFOLLOW; each folder is
// checked with Lstat before it is entered and compared with what was opened,
// and symbolic links are neither listed nor used. A scan streams records
// folder by folder, so memory is bounded by the largest folder, not the tree.
//
// Errors never hold a path below the root, as paths hold children's names.
package localfs

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/retentiond/retentiond/scanners"
)

// Options configure a Store.
type Options struct {
	// ICloud lists iCloud Drive placeholders (".Name.ext.icloud", left
	// where a file is not downloaded) as the files they stand for, with
	// Kind scanners.KindPlaceholder. Without it they are ordinary files.
	ICloud bool
}

// Store is a folder on the local disk. It is safe for concurrent use. Close
// it when done.
type Store struct {
	root   *os.Root
	path   string
	icloud bool
	// readNames, if set, lists a folder by its names alone; tests set it
	// to provoke listing errors that chmod cannot when tests run as root.
	readNames func(*os.File) ([]string, error)
	// readTyped lists a folder with what the listing says of each name's
	// type (readTyped): which are folders.
	readTyped func(*os.File) ([]string, []bool, error)
}

var _ scanners.Store = (*Store)(nil)

// Open opens the folder root as a store.
func Open(root string, opts Options) (*Store, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("localfs: opening the store's root %q: %w; check the store's root in the config", root, bare(err))
	}
	return &Store{root: r, path: root, icloud: opts.ICloud, readTyped: readTyped}, nil
}

// Close releases the store's handle on its root.
func (s *Store) Close() error { return s.root.Close() }

// Path returns the root the store was opened with.
func (s *Store) Path() string { return s.path }

// Scan lists every file under the root, folder by folder in name order. It
// skips symbolic links, special files, OS clutter (.DS_Store, Thumbs.db,
// desktop.ini, "~$" Office lock files) and its own rewrites' temporary
// files, but lists other dotfiles. Any
// error reading a folder stops the scan and is returned.
func (s *Store) Scan(ctx context.Context, fn func(scanners.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.scan(ctx, fn)
}

func readAllNames(f *os.File) ([]string, error) { return f.Readdirnames(-1) }

// readTyped lists the folder f: its names and, for each, whether the
// listing says it is a folder (the d_type of getdents; false where the
// file system does not say, or for anything else).
func readTyped(f *os.File) ([]string, []bool, error) {
	ents, err := f.ReadDir(-1)
	names, dirs := make([]string, len(ents)), make([]bool, len(ents))
	for i, e := range ents {
		names[i], dirs[i] = e.Name(), e.Type()&fs.ModeType == fs.ModeDir
	}
	return names, dirs, err
}

// listNames lists the folder f by its names, as s does.
func (s *Store) listNames(f *os.File) ([]string, error) {
	if s.readNames != nil {
		return s.readNames(f)
	}
	return readAllNames(f)
}

// recordName says what the regular file name of a folder stands for: the
// name of the record and its kind, or false if it is no record. sorted is
// the folder's listing in order (nil if unknown): a placeholder whose file
// is in it is not a record, as the file is listed on its own.
func (s *Store) recordName(name string, sorted []string) (string, scanners.Kind, bool) {
	if isClutter(name) || tempName.MatchString(name) {
		// A rewrite's temporary file is the program's own, never a
		// record: SweepTemps removes one a killed rewrite left.
		return "", "", false
	}
	if s.icloud {
		if real, ok := placeholderFor(name); ok {
			if isClutter(real) {
				return "", "", false
			}
			if _, found := slices.BinarySearch(sorted, real); found {
				return "", "", false
			}
			return real, scanners.KindPlaceholder, true
		}
	}
	return name, scanners.KindFile, true
}

func fileRecord(id string, size int64, mtime time.Time, st stamp) scanners.Record {
	return scanners.Record{
		ID:      id,
		Kind:    scanners.KindFile,
		Size:    size,
		ModTime: mtime,
		Version: version("s", size, mtime, st),
	}
}

// stamp is what a file's version holds beyond its size and mtime, where
// the system has it: the inode and the change time, which no user can set
// back (touch -m can the mtime), so that a file rewritten at the same size
// with its mtime restored, or replaced by another, is a new version.
type stamp struct {
	ok    bool
	ino   uint64
	ctime int64 // nanoseconds since 1970
}

// version is prefix, the size, the mtime in nanoseconds and, where known,
// the inode and the change time in nanoseconds:
// "s1234-m1700000000123456789-i5678-c1700000000123456789". Built by hand as
// it runs once per file.
func version(prefix string, size int64, mtime time.Time, st stamp) string {
	var buf [96]byte
	b := append(buf[:0], prefix...)
	b = strconv.AppendInt(b, size, 10)
	b = append(b, "-m"...)
	b = strconv.AppendInt(b, mtime.UnixNano(), 10)
	if st.ok {
		b = append(b, "-i"...)
		b = strconv.AppendUint(b, st.ino, 10)
		b = append(b, "-c"...)
		b = strconv.AppendInt(b, st.ctime, 10)
	}
	return string(b)
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// openDir enters the folder name of parent, which Lstat described as fi,
// and checks that what it opened is that folder: os.Root follows a link
// that replaced it in the meantime, as long as it stays inside the root.
func openDir(parent *os.Root, name string, fi fs.FileInfo) (*os.Root, error) {
	child, err := parent.OpenRoot(name)
	if err != nil {
		return nil, err
	}
	st, err := child.Stat(".")
	if err != nil {
		child.Close()
		return nil, err
	}
	if !os.SameFile(st, fi) {
		child.Close()
		return nil, errReplaced
	}
	return child, nil
}

// openFile opens the regular file name of parent, described by fi, with
// the same check as openDir.
func openFile(parent *os.Root, name string, fi fs.FileInfo) (*os.File, error) {
	f, err := parent.OpenFile(name, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !os.SameFile(st, fi) || !st.Mode().IsRegular() {
		f.Close()
		return nil, errReplaced
	}
	return f, nil
}

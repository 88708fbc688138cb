//go:build unix

package localfs

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/retentiond/retentiond/scanners"
)

// The scan works as find(1) does, since os.Root's Lstat splits and resolves
// its path anew for every file, which costs more than the fstatat it ends
// in: each folder is opened once, its names are read, and each name is
// looked at with one fstatat relative to the folder's descriptor, without
// following a link. A folder is entered with openat of its one name,
// O_NOFOLLOW and O_DIRECTORY, relative to its parent's descriptor (the
// root's comes from os.Root), and must then be the folder fstatat saw; a
// name the listing itself says is a folder (d_type) is entered with that
// openat alone, which refuses a link or a file that has taken its place,
// and is then looked at with fstatat as any other name. A
// name of one element cannot leave the folder it is resolved in, and a
// link is never followed, so the walk cannot leave the root either.

// errBadName says a folder listed a name that is not one path element.
// getdents never does, but a faulty file system driver could, and such a
// name would be resolved outside the folder.
var errBadName = errors.New("it listed a name that is not a plain file name")

// walker is one scan.
type walker struct {
	s   *Store
	ctx context.Context
	fn  func(scanners.Record) error
}

// scan walks the tree from the root's descriptor.
func (s *Store) scan(ctx context.Context, fn func(scanners.Record) error) error {
	f, err := s.root.Open(".")
	if err != nil {
		return listErr(0, err)
	}
	defer f.Close()
	w := &walker{s: s, ctx: ctx, fn: fn}
	return w.walk(f, "", 0)
}

// walk lists the open folder f, whose ID is rel ("" for the root), depth
// levels below the root. Only the names of f and of its ancestors are held.
func (w *walker) walk(f *os.File, rel string, depth int) error {
	var names []string
	var dirs []bool
	var err error
	if w.s.readNames != nil {
		names, err = w.s.readNames(f)
		slices.Sort(names)
	} else {
		names, dirs, err = w.s.readTyped(f)
		sortTyped(names, dirs)
	}
	if err != nil {
		return listErr(depth, err)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return listErr(depth, err)
	}
	// Control keeps the descriptor open while the entries are looked at.
	cerr := rc.Control(func(fd uintptr) {
		err = w.entries(int(fd), f.Name(), names, dirs, rel, depth)
	})
	if cerr != nil {
		return listErr(depth, cerr)
	}
	return err
}

// entries looks at each name of the folder dirfd, whose file name is path
// and whose sorted listing is names; dirs, if not nil, says which of them
// the listing says are folders.
func (w *walker) entries(dirfd int, path string, names []string, dirs []bool, rel string, depth int) error {
	var st unix.Stat_t
	for i, name := range names {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if name == "" || name == "." || name == ".." || strings.IndexByte(name, '/') >= 0 {
			return listErr(depth, errBadName)
		}
		if dirs != nil && dirs[i] {
			// The listing says a folder: enter it at once, without the
			// fstatat that would say so again.
			err := w.typedDir(dirfd, path, name, join(rel, escapeName(name)), depth+1)
			if err != errReplaced {
				if err != nil {
					return err
				}
				continue
			}
			// No longer a folder: look at what it is now, as below.
		}
		err := fstatat(dirfd, name, &st)
		if err == unix.ENOENT {
			continue // removed since the folder was read
		}
		if err != nil {
			return listErr(depth, err)
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			err = w.dir(dirfd, path, name, &st, join(rel, escapeName(name)), depth+1)
		case unix.S_IFREG:
			err = w.file(dirfd, name, &st, names, rel)
		}
		// Symbolic links and special files are not records.
		if err != nil {
			return err
		}
	}
	return nil
}

// dir walks the folder name of the folder parentfd, which fstatat described
// as st.
func (w *walker) dir(parentfd int, parentPath, name string, st *unix.Stat_t, id string, depth int) error {
	f, err := openDirAt(parentfd, name, st, parentPath+"/"+name)
	if err == unix.ENOENT {
		return nil // removed since its parent was read
	}
	if err != nil {
		return listErr(depth, err)
	}
	defer f.Close()
	return w.walk(f, id, depth)
}

// file passes on the record for the regular file name of the folder dirfd,
// which fstatat described as st, if it is one.
func (w *walker) file(dirfd int, name string, st *unix.Stat_t, names []string, rel string) error {
	real, kind, ok := w.s.recordName(name, names)
	if !ok {
		return nil
	}
	mtime := time.Unix(st.Mtim.Unix())
	if kind == scanners.KindPlaceholder {
		return w.fn(placeholderRecord(join(rel, escapeName(real)), openFileAt(dirfd, name, st), mtime, unixStamp(st)))
	}
	return w.fn(fileRecord(join(rel, escapeName(name)), st.Size, mtime, unixStamp(st)))
}

// typedDir walks the folder name of the folder parentfd, which the
// listing said is a folder. It is opened as dir does, O_NOFOLLOW and
// O_DIRECTORY, so that what is walked is a folder in parentfd and no link;
// there is no earlier fstatat to compare it with. If name is no longer a
// folder (a link or a file took its place since the listing), it returns
// errReplaced and walks nothing.
func (w *walker) typedDir(parentfd int, parentPath, name, id string, depth int) error {
	fd, err := openat(parentfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
	switch {
	case err == unix.ENOENT:
		return nil // removed since its parent was read
	case err == unix.ELOOP || err == unix.ENOTDIR:
		return errReplaced
	case err != nil:
		return listErr(depth, err)
	}
	f := os.NewFile(uintptr(fd), parentPath+"/"+name)
	defer f.Close()
	return w.walk(f, id, depth)
}

// sortTyped sorts names, and dirs with them.
func sortTyped(names []string, dirs []bool) {
	if slices.IsSorted(names) {
		return
	}
	idx := make([]int, len(names))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(names[a], names[b]) })
	n, d := slices.Clone(names), slices.Clone(dirs)
	for i, j := range idx {
		names[i], dirs[i] = n[j], d[j]
	}
}

// openDirAt opens the folder name of the folder parentfd, which fstatat
// described as st, as a file named path, and checks that it is that folder.
func openDirAt(parentfd int, name string, st *unix.Stat_t, path string) (*os.File, error) {
	fd, err := openat(parentfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
	if err == unix.ELOOP || err == unix.ENOTDIR {
		return nil, errReplaced // by a link, or by something else than a folder
	}
	if err != nil {
		return nil, err
	}
	if err := checkSame(fd, st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), path), nil
}

// openFileAt opens the regular file name of the folder dirfd, which
// fstatat described as st, or returns nil if it cannot or finds another
// file there.
func openFileAt(dirfd int, name string, st *unix.Stat_t) *os.File {
	fd, err := openat(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|openFlags)
	if err != nil {
		return nil
	}
	if checkSame(fd, st) != nil {
		unix.Close(fd)
		return nil
	}
	return os.NewFile(uintptr(fd), name)
}

// checkSame checks that the open file fd is the file st describes, and
// still of the same type.
func checkSame(fd int, st *unix.Stat_t) error {
	var got unix.Stat_t
	for {
		err := unix.Fstat(fd, &got)
		if err == nil {
			break
		}
		if err != unix.EINTR {
			return err
		}
	}
	if got.Dev != st.Dev || got.Ino != st.Ino || got.Mode&unix.S_IFMT != st.Mode&unix.S_IFMT {
		return errReplaced
	}
	return nil
}

// fstatat describes name in the folder dirfd, not following a link.
func fstatat(dirfd int, name string, st *unix.Stat_t) error {
	for {
		err := unix.Fstatat(dirfd, name, st, unix.AT_SYMLINK_NOFOLLOW)
		if err != unix.EINTR {
			return err
		}
	}
}

func openat(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// unixStamp is the inode and change time fstatat gave.
func unixStamp(st *unix.Stat_t) stamp {
	return stamp{ok: true, ino: uint64(st.Ino), ctime: st.Ctim.Nano()}
}

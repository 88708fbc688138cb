package localfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/retentiond/retentiond/scanners"
)

// target is a record found on disk: the folder holding it, the name of the
// file that represents it there (the placeholder's name for a placeholder),
// and what Lstat said of that file.
type target struct {
	dir     *os.Root
	release func()
	name    string
	fi      fs.FileInfo
	rec     scanners.Record
}

// Stat returns the record id as it is now.
func (s *Store) Stat(ctx context.Context, id string) (scanners.Record, error) {
	t, err := s.find(ctx, "stat", id)
	if err != nil {
		return scanners.Record{}, err
	}
	t.release()
	return t.rec, nil
}

// Open returns the content of id. For a file iCloud Drive has not
// downloaded it returns an error wrapping ErrNotDownloaded. The reader is
// an io.ReaderAt with a Size method.
func (s *Store) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	t, err := s.find(ctx, "open", id)
	if err != nil {
		return nil, err
	}
	defer t.release()
	if t.rec.Kind == scanners.KindPlaceholder {
		return nil, fmt.Errorf("localfs: open: %w", ErrNotDownloaded)
	}
	f, err := openFile(t.dir, t.name, t.fi)
	if err != nil {
		return nil, opErr("open", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, opErr("open", err)
	}
	return &file{f: f, size: st.Size()}, nil
}

// Delete removes id. For an iCloud Drive file it removes the placeholder
// too (or only it, if the file is not downloaded), which removes the file
// from iCloud. It refuses symbolic links with scanners.ErrOutsideRoot.
func (s *Store) Delete(ctx context.Context, id string) error {
	t, err := s.find(ctx, "delete", id)
	if err != nil {
		return err
	}
	defer t.release()
	if err := t.dir.Remove(t.name); err != nil {
		return opErr("delete", err)
	}
	if s.icloud && t.rec.Kind == scanners.KindFile {
		// A download in progress leaves both; the placeholder alone
		// would make the file reappear as a record.
		err := t.dir.Remove(placeholderName(t.name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return opErr("delete the iCloud placeholder", err)
		}
	}
	return nil
}

// find resolves id to the file on disk that stands for it. On success the
// caller must call t.release.
func (s *Store) find(ctx context.Context, op, id string) (target, error) {
	if err := ctx.Err(); err != nil {
		return target{}, err
	}
	elems, err := splitID(id)
	if err != nil {
		return target{}, fmt.Errorf("localfs: %s: %w", op, err)
	}
	dir, release, err := s.parent(elems[:len(elems)-1])
	if err != nil {
		return target{}, opErr(op, err)
	}
	t := target{dir: dir, release: release, name: elems[len(elems)-1]}
	if err := s.lookup(&t, id); err != nil {
		release()
		return target{}, opErr(op, err)
	}
	return t, nil
}

// lookup fills in t.fi and t.rec for the record t.name in t.dir.
func (s *Store) lookup(t *target, id string) error {
	fi, err := t.dir.Lstat(t.name)
	switch {
	case err == nil:
		t.fi = fi
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("it is a symbolic link, which the store does not follow: %w", scanners.ErrOutsideRoot)
		case fi.IsDir():
			return fmt.Errorf("it is a folder, not a file: %w", scanners.ErrNotFound)
		case !fi.Mode().IsRegular():
			return fmt.Errorf("it is not a regular file: %w", scanners.ErrNotFound)
		}
		if _, kind, ok := s.recordName(t.name, nil); !ok || kind != scanners.KindFile {
			// Clutter, or a placeholder's own name: not a record's ID.
			return fmt.Errorf("it is not a record: %w", scanners.ErrNotFound)
		}
		t.rec = fileRecord(id, fi.Size(), fi.ModTime(), fileStamp(fi))
		return nil
	case !errors.Is(err, fs.ErrNotExist) || !s.icloud || isClutter(t.name):
		return err
	}
	pname := placeholderName(t.name)
	fi, err = t.dir.Lstat(pname)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("its iCloud placeholder is not a regular file: %w", scanners.ErrNotFound)
	}
	t.name, t.fi = pname, fi
	f, _ := openFile(t.dir, pname, fi) // unreadable: listed with size 0
	t.rec = placeholderRecord(id, f, fi.ModTime(), fileStamp(fi))
	return nil
}

// parent enters the folders elems one at a time from the root, refusing
// symbolic links, and returns the last with a func that closes it.
func (s *Store) parent(elems []string) (*os.Root, func(), error) {
	cur, release := s.root, func() {}
	for _, e := range elems {
		fi, err := cur.Lstat(e)
		if err == nil {
			switch {
			case fi.Mode()&fs.ModeSymlink != 0:
				err = fmt.Errorf("a folder in its path is a symbolic link, which the store does not follow: %w", scanners.ErrOutsideRoot)
			case !fi.IsDir():
				err = fmt.Errorf("a folder in its path is a file: %w", scanners.ErrNotFound)
			}
		}
		var next *os.Root
		if err == nil {
			next, err = openDir(cur, e, fi)
		}
		release()
		if err != nil {
			return nil, nil, err
		}
		cur, release = next, func() { next.Close() }
	}
	return cur, release, nil
}

// splitID checks id and splits it into the file names of its path
// (unescaped: see escapeName), refusing on every platform what this
// platform would read as something else than one plain name (a backslash
// or a drive letter on Windows), and an element that is not exactly how a
// listing writes a name.
func splitID(id string) ([]string, error) {
	if _, err := scanners.CleanID(id); err != nil {
		return nil, err
	}
	elems := strings.Split(id, "/")
	for i, e := range elems {
		name, ok := unescapeName(e)
		if !ok {
			return nil, fmt.Errorf("invalid record id: an element is not a file name as the store lists it (a stray %%, an escape it never writes, or a lossy copy): %w", scanners.ErrOutsideRoot)
		}
		if name == "" || name == "." || name == ".." || filepath.Base(name) != name || !filepath.IsLocal(name) {
			return nil, fmt.Errorf("invalid record id: an element is not a plain file name on this system: %w", scanners.ErrOutsideRoot)
		}
		elems[i] = name
	}
	return elems, nil
}

// Absent reports whether the record id is verifiably not there: Lstat of
// its exact name (and, in iCloud mode, of its placeholder's) says it does
// not exist, or a folder in its path does not. Something else under its
// name (a folder, a link, a special file) is not absence, nor is an ID
// this store never lists: only then may a caller say that the record is
// gone rather than that it could not be found.
func (s *Store) Absent(ctx context.Context, id string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	elems, err := splitID(id)
	if err != nil {
		return false, fmt.Errorf("localfs: %w", err)
	}
	dir, release, err := s.parent(elems[:len(elems)-1])
	if err != nil {
		err = bare(err)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, scanners.ErrNotFound) {
			return true, nil // a folder of its path is not there, or is a file
		}
		return false, opErr("stat", err)
	}
	defer release()
	name := elems[len(elems)-1]
	names := []string{name}
	if s.icloud {
		names = append(names, placeholderName(name))
	}
	for _, n := range names {
		_, err := dir.Lstat(n)
		if err == nil {
			return false, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return false, opErr("stat", err)
		}
	}
	return true, nil
}

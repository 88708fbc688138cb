//go:build !unix

package localfs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"slices"

	"github.com/retentiond/retentiond/scanners"
)

// scan walks the tree through os.Root, where there is no fstatat.
func (s *Store) scan(ctx context.Context, fn func(scanners.Record) error) error {
	return s.walk(ctx, s.root, "", 0, fn)
}

// walk lists the folder dir, whose ID is rel ("" for the root), depth levels
// below the root. Only the names of dir and of its ancestors are held.
func (s *Store) walk(ctx context.Context, dir *os.Root, rel string, depth int, fn func(scanners.Record) error) error {
	names, err := s.list(dir)
	if err != nil {
		return listErr(depth, err)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		fi, err := dir.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since the folder was read
		}
		if err != nil {
			return listErr(depth, err)
		}
		switch {
		case fi.IsDir():
			child, err := openDir(dir, name, fi)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return listErr(depth+1, err)
			}
			err = s.walk(ctx, child, join(rel, escapeName(name)), depth+1, fn)
			child.Close()
			if err != nil {
				return err
			}
		case fi.Mode().IsRegular():
			real, kind, ok := s.recordName(name, names)
			if !ok {
				continue
			}
			var r scanners.Record
			if kind == scanners.KindPlaceholder {
				f, _ := openFile(dir, name, fi) // unreadable: listed with size 0
				r = placeholderRecord(join(rel, escapeName(real)), f, fi.ModTime(), fileStamp(fi))
			} else {
				r = fileRecord(join(rel, escapeName(name)), fi.Size(), fi.ModTime(), fileStamp(fi))
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		// Symbolic links and special files are not records.
	}
	return nil
}

func (s *Store) list(dir *os.Root) ([]string, error) {
	f, err := dir.Open(".")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return s.listNames(f)
}

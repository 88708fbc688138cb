package localfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/retentiond/retentiond/scanners"
)

// ErrNotDownloaded is returned, wrapped, by Open for a file that iCloud
// Drive holds only in the cloud: download it in Finder (or with "brctl
// download") to read it. Stat and Delete work on such files.
var ErrNotDownloaded = errors.New("the file is in iCloud Drive but not downloaded to this computer")

// errReplaced says a folder or file changed into something else (typically
// a symbolic link) between being checked and being opened.
var errReplaced = errors.New("it was replaced while being opened (by a symbolic link?)")

// bare strips the path from an os error: paths below the root hold names.
func bare(err error) error {
	for {
		switch e := err.(type) {
		case *fs.PathError:
			err = e.Err
		case *os.LinkError:
			err = e.Err
		default:
			return err
		}
	}
}

// opErr wraps an error from an operation on a record, mapping "no such
// file" and "not a directory" to scanners.ErrNotFound.
func opErr(op string, err error) error {
	err = bare(err)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("localfs: %s: %w", op, scanners.ErrNotFound)
	}
	if errors.Is(err, errReplaced) {
		return fmt.Errorf("localfs: %s: %w: %w", op, err, scanners.ErrOutsideRoot)
	}
	return fmt.Errorf("localfs: %s: %w", op, err)
}

// listErr wraps an error met while listing a folder depth levels below the
// root. It says how deep, not which folder: the folder's name may be a
// child's.
func listErr(depth int, err error) error {
	var where string
	switch depth {
	case 0:
		where = "the root folder"
	case 1:
		where = "a folder 1 level below the root"
	default:
		where = fmt.Sprintf("a folder %d levels below the root", depth)
	}
	return fmt.Errorf("localfs: reading %s: %w; the listing is incomplete, so nothing in this store will be acted on", where, bare(err))
}

// file is an open record. It strips paths from read errors, and its Size
// lets archive read a zip in place.
type file struct {
	f    *os.File
	size int64
}

func (f *file) Read(p []byte) (int, error) {
	n, err := f.f.Read(p)
	return n, readErr(err)
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.f.ReadAt(p, off)
	return n, readErr(err)
}

// Size returns the file's size when it was opened.
func (f *file) Size() int64 { return f.size }

func (f *file) Close() error {
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("localfs: closing: %w", bare(err))
	}
	return nil
}

func readErr(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return fmt.Errorf("localfs: reading: %w", bare(err))
}

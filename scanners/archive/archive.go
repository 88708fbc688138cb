// Package archive lists the entries of zip archives held in another store.
//
// Wrap returns a store that passes every record of the store it wraps
// through, and for each readable zip lists the zip as a
// scanners.KindArchive record followed by one scanners.KindArchiveEntry
// record per file in it, with ID "zipID!/entry/path". An entry that
// cannot be named safely is not listed but counted in the zip's
// Record.Unlisted. Entries are read-only through Delete: only the whole zip
// can be deleted, or rewritten without some entries (Rewrite).
//
// A zip that cannot be read (corrupt, truncated, not a zip, too large to
// spool, or failing to open) is listed as the scanners.KindFile record the
// wrapped store gave, with no entries: it is then classified by its own
// path like any other file, and never taken for an empty archive.
package archive

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/retentiond/retentiond/scanners"
)

// DefaultMaxSpool is the default for Options.MaxSpool.
const DefaultMaxSpool = 256 << 20

// Options configure a Store.
type Options struct {
	// MaxSpool bounds the bytes copied to a temporary file to read a zip
	// whose store gives a reader that cannot seek (OneDrive, S3). A larger
	// zip is listed as a plain file. 0 means DefaultMaxSpool; a negative
	// value means never spool.
	MaxSpool int64
	// TempDir is where zips are spooled; "" means os.TempDir(). Spooled
	// files are mode 0600 and removed as soon as the zip is read.
	TempDir string
}

// Store lists zip archives' entries on top of another store.
type Store struct {
	inner scanners.Store
	opts  Options
}

var _ scanners.Store = (*Store)(nil)

// Wrap returns a store that lists the entries of the zips in s.
func Wrap(s scanners.Store, opts Options) *Store {
	if opts.MaxSpool == 0 {
		opts.MaxSpool = DefaultMaxSpool
	}
	return &Store{inner: s, opts: opts}
}

// Unwrap returns the wrapped store.
func (s *Store) Unwrap() scanners.Store { return s.inner }

// Split splits an archive entry's ID into the zip's ID and the entry's
// path, at the first ArchiveSep that follows a name ending in ".zip" (in
// any case). ok is false for an ID that names no entry.
func Split(id string) (zipID, entry string, ok bool) {
	for i := 0; ; {
		j := strings.Index(id[i:], scanners.ArchiveSep)
		if j < 0 {
			return "", "", false
		}
		i += j
		if hasZipExt(id[:i]) && i+len(scanners.ArchiveSep) < len(id) {
			return id[:i], id[i+len(scanners.ArchiveSep):], true
		}
		i += len(scanners.ArchiveSep)
	}
}

func hasZipExt(name string) bool {
	const ext = ".zip"
	return len(name) > len(ext) && strings.EqualFold(name[len(name)-len(ext):], ext)
}

// isZip reports whether r is a zip this package opens: a downloaded file
// whose name ends in ".zip". Placeholders are not opened.
func isZip(r scanners.Record) bool {
	return r.Kind == scanners.KindFile && hasZipExt(r.ID)
}

// Scan lists the wrapped store's records, and after each readable zip its
// entries. A zip's entries are held in memory only while it is listed.
func (s *Store) Scan(ctx context.Context, fn func(scanners.Record) error) error {
	return s.inner.Scan(ctx, func(r scanners.Record) error {
		if !isZip(r) {
			return fn(r)
		}
		return s.scanZip(ctx, r, fn)
	})
}

func (s *Store) scanZip(ctx context.Context, r scanners.Record, fn func(scanners.Record) error) error {
	z, err := s.openZip(ctx, r.ID)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, scanners.ErrNotFound):
		return nil // removed since it was listed
	case err != nil:
		return fn(r) // unreadable: a plain file
	}
	defer z.Close()
	l := list(z.r)
	r.Kind = scanners.KindArchive
	r.Unlisted = l.unlisted
	if err := fn(r); err != nil {
		return err
	}
	for _, e := range l.entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(entryRecord(r, e)); err != nil {
			return err
		}
	}
	return nil
}

// Stat returns the record id; for an entry it reads the zip again.
func (s *Store) Stat(ctx context.Context, id string) (scanners.Record, error) {
	if err := check(ctx, id); err != nil {
		return scanners.Record{}, err
	}
	zr, name, isEntry, err := s.entryOf(ctx, id)
	if err != nil {
		return scanners.Record{}, err
	}
	if isEntry {
		z, e, err := s.findEntry(ctx, zr, name)
		if err != nil {
			return scanners.Record{}, err
		}
		z.Close()
		zr.Kind = scanners.KindArchive
		return entryRecord(zr, e), nil
	}
	r, err := s.inner.Stat(ctx, id)
	if err != nil || !isZip(r) {
		return r, err
	}
	z, err := s.openZip(ctx, id)
	switch {
	case ctx.Err() != nil:
		return scanners.Record{}, ctx.Err()
	case errors.Is(err, scanners.ErrNotFound):
		return scanners.Record{}, err
	case err == nil:
		r.Kind = scanners.KindArchive
		r.Unlisted = list(z.r).unlisted
		z.Close()
	}
	return r, nil
}

// Delete deletes id in the wrapped store. It refuses an archive entry with
// scanners.ErrReadOnly; deleting the zip deletes all its entries.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := check(ctx, id); err != nil {
		return err
	}
	_, _, isEntry, err := s.entryOf(ctx, id)
	if err != nil {
		return err
	}
	if isEntry {
		return fmt.Errorf("archive: delete: an entry of a zip archive cannot be deleted on its own, only the whole archive: %w", scanners.ErrReadOnly)
	}
	return s.inner.Delete(ctx, id)
}

// entryOf reports whether id names an entry of a zip in the wrapped store,
// and if so returns the zip's record and the entry's path. An ID such as
// "x.zip!/a" where no file x.zip exists is an ordinary path (a folder
// named "x.zip!").
func (s *Store) entryOf(ctx context.Context, id string) (zr scanners.Record, entry string, ok bool, err error) {
	zipID, entry, ok := Split(id)
	if !ok {
		return scanners.Record{}, "", false, nil
	}
	zr, err = s.inner.Stat(ctx, zipID)
	switch {
	case errors.Is(err, scanners.ErrNotFound):
		return scanners.Record{}, "", false, nil
	case err != nil:
		return scanners.Record{}, "", false, err
	case !isZip(zr):
		return scanners.Record{}, "", false, nil
	}
	return zr, entry, true, nil
}

func check(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := scanners.CleanID(id); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// ScanOne lists the one record id as Scan would: a readable zip as
// KindArchive followed by its entries, anything else as itself. Apply uses
// it to decide a record again, just before acting, exactly as the plan did.
func (s *Store) ScanOne(ctx context.Context, id string, fn func(scanners.Record) error) error {
	if err := check(ctx, id); err != nil {
		return err
	}
	if _, _, isEntry, err := s.entryOf(ctx, id); err != nil {
		return err
	} else if isEntry {
		r, err := s.Stat(ctx, id)
		if err != nil {
			return err
		}
		return fn(r)
	}
	r, err := s.inner.Stat(ctx, id)
	if err != nil {
		return err
	}
	if !isZip(r) {
		return fn(r)
	}
	return s.scanZip(ctx, r, fn)
}

package archive

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/localfs"
)

// fileRewriter is a store that replaces a file safely (localfs.Store).
type fileRewriter interface {
	Rewrite(ctx context.Context, id, version string, write func(src io.ReaderAt, size int64, dst *os.File) error) (string, error)
}

// CanRewrite reports whether Rewrite can take entries out of the zip id:
// whether the wrapped store replaces files safely.
func (s *Store) CanRewrite(string) bool {
	_, ok := s.inner.(fileRewriter)
	return ok
}

// ErrUnlisted is returned, wrapped, by Rewrite for a zip holding entries
// that cannot be named: what they hold is unknown, so the zip is left for
// a person.
var ErrUnlisted = errors.New("the zip archive holds entries that cannot be named")

// Rewrite writes the zip zipID, which must be at version (its record's
// Version), again without the entries whose path drop returns true for,
// and returns the zip's new version and how many entries were taken out.
// Every other entry (folders included) is copied as it is, compressed
// bytes and all, with the archive's comment. The new zip is read back and
// checked to hold exactly the entries kept before it replaces the old one,
// through the wrapped store's safe rewrite (a temporary file in the same
// folder, fsync, rename, fsync of the folder; see localfs.Store.Rewrite).
// If no entry is dropped the zip is left alone.
//
// It fails with an error wrapping scanners.ErrChanged if the zip is not at
// version, ErrUnlisted if it holds entries that cannot be named, and
// scanners.ErrReadOnly if the wrapped store cannot rewrite files.
func (s *Store) Rewrite(ctx context.Context, zipID, version string, drop func(path string) bool) (newVersion string, dropped int, err error) {
	if err := check(ctx, zipID); err != nil {
		return "", 0, err
	}
	fr, ok := s.inner.(fileRewriter)
	if !ok {
		return "", 0, fmt.Errorf("archive: rewrite: the store cannot rewrite files: %w", scanners.ErrReadOnly)
	}
	r, err := s.inner.Stat(ctx, zipID)
	if err != nil {
		return "", 0, err
	}
	if !isZip(r) {
		return "", 0, fmt.Errorf("archive: rewrite: not a zip archive: %w", scanners.ErrNotFound)
	}
	newVersion, err = fr.Rewrite(ctx, zipID, version, func(src io.ReaderAt, size int64, dst *os.File) error {
		zr, err := newZipReader(src, size)
		if err != nil {
			return err
		}
		l := list(zr)
		if l.unlisted > 0 {
			return fmt.Errorf("archive: rewrite: %w (%d)", ErrUnlisted, l.unlisted)
		}
		gone := map[*zip.File]bool{}
		var kept []string
		for _, e := range l.entries {
			if drop(e.path) {
				gone[e.f] = true
			} else {
				kept = append(kept, e.path)
			}
		}
		dropped = len(gone)
		if dropped == 0 {
			return localfs.ErrNoChange
		}
		if err := copyZip(ctx, zr, dst, gone); err != nil {
			return err
		}
		return checkCopy(dst, kept)
	})
	if err != nil {
		return "", 0, err
	}
	return newVersion, dropped, nil
}

// copyZip writes the entries of zr but those in gone to dst, raw.
func copyZip(ctx context.Context, zr *zip.Reader, dst io.Writer, gone map[*zip.File]bool) error {
	zw := zip.NewWriter(dst)
	if err := zw.SetComment(zr.Comment); err != nil {
		return fmt.Errorf("archive: rewrite: %w", err)
	}
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if gone[f] {
			continue
		}
		fh := f.FileHeader
		w, err := zw.CreateRaw(&fh)
		if err != nil {
			return fmt.Errorf("archive: rewrite: copying an entry: %w", err)
		}
		rc, err := f.OpenRaw()
		if err != nil {
			return fmt.Errorf("archive: rewrite: reading an entry: %w", err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			return fmt.Errorf("archive: rewrite: copying an entry: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("archive: rewrite: writing the new zip: %w", err)
	}
	return nil
}

// checkCopy reads the new zip back and checks that it lists exactly the
// entries kept, and that each decompresses to its checksum.
func checkCopy(f *os.File, kept []string) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("archive: rewrite: reading the new zip back: %w", err)
	}
	zr, err := newZipReader(f, fi.Size())
	if err != nil {
		return fmt.Errorf("archive: rewrite: the new zip cannot be read back: %w", err)
	}
	l := list(zr)
	var got []string
	for _, e := range l.entries {
		got = append(got, e.path)
		rc, err := e.f.Open()
		if err == nil {
			_, err = io.Copy(io.Discard, rc) // checks the CRC-32 at the end
			rc.Close()
		}
		if err != nil {
			return fmt.Errorf("archive: rewrite: an entry of the new zip does not read back: %w", err)
		}
	}
	if l.unlisted != 0 || !slices.Equal(got, kept) {
		return errors.New("archive: rewrite: the new zip does not hold the entries kept")
	}
	return nil
}

// absenceChecker is a store that can verify that a record is not there
// (localfs.Store.Absent).
type absenceChecker interface {
	Absent(ctx context.Context, id string) (bool, error)
}

// Absent reports whether the record id is verifiably not there. An entry
// is absent when its zip is (as the wrapped store says), or when the zip,
// read now, does not list it; a zip that cannot be read proves nothing.
// For other records it asks the wrapped store; one that cannot say is
// taken at its word that the record is not found.
func (s *Store) Absent(ctx context.Context, id string) (bool, error) {
	if err := check(ctx, id); err != nil {
		return false, err
	}
	zipID, path, ok := Split(id)
	if !ok {
		return s.innerAbsent(ctx, id)
	}
	zr, err := s.inner.Stat(ctx, zipID)
	switch {
	case errors.Is(err, scanners.ErrNotFound):
		return s.innerAbsent(ctx, zipID)
	case err != nil:
		return false, err
	case !isZip(zr):
		return s.innerAbsent(ctx, id) // a folder named like a zip
	}
	z, err := s.openZip(ctx, zipID)
	if err != nil {
		if errors.Is(err, scanners.ErrNotFound) {
			return s.innerAbsent(ctx, zipID)
		}
		return false, fmt.Errorf("archive: %w", err)
	}
	defer z.Close()
	for _, e := range list(z.r).entries {
		if e.path == path {
			return false, nil
		}
	}
	return true, nil
}

func (s *Store) innerAbsent(ctx context.Context, id string) (bool, error) {
	if ac, ok := s.inner.(absenceChecker); ok {
		return ac.Absent(ctx, id)
	}
	return true, nil
}

package archive

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/retentiond/retentiond/scanners"
)

// errUnreadable marks a zip that cannot be listed: it is then a plain file.
var errUnreadable = errors.New("the zip archive cannot be read")

// zipFile is an open zip and what to release when done with it.
type zipFile struct {
	r       *zip.Reader
	release func() error
}

func (z *zipFile) Close() error { return z.release() }

// openZip opens the zip id in the wrapped store. It reads in place when the
// store's reader can seek, and otherwise spools it to a temporary file of
// at most MaxSpool bytes. Errors from the wrapped store's Open are returned
// as they are; a zip that cannot be read wraps errUnreadable.
func (s *Store) openZip(ctx context.Context, id string) (*zipFile, error) {
	rc, err := s.inner.Open(ctx, id)
	if err != nil {
		return nil, err
	}
	if ra, size, ok := readerAt(rc); ok {
		zr, err := newZipReader(ra, size)
		if err != nil {
			rc.Close()
			return nil, err
		}
		return &zipFile{r: zr, release: rc.Close}, nil
	}
	defer rc.Close()
	if s.opts.MaxSpool < 0 {
		return nil, fmt.Errorf("%w: its store cannot seek and spooling is off", errUnreadable)
	}
	f, err := os.CreateTemp(s.opts.TempDir, "retentiond-zip-*")
	if err != nil {
		return nil, fmt.Errorf("archive: spooling a zip: %w", err)
	}
	release := func() error {
		cerr := f.Close()
		if err := os.Remove(f.Name()); err != nil {
			return err
		}
		return cerr
	}
	n, err := io.Copy(f, io.LimitReader(rc, s.opts.MaxSpool+1))
	if err == nil && n > s.opts.MaxSpool {
		err = fmt.Errorf("%w: larger than the spool limit of %d bytes", errUnreadable, s.opts.MaxSpool)
	}
	if err == nil {
		var zr *zip.Reader
		if zr, err = newZipReader(f, n); err == nil {
			return &zipFile{r: zr, release: release}, nil
		}
	}
	release()
	return nil, err
}

// readerAt returns rc as an io.ReaderAt with its size, if it is one: a
// local file, or an in-memory reader.
func readerAt(rc io.ReadCloser) (io.ReaderAt, int64, bool) {
	ra, ok := rc.(io.ReaderAt)
	if !ok {
		return nil, 0, false
	}
	switch r := rc.(type) {
	case interface{ Size() int64 }:
		return ra, r.Size(), true
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return ra, fi.Size(), true
		}
	}
	return nil, 0, false
}

func newZipReader(ra io.ReaderAt, size int64) (*zip.Reader, error) {
	zr, err := zip.NewReader(ra, size)
	if errors.Is(err, zip.ErrInsecurePath) && zr != nil {
		err = nil // names are sanitised below, whatever GODEBUG says
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errUnreadable, err)
	}
	return zr, nil
}

// entry is a file in a zip with its sanitised path.
type entry struct {
	f    *zip.File
	path string
}

// listing is what a zip holds: its files under their sanitised paths, in
// the zip's order, and how many entries cannot be named safely.
type listing struct {
	entries  []entry
	unlisted int
}

// list sorts the entries of zr. A file is listed under its sanitised path;
// a folder entry without data is skipped. An entry that cannot be named
// safely is counted, not listed: a name with a NUL byte, a ".." element,
// an absolute path or a drive letter, a folder entry holding data, a name
// with nothing left once cleaned, or a path an earlier entry already has
// (the first of a name is the one Stat and Open find). Such an entry's
// content is unknown to every rule, so the zip holding it must never be
// deleted on account of its other entries.
func list(zr *zip.Reader) listing {
	var l listing
	seen := make(map[string]struct{}, len(zr.File))
	for _, f := range zr.File {
		p, kind := nameOf(f)
		switch kind {
		case nameFolder:
			continue
		case nameBad:
			l.unlisted++
			continue
		}
		if _, dup := seen[p]; dup {
			l.unlisted++
			continue
		}
		seen[p] = struct{}{}
		l.entries = append(l.entries, entry{f: f, path: p})
	}
	return l
}

// eachEntry calls fn for each file in zr that list lists.
func eachEntry(zr *zip.Reader, fn func(entry) error) error {
	for _, e := range list(zr).entries {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// What an entry's name makes of it.
const (
	nameFile   = iota // a file, under its sanitised path
	nameFolder        // a folder entry without data: no record
	nameBad           // cannot be named safely
)

// nameOf sorts one entry by its name: see list.
func nameOf(f *zip.File) (string, int) {
	name := f.Name
	if !utf8.ValidString(name) {
		if dec, err := charmap.CodePage437.NewDecoder().String(name); err == nil {
			name = dec
		}
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", nameBad
	}
	name = strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(name, "/") || hasDrive(name) {
		return "", nameBad
	}
	if strings.HasSuffix(name, "/") || f.FileInfo().IsDir() {
		if f.UncompressedSize64 != 0 || f.CompressedSize64 > 2 { // an empty deflate stream takes 2 bytes
			return "", nameBad
		}
		return "", nameFolder
	}
	p, ok := sanitize(name)
	if !ok || p == "" {
		return "", nameBad
	}
	return p, nameFile
}

// hasDrive reports whether name starts with a Windows drive letter ("C:").
func hasDrive(name string) bool {
	return len(name) >= 2 && name[1] == ':' && ('a' <= name[0]|0x20 && name[0]|0x20 <= 'z')
}

// sanitize turns a slash-separated entry name into a clean relative path:
// empty and "." elements are dropped. ok is false for a name with a ".."
// element, which is refused rather than cleaned away.
func sanitize(name string) (string, bool) {
	var b strings.Builder
	for elem := range strings.SplitSeq(name, "/") {
		switch elem {
		case "", ".":
			continue
		case "..":
			return "", false
		}
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(elem)
	}
	return b.String(), true
}

// entryRecord is the record of entry e of the zip whose record is zr.
func entryRecord(zr scanners.Record, e entry) scanners.Record {
	mod := e.f.Modified
	if mod.IsZero() {
		mod = zr.ModTime
	}
	crc := strconv.FormatUint(uint64(e.f.CRC32), 16)
	return scanners.Record{
		ID:      zr.ID + scanners.ArchiveSep + e.path,
		Kind:    scanners.KindArchiveEntry,
		Size:    int64(e.f.UncompressedSize64),
		ModTime: mod,
		Version: zr.Version + ":" + strings.Repeat("0", 8-len(crc)) + crc,
		Archive: zr.ID,
	}
}

// findEntry opens the zip zr and finds the entry at path. The caller closes
// the zip.
func (s *Store) findEntry(ctx context.Context, zr scanners.Record, path string) (*zipFile, entry, error) {
	z, err := s.openZip(ctx, zr.ID)
	if err != nil {
		// A zip that cannot be read now may well still hold the entry:
		// that is no proof that it is gone.
		return nil, entry{}, fmt.Errorf("archive: %w", err)
	}
	var found entry
	stop := errors.New("found")
	err = eachEntry(z.r, func(e entry) error {
		if e.path != path {
			return nil
		}
		found = e
		return stop
	})
	if err != stop {
		z.Close()
		return nil, entry{}, fmt.Errorf("archive: no such entry in the zip archive: %w", scanners.ErrNotFound)
	}
	return z, found, nil
}

// Open returns the content of id: for an entry, the entry decompressed.
func (s *Store) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	if err := check(ctx, id); err != nil {
		return nil, err
	}
	zr, path, isEntry, err := s.entryOf(ctx, id)
	if err != nil {
		return nil, err
	}
	if !isEntry {
		return s.inner.Open(ctx, id)
	}
	z, e, err := s.findEntry(ctx, zr, path)
	if err != nil {
		return nil, err
	}
	rc, err := e.f.Open()
	if err != nil {
		z.Close()
		return nil, fmt.Errorf("archive: opening an entry: %w", err)
	}
	return &entryReader{ReadCloser: rc, zip: z}, nil
}

// entryReader closes the zip along with the entry.
type entryReader struct {
	io.ReadCloser
	zip *zipFile
}

func (r *entryReader) Close() error {
	err := r.ReadCloser.Close()
	if zerr := r.zip.Close(); err == nil {
		err = zerr
	}
	return err
}

package export

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// ErrChanged is returned, wrapped, by Rewrite when the file is not the
// version the caller expects: it changed since it was scanned, and the
// plan made from that scan no longer holds for it.
var ErrChanged = errors.New("the export file changed since it was scanned")

// Rewrite rewrites file (a path relative to the base folder, as Row.File
// gives it), dropping the data rows for which drop returns true and
// replacing the cells of mapped field columns that edit changes. edit and
// drop are called with a row's Index and Sheet, as Scan gave them; drop
// first, and edit, for a row not dropped, once per mapped column the row
// has (CSV fields present, JSON keys present, every XLSX column) in
// FieldKinds order, with the field kind. Either may be nil.
//
// edit and drop may be called concurrently from several goroutines, for
// different rows; they must be safe for that. (A CSV export of more than
// a few hundred rows is edited on runtime.GOMAXPROCS(0) goroutines.) The
// calls for one row come from one goroutine, in the order above; rows
// are written, and their errors returned, in file order. Once a row's
// edit has failed, edit and drop may still be called for some rows after
// it (a few batches of a few hundred), whose results are thrown away.
//
// Rewrite first checks that the file is at version; if not it returns an
// error wrapping ErrChanged and leaves the file alone. It writes the new
// content to a temporary file in the same folder, with the original's
// mode, fsyncs it, checks the original again, renames the new file over it
// and fsyncs the folder: a crash leaves the old file or the new one, never
// half of one (and at worst a stray temporary dotfile, which Scan skips).
// If nothing is dropped or changed the file is not touched.
//
// CSV is streamed, a few batches of records in memory at a time, however
// large the file; unchanged records, the BOM, the delimiter and the line
// endings are kept byte for byte, and a changed field keeps its quotes.
// JSON keeps every byte outside the values it changes and the rows it
// drops, so key order and other fields stay as they were. XLSX workbooks
// are streamed too, a row at a time (xlsxRewrite): other parts are copied
// as they are, so other sheets, styles and formats stay; removed rows
// shift the rows below up; every formula's cached result is cleared, and
// shared strings no cell uses any more are blanked, as either may hold a
// copy of a changed or dropped value (Excel recomputes formulas on
// opening). A workbook that expands past the store's limit
// (SetMaxUnzipped) is refused before anything is read.
// An edit error stops the rewrite and leaves the file alone; so does a
// panic in edit or drop, which Rewrite panics with again in the caller's
// goroutine.
func (s *Store) Rewrite(ctx context.Context, file, version string,
	edit func(row int, sheet string, field string, c Cell) (Cell, error),
	drop func(row int, sheet string) bool) (Counts, error) {
	return s.RewriteJournalled(ctx, file, version, edit, drop, nil)
}

// RewriteJournalled is Rewrite with a hook for the caller's journal:
// prepared is called with the version the file will have once the new
// content replaces it — after that content is written and synced, before
// the rename. If prepared returns an error the file is left alone. After
// a crash, the file's version then tells whether the rename happened: it
// is the old version (it did not) or the prepared one (it did).
func (s *Store) RewriteJournalled(ctx context.Context, file, version string,
	edit func(row int, sheet string, field string, c Cell) (Cell, error),
	drop func(row int, sheet string) bool, prepared func(newVersion string) error) (Counts, error) {
	if err := ctx.Err(); err != nil {
		return Counts{}, err
	}
	if err := s.checkFile(file); err != nil {
		return Counts{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ed := &editor{editFn: edit, dropFn: drop, prepared: prepared}
	err := s.rewrite(ctx, file, version, ed)
	var cb callbackErr
	if errors.As(err, &cb) {
		err = cb.err
	}
	if err != nil {
		return ed.counts, fmt.Errorf("export: rewriting %s: %w", file, err)
	}
	return ed.counts, nil
}

func (s *Store) rewrite(ctx context.Context, file, want string, ed *editor) (err error) {
	src, fi, err := s.openFile(file)
	if err != nil {
		return fmt.Errorf("opening it: %w", osErr(err))
	}
	defer src.Close()
	if version(fi) != want {
		return ErrChanged
	}
	tmp, dst, err := s.createTemp(file, fi)
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if !renamed {
			dst.Close()
			s.root.Remove(filepath.FromSlash(tmp))
		}
	}()
	w := bufio.NewWriterSize(newWriteback(dst), 256<<10)
	format, _ := formatOf(file)
	switch format {
	case formatCSV:
		err = csvRewrite(ctx, src, w, s.profile, ed)
	case formatXLSX:
		err = xlsxRewrite(ctx, src, w, s.profile, s.maxUnzipped, ed)
	case formatJSON:
		err = jsonRewrite(ctx, src, w, s.profile, ed)
	default:
		err = jsonlRewrite(ctx, src, w, s.profile, ed)
	}
	src.Close() // before the rename, which some systems refuse over an open file
	if err != nil {
		return err
	}
	if ed.counts.Dropped == 0 && ed.counts.Changed == 0 {
		return nil
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing the new file: %w", bare(err))
	}
	if err := dst.Sync(); err != nil {
		return fmt.Errorf("syncing the new file: %w", bare(err))
	}
	if err := dst.Close(); err != nil {
		return fmt.Errorf("closing the new file: %w", bare(err))
	}
	// Changed while we wrote? Then our copy is of an old version.
	now, err := s.lstatFile(file)
	if err != nil {
		return fmt.Errorf("checking it again before replacing it: %w", osErr(err))
	}
	if !os.SameFile(now, fi) || version(now) != want {
		return ErrChanged
	}
	if ed.prepared != nil {
		nfi, err := s.lstatFile(tmp)
		if err != nil {
			return fmt.Errorf("checking the new file: %w", osErr(err))
		}
		if err := ed.prepared(version(nfi)); err != nil {
			return callbackErr{err}
		}
	}
	if s.beforeRename != nil {
		if err := s.beforeRename(); err != nil {
			return err
		}
	}
	if err := s.root.Rename(filepath.FromSlash(tmp), filepath.FromSlash(file)); err != nil {
		return fmt.Errorf("replacing the file: %w", bare(err))
	}
	renamed = true
	if err := s.syncDir(path.Dir(file)); err != nil {
		return fmt.Errorf("the file is rewritten, but syncing its folder failed (a crash now could bring back the old file): %w", err)
	}
	return nil
}

// createTemp creates the temporary file beside file, with file's mode
// (and owner, where it can): a dotfile, which Scan skips.
func (s *Store) createTemp(file string, fi fs.FileInfo) (string, *os.File, error) {
	var rnd [6]byte
	rand.Read(rnd[:])
	dir, name := path.Split(file)
	tmp := dir + "." + name + "." + hex.EncodeToString(rnd[:]) + ".retentiond-tmp"
	f, err := s.root.OpenFile(filepath.FromSlash(tmp), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", nil, fmt.Errorf("creating a temporary file beside it: %w", bare(err))
	}
	keepOwner(f, fi)
	// After the owner: chown may clear set-id bits, which Chmod restores.
	if err := f.Chmod(fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)); err != nil {
		f.Close()
		s.root.Remove(filepath.FromSlash(tmp))
		return "", nil, fmt.Errorf("setting the temporary file's mode: %w", bare(err))
	}
	return tmp, f, nil
}

func (s *Store) syncDir(dir string) error {
	d, err := s.root.Open(nativeOrDot(dirOrEmpty(dir)))
	if err != nil {
		return bare(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return bare(err)
	}
	return nil
}

func dirOrEmpty(dir string) string {
	if dir == "." {
		return ""
	}
	return dir
}

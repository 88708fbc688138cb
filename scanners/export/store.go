package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/retentiond/retentiond/scanners"
)

// ErrUseRewrite is returned, wrapped with scanners.ErrReadOnly, by Delete:
// a row is removed by rewriting its file with Store.Rewrite, never on its
// own, and an export file is not deleted by this store.
var ErrUseRewrite = errors.New("rows of an export are removed by rewriting their file (export.Store.Rewrite), not deleted one by one")

// Store is a set of export files read through one profile. It is safe for
// concurrent use. Close it when done.
type Store struct {
	root    *os.Root
	base    string
	pattern []string // glob elements below base
	profile Profile

	// maxUnzipped is the most an XLSX workbook may expand to; 0 is
	// DefaultMaxUnzipped.
	maxUnzipped int64

	mu sync.Mutex // one Rewrite at a time
	// beforeRename runs after the new content is written and synced, just
	// before it replaces the original; tests make it fail to simulate a
	// crash at the worst moment.
	beforeRename func() error
}

var _ scanners.Store = (*Store)(nil)

// fileStamp is what a file's rows take from the file.
type fileStamp struct {
	version string
	mtime   time.Time
}

// rowFunc is called for each data row of a file, with the table of the
// header it falls under and its values (parallel to t.cols).
type rowFunc func(st fileStamp, t *table, index int, vals []string) error

// Open returns the store of the files glob matches, read through profile
// p. The base folder is the glob's part before its first wildcard; the
// store never reads or writes outside it and never follows a symbolic
// link. Files are matched anew at each Scan.
func Open(glob string, p Profile) (*Store, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	base, pattern, err := splitGlob(glob)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(base)
	if err != nil {
		return nil, fmt.Errorf("export: opening the folder %q of files %q: %w; fix: check files: in the config", base, glob, bare(err))
	}
	return &Store{root: root, base: base, pattern: pattern, profile: p}, nil
}

// SetMaxUnzipped sets the most an XLSX workbook of the store may expand
// to, uncompressed (the sum of its parts); n <= 0 restores
// DefaultMaxUnzipped. A larger workbook is refused with an error naming
// the file, before any of it is read. Call it before the store is used.
func (s *Store) SetMaxUnzipped(n int64) { s.maxUnzipped = n }

// Close releases the store's handle on its base folder.
func (s *Store) Close() error { return s.root.Close() }

// Base returns the folder record IDs are relative to.
func (s *Store) Base() string { return s.base }

// Profile returns the profile the store reads its files through.
func (s *Store) Profile() Profile { return s.profile }

// Scan lists every data row of every file the glob matches, file by file
// in path order, each file read as a stream. A file with an extension the
// store cannot read, a file lacking one of the profile's headers, or a
// file that cannot be parsed stops the scan with an error naming the file
// (and the line or row): the listing is then incomplete.
func (s *Store) Scan(ctx context.Context, fn func(scanners.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	files, err := s.match(ctx)
	if err != nil {
		return err
	}
	for _, rel := range files {
		if _, ok := formatOf(rel); !ok {
			return fmt.Errorf("export: %s is not a .csv, .xlsx, .json, .jsonl or .ndjson file; fix: narrow files: in the config to the exports (save .xls workbooks as .xlsx)", rel)
		}
		err := s.readRows(ctx, rel, func(st fileStamp, t *table, index int, vals []string) error {
			return fn(t.record(rel, st, index, vals))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ScanFile lists the data rows of one file, as Scan lists them. Apply uses
// it to decide a file's rows again just before rewriting it.
func (s *Store) ScanFile(ctx context.Context, file string, fn func(scanners.Record) error) error {
	if err := s.checkFile(file); err != nil {
		return err
	}
	return s.readRows(ctx, file, func(st fileStamp, t *table, index int, vals []string) error {
		return fn(t.record(file, st, index, vals))
	})
}

// callbackErr carries an error of the caller's callback through the
// readers unchanged, so that it is not dressed as a file error.
type callbackErr struct{ err error }

func (e callbackErr) Error() string { return e.err.Error() }

// readRows calls fn for each data row of file rel.
func (s *Store) readRows(ctx context.Context, rel string, fn rowFunc) error {
	f, fi, err := s.openFile(rel)
	if err != nil {
		return fileErr("reading", rel, err)
	}
	defer f.Close()
	st := fileStamp{version: version(fi), mtime: fi.ModTime()}
	wrapped := func(t *table, index int, vals []string) error {
		if err := fn(st, t, index, vals); err != nil {
			return callbackErr{err}
		}
		return nil
	}
	format, _ := formatOf(rel)
	switch format {
	case formatCSV:
		err = csvRows(ctx, f, s.profile, wrapped)
	case formatXLSX:
		err = xlsxRows(ctx, f, s.profile, s.maxUnzipped, wrapped)
	case formatJSON:
		err = jsonRows(ctx, f, s.profile, wrapped)
	default:
		err = jsonlRows(ctx, f, s.profile, wrapped)
	}
	var cb callbackErr
	switch {
	case err == nil:
		return nil
	case errors.As(err, &cb):
		return cb.err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return fmt.Errorf("export: %s: %w", rel, err)
}

// errFound stops a read once the row sought is found.
var errFound = errors.New("found")

// findRow reads file rel up to the row sheet/index and calls fn with it.
func (s *Store) findRow(ctx context.Context, rel, sheet string, index int, fn rowFunc) error {
	found := false
	err := s.readRows(ctx, rel, func(st fileStamp, t *table, i int, vals []string) error {
		if t.sheet != sheet || i < index {
			return nil
		}
		if i == index {
			found = true
			if err := fn(st, t, i, vals); err != nil {
				return err
			}
		}
		return errFound // rows come in order: it is not further on
	})
	if err != nil && !errors.Is(err, errFound) {
		return err
	}
	if !found {
		return fmt.Errorf("export: %s: no data row %s: %w", rel, where(sheet, index), scanners.ErrNotFound)
	}
	return nil
}

func where(sheet string, index int) string {
	if sheet != "" {
		return strconv.Quote(sheet) + " row " + strconv.Itoa(index)
	}
	return strconv.Itoa(index)
}

// Stat returns the record id as it is now. For a row it reads the file up
// to that row, so it costs a read of the file's head; a row that is gone
// or now blank gives an error wrapping scanners.ErrNotFound. An id without
// a row ("dagboek-2024.csv") gives the file as a scanners.KindFile record.
func (s *Store) Stat(ctx context.Context, id string) (scanners.Record, error) {
	if err := ctx.Err(); err != nil {
		return scanners.Record{}, err
	}
	file, sheet, index, isRow := parseID(id)
	if err := s.checkFile(file); err != nil {
		return scanners.Record{}, err
	}
	if !isRow {
		fi, err := s.lstatFile(file)
		if err != nil {
			return scanners.Record{}, fileErr("stat", file, err)
		}
		return fileRecord(file, fi), nil
	}
	var rec scanners.Record
	err := s.findRow(ctx, file, sheet, index, func(st fileStamp, t *table, i int, vals []string) error {
		rec = t.record(file, st, i, vals)
		return nil
	})
	return rec, err
}

// Open returns the content of id: for a file, the file; for a row, the
// row as a JSON object {"file", "sheet", "row", "cells"}, with cells
// holding the row's values as text under their headers, in the file's
// column order (a column without a header is "column N").
func (s *Store) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	file, sheet, index, isRow := parseID(id)
	if err := s.checkFile(file); err != nil {
		return nil, err
	}
	if !isRow {
		f, _, err := s.openFile(file)
		if err != nil {
			return nil, fileErr("opening", file, err)
		}
		return f, nil
	}
	var out []byte
	err := s.findRow(ctx, file, sheet, index, func(_ fileStamp, t *table, i int, vals []string) error {
		out = rowJSON(file, t, i, vals)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(out)), nil
}

func rowJSON(file string, t *table, index int, vals []string) []byte {
	var b bytes.Buffer
	str := func(s string) {
		enc, _ := json.Marshal(s)
		b.Write(enc)
	}
	b.WriteString(`{"file":`)
	str(file)
	b.WriteString(`,"sheet":`)
	str(t.sheet)
	b.WriteString(`,"row":` + strconv.Itoa(index) + `,"cells":{`)
	n := max(len(vals), len(t.cols))
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		key := ""
		if i < len(t.cols) {
			key = t.cols[i]
		}
		if normHeader(key) == "" {
			key = "column " + strconv.Itoa(i+1)
		}
		str(key)
		b.WriteByte(':')
		val := ""
		if i < len(vals) {
			val = vals[i]
		}
		str(val)
	}
	b.WriteString("}}")
	return b.Bytes()
}

// Delete refuses: a row is removed by Rewrite, which rewrites its file,
// and an export file is not deleted by this store. The error wraps
// ErrUseRewrite and scanners.ErrReadOnly.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	file, _, _, isRow := parseID(id)
	if err := s.checkFile(file); err != nil {
		return err
	}
	if isRow {
		return fmt.Errorf("export: delete %s: %w: %w", id, ErrUseRewrite, scanners.ErrReadOnly)
	}
	return fmt.Errorf("export: delete %s: an export file is kept and only rewritten: %w: %w", file, ErrUseRewrite, scanners.ErrReadOnly)
}

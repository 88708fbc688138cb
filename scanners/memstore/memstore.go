// Package memstore is an in-memory scanners.Store for other packages' tests.
// It passes the scannertest conformance suite, and it can be told to fail a
// scan part-way or to fail a delete, so that callers can test what they do
// when a listing is incomplete or an action fails.
package memstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/retentiond/retentiond/scanners"
)

// DefaultModTime is the modification time New gives its files.
var DefaultModTime = time.Date(2020, time.January, 1, 12, 0, 0, 0, time.UTC)

// Store is an in-memory store. The zero value is not usable; call New.
type Store struct {
	mu        sync.Mutex
	files     map[string]*file
	gen       uint64 // bumped on every Put, so that Version changes with each write
	failAfter int
	failErr   error
	deleteErr map[string]error
}

type file struct {
	data    []byte
	modTime time.Time
	version string
}

var _ scanners.Store = (*Store)(nil)

// New returns a store holding files (IDs as keys), each with modification
// time DefaultModTime. It panics on an ID that scanners.CleanID refuses.
func New(files map[string][]byte) *Store {
	s := &Store{files: make(map[string]*file), failAfter: -1}
	for id, data := range files {
		s.Put(id, data, DefaultModTime)
	}
	return s
}

// Put creates or replaces a file. The data is copied. It panics on an ID
// that scanners.CleanID refuses, as that is a mistake in the test.
func (s *Store) Put(id string, data []byte, modTime time.Time) {
	if _, err := scanners.CleanID(id); err != nil {
		panic(fmt.Sprintf("memstore: Put(%q): %v", id, err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	sum := sha256.Sum256(data)
	s.files[id] = &file{
		data:    bytes.Clone(data),
		modTime: modTime,
		version: hex.EncodeToString(sum[:8]) + "-g" + strconv.FormatUint(s.gen, 10),
	}
}

// Has reports whether id is in the store.
func (s *Store) Has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.files[id]
	return ok
}

// IDs returns the IDs in the store, sorted.
func (s *Store) IDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.files))
	for id := range s.files {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// FailScanAfter makes the next Scan list n records and then return err, as
// a store whose listing breaks part-way does. It applies to one Scan only.
func (s *Store) FailScanAfter(n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAfter, s.failErr = n, err
}

// FailDelete makes every Delete of id return err until FailDelete(id, nil)
// is called. The file stays.
func (s *Store) FailDelete(id string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deleteErr == nil {
		s.deleteErr = make(map[string]error)
	}
	if err == nil {
		delete(s.deleteErr, id)
		return
	}
	s.deleteErr[id] = err
}

// Scan lists the files in ID order. It holds no lock while fn runs, so fn
// may call the store's other methods.
func (s *Store) Scan(ctx context.Context, fn func(scanners.Record) error) error {
	ids := s.IDs()
	s.mu.Lock()
	failAfter, failErr := s.failAfter, s.failErr
	s.failAfter, s.failErr = -1, nil
	s.mu.Unlock()
	listed := 0
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		if listed == failAfter {
			return fmt.Errorf("memstore: listing: %w", failErr)
		}
		r, ok := s.record(id)
		if !ok {
			continue // deleted while scanning
		}
		if err := fn(r); err != nil {
			return err
		}
		listed++
	}
	if listed == failAfter {
		return fmt.Errorf("memstore: listing: %w", failErr)
	}
	return nil
}

func (s *Store) record(id string) (scanners.Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return scanners.Record{}, false
	}
	return scanners.Record{
		ID:      id,
		Kind:    scanners.KindFile,
		Size:    int64(len(f.data)),
		ModTime: f.modTime,
		Version: f.version,
	}, true
}

// Stat returns the record id.
func (s *Store) Stat(ctx context.Context, id string) (scanners.Record, error) {
	if err := check(ctx, id); err != nil {
		return scanners.Record{}, err
	}
	r, ok := s.record(id)
	if !ok {
		return scanners.Record{}, errNotFound
	}
	return r, nil
}

// Open returns the content of id. The reader is an io.ReaderAt with a Size
// method, as a local file is.
func (s *Store) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	if err := check(ctx, id); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return nil, errNotFound
	}
	// f.data is never modified in place (Put replaces it), so it can be
	// shared with the reader.
	return reader{bytes.NewReader(f.data)}, nil
}

// Delete removes id, unless FailDelete set an error for it.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := check(ctx, id); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.files[id]; !ok {
		return errNotFound
	}
	if err := s.deleteErr[id]; err != nil {
		return fmt.Errorf("memstore: delete: %w", err)
	}
	delete(s.files, id)
	return nil
}

var errNotFound = fmt.Errorf("memstore: %w", scanners.ErrNotFound)

func check(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := scanners.CleanID(id); err != nil {
		return fmt.Errorf("memstore: %w", err)
	}
	return nil
}

type reader struct{ *bytes.Reader }

func (reader) Close() error { return nil }

// Package statefile reads and writes the small JSON state files that
// retentiond keeps under STATE_DIR (holds.json, requests.json).
//
// A reader always sees a complete file: a writer writes a temporary file
// in the same directory, syncs it, renames it over the old one and syncs
// the directory, so a crash leaves the old file or the new one, never a
// half-written one. Writers take an exclusive lock on a lock file beside
// the state file (PATH.lock) and re-read the file under it, so that two
// processes changing the file at once (`retentiond hold add` while the
// daemon releases a hold) lose no update. Readers take no lock.
//
// Files are written with mode 0600: they may hold personal data (a hold's
// reason, a request's subject id). Errors name the file and a line or a
// key, never a value read from it.
package statefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LockWait is how long Update waits for another writer to finish before
// it gives up.
const LockWait = 15 * time.Second

// ErrLocked is returned (wrapped) by Update when another writer kept the
// lock for longer than LockWait.
var ErrLocked = errors.New("the state file is being changed by another retentiond")

// CheckDir reports whether dir exists and is a directory. Packages using
// state files call it before reading, so that a mistyped state_dir is an
// error rather than an empty list of holds.
func CheckDir(dir string) error {
	if dir == "" {
		return errors.New("no state directory given: set state_dir in the config")
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("state directory %s does not exist: check state_dir in the config, or create it (mode 0700)", dir)
	case err != nil:
		return fmt.Errorf("state directory %s: %w", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("state directory %s is not a directory: check state_dir in the config", dir)
	}
	return nil
}

// Read returns the content of the state file at path, or nil and no error
// if it does not exist. An empty file is an error: retentiond never writes
// one, so it means a file cut short by something else.
func Read(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("%s: the file is empty (truncated?): restore it from a backup; delete it only if it is known to have held nothing", path)
	}
	return b, nil
}

// Update changes the state file at path: under the lock it reads the
// current content (nil if the file does not exist yet), calls fn with it
// and writes what fn returns atomically, mode 0600. If fn returns an
// error, the file is left as it was and the error is returned unchanged.
func Update(path string, fn func(cur []byte) ([]byte, error)) error {
	unlock, err := lock(path+".lock", LockWait)
	if err != nil {
		return err
	}
	defer unlock()
	cur, err := Read(path)
	if err != nil {
		return err
	}
	next, err := fn(cur)
	if err != nil {
		return err
	}
	return write(path, next)
}

// write replaces the file at path with b: temporary file, sync, rename,
// sync of the directory.
func write(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("%s: write: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	fail := func(err error) error {
		tmp.Close()
		return fmt.Errorf("%s: write: %w", path, err)
	}
	// CreateTemp makes the file 0600 already; Chmod states it, so that a
	// change of that default cannot widen the mode unnoticed.
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(b); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: write: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: write: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("%s: sync directory: %w", path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("%s: sync directory: %w", path, err)
	}
	return nil
}

// Decode decodes b as exactly one JSON object into v, refusing keys that v
// does not have. The error says where (line and column, or the key) and
// never repeats a value from the file.
func Decode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			line, col := position(b, syn.Offset)
			return fmt.Errorf("not valid JSON at line %d, column %d (cut short or edited by hand?)", line, col)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return errors.New("not valid JSON: the file ends too early (cut short?)")
		case errors.As(err, &typ):
			return fmt.Errorf("key %q has the wrong type (want %s)", typ.Field, typ.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			// The key comes from the file and is not repeated.
			return errors.New("has a key that is not part of the format (edited by hand, or written by a newer retentiond?)")
		default:
			return errors.New("not valid JSON")
		}
	}
	if rest := bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		line, col := position(b, int64(len(b)-len(rest)+1))
		return fmt.Errorf("not valid JSON: text after the end of the value at line %d, column %d", line, col)
	}
	return nil
}

// position returns the 1-based line and column of the byte before
// offset off: a json.SyntaxError's Offset counts the bad byte.
func position(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	before := b[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}

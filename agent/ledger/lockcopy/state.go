package lockcopy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// StateFile is the file in the ledger directory where Upload remembers
// what it copied. It is a cache: without it, Upload finds the same by
// listing the bucket.
const StateFile = "lockcopy.json"

// state is the content of StateFile.
type state struct {
	// Bucket and Prefix are where the copies went: a state for another
	// place is ignored, and that place gets a copy of its own.
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix"`
	// Entries is how many entry lines, from the first, were copied.
	Entries int64 `json:"entries"`
	// EntriesHash is the tree hash of those lines when they were copied
	// (base64), so that Upload notices a rewrite of copied lines at once;
	// "" when unknown (a state rebuilt from a listing).
	EntriesHash string `json:"entries_hash,omitempty"`
	// Checkpoint is the tree size of the latest checkpoint copied; 0 for
	// none.
	Checkpoint int64 `json:"checkpoint"`
}

// loadState reads the state in dir. found is false if there is none, or
// if it cannot be read as a state (it is rebuilt then).
func loadState(dir string) (st state, found bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return state{}, false, nil
	}
	if err != nil {
		return state{}, false, fmt.Errorf("lockcopy: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil || st.Entries < 0 || st.Checkpoint < 0 {
		return state{}, false, nil
	}
	return st, true, nil
}

// saveState replaces the state in dir atomically: a crash leaves the old
// state or the new, each of which Upload can resume from.
func saveState(dir string, st state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("lockcopy: %w", err)
	}
	b = append(b, '\n')
	f, err := os.CreateTemp(dir, "."+StateFile+"-*")
	if err != nil {
		return fmt.Errorf("lockcopy: writing %s: %w", StateFile, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after the rename there is nothing to remove
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("lockcopy: writing %s: %w", StateFile, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("lockcopy: writing %s: %w", StateFile, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("lockcopy: writing %s: %w", StateFile, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("lockcopy: writing %s: %w", StateFile, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, StateFile)); err != nil {
		return fmt.Errorf("lockcopy: writing %s: %w", StateFile, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("lockcopy: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("lockcopy: syncing %s: %w", dir, err)
	}
	return nil
}

package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// StateFile is the name of the scheduler's state file inside the state
// directory.
const StateFile = "scheduler.json"

// stateVersion is bumped when the file's meaning changes.
const stateVersion = 1

// jobState is what the scheduler remembers of a job across restarts.
type jobState struct {
	// LastSuccessStart is when the last successful run started; the
	// catch-up rule compares it with the schedule's firings.
	LastSuccessStart time.Time `json:"last_success_start"`
	// LastSuccessFiring is the firing that run stood for (informational).
	LastSuccessFiring time.Time `json:"last_success_firing,omitzero"`
}

type stateDoc struct {
	Version int                 `json:"version"`
	Jobs    map[string]jobState `json:"jobs"`
}

// loadState reads dir/StateFile. A missing file is an empty state. A file
// that cannot be parsed is reported through corrupt and treated as empty,
// so that a damaged file costs one catch-up run of every job rather than a
// daemon that will not start; the next successful run rewrites it.
func loadState(dir string) (jobs map[string]jobState, corrupt error, err error) {
	path := filepath.Join(dir, StateFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]jobState{}, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read scheduler state: %w (check that state_dir is readable by the daemon's user)", err)
	}
	var doc stateDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return map[string]jobState{}, fmt.Errorf("%s: %w", path, err), nil
	}
	if doc.Version != stateVersion {
		return map[string]jobState{}, fmt.Errorf("%s: version %d, want %d", path, doc.Version, stateVersion), nil
	}
	if doc.Jobs == nil {
		doc.Jobs = map[string]jobState{}
	}
	return doc.Jobs, nil, nil
}

// saveState writes the state atomically: a temporary file in the same
// directory, fsync, rename, fsync of the directory, mode 0600.
func saveState(dir string, jobs map[string]jobState) error {
	b, err := json.MarshalIndent(stateDoc{Version: stateVersion, Jobs: jobs}, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	tmp, err := os.CreateTemp(dir, "."+StateFile+".*")
	if err != nil {
		return fmt.Errorf("write scheduler state: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write scheduler state: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write scheduler state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write scheduler state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write scheduler state: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, StateFile)); err != nil {
		return fmt.Errorf("write scheduler state: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("write scheduler state: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("write scheduler state: sync directory: %w", err)
	}
	return nil
}

// CheckStateDir reports whether dir is a writable directory by creating and
// removing a temporary file in it. It is one of the readiness checks.
func CheckStateDir(dir string) error {
	if dir == "" {
		return errors.New("no state directory configured")
	}
	f, err := os.CreateTemp(dir, ".readyz-*")
	if err != nil {
		return fmt.Errorf("cannot create a file in the state directory: %w", rootCause(err))
	}
	name := f.Name()
	cerr := f.Close()
	rerr := os.Remove(name)
	if err := errors.Join(cerr, rerr); err != nil {
		return fmt.Errorf("cannot remove a file from the state directory: %w", rootCause(err))
	}
	return nil
}

// rootCause strips *fs.PathError so that messages stay short and the same
// whatever the path.
func rootCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

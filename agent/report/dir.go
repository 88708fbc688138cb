package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/flock"
)

// LockFile is the lock a run holds on a plan folder while it writes it.
const LockFile = ".lock"

// Dir is a plan folder a run is writing, with its lock held.
type Dir struct {
	Path string
	lock *flock.Lock
}

// Close releases the folder's lock.
func (d *Dir) Close() { d.lock.Unlock() }

// NewDir creates a new plan folder under parent named by t
// (YYYYMMDD-HHMMSS), exclusively: when two runs start in the same second
// the later one gets a suffix ("-2", "-3"), never the other's folder.
func NewDir(parent string, t time.Time) (*Dir, error) {
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, err
	}
	base := t.Format("20060102-150405")
	for i := 1; i < 1000; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		p := filepath.Join(parent, name)
		err := os.Mkdir(p, 0o700)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		// The folder is ours: only another run's SweepPartials, trying
		// every folder's lock for a moment, can hold it now. Wait that out.
		for try := 0; ; try++ {
			d, err := LockDir(p)
			if err == nil || !errors.Is(err, flock.ErrBusy) || try == 100 {
				return d, err
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return nil, fmt.Errorf("%s: no free plan folder name for %s", parent, base)
}

// LockDir makes dir (if needed) and takes its lock, so that no other run
// writes into it at the same time: a second run is refused, never mixed in.
func LockDir(dir string) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	l, err := flock.Try(filepath.Join(dir, LockFile))
	if errors.Is(err, flock.ErrBusy) {
		return nil, fmt.Errorf("another plan is being written into %s: wait for it, or choose another --out: %w", dir, err)
	}
	if err != nil {
		return nil, err
	}
	return &Dir{Path: dir, lock: l}, nil
}

// SweepPartials removes the partial plan files (NAME.partial) that runs
// which died left in the plan folders under plansDir (and their auto/
// sub-folders), and a folder that held nothing else. A folder a live run
// holds is left alone. It returns how many files it removed.
func SweepPartials(plansDir string) (int, error) {
	ents, err := os.ReadDir(plansDir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		k, err := sweepDir(filepath.Join(plansDir, e.Name()))
		n += k
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}

func sweepDir(dir string) (int, error) {
	l, err := flock.Try(filepath.Join(dir, LockFile))
	if errors.Is(err, flock.ErrBusy) {
		return 0, nil // a live run's folder
	}
	if err != nil {
		return 0, err
	}
	defer l.Unlock()
	n := 0
	for _, d := range []string{dir, filepath.Join(dir, "auto")} {
		if fi, err := os.Lstat(d); err != nil || !fi.IsDir() {
			continue // an auto/ that is a link is not followed out of the state dir
		}
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if e.Type().IsRegular() && strings.HasSuffix(e.Name(), partialSuffix) {
				if err := os.Remove(filepath.Join(d, e.Name())); err != nil {
					return n, err
				}
				n++
			}
		}
	}
	if n > 0 {
		// A folder the crashed run left with nothing but its lock goes too.
		if ents, err := os.ReadDir(dir); err == nil && len(ents) == 1 && ents[0].Name() == LockFile {
			os.Remove(filepath.Join(dir, LockFile))
			os.Remove(dir)
		}
	}
	return n, nil
}

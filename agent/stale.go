package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/retentiond/retentiond/agent/flock"
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/holds/statefile"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/scanners"
)

// ApplyLockFile is the state dir's apply lock: one apply at a time, and
// no sweeping of temporary files while an apply may be writing them.
const ApplyLockFile = "apply.lock"

// ApplyMarkerFile is in the state dir while an apply runs; one left
// behind says an apply was killed and its stores' temporary files must be
// looked for.
const ApplyMarkerFile = "apply.running"

// lockApply takes the state dir's apply lock, or says who holds it.
func (s *Service) lockApply() (*flock.Lock, error) {
	if err := os.MkdirAll(s.cfg.StateDir, 0o700); err != nil {
		return nil, err
	}
	l, err := flock.Try(filepath.Join(s.cfg.StateDir, ApplyLockFile))
	if errors.Is(err, flock.ErrBusy) {
		return nil, fmt.Errorf("another apply is running on this state dir (%s): wait for it to finish: %w", s.cfg.StateDir, err)
	}
	return l, err
}

// tempSweeper is a store that can remove the temporary files its own
// rewrites left when they were killed (export stores).
type tempSweeper interface {
	SweepTemps(ctx context.Context) (int, error)
}

// sweepStale removes what killed runs of this program left behind: the
// partial files of plans that died, and the temporary copies of files a
// rewrite was replacing (full copies, with every BSN). Only the program's
// own names, and only when no apply is running (the apply lock), since a
// live apply's temporary file is not stale. Failures are warnings, not
// fatal: the plan itself does not depend on them.
func (s *Service) sweepStale(ctx context.Context, stores []plan.Store) {
	l, err := s.lockApply()
	if err != nil {
		if !errors.Is(err, flock.ErrBusy) {
			fmt.Fprintf(s.warn, "warning: stale temporary files not checked: %v\n", err)
		}
		return // an apply is running: it sweeps when it starts
	}
	defer l.Unlock()
	s.sweepLocked(ctx, stores)
}

// sweepLocked is sweepStale for a caller that holds the apply lock.
func (s *Service) sweepLocked(ctx context.Context, stores []plan.Store) {
	w := s.warn
	if _, err := report.SweepPartials(filepath.Join(s.cfg.StateDir, "plans")); err != nil {
		fmt.Fprintf(w, "warning: removing partial files of earlier plans: %v\n", err)
	}
	// Holds, requests and resolutions are written through a temporary
	// copy (with reasons and record paths); a killed writer leaves it.
	for _, name := range []string{holds.FileName, requests.FileName, review.FileName} {
		if _, err := statefile.SweepTemps(filepath.Join(s.cfg.StateDir, name)); err != nil {
			fmt.Fprintf(w, "warning: removing stale temporary copies of %s: %v\n", name, err)
		}
	}
	// A folder store's temporary files lie anywhere in its tree, so it is
	// walked only when an apply was interrupted (its marker is left);
	// an export store's lie beside its few files and are always checked.
	marker := filepath.Join(s.cfg.StateDir, ApplyMarkerFile)
	_, merr := os.Stat(marker)
	interrupted := merr == nil
	clean := true
	for _, st := range stores {
		ts, ok := sweeperOf(st.Store)
		if !ok || st.OpenErr != nil || (st.Rows == nil && !interrupted) {
			continue
		}
		n, err := ts.SweepTemps(ctx)
		if err != nil {
			clean = false
			fmt.Fprintf(w, "warning: store %s: removing stale temporary files: %v\n", st.Name, err)
		} else if n > 0 {
			fmt.Fprintf(w, "store %s: removed %d stale temporary file(s) of an interrupted rewrite\n", st.Name, n)
		}
	}
	if interrupted && clean {
		os.Remove(marker)
	}
}

// sweeperOf finds the tempSweeper in a store or the stores it wraps (a
// folder store opened with its zip archives is wrapped by archive).
func sweeperOf(st scanners.Store) (tempSweeper, bool) {
	for st != nil {
		if ts, ok := st.(tempSweeper); ok {
			return ts, true
		}
		u, ok := st.(interface{ Unwrap() scanners.Store })
		if !ok {
			break
		}
		st = u.Unwrap()
	}
	return nil, false
}

// markApplying leaves the marker for the run; done removes it.
func (s *Service) markApplying() (done func(), err error) {
	p := filepath.Join(s.cfg.StateDir, ApplyMarkerFile)
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		return nil, err
	}
	return func() { os.Remove(p) }, nil
}

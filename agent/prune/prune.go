package prune

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/retentiond/retentiond/agent/flock"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// Folders of the state dir that prune looks into; nothing else is touched.
const (
	PlansDir    = "plans"
	PackagesDir = "packages"
)

// AppliedMarker is the file the daemon's apply job writes into a plan
// folder once the plan was applied in full (its content the time, in
// RFC 3339).
const AppliedMarker = "applied"

// ActionPruned is the ledger action of a prune run that removed something.
const ActionPruned = "state-pruned"

// Terms are the state dir's retention terms (config.State) and what they
// are counted with.
type Terms struct {
	// PlanMaxAge is apply.plan_max_age: a plan expires that long after the
	// day it was made.
	PlanMaxAge rules.Term
	// UnapprovedPlans runs from a plan's expiry, AppliedPlans from when it
	// was applied, AccessPackages from when a package was made.
	UnapprovedPlans, AppliedPlans, AccessPackages rules.Term
	// Location is the organisation's time zone; terms count its days.
	Location *time.Location
}

// TermsOf returns the terms of a loaded config.
func TermsOf(c *config.Config) Terms {
	return Terms{PlanMaxAge: c.Apply.ParsedPlanMaxAge, UnapprovedPlans: c.State.ParsedUnapprovedPlans,
		AppliedPlans: c.State.ParsedAppliedPlans, AccessPackages: c.State.ParsedAccessPackages, Location: c.Location}
}

// Options say what to prune, as of when.
type Options struct {
	StateDir string
	Terms    Terms
	// Now is the time the terms are measured against.
	Now time.Time
	// DryRun counts what would be removed and removes nothing.
	DryRun bool
	// ApplyLock is the state dir's apply lock file, held by an apply
	// while it writes into plan folders; while it is held no plan folder
	// is removed. "" for none.
	ApplyLock string
}

// Count is what became of the folders of one kind. Each folder is counted
// once.
type Count struct {
	Removed    int // removed (in a dry run: would be)
	Kept       int // its term has not run out, or it is the latest plan
	Busy       int // a live run holds it (or an apply is running)
	Unreadable int // kept: a plan.json in it cannot be read
	Failed     int // removing it failed (in part)
}

// Result is what a prune run did.
type Result struct {
	DryRun   bool
	Plans    Count // plan folders
	Packages Count // access packages
}

// Run prunes the state dir (see the package comment). Errors hold no path
// inside a plan folder or package, only what went wrong.
func Run(o Options) (*Result, error) {
	if o.Terms.Location == nil || o.Now.IsZero() || o.StateDir == "" {
		return nil, errors.New("prune: state dir, time zone and time are needed")
	}
	r := &Result{DryRun: o.DryRun}
	return r, errors.Join(o.plans(&r.Plans), o.packages(&r.Packages))
}

// subdirs lists the folders (not symlinks, not files) in the state dir's
// folder name; none if it does not exist. The folder itself must be a
// folder, not a symlink to one elsewhere.
func (o Options) subdirs(name string) ([]string, error) {
	root := filepath.Join(o.StateDir, name)
	fi, err := os.Lstat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("%s is a symlink: not pruned (prune never follows a symlink out of the state dir); make it a folder", root)
	case !fi.IsDir():
		return nil, fmt.Errorf("%s is not a folder: not pruned", root)
	}
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range ents {
		if e.Type().IsDir() {
			dirs = append(dirs, filepath.Join(root, e.Name()))
		}
	}
	return dirs, nil
}

// plans prunes the plan folders.
func (o Options) plans(c *Count) error {
	dirs, err := o.subdirs(PlansDir)
	if err != nil || len(dirs) == 0 {
		return err
	}
	if o.ApplyLock != "" {
		release, err := o.lock(o.ApplyLock)
		if errors.Is(err, flock.ErrBusy) {
			c.Busy += len(dirs)
			return nil
		}
		if err != nil {
			return fmt.Errorf("plan folders not pruned: the apply lock: %w", pathless(err))
		}
		defer release()
	}
	folders := make([]folder, len(dirs))
	latest := -1
	for i, d := range dirs {
		folders[i] = o.readFolder(d)
		if f := folders[i]; f.hasPlan && (latest < 0 || !f.plans[0].created.Before(folders[latest].plans[0].created)) {
			latest = i
		}
	}
	var errs []error
	for i, f := range folders {
		switch {
		case i == latest:
			c.Kept++
		case f.unreadable:
			c.Unreadable++
		case !o.due(f):
			c.Kept++
		default:
			errs = append(errs, o.removePlans(dirs[i], c))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing plan folders: %w", err)
	}
	return nil
}

// removePlans removes a plan folder that is due, holding its lock and
// deciding again under it.
func (o Options) removePlans(dir string, c *Count) error {
	release, err := o.lock(filepath.Join(dir, report.LockFile))
	if errors.Is(err, flock.ErrBusy) {
		c.Busy++
		return nil
	}
	if err != nil {
		c.Failed++
		return pathless(err)
	}
	defer release()
	switch f := o.readFolder(dir); {
	case f.unreadable:
		c.Unreadable++
		return nil
	case !o.due(f):
		c.Kept++
		return nil
	}
	return o.remove(dir, c)
}

// remove removes dir (a folder, never a symlink) unless this is a dry
// run.
func (o Options) remove(dir string, c *Count) error {
	if o.DryRun {
		c.Removed++
		return nil
	}
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
		c.Kept++ // gone or replaced since it was listed
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		c.Failed++
		return pathless(err)
	}
	c.Removed++
	return nil
}

// lock takes the lock at path without waiting; in a dry run only when
// the lock file exists (nobody holds a lock on a file that is not there),
// so that a dry run creates nothing.
func (o Options) lock(path string) (release func(), err error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && o.DryRun:
		return func() {}, nil
	case err == nil && !fi.Mode().IsRegular():
		return nil, errLockNotFile
	}
	l, err := flock.Try(path)
	if err != nil {
		return nil, err
	}
	return l.Unlock, nil
}

// errLockNotFile: a lock file that is a symlink or a folder is not taken
// (a symlink could point out of the state dir).
var errLockNotFile = errors.New("a lock file is not a regular file: left alone")

var packageRe = regexp.MustCompile(`^REQ-[0-9]{4,}$`)

// packages prunes the access packages.
func (o Options) packages(c *Count) error {
	dirs, err := o.subdirs(PackagesDir)
	if err != nil {
		return err
	}
	today := rules.DateIn(o.Now, o.Terms.Location)
	var errs []error
	for _, d := range dirs {
		if !packageRe.MatchString(filepath.Base(d)) {
			continue
		}
		made, err := packageMade(d)
		if err != nil {
			c.Failed++
			errs = append(errs, pathless(err))
			continue
		}
		if today.Before(o.Terms.AccessPackages.From(rules.DateIn(made, o.Terms.Location))) {
			c.Kept++
			continue
		}
		errs = append(errs, o.remove(d, c))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing access packages: %w", err)
	}
	return nil
}

// packageMade is when the package in dir was made: its index.html is
// written last; without one (never finished), the folder's time.
func packageMade(dir string) (time.Time, error) {
	if fi, err := os.Lstat(filepath.Join(dir, "index.html")); err == nil && fi.Mode().IsRegular() {
		return fi.ModTime(), nil
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return time.Time{}, err
	}
	return fi.ModTime(), nil
}

// pathless is err without the path in it (a path inside a plan folder or
// package names a person): the operation and the system's error only.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", le.Op, le.Err)
	}
	for _, known := range []error{flock.ErrBusy, errLockNotFile} {
		if errors.Is(err, known) {
			return known
		}
	}
	return errors.New("a file could not be removed")
}

// LedgerEntry is the ledger's record of a prune run that removed
// something: counts only, no folder, no request, no name. A dry run, or a
// run that removed nothing, gets none (false).
func LedgerEntry(r *Result, now time.Time) (ledger.Entry, bool) {
	if r == nil || r.DryRun || r.Plans.Removed+r.Packages.Removed == 0 {
		return ledger.Entry{}, false
	}
	reason := fmt.Sprintf("plans_removed=%d packages_removed=%d", r.Plans.Removed, r.Packages.Removed)
	if n := r.Plans.Failed + r.Packages.Failed; n > 0 {
		reason += fmt.Sprintf(" failed=%d", n)
	}
	return ledger.Entry{Time: now.UTC(), Action: ActionPruned, Outcome: ledger.OutcomeDone, Reason: reason}, true
}

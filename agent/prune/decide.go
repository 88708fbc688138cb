package prune

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/rules"
)

// planState is what the terms need of one plan in a plan folder.
type planState struct {
	created time.Time
	// approved: an approval file exists for the plan's digest (whether
	// valid or not: keeping too long is the safe side).
	approved bool
	// applied is when it was applied in full (AppliedMarker); zero if not.
	applied time.Time
	// lastApply is the time of its newest apply report (apply-*.csv, not a
	// dry run); zero if no apply ran on it.
	lastApply time.Time
}

// folder is what the terms need of one plan folder.
type folder struct {
	// plans are the folder's plan (first) and its auto/ plan, if any.
	plans []planState
	// hasPlan: the folder's own plan.json was read (it can be the latest).
	hasPlan bool
	// unreadable: a plan.json in it could not be read; it is kept.
	unreadable bool
}

// readFolder reads the state of the plan folder dir.
func (o Options) readFolder(dir string) folder {
	var f folder
	p, ok, err := o.readPlan(dir)
	switch {
	case err != nil:
		f.unreadable = true
	case ok:
		f.hasPlan = true
		f.plans = append(f.plans, p)
	default:
		// No plan.json: a run died before writing it. Aged as a plan made
		// at the time the folder's name says, never approved.
		f.plans = append(f.plans, planState{created: madeAt(dir, o.Terms.Location)})
	}
	auto := filepath.Join(dir, "auto")
	if fi, err := os.Lstat(auto); err == nil && fi.IsDir() {
		p, ok, err := o.readPlan(auto)
		switch {
		case err != nil:
			f.unreadable = true
		case ok:
			f.plans = append(f.plans, p)
		}
	}
	return f
}

// readPlan reads the plan in dir: false if there is no plan.json, an
// error if there is one that cannot be read.
func (o Options) readPlan(dir string) (planState, bool, error) {
	path := filepath.Join(dir, report.PlanJSON)
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return planState{}, false, nil
	}
	if err != nil {
		return planState{}, false, err
	}
	if !fi.Mode().IsRegular() {
		return planState{}, false, errors.New("plan.json is not a regular file")
	}
	f, err := plan.Read(path)
	if err != nil {
		return planState{}, false, err
	}
	var p planState
	if p.created, err = time.Parse(time.RFC3339, f.CreatedAt); err != nil {
		return planState{}, false, errors.New("plan.json: created_at is not a time")
	}
	_, err = os.Lstat(approval.Path(o.StateDir, f.Digest))
	p.approved = !errors.Is(err, fs.ErrNotExist) // a file that cannot be looked at counts as there
	p.applied = markerTime(filepath.Join(dir, AppliedMarker))
	p.lastApply = lastApply(dir)
	return p, true, nil
}

// markerTime is the time written in the marker file at path (RFC 3339),
// or the file's own time if it holds none; zero if there is no marker.
func markerTime(path string) time.Time {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return time.Time{}
	}
	if f, err := os.Open(path); err == nil {
		b, _ := io.ReadAll(io.LimitReader(f, 64))
		f.Close()
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(b))); err == nil {
			return t
		}
	}
	return fi.ModTime()
}

// lastApply is the time of the newest apply report in dir (apply writes
// apply-YYYYMMDD-HHMMSS.csv; a dry run adds -dry-run).
func lastApply(dir string) time.Time {
	ents, _ := os.ReadDir(dir)
	var last time.Time
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, "apply-") || !strings.HasSuffix(n, ".csv") || strings.HasSuffix(n, "-dry-run.csv") {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.ModTime().After(last) {
			last = fi.ModTime()
		}
	}
	return last
}

// folderName is how report.NewDir names plan folders: the time the run
// started, in the organisation's zone, with "-2", "-3" for a second run in
// the same second.
var folderName = regexp.MustCompile(`^([0-9]{8}-[0-9]{6})(-[0-9]+)?$`)

// madeAt is when the plan folder dir was made: the time its name says,
// else the folder's modification time.
func madeAt(dir string, loc *time.Location) time.Time {
	if m := folderName.FindStringSubmatch(filepath.Base(dir)); m != nil {
		if t, err := time.ParseInLocation("20060102-150405", m[1], loc); err == nil {
			return t
		}
	}
	if fi, err := os.Lstat(dir); err == nil {
		return fi.ModTime()
	}
	return time.Time{}
}

// due reports whether every plan in f is past its term, and none is
// approved, unapplied and unexpired.
func (o Options) due(f folder) bool {
	t := o.Terms
	today := rules.DateIn(o.Now, t.Location)
	for _, p := range f.plans {
		if p.created.IsZero() {
			return false
		}
		expiry := approval.Expiry(p.created, t.PlanMaxAge, t.Location)
		if p.approved && p.applied.IsZero() && o.Now.Before(expiry) {
			return false // it can still be applied
		}
		var from rules.Date
		if !p.applied.IsZero() {
			from = t.AppliedPlans.From(rules.DateIn(later(p.applied, p.lastApply), t.Location))
		} else {
			from = t.UnapprovedPlans.From(rules.DateIn(expiry, t.Location))
			if !p.lastApply.IsZero() {
				if d := t.AppliedPlans.From(rules.DateIn(p.lastApply, t.Location)); d.After(from) {
					from = d
				}
			}
		}
		if today.Before(from) {
			return false
		}
	}
	return true
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

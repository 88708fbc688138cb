package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/prune"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/report"
)

// The states of a plan (PlanInfo.State).
const (
	StateWaiting  = "waiting"  // made, not approved yet
	StateApproved = "approved" // approved and not expired: the apply job carries it out
	StateApplied  = "applied"  // an apply of it ended without error or limit
	StateExpired  = "expired"  // older than apply.plan_max_age: make a new plan
	StateStale    = "stale"    // what decides it changed since it was made
	// StateRejected and StateNeedsSecond are the states of the console's
	// decisions (a plan rejected; a plan over console.four_eyes_over
	// approved by one person of two).
	StateRejected    = "rejected"
	StateNeedsSecond = "needs-second-approver"
	// StateUnreadable is a plan folder whose plan.json cannot be read:
	// PlanInfo.Problem says why.
	StateUnreadable = "unreadable"
)

// AppliedMarker is written into a plan folder once an apply of it ended
// without error or limit, by the apply job or the apply command: the
// apply job does not go over it again, and prune keeps an applied plan's
// reports for the state: applied_plans term from then.
const AppliedMarker = prune.AppliedMarker

// StaleMarker is written into a plan folder whose approval can no longer
// be carried out because what decides it (config.Decision) changed since
// the plan was made: the apply job then stops trying (and telling) every
// night.
const StaleMarker = "stale"

// PlanInfo is one plan of the state dir, as a list of plans shows it.
type PlanInfo struct {
	ID           string // the plan folder's name: "20261207-020000"
	Dir          string
	Digest       string
	Created      time.Time
	AsOf         string
	Organisation string
	Request      string // the erasure request it answers, if any
	Summary      plan.Summary
	State        string   // one of the State constants
	Approvers    []string // who approved it, first approver first
	ExpiresAt    time.Time
	Problem      string // why the plan or its approval cannot be read; no personal data
}

// Plans lists the plans of STATE_DIR/plans, newest first, with their
// states. A folder without plan.json (a plan being made) is left out; a
// plan.json that cannot be read is listed as StateUnreadable.
func (s *Service) Plans() ([]PlanInfo, error) {
	root := filepath.Join(s.cfg.StateDir, "plans")
	ents, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() && validPlanID(e.Name()) == nil {
			names = append(names, e.Name())
		}
	}
	sortNewestFirst(names)
	k, kerr := s.Pseudonyms()
	var out []PlanInfo
	for _, name := range names {
		dir := filepath.Join(root, name)
		f, err := plan.Read(filepath.Join(dir, report.PlanJSON))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		info := PlanInfo{ID: name, Dir: dir}
		if err != nil {
			info.State, info.Problem = StateUnreadable, err.Error()
			out = append(out, info)
			continue
		}
		info.Digest, info.AsOf, info.Organisation, info.Request, info.Summary = f.Digest, f.AsOf, f.Organisation, f.Request, f.Summary
		info.Created, _ = time.Parse(time.RFC3339, f.CreatedAt)
		info.ExpiresAt = approval.Expiry(info.Created, s.cfg.Apply.ParsedPlanMaxAge, s.cfg.Location)
		info.State = StateWaiting
		switch {
		case exists(filepath.Join(dir, AppliedMarker)):
			info.State = StateApplied
		case exists(filepath.Join(dir, StaleMarker)):
			info.State = StateStale
		}
		if kerr == nil {
			s.approvalState(f, k, &info)
		} else {
			info.Problem = kerr.Error()
		}
		if (info.State == StateWaiting || info.State == StateApproved || info.State == StateNeedsSecond) && !time.Now().Before(info.ExpiresAt) {
			info.State = StateExpired
		}
		out = append(out, info)
	}
	return out, nil
}

// approvalState sets info's approvers and state from the approval and
// rejection files of f.
func (s *Service) approvalState(f *plan.File, k *pseudonym.Keyed, info *PlanInfo) {
	_, v, err := s.LedgerKeys()
	if err != nil {
		info.Problem = err.Error()
		return
	}
	if r, err := approval.LoadRejection(s.cfg.StateDir, f, v); err != nil {
		info.Problem = err.Error()
		return
	} else if r != nil {
		if info.State == StateWaiting {
			info.State = StateRejected
		}
		return
	}
	a, err := approval.Read(s.cfg.StateDir, f, v, s.cfg.Apply.ParsedPlanMaxAge, s.cfg.Location, k)
	switch {
	case errors.Is(err, approval.ErrNotApproved):
		return
	case err != nil:
		info.Problem = err.Error()
		return
	}
	info.Approvers = []string{a.ApprovedBy}
	if a.SecondBy != "" {
		info.Approvers = append(info.Approvers, a.SecondBy)
	}
	if info.State != StateWaiting {
		return
	}
	info.State = StateApproved
	if a.NeedsSecond(f, s.fourEyesOver(f)) {
		info.State = StateNeedsSecond
	}
}

// PlanFile reads the plan id (a folder of STATE_DIR/plans) and returns it
// with its folder.
func (s *Service) PlanFile(id string) (*plan.File, string, error) {
	if err := validPlanID(id); err != nil {
		return nil, "", &InputError{Err: err}
	}
	dir := filepath.Join(s.cfg.StateDir, "plans", id)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, "", inputErr("no plan %s in the state dir", id)
	}
	f, err := plan.Read(filepath.Join(dir, report.PlanJSON))
	if err != nil {
		return nil, dir, err
	}
	return f, dir, nil
}

// validPlanID checks that id can be a plan folder's name: a timestamp
// YYYYMMDD-HHMMSS with an optional -N, nothing that leads elsewhere.
func validPlanID(id string) error {
	base, n, hasN := strings.Cut(id, "-")
	if hasN {
		// base is YYYYMMDD; the time and any -N follow.
		t, suffix, _ := strings.Cut(n, "-")
		if len(base) == 8 && len(t) == 6 && digits(base) && digits(t) && (suffix == "" || (digits(suffix) && len(suffix) <= 3)) {
			return nil
		}
	}
	return fmt.Errorf("%q is not a plan id (YYYYMMDD-HHMMSS)", id)
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// planDirs lists the plan folders in the state dir, oldest first.
func (s *Service) planDirs() []string {
	root := filepath.Join(s.cfg.StateDir, "plans")
	ents, _ := os.ReadDir(root)
	var dirs []string
	for _, e := range ents {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(root, e.Name()))
		}
	}
	slices.Sort(dirs) // names are timestamps
	return dirs
}

// LatestPlan reads the latest full plan of the state dir (not one
// answering a request); nil when there is none yet.
func (s *Service) LatestPlan() (*plan.File, error) {
	root := filepath.Join(s.cfg.StateDir, "plans")
	ents, _ := os.ReadDir(root)
	var names []string
	for _, e := range ents {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sortNewestFirst(names)
	for _, name := range names {
		p := filepath.Join(root, name, report.PlanJSON)
		if _, err := os.Stat(p); err != nil {
			continue // a plan that failed or is being made
		}
		f, err := plan.Read(p)
		if err != nil {
			return nil, err
		}
		if f.Request == "" {
			return f, nil
		}
	}
	return nil, nil
}

func sortNewestFirst(names []string) {
	slices.SortFunc(names, func(a, b string) int {
		switch {
		case PlanDirLess(a, b):
			return 1 // newest first
		case PlanDirLess(b, a):
			return -1
		}
		return 0
	})
}

// PlanDirLess orders plan folder names by time: YYYYMMDD-HHMMSS, then the
// suffix a second run in the same second gets (-2 … -999).
func PlanDirLess(a, b string) bool {
	split := func(s string) (string, int) {
		if len(s) > 15 && s[15] == '-' {
			n, _ := strconv.Atoi(s[16:])
			return s[:15], n
		}
		return s, 1
	}
	ab, an := split(a)
	bb, bn := split(b)
	if ab != bb {
		return ab < bb
	}
	return an < bn
}

// Package gauges rebuilds the daemon's gauges from the state dir: the
// stores' due, overdue, held and review items of the latest plan, less
// what the ledger shows done since it was made, and the plans awaiting
// approval.
//
// The daemon's own jobs used to be the only source of these gauges, so
// that after a restart most series were gone (and plans_pending_approval
// said 0 while a plan waited) and an apply from the command line left
// every item overdue until the next night's plan. Read works from the
// files alone, whoever wrote them; Watch runs a refresh before a scrape
// when the state dir changed (Fingerprint).
package gauges

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
)

// Source says where and how to read the gauges.
type Source struct {
	// StateDir holds plans/, approvals/ and ledger/.
	StateDir string
	// Location is the config's time zone (plan expiry).
	Location *time.Location
	// Stores are the config's store names: only these get gauges.
	Stores []string
	// PlanMaxAge is apply.plan_max_age: an unapproved plan past it no
	// longer awaits approval.
	PlanMaxAge rules.Term
	// Pseudonyms ties the ledger's entries (keyed pseudonyms of records)
	// to plan items; nil counts nothing as done.
	Pseudonyms *pseudonym.Keyed
	// Approved returns nil if the plan has a valid approval (see
	// approval.Load); any error counts as not approved, and one wrapping
	// approval.ErrRejected as decided (not pending).
	Approved func(*plan.File) error
	// Now is the time plans expire against.
	Now time.Time
}

// Gauges are the values Read found.
type Gauges struct {
	// Stores holds, per configured store found in a plan, the gauges of
	// the latest plan in which its listing succeeded.
	Stores map[string]metrics.ScanStats
	// Failed names the stores whose listing failed in the latest plan
	// that has them.
	Failed map[string]bool
	// Pending counts the plans awaiting approval; OldestPending is when
	// the oldest of them was made.
	Pending       int
	OldestPending time.Time
}

// linkTypes are the store types that report sharing links (their
// gauges show both scopes, as the plan job's do).
var linkTypes = []string{"onedrive"}

// Read reads the gauges from the state dir. Plan folders that cannot be
// read and plans that answer a request (one subject's items only) are
// passed over for the stores' gauges. A ledger that cannot be read is an
// error (with the gauges read without it: nothing counted as done).
func Read(src Source) (*Gauges, error) {
	g := &Gauges{Stores: map[string]metrics.ScanStats{}, Failed: map[string]bool{}}
	dirs := planDirs(src.StateDir)
	done, lerr := doneSince(filepath.Join(src.StateDir, "ledger"))
	if lerr != nil {
		done = doneRecords{} // a ledger half read shows too little done, never too much
	}
	decided := map[string]bool{} // stores whose scan_success the newest plan set
	for i := len(dirs) - 1; i >= 0 && len(g.Stores) < len(src.Stores); i-- {
		f, err := plan.Read(filepath.Join(dirs[i], "plan.json"))
		if err != nil || f.Request != "" {
			continue
		}
		files := []*plan.File{f}
		if auto, err := plan.Read(filepath.Join(dirs[i], "auto", "plan.json")); err == nil {
			files = append(files, auto)
		}
		made, err := time.Parse(time.RFC3339, f.CreatedAt)
		if err != nil {
			continue
		}
		asOf, err := rules.ParseDate(f.AsOf)
		if err != nil {
			continue
		}
		for _, sr := range f.Stores {
			if !slices.Contains(src.Stores, sr.Name) {
				continue
			}
			if !decided[sr.Name] {
				decided[sr.Name] = true
				g.Failed[sr.Name] = sr.Error != ""
			}
			if _, ok := g.Stores[sr.Name]; ok || sr.Error != "" {
				continue
			}
			g.Stores[sr.Name] = storeStats(sr, files, asOf, made, func(it *plan.Item) bool {
				return src.Pseudonyms != nil && done.after(src.Pseudonyms.Record(it.Store, it.Record), made)
			})
		}
	}
	g.Pending, g.OldestPending = pending(src, dirs)
	if lerr != nil {
		return g, lerr
	}
	return g, nil
}

// storeStats is a store's gauges from its result in a plan and the items
// of the plan's files (the plan a person reviews and the auto_apply one),
// leaving out the items isDone says were carried out since.
func storeStats(sr plan.StoreResult, files []*plan.File, asOf rules.Date, made time.Time, isDone func(*plan.Item) bool) metrics.ScanStats {
	st := metrics.ScanStats{Records: sr.Records, Hold: sr.Summary.Hold, Locked: sr.Locked, Review: sr.Summary.Review, At: made,
		Due: map[string]int{metrics.ActionDelete: 0, metrics.ActionPseudonymise: 0}}
	if sr.Links != nil || slices.Contains(linkTypes, sr.Type) {
		st.Links = map[string]int{metrics.ScopeAnonymous: sr.Links["anonymous"], metrics.ScopeOrganization: sr.Links["organization"]}
	}
	for _, f := range files {
		for _, it := range f.Items {
			if it.Store != sr.Name || it.Action != rules.Delete && it.Action != rules.Pseudonymise || isDone(it) {
				continue
			}
			st.Due[string(it.Action)]++
			if plan.Overdue(it, asOf) {
				st.Overdue++
			}
		}
	}
	return st
}

// pending counts the plans awaiting approval as the daemon always has:
// plans with actions, made after the newest approved plan, not expired,
// and not rejected. A plan waiting for its second approver is pending.
func pending(src Source, dirs []string) (int, time.Time) {
	n, oldest := 0, time.Time{}
	for _, dir := range dirs {
		f, err := plan.Read(filepath.Join(dir, "plan.json"))
		if err != nil {
			continue
		}
		if src.Approved != nil {
			err := src.Approved(f)
			if err == nil {
				n, oldest = 0, time.Time{} // approved: older plans are superseded
				continue
			}
			if errors.Is(err, approval.ErrRejected) {
				continue // decided: it waits for no one
			}
		}
		made, err := time.Parse(time.RFC3339, f.CreatedAt)
		if err != nil || f.Summary.Delete+f.Summary.Pseudonymise == 0 ||
			!src.Now.Before(approval.Expiry(made, src.PlanMaxAge, src.Location)) {
			continue
		}
		if n == 0 {
			oldest = made
		}
		n++
	}
	return n, oldest
}

// planDirs lists the plan folders of the state dir, oldest first (their
// names are timestamps).
func planDirs(stateDir string) []string {
	root := filepath.Join(stateDir, "plans")
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var dirs []string
	for _, e := range ents {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(root, e.Name()))
		}
	}
	slices.Sort(dirs)
	return dirs
}

// Set puts g into m: each store's gauges (RestoreScan), scan_success 0
// for a store whose latest listing failed, and the pending plans.
func (g *Gauges) Set(m *metrics.Metrics) {
	for name, st := range g.Stores {
		m.RestoreScan(name, st)
	}
	for name, failed := range g.Failed {
		if failed {
			m.RestoreScan(name, metrics.ScanStats{Err: true})
		}
	}
	m.SetPendingPlans(g.Pending, g.OldestPending)
}

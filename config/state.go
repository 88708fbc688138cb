package config

import (
	"fmt"

	"github.com/retentiond/retentiond/rules"
)

// Defaults of the state: section: how long the state dir keeps what holds
// personal data (see package prune).
const (
	DefaultUnapprovedPlans = "30d"
	DefaultAppliedPlans    = "90d"
	DefaultAccessPackages  = "30d"
)

// State is the state: section, the state dir's own retention terms. Plan
// folders (plan.json, plan.csv, report.html, apply-*.csv) and access
// packages hold names and paths of every record they list, so they are
// removed when their term has run out, by `retentiond prune` and by the
// daemon each night. The ledger, approvals and journals are kept.
type State struct {
	// UnapprovedPlans is how long a plan that was not applied is kept
	// after it expired (its created_at plus apply.plan_max_age).
	UnapprovedPlans string `yaml:"unapproved_plans"`
	// AppliedPlans is how long an applied plan's folder is kept after it
	// was applied.
	AppliedPlans string `yaml:"applied_plans"`
	// AccessPackages is how long an access package
	// (STATE_DIR/packages/REQ-*) is kept after it was made.
	AccessPackages string `yaml:"access_packages"`

	// The terms parsed.
	ParsedUnapprovedPlans rules.Term `yaml:"-"`
	ParsedAppliedPlans    rules.Term `yaml:"-"`
	ParsedAccessPackages  rules.Term `yaml:"-"`
}

// defaults fills the terms the config leaves out.
func (s *State) defaults() {
	for _, f := range []struct {
		v   *string
		def string
	}{{&s.UnapprovedPlans, DefaultUnapprovedPlans}, {&s.AppliedPlans, DefaultAppliedPlans}, {&s.AccessPackages, DefaultAccessPackages}} {
		if *f.v == "" {
			*f.v = f.def
		}
	}
}

// state checks and parses the state: section's terms.
func (k checker) state() {
	s := &k.c.State
	for _, f := range []struct {
		key, what string
		v         string
		to        *rules.Term
	}{
		{"unapproved_plans", "a plan that was not applied is kept after it expired", s.UnapprovedPlans, &s.ParsedUnapprovedPlans},
		{"applied_plans", "an applied plan's reports are kept after it was applied", s.AppliedPlans, &s.ParsedAppliedPlans},
		{"access_packages", "an access package is kept after it was made", s.AccessPackages, &s.ParsedAccessPackages},
	} {
		t, err := rules.ParseTerm(f.v)
		if err != nil {
			k.add("state."+f.key, fmt.Sprintf("%q is not a term", f.v),
				"write how long "+f.what+": a number and a unit d, w, m or y, such as 30d, 4w, 3m or 1y")
			continue
		}
		*f.to = t
	}
}

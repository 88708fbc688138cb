package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/rules"
)

// AutoDir is the subfolder of a plan folder holding the items of the
// config's auto_apply rules, which the daemon approves and applies itself.
const AutoDir = "auto"

// PlanOptions are the inputs of one plan run.
type PlanOptions struct {
	// AsOf is the day the plan decides as of; zero is today (the
	// service's clock) in the config's time zone.
	AsOf rules.Date
	// Out is the folder to write the plan in; "" is
	// STATE_DIR/plans/TIMESTAMP. It must lie outside every store.
	Out string
	// All also lists records that are kept (not yet due).
	All bool
	// Lang is the language of the report and the reasons: "nl" (the
	// default when "") or "en".
	Lang string
	// Progress, if set, is called as each store is listed.
	Progress func(store string, records int)
	// AutoRules (the daemon's auto_apply) sends these rules' due items
	// to a second plan in the subfolder AutoDir.
	AutoRules []string
	// Request is the id of an erasure request the plan answers: that
	// subject's items only, in the requester's language.
	Request string
}

// PlanResult is what a plan run made.
type PlanResult struct {
	Dir     string // the plan folder
	AsOf    rules.Date
	Summary plan.Summary
	Stores  []plan.StoreResult
	// Failed counts the stores that could not be listed completely:
	// nothing in them is planned.
	Failed  int
	Elapsed time.Duration
	// Opened are the stores as opened, for their request counts.
	Opened []plan.Store
	// AutoSummary and AutoActions count the auto_apply plan, if any.
	AutoSummary plan.Summary
	AutoActions int
}

// Plan scans the stores and writes a dry-run plan (plan.json, plan.csv
// and report.html): it changes nothing in the stores. Config problems
// and bad options are *InputError; unreadable registries or state files
// and output failures are other errors. A store that could not be listed
// is counted in PlanResult.Failed, not an error.
func (s *Service) Plan(ctx context.Context, o PlanOptions) (*PlanResult, error) {
	start := time.Now()
	cfg := s.cfg
	if o.Lang == "" {
		o.Lang = "nl"
	}
	if o.Lang != "nl" && o.Lang != "en" {
		return nil, inputErr("--lang must be nl or en")
	}
	asOf := o.AsOf
	if asOf.IsZero() {
		asOf = rules.DateIn(s.now(), cfg.Location)
	}
	pol, err := pipeline.Policy(cfg)
	if err != nil {
		return nil, configErr(err)
	}
	subjects, _, err := pipeline.Subjects(cfg)
	if err != nil {
		return nil, fmt.Errorf("registries could not be read, so nothing is planned:\n%w", err)
	}
	stores, err := pipeline.Stores(ctx, cfg)
	if err != nil {
		return nil, configErr(err)
	}
	dir := o.Out
	if store, key, ok := cfg.StoreListing(dir); dir != "" && ok {
		return nil, inputErr("--out %s: store %q (%s) would list what is written there, and a plan names everyone it plans for; "+
			"write the plan outside every store's folders, or leave --out out for %s", dir, store, key, filepath.Join(cfg.StateDir, "plans"))
	}
	s.sweepStale(ctx, stores)
	var pd *report.Dir
	if dir == "" {
		pd, err = report.NewDir(filepath.Join(cfg.StateDir, "plans"), time.Now().In(cfg.Location))
	} else {
		pd, err = report.LockDir(dir)
	}
	if err != nil {
		return nil, err
	}
	defer pd.Close()
	dir = pd.Path
	ok := false
	defer func() {
		if !ok && o.Out == "" {
			// Nothing of a failed run stays: its own folder goes too.
			os.Remove(filepath.Join(dir, report.LockFile))
			os.Remove(filepath.Join(dir, AutoDir))
			os.Remove(dir)
		}
	}()
	held, err := s.activeHolds(asOf)
	if err != nil {
		return nil, fmt.Errorf("legal holds could not be read, so nothing is planned: %w", err)
	}
	resolved, err := s.activeResolutions()
	if err != nil {
		return nil, fmt.Errorf("review resolutions could not be read, so nothing is planned: %w", err)
	}
	decision := cfg.DecisionDigest(pol) // what an approval of the plan is bound to
	p := &plan.Planner{
		Holds:       held,
		Resolutions: resolved,
		Header: plan.Header{
			Version:      plan.Version,
			Organisation: cfg.Organisation,
			AsOf:         asOf.String(),
			CreatedAt:    time.Now().In(cfg.Location).Format(time.RFC3339),
			ConfigSHA256: cfg.SHA256,
			Decision:     &decision,
			Policy:       pol.Name(),
			Lang:         o.Lang,
			All:          o.All,
		},
		Policy:   pol,
		Subjects: subjects,
		Stores:   stores,
		AsOf:     asOf,
		Location: cfg.Location,
		All:      o.All,
		Lang:     o.Lang,
		Progress: o.Progress,
	}
	reqs, err := s.openRequests()
	if err != nil {
		return nil, fmt.Errorf("data-subject requests could not be read, so nothing is planned: %w", err)
	}
	p.Erasures = requests.Erasures(reqs)
	if o.Request != "" {
		if err := forRequest(reqs, o.Request, p); err != nil {
			return nil, &InputError{Flag: "--request", Err: err}
		}
	}
	// report.html links to the plan's page in the console when it lists
	// the plan (a plan of the state dir), or names the approve command.
	ro := report.Options{Lang: p.Lang, ConfigPath: s.path}
	if o.Out == "" && cfg.Console.Enabled() {
		ro.Console, ro.PlanID = cfg.Console.PublicURL, filepath.Base(dir)
	}
	sink, err := report.OpenWith(dir, ro)
	if err != nil {
		return nil, err
	}
	var split *splitSink
	if len(o.AutoRules) > 0 {
		if err := os.MkdirAll(filepath.Join(dir, AutoDir), 0o700); err != nil {
			return nil, err
		}
		auto, err := report.Open(filepath.Join(dir, AutoDir), p.Lang)
		if err != nil {
			return nil, err
		}
		split = &splitSink{review: sink, auto: auto, rules: o.AutoRules}
		sink = split
	}
	sum, results, err := p.Run(ctx, sink)
	if err != nil {
		if a, isA := sink.(report.Abandoner); isA {
			a.Abandon()
		}
		return nil, err
	}
	ok = true
	res := &PlanResult{Dir: dir, AsOf: asOf, Summary: sum, Stores: results, Elapsed: time.Since(start), Opened: stores}
	if split != nil {
		res.Summary, res.AutoSummary, res.AutoActions = split.reviewSum, split.autoSum, split.autoActions
	}
	for _, st := range results {
		if st.Error != "" {
			res.Failed++
		}
	}
	return res, nil
}

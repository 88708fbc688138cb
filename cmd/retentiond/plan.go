package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// planOpts are the inputs of one plan run.
type planOpts struct {
	configPath string
	asOf       string // YYYY-MM-DD; "" for today in the config's time zone
	out        string // "" for state_dir/plans/<timestamp>
	all        bool
	lang       string
	progress   bool
	// autoRules (the daemon's auto_apply) sends these rules' due items
	// to a second plan in the subfolder autoDir.
	autoRules []string
	// request is the id of an erasure request the plan answers.
	request string
	// cfg, if set, is the config to plan with (the daemon's, as loaded at
	// start-up or the last good SIGHUP); configPath is then not read.
	cfg *config.Config
}

// autoDir is the subfolder of a plan folder holding the items of the
// config's auto_apply rules, which the daemon approves and applies itself.
const autoDir = "auto"

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("plan", stderr)
	var o planOpts
	fs.StringVar(&o.configPath, "config", "", "config file (required)")
	fs.StringVar(&o.asOf, "as-of", "", "plan as of this date, YYYY-MM-DD (default today)")
	fs.StringVar(&o.out, "out", "", "directory for plan.json, plan.csv and report.html (default STATE_DIR/plans/TIMESTAMP)")
	fs.BoolVar(&o.all, "all", false, "also list records that are kept (not yet due)")
	fs.StringVar(&o.lang, "lang", "nl", "language of the report and reasons: nl or en")
	fs.StringVar(&o.request, "request", "", "answer this erasure request (REQ-0001): the subject's items only, in the requester's language")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if o.configPath == "" {
		return usageErr("--config is required")
	}
	o.progress = isTerminal(stderr)
	res, err := makePlan(ctx, o, stderr)
	if err != nil {
		return err
	}
	printSummary(stdout, res)
	if res.failed > 0 {
		return fmt.Errorf("%d store(s) could not be listed completely; nothing in them is planned", res.failed)
	}
	return nil
}

type planResult struct {
	dir     string
	asOf    rules.Date
	sum     plan.Summary
	stores  []plan.StoreResult
	failed  int
	elapsed time.Duration
	cfg     *config.Config
	opened  []plan.Store // the stores as opened, for their request counts
	// autoSum and autoActions count the auto_apply plan, if any.
	autoSum     plan.Summary
	autoActions int
}

// makePlan loads the config and writes a plan. Config problems are exit
// code 2; unreadable registries or output failures exit code 1.
func makePlan(ctx context.Context, o planOpts, stderr io.Writer) (*planResult, error) {
	start := time.Now()
	if o.lang != "nl" && o.lang != "en" {
		return nil, usageErr("--lang must be nl or en")
	}
	cfg, err := o.cfg, error(nil)
	if cfg == nil {
		if cfg, err = config.Load(o.configPath); err != nil {
			return nil, &exitError{code: 2, err: err}
		}
	}
	asOf := rules.DateIn(time.Now(), cfg.Location)
	if o.asOf != "" {
		if asOf, err = rules.ParseDate(o.asOf); err != nil {
			return nil, usageErr("--as-of: %v", err)
		}
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
	dir := o.out
	if store, key, ok := cfg.StoreListing(dir); dir != "" && ok {
		return nil, usageErr("--out %s: store %q (%s) would list what is written there, and a plan names everyone it plans for; "+
			"write the plan outside every store's folders, or leave --out out for %s", dir, store, key, filepath.Join(cfg.StateDir, "plans"))
	}
	sweepStale(ctx, cfg, stores, stderr)
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
		if !ok && o.out == "" {
			// Nothing of a failed run stays: its own folder goes too.
			os.Remove(filepath.Join(dir, report.LockFile))
			os.Remove(filepath.Join(dir, autoDir))
			os.Remove(dir)
		}
	}()
	held, err := activeHolds(cfg, asOf)
	if err != nil {
		return nil, fmt.Errorf("legal holds could not be read, so nothing is planned: %w", err)
	}
	resolved, err := activeResolutions(cfg)
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
			Lang:         o.lang,
			All:          o.all,
		},
		Policy:   pol,
		Subjects: subjects,
		Stores:   stores,
		AsOf:     asOf,
		Location: cfg.Location,
		All:      o.all,
		Lang:     o.lang,
	}
	reqs, err := openRequests(cfg)
	if err != nil {
		return nil, fmt.Errorf("data-subject requests could not be read, so nothing is planned: %w", err)
	}
	p.Erasures = erasures(reqs)
	if o.request != "" {
		if err := forRequest(reqs, o.request, p); err != nil {
			return nil, usageErr("--request: %v", err)
		}
	}
	if o.progress {
		p.Progress = func(store string, n int) {
			fmt.Fprintf(stderr, "\rscanning %s: %d records", store, n)
		}
	}
	sink, err := report.Open(dir, p.Lang)
	if err != nil {
		return nil, err
	}
	var split *splitSink
	if len(o.autoRules) > 0 {
		if err := os.MkdirAll(filepath.Join(dir, autoDir), 0o700); err != nil {
			return nil, err
		}
		auto, err := report.Open(filepath.Join(dir, autoDir), p.Lang)
		if err != nil {
			return nil, err
		}
		split = &splitSink{review: sink, auto: auto, rules: o.autoRules}
		sink = split
	}
	sum, results, err := p.Run(ctx, sink)
	if o.progress {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		if a, isA := sink.(report.Abandoner); isA {
			a.Abandon()
		}
		return nil, err
	}
	ok = true
	res := &planResult{dir: dir, asOf: asOf, sum: sum, stores: results, elapsed: time.Since(start), cfg: cfg, opened: stores}
	if split != nil {
		res.sum, res.autoSum, res.autoActions = split.reviewSum, split.autoSum, split.autoActions
	}
	for _, s := range results {
		if s.Error != "" {
			res.failed++
		}
	}
	return res, nil
}

func configErr(err error) error {
	if errors.Is(err, pipeline.ErrConfig) {
		return &exitError{code: 2, err: err}
	}
	return err
}

func printSummary(w io.Writer, r *planResult) {
	fmt.Fprintf(w, "Plan as of %s (nothing has been changed):\n", r.asOf)
	fmt.Fprintf(w, "  %6d to delete\n", r.sum.Delete)
	if r.sum.Pseudonymise > 0 {
		fmt.Fprintf(w, "  %6d to pseudonymise (fields of export rows)\n", r.sum.Pseudonymise)
	}
	fmt.Fprintf(w, "  %6d to review by hand\n  %6d held\n  %6d kept (not yet due)\n", r.sum.Review, r.sum.Hold, r.sum.Keep)
	for _, s := range r.stores {
		status := fmt.Sprintf("%d records", s.Records)
		if s.Overdue > 0 {
			status += fmt.Sprintf(", %d overdue", s.Overdue)
		}
		if s.Locked > 0 {
			status += fmt.Sprintf(", %d locked by the store", s.Locked)
		}
		if n := s.Links["anonymous"] + s.Links["organization"]; n > 0 {
			status += fmt.Sprintf(", %d SHARED BY LINK (anyone: %d, organisation: %d; see the report)", n, s.Links["anonymous"], s.Links["organization"])
		}
		if s.Error != "" {
			status = "LISTING FAILED, nothing planned: " + s.Error
		}
		fmt.Fprintf(w, "  store %-22s %s\n", s.Name, status)
	}
	fmt.Fprintf(w, "Report: %s\n", filepath.Join(r.dir, "report.html"))
	fmt.Fprintf(w, "Plan:   %s (and plan.csv for Excel)\n", filepath.Join(r.dir, "plan.json"))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

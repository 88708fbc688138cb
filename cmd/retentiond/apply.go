package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/retentiond/retentiond/agent/apply"
	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// runApply carries out an approved plan.
func runApply(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("apply", stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	planPath := fs.String("plan", "", "plan.json, or the directory holding it (required)")
	dryRun := fs.Bool("dry-run", false, "re-check every item and say what would happen; change nothing")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *cfgPath == "" || *planPath == "" {
		return usageErr("--config and --plan are required")
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	f, err := readPlan(*planPath)
	if err != nil {
		return err
	}
	res, runErr := applyPlan(ctx, cfg, *cfgPath, *planPath, f, *dryRun, stderr, nil, rules.Date{})
	if res == nil {
		return runErr
	}
	if !*dryRun && runErr == nil {
		// As the apply job does: it goes over the plan no more, and the
		// daemon's gauges and prune see it applied.
		if err := markApplied(filepath.Dir(f.Path), time.Now()); err != nil {
			fmt.Fprintf(stderr, "retentiond apply: marking the plan applied: %v\n", err)
		}
	}
	if !*dryRun && runErr == nil {
		if err := finishRequest(cfg, f, res.Failed+res.Skipped+res.Excluded, stdout); err != nil {
			runErr = err
		}
	}
	if !*dryRun && res.LedgerEntries > 0 {
		if err := copyLedger(ctx, cfg, stdout); err != nil && runErr == nil {
			runErr = err
		}
	}
	details, err := writeDetails(f, res, *dryRun)
	if err != nil && runErr == nil {
		runErr = err
	}
	printApply(stdout, f, res, *dryRun, details)
	if runErr == nil && res.Failed > 0 {
		runErr = fmt.Errorf("%d item(s) failed; see %s; applying the plan again tries them again", res.Failed, details)
	}
	return runErr
}

// applyPlan carries out an approved plan: the apply command's and the
// daemon's one way to it. Problems with the ledger are written to stderr
// (they hold no personal data).
// seen, if set, is given the stores as opened, after the run. today is
// the day the re-check decides as of (the daemon's clock); zero means
// today in the config's time zone.
func applyPlan(ctx context.Context, cfg *config.Config, cfgPath, planPath string, f *plan.File, dryRun bool, stderr io.Writer, seen func([]plan.Store), today rules.Date) (*apply.Result, error) {
	k, err := loadPseudonyms(cfg)
	if err != nil {
		return nil, err
	}
	appr, err := loadApproval(cfg, f, k)
	if errors.Is(err, approval.ErrNotApproved) {
		return nil, fmt.Errorf("plan %s has not been approved: review its report, then run retentiond approve --config %s --plan %s --by NAME",
			shortDigest(f.Digest), cfgPath, planPath)
	}
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", shortDigest(f.Digest), err)
	}
	// Refused before any store is opened when what decides changed.
	decision, err := pipeline.Decision(cfg)
	if err != nil {
		return nil, configErr(err)
	}
	if err := f.CheckDecision(decision, cfg.SHA256); err != nil {
		return nil, fmt.Errorf("plan %s: %w: make and approve a new plan", shortDigest(f.Digest), err)
	}
	planner, err := recheckPlanner(ctx, cfg, f, today)
	if err != nil {
		return nil, err
	}
	if seen != nil {
		defer func() { seen(planner.Stores) }()
	}
	if !dryRun {
		// One apply at a time per state dir; holding the lock, remove what
		// killed runs left (temporary copies of rewritten files).
		l, err := lockApply(cfg)
		if err != nil {
			return nil, err
		}
		defer l.Unlock()
		sweepLocked(ctx, cfg, planner.Stores, stderr)
		done, err := markApplying(cfg)
		if err != nil {
			return nil, err
		}
		defer done()
	}
	opts := apply.Options{
		Plan: f, Approval: appr, Planner: planner, Pseudonyms: k, StateDir: cfg.StateDir,
		Decision: decision, ConfigSHA256: cfg.SHA256, MaxDeletions: cfg.Apply.MaxDeletions, DryRun: dryRun, Now: time.Now,
	}
	var led *ledger.Ledger
	if !dryRun {
		if cfg.LedgerKeyFile == "" {
			return nil, &exitError{code: 2, err: errors.New("the config sets no ledger_key_file: create keys with `retentiond keygen --out DIR` and name DIR/ledger.key in the config")}
		}
		signer, err := keys.LoadSigner(cfg.LedgerKeyFile)
		if err != nil {
			return nil, err
		}
		dir := filepath.Join(cfg.StateDir, "ledger")
		led, err = ledger.Open(dir, keys.NameFor(cfg.Organisation), ledger.WithSigner(signer))
		if err != nil {
			return nil, err
		}
		defer led.Close()
		for _, r := range led.Recovered() {
			fmt.Fprintf(stderr, "retentiond apply: ledger: repaired after an interruption: %s\n", r)
		}
		if opts.Recorded, err = apply.Recorded(dir, f.Digest); err != nil {
			return nil, fmt.Errorf("reading the ledger: %w", err)
		}
		// An approve killed after saving the approval and before its
		// ledger entry: the approval is recorded before anything is done.
		recorded, err := approval.InLedger(dir, f.Digest)
		if err != nil {
			return nil, fmt.Errorf("reading the ledger: %w", err)
		}
		if !recorded {
			if _, err := led.Append(approval.LedgerEntry(appr, k)); err != nil {
				return nil, fmt.Errorf("recording the approval of plan %s in the ledger (approve was interrupted before it did): %w", shortDigest(f.Digest), err)
			}
			fmt.Fprintf(stderr, "retentiond apply: the approval of plan %s was not in the ledger (approve was interrupted): recorded it now\n", shortDigest(f.Digest))
		}
		opts.Ledger = led
		defer func() {
			// Sign what this run added, whatever happened after it.
			if led.Size() > 0 {
				if _, err := led.Checkpoint(signer); err != nil {
					fmt.Fprintf(stderr, "retentiond apply: signing the ledger checkpoint: %v\n", err)
				}
			}
		}()
	}
	return apply.Run(ctx, opts)
}

// recheckPlanner is a planner as of today, with today's registries and
// policy, to decide each item again before acting.
func recheckPlanner(ctx context.Context, cfg *config.Config, f *plan.File, today rules.Date) (*plan.Planner, error) {
	pol, err := pipeline.Policy(cfg)
	if err != nil {
		return nil, configErr(err)
	}
	subjects, _, err := pipeline.Subjects(cfg)
	if err != nil {
		return nil, fmt.Errorf("registries could not be read, so nothing is applied:\n%w", err)
	}
	stores, err := pipeline.Stores(ctx, cfg)
	if err != nil {
		return nil, configErr(err)
	}
	if today.IsZero() {
		today = rules.DateIn(time.Now(), cfg.Location)
	}
	held, err := activeHolds(cfg, today)
	if err != nil {
		return nil, fmt.Errorf("legal holds could not be read, so nothing is applied: %w", err)
	}
	reqs, err := openRequests(cfg)
	if err != nil {
		return nil, fmt.Errorf("data-subject requests could not be read, so nothing is applied: %w", err)
	}
	resolved, err := activeResolutions(cfg)
	if err != nil {
		return nil, fmt.Errorf("review resolutions could not be read, so nothing is applied: %w", err)
	}
	return &plan.Planner{
		Policy: pol, Subjects: subjects, Stores: stores, Location: cfg.Location, Lang: f.Lang,
		AsOf: today, Holds: held, Erasures: erasures(reqs), Resolutions: resolved,
	}, nil
}

// activeHolds reads the legal holds of the state dir active on day. A
// holds file that cannot be read is an error: a half-read list must never
// mean that nothing is held.
func activeHolds(cfg *config.Config, day rules.Date) (*holds.Matcher, error) {
	if _, err := os.Stat(cfg.StateDir); errors.Is(err, os.ErrNotExist) {
		return nil, nil // no state yet, so no holds
	}
	set, err := holds.Open(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	return set.Matcher(day)
}

// writeDetails writes what happened to each item beside the plan, mode
// 0600 (it names records), as CSV for Excel.
func writeDetails(f *plan.File, res *apply.Result, dryRun bool) (string, error) {
	name := "apply-" + time.Now().Format("20060102-150405")
	if dryRun {
		name += "-dry-run"
	}
	path := filepath.Join(filepath.Dir(f.Path), name+".csv")
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return path, err
	}
	w, err := report.NewExcelCSV(out)
	if err != nil {
		out.Close()
		return path, err
	}
	w.Write([]string{"item", "store", "record", "outcome", "reason"})
	for _, d := range res.Details {
		w.Write([]string{strconv.Itoa(d.Item), d.Store, d.Record, d.Outcome, d.Reason})
	}
	if err := w.Flush(); err != nil {
		out.Close()
		return path, err
	}
	return path, out.Close()
}

func printApply(w io.Writer, f *plan.File, r *apply.Result, dryRun bool, details string) {
	if dryRun {
		fmt.Fprintf(w, "Dry run of plan %s (nothing was changed):\n  %6d would be deleted or pseudonymised now\n", shortDigest(f.Digest), r.WouldDelete)
	} else {
		fmt.Fprintf(w, "Applied plan %s:\n  %6d deleted or pseudonymised\n", shortDigest(f.Digest), r.Done)
	}
	fmt.Fprintf(w, "  %6d skipped (changed since the plan, or no longer due)\n  %6d already gone\n  %6d failed\n", r.Skipped, r.Gone, r.Failed)
	if r.Earlier > 0 {
		fmt.Fprintf(w, "  %6d handled by an earlier run\n", r.Earlier)
	}
	if r.Retried > 0 {
		fmt.Fprintf(w, "  %6d of these had failed in an earlier run and were tried again\n", r.Retried)
	}
	if r.Excluded > 0 {
		fmt.Fprintf(w, "  %6d excluded at approval\n", r.Excluded)
	}
	if !dryRun {
		fmt.Fprintf(w, "  %6d ledger entries written\n", r.LedgerEntries)
	}
	fmt.Fprintf(w, "Details: %s\n", details)
}

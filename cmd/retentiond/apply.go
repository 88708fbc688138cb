package main

import (
	"context"
	"fmt"
	"io"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/plan"
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
	svc, err := loadService(*cfgPath, stdout, stderr)
	if err != nil {
		return err
	}
	f, err := agent.ReadPlan(*planPath)
	if err != nil {
		return err
	}
	p := newProgress(stderr, "apply", "items handled", isTerminal(stderr))
	res, runErr := svc.ApplyFile(ctx, f, agent.ApplyOptions{DryRun: *dryRun, PlanPath: *planPath, Progress: p.set})
	p.done()
	if res == nil {
		return runErr
	}
	printApply(stdout, f, res, *dryRun)
	if runErr == nil && res.Failed > 0 {
		runErr = fmt.Errorf("%d item(s) failed; see %s; applying the plan again tries them again", res.Failed, res.Details)
	}
	return runErr
}

func printApply(w io.Writer, f *plan.File, r *agent.ApplyResult, dryRun bool) {
	if dryRun {
		fmt.Fprintf(w, "Dry run of plan %s (nothing was changed):\n  %6d would be deleted or pseudonymised now\n", agent.ShortDigest(f.Digest), r.WouldDelete)
	} else {
		fmt.Fprintf(w, "Applied plan %s:\n  %6d deleted or pseudonymised\n", agent.ShortDigest(f.Digest), r.Done)
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
	fmt.Fprintf(w, "Details: %s\n", r.Details)
}

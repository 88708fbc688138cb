package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/retentiond/retentiond/agent/prune"
)

// runPrune applies the state dir's own retention terms (the config's
// state: section) to old plan folders and access packages.
func runPrune(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("prune", stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	dryRun := fs.Bool("dry-run", false, "count what would be removed; remove nothing")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageErr("--config is required")
	}
	svc, err := loadService(*cfgPath, stdout, stderr)
	if err != nil {
		return err
	}
	cfg := svc.Config()
	res, err := svc.Prune(time.Now(), *dryRun)
	if res != nil {
		printPrune(stdout, res.Result)
		switch {
		case res.Ledgered:
			fmt.Fprintln(stdout, "The ledger records it (counts only).")
		case !*dryRun && res.Plans.Removed+res.Packages.Removed > 0 && cfg.LedgerKeyFile == "":
			fmt.Fprintln(stdout, "Not recorded in a ledger: the config sets no ledger_key_file.")
		}
	}
	return err
}

// printPrune says what a prune did, in counts: never a folder's name.
func printPrune(w io.Writer, r *prune.Result) {
	p, k := r.Plans, r.Packages
	if r.DryRun {
		fmt.Fprintf(w, "Dry run: would remove %d plan folder(s) and %d access package(s); nothing was removed.\n", p.Removed, k.Removed)
	} else {
		fmt.Fprintf(w, "Pruned the state dir: removed %d plan folder(s) and %d access package(s).\n", p.Removed, k.Removed)
	}
	fmt.Fprintf(w, "Within their terms: kept %d plan folder(s) (the latest plan among them) and %d access package(s).\n", p.Kept, k.Kept)
	if p.Busy > 0 {
		fmt.Fprintf(w, "Skipped %d plan folder(s) in use by a plan or an apply running now; the next prune looks again.\n", p.Busy)
	}
	if p.Unreadable > 0 {
		fmt.Fprintf(w, "Kept %d plan folder(s) whose plan.json cannot be read: look at them, or remove them by hand.\n", p.Unreadable)
	}
	if n := p.Failed + k.Failed; n > 0 {
		fmt.Fprintf(w, "%d folder(s) could not be removed (see the error).\n", n)
	}
}

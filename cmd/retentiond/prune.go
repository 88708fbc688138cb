package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/prune"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/config"
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
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	res, ledgered, err := pruneState(cfg, time.Now(), *dryRun)
	if res != nil {
		printPrune(stdout, res)
		switch {
		case ledgered:
			fmt.Fprintln(stdout, "The ledger records it (counts only).")
		case !*dryRun && res.Plans.Removed+res.Packages.Removed > 0 && cfg.LedgerKeyFile == "":
			fmt.Fprintln(stdout, "Not recorded in a ledger: the config sets no ledger_key_file.")
		}
	}
	return err
}

// pruneState prunes cfg's state dir as of now and, when something was
// removed and the config has a ledger key, records one ledger entry of
// counts (true). It never blocks an apply: while one runs, plan folders
// are left for the next prune.
func pruneState(cfg *config.Config, now time.Time, dryRun bool) (*prune.Result, bool, error) {
	res, err := prune.Run(prune.Options{StateDir: cfg.StateDir, Terms: prune.TermsOf(cfg), Now: now, DryRun: dryRun,
		ApplyLock: filepath.Join(cfg.StateDir, applyLockFile)})
	if res == nil {
		return nil, false, err
	}
	e, ok := prune.LedgerEntry(res, now)
	if !ok || cfg.LedgerKeyFile == "" {
		return res, false, err
	}
	if lerr := ledgerEvent(cfg, func(*pseudonym.Keyed) (ledger.Entry, error) { return e, nil }); lerr != nil {
		return res, false, errors.Join(err, fmt.Errorf("the state dir was pruned, but the ledger could not record it: %w", lerr))
	}
	return res, true, err
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

// prune is the daemon's nightly prune of the state dir (run after the
// plan job); it logs counts only.
func (d *daemonJobs) prune(ctx context.Context) {
	res, ledgered, err := pruneState(d.cfg, time.Now(), false)
	if res != nil {
		p, k := res.Plans, res.Packages
		d.log.Info("state dir pruned", "plans_removed", p.Removed, "plans_kept", p.Kept, "plans_busy", p.Busy,
			"plans_unreadable", p.Unreadable, "packages_removed", k.Removed, "packages_kept", k.Kept,
			"failed", p.Failed+k.Failed, "ledgered", ledgered)
	}
	if err != nil {
		d.failure(ctx, "pruning the state dir", err)
	}
}

package main

import (
	"context"
	"fmt"
	"io"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/config"
)

// runReject records that a person rejected a plan: apply, the console
// and the daemon carry nothing of it out (agent.Service.RejectFile).
func runReject(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reject", stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	planPath := fs.String("plan", "", "plan.json, or the directory holding it (required)")
	by := fs.String("by", "", "who rejects (required)")
	comment := fs.String("comment", "", "why (required; kept in the state dir, never in the ledger)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *cfgPath == "" || *planPath == "" || *by == "" || *comment == "" {
		return usageErr("--config, --plan, --by and --comment are required")
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	svc, err := agent.New(cfg, agent.Options{Out: stdout, Warn: stderr, ConfigPath: *cfgPath})
	if err != nil {
		return err
	}
	f, err := agent.ReadPlan(*planPath)
	if err != nil {
		return err
	}
	r, err := svc.RejectFile(f, agent.CLI(*by), *comment)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Rejected plan %s (as of %s) by %s: nothing of it will be applied. The next plan is made as usual.\n",
		agent.ShortDigest(f.Digest), f.AsOf, r.RejectedBy)
	return nil
}

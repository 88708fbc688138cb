package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/rules"
)

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("plan", stderr)
	var configPath, asOf string
	var o agent.PlanOptions
	fs.StringVar(&configPath, "config", "", "config file (required)")
	fs.StringVar(&asOf, "as-of", "", "plan as of this date, YYYY-MM-DD or DD-MM-YYYY (default today)")
	fs.StringVar(&o.Out, "out", "", "directory for plan.json, plan.csv and report.html (default STATE_DIR/plans/TIMESTAMP)")
	fs.BoolVar(&o.All, "all", false, "also list records that are kept (not yet due)")
	fs.StringVar(&o.Lang, "lang", "nl", "language of the report and reasons: nl or en")
	fs.StringVar(&o.Request, "request", "", "answer this erasure request (REQ-0001): the subject's items only, in the requester's language")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if configPath == "" {
		return usageErr("--config is required")
	}
	res, err := makePlan(ctx, configPath, asOf, o, isTerminal(stderr), stdout, stderr)
	if err != nil {
		return err
	}
	printSummary(stdout, res)
	if res.Failed > 0 {
		return fmt.Errorf("%d store(s) could not be listed completely; nothing in them is planned", res.Failed)
	}
	return nil
}

// makePlan loads the config and has the service write a plan. Config
// problems are exit code 2; unreadable registries or output failures
// exit code 1. The records listed are counted on stderr as the stores
// are listed: a bar if tty (stderr is a terminal), else a line per
// thousand.
func makePlan(ctx context.Context, configPath, asOf string, o agent.PlanOptions, tty bool, stdout, stderr io.Writer) (*agent.PlanResult, error) {
	if o.Lang != "nl" && o.Lang != "en" {
		return nil, usageErr("--lang must be nl or en")
	}
	svc, err := loadService(configPath, stdout, stderr)
	if err != nil {
		return nil, err
	}
	if asOf != "" {
		if o.AsOf, err = dateFlag("--as-of", asOf); err != nil {
			return nil, err
		}
	}
	p := newProgress(stderr, "plan", "records listed", tty)
	o.Progress = storeCounts(p)
	defer p.done()
	return svc.Plan(ctx, o)
}

// storeCounts turns the planner's progress (a store and its records so
// far) into the records listed in all stores so far, for p (counts
// only: the store's name is not shown).
func storeCounts(p *progress) func(store string, records int) {
	var store string
	var before, last int // records of the stores listed, of this one so far
	return func(st string, n int) {
		if st != store {
			store, before, last = st, before+last, 0
		}
		last = n
		p.set(before+n, -1)
	}
}

// dateFlag reads a date a person gave with the flag name: YYYY-MM-DD or
// DD-MM-YYYY (rules.ParseTypedDate). One that is neither is a usage error
// naming the flag.
func dateFlag(name, value string) (rules.Date, error) {
	d, err := rules.ParseTypedDate(value)
	if err != nil {
		return d, usageErr("%s: %v", name, err)
	}
	return d, nil
}

func printSummary(w io.Writer, r *agent.PlanResult) {
	fmt.Fprintf(w, "Plan as of %s (nothing has been changed):\n", r.AsOf)
	fmt.Fprintf(w, "  %6d to delete\n", r.Summary.Delete)
	if r.Summary.Pseudonymise > 0 {
		fmt.Fprintf(w, "  %6d to pseudonymise (fields of export rows)\n", r.Summary.Pseudonymise)
	}
	fmt.Fprintf(w, "  %6d to review by hand\n  %6d held\n  %6d kept (not yet due)\n", r.Summary.Review, r.Summary.Hold, r.Summary.Keep)
	for _, s := range r.Stores {
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
	fmt.Fprintf(w, "Report: %s\n", filepath.Join(r.Dir, "report.html"))
	fmt.Fprintf(w, "Plan:   %s (and plan.csv for Excel)\n", filepath.Join(r.Dir, "plan.json"))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// runExplain shows why one record gets its decision: the layout and
// subject it was tied to and every rule that applied.
func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("explain", stderr)
	path := fs.String("config", "", "config file (required)")
	asOfFlag := fs.String("as-of", "", "decide as of this date, YYYY-MM-DD (default today)")
	lang := fs.String("lang", "en", "language: nl or en")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: retentiond explain --config F [--as-of DATE] STORE:RECORD")
		fs.PrintDefaults()
	}
	if err := parse(fs, args, true); err != nil {
		return err
	}
	if *path == "" || fs.NArg() != 1 {
		return usageErr("give --config and one STORE:RECORD, such as kinddossiers:'Jansen, Piet/intake.pdf'")
	}
	store, id, ok := strings.Cut(fs.Arg(0), ":")
	if !ok || id == "" {
		return usageErr("the record is STORE:RECORD, such as kinddossiers:'Jansen, Piet/intake.pdf'")
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	asOf := rules.DateIn(time.Now(), cfg.Location)
	if *asOfFlag != "" {
		if asOf, err = rules.ParseDate(*asOfFlag); err != nil {
			return usageErr("--as-of: %v", err)
		}
	}
	pol, err := pipeline.Policy(cfg)
	if err != nil {
		return configErr(err)
	}
	subjects, _, err := pipeline.Subjects(cfg)
	if err != nil {
		return fmt.Errorf("registries:\n%w", err)
	}
	stores, err := pipeline.Stores(ctx, cfg)
	if err != nil {
		return configErr(err)
	}
	var set *review.Set
	if _, err := os.Stat(filepath.Join(cfg.StateDir, review.FileName)); err == nil {
		if set, err = openResolutions(cfg); err != nil {
			return fmt.Errorf("review resolutions: %w", err)
		}
	}
	p := &plan.Planner{Policy: pol, Subjects: subjects, Stores: stores, AsOf: asOf, Location: cfg.Location, Lang: *lang}
	if set != nil {
		p.Resolutions = set.Matcher()
	}
	it, d, err := p.Explain(ctx, store, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "record:   %s:%s (%s, %d bytes, modified %s)\n", it.Store, it.Record, it.Kind, it.Size, it.Modified)
	if it.Subject != nil {
		fmt.Fprintf(stdout, "subject:  %s %s (%s)\n", rules.SubjectName(it.Subject.Type, *lang), it.Subject.ID, it.Subject.Name)
	} else {
		fmt.Fprintln(stdout, "subject:  none")
	}
	if it.Category != "" {
		fmt.Fprintf(stdout, "category: %s\n", it.Category)
	}
	fmt.Fprintf(stdout, "as of:    %s\ndecision: %s", asOf, it.Action)
	if it.Due != "" {
		fmt.Fprintf(stdout, " (due %s)", it.Due)
	}
	if it.Rule != "" {
		fmt.Fprintf(stdout, " by rule %s", it.Rule)
	}
	fmt.Fprintf(stdout, "\nreason:   %s\n", it.Reason)
	if it.Basis != "" {
		fmt.Fprintf(stdout, "basis:    %s\n", it.Basis)
	}
	if set != nil && it.Resolved != "" {
		if r, ok := set.Get(it.Resolved); ok {
			fmt.Fprintf(stdout, "resolved: %s (%s), resolved by %s on %s: %s\n", r.ID, resolutionWhat(r), r.By, r.At.In(cfg.Location).Format("2006-01-02"), r.Reason)
		}
	}
	if len(d.Considered) > 0 {
		fmt.Fprintln(stdout, "rules considered:")
		for _, c := range d.Considered {
			fmt.Fprintf(stdout, "  - %s\n", c.In(*lang))
		}
	}
	return nil
}

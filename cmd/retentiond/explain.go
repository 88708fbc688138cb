package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/rules"
)

// runExplain shows why one record gets its decision: the layout and
// subject it was tied to and every rule that applied.
func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("explain", stderr)
	path := fs.String("config", "", "config file (required)")
	asOfFlag := fs.String("as-of", "", "decide as of this date, YYYY-MM-DD or DD-MM-YYYY (default today)")
	lang := fs.String("lang", "en", "language: nl or en")
	setSynopsis(fs, "retentiond explain --config F [--as-of DATE] STORE:RECORD")
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
	svc, err := loadService(*path, stdout, stderr)
	if err != nil {
		return err
	}
	cfg := svc.Config()
	var asOf rules.Date
	if *asOfFlag != "" {
		if asOf, err = dateFlag("--as-of", *asOfFlag); err != nil {
			return err
		}
	}
	e, err := svc.Explain(ctx, store, id, asOf, *lang)
	if err != nil {
		return err
	}
	it, d, asOf := e.Item, e.Decision, e.AsOf
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
	if r := e.Resolution; r != nil {
		fmt.Fprintf(stdout, "resolved: %s (%s), resolved by %s on %s: %s\n", r.ID, agent.ResolutionWhat(*r), r.By, r.At.In(cfg.Location).Format("2006-01-02"), r.Reason)
	}
	if len(d.Considered) > 0 {
		fmt.Fprintln(stdout, "rules considered:")
		for _, c := range d.Considered {
			fmt.Fprintf(stdout, "  - %s\n", c.In(*lang))
		}
	}
	return nil
}

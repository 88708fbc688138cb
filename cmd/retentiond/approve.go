package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/retentiond/retentiond/agent"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

var _ flag.Value = (*stringList)(nil)

// runApprove records that a person approved a plan.
func runApprove(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("approve", stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	planPath := fs.String("plan", "", "plan.json, or the directory holding it (required)")
	by := fs.String("by", "", "who approves (required)")
	var exclude stringList
	fs.Var(&exclude, "exclude", "leave out this item, as STORE:RECORD (repeatable)")
	comment := fs.String("comment", "", "a note kept with the approval in the state dir (never in the ledger)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *cfgPath == "" || *planPath == "" || *by == "" {
		return usageErr("--config, --plan and --by are required")
	}
	svc, err := loadService(*cfgPath, stdout, stderr)
	if err != nil {
		return err
	}
	cfg := svc.Config()
	f, err := agent.ReadPlan(*planPath)
	if err != nil {
		return err
	}
	a, err := svc.ApproveFile(ctx, f, agent.CLI(*by), exclude, *comment)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Approved plan %s (as of %s) by %s: %d action(s)", agent.ShortDigest(f.Digest), f.AsOf, strings.Join(a.Approvers(), " and "), a.Actions)
	if len(a.Excluded) > 0 {
		fmt.Fprintf(stdout, ", %d item(s) excluded", len(a.Excluded))
	}
	if svc.NeedsSecondApprover(f, a) {
		fmt.Fprintf(stdout, ".\nIt deletes %d item(s), more than console.four_eyes_over (%d): a second, different person must approve it too before it is applied:\n  retentiond approve --config %s --plan %s --by NAME\n",
			a.Deletions(f), cfg.Console.FourEyesOver, *cfgPath, f.Path)
		return nil
	}
	fmt.Fprintf(stdout, ".\nIt can be applied until %s:\n  retentiond apply --config %s --plan %s\n",
		a.ExpiresAt.In(cfg.Location).Format("2006-01-02 15:04"), *cfgPath, f.Path)
	return nil
}

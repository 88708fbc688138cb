package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/config"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

var _ flag.Value = (*stringList)(nil)

// runApprove records that a person approved a plan.
func runApprove(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("approve", stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	planPath := fs.String("plan", "", "plan.json, or the directory holding it (required)")
	by := fs.String("by", "", "who approves (required)")
	var exclude stringList
	fs.Var(&exclude, "exclude", "leave out this item, as STORE:RECORD (repeatable)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *cfgPath == "" || *planPath == "" || *by == "" {
		return usageErr("--config, --plan and --by are required")
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	f, err := readPlan(*planPath)
	if err != nil {
		return err
	}
	if f.ConfigSHA256 != cfg.SHA256 {
		return errors.New("the config changed since this plan was made: make a new plan and approve that one")
	}
	k, err := loadPseudonyms(cfg)
	if err != nil {
		return err
	}
	a, err := approval.Approve(cfg.StateDir, f, *by, exclude, time.Now(), cfg.Apply.ParsedPlanMaxAge, cfg.Location, k)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Approved plan %s (as of %s) by %s: %d action(s)", shortDigest(f.Digest), f.AsOf, a.ApprovedBy, a.Actions)
	if len(a.Excluded) > 0 {
		fmt.Fprintf(stdout, ", %d item(s) excluded", len(a.Excluded))
	}
	fmt.Fprintf(stdout, ".\nIt can be applied until %s:\n  retentiond apply --config %s --plan %s\n",
		a.ExpiresAt.In(cfg.Location).Format("2006-01-02 15:04"), *cfgPath, f.Path)
	return nil
}

// readPlan reads plan.json from a file or a plan directory.
func readPlan(p string) (*plan.File, error) {
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		p = filepath.Join(p, report.PlanJSON)
	}
	return plan.Read(p)
}

func loadPseudonyms(cfg *config.Config) (*pseudonym.Keyed, error) {
	if cfg.PseudonymKeyFile == "" {
		return nil, &exitError{code: 2, err: errors.New("the config sets no pseudonym_key_file: create keys with `retentiond keygen --out DIR` and name DIR/pseudonym.key in the config")}
	}
	key, err := keys.LoadPseudonymKey(cfg.PseudonymKeyFile)
	if err != nil {
		return nil, err
	}
	return pseudonym.New(key)
}

func shortDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) > 12 {
		return d[:12]
	}
	return d
}

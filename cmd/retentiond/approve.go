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

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/agent/statefs"
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
	// The service must be able to read the approval: root's files are
	// given to the state dir's owner afterwards (keepStateOwner); another
	// user's would stay unreadable to it.
	if err := statefs.CheckWriter(cfg.StateDir); err != nil {
		return err
	}
	f, err := readPlan(*planPath)
	if err != nil {
		return err
	}
	if err := checkDecision(cfg, f); err != nil {
		return fmt.Errorf("%w: make a new plan and approve that one", err)
	}
	a, err := approvePlan(cfg, f, *by, exclude)
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

// approvePlan approves f in by's name: the approval is signed with the
// ledger key, written to STATE_DIR/approvals/ and recorded in the ledger.
// The ledger is opened first, so that a ledger in use or damaged stops
// the approval before anything is written; if the ledger cannot take
// the entry, the approval file is removed again.
func approvePlan(cfg *config.Config, f *plan.File, by string, exclude []string) (*approval.Approval, error) {
	k, err := loadPseudonyms(cfg)
	if err != nil {
		return nil, err
	}
	signer, _, err := ledgerKeys(cfg)
	if err != nil {
		return nil, err
	}
	a, err := approval.Approve(cfg.StateDir, f, by, exclude, time.Now(), cfg.Apply.ParsedPlanMaxAge, cfg.Location, k)
	if err != nil {
		return nil, err
	}
	l, err := ledger.Open(filepath.Join(cfg.StateDir, "ledger"), keys.NameFor(cfg.Organisation), ledger.WithSigner(signer))
	if err != nil {
		return nil, fmt.Errorf("the approval was not recorded: %w", err)
	}
	defer l.Close()
	if err := approval.Save(cfg.StateDir, a, signer); err != nil {
		return nil, err
	}
	if _, err := l.Append(approval.LedgerEntry(a, k)); err != nil {
		approval.Remove(cfg.StateDir, f.Digest)
		return nil, fmt.Errorf("the approval was not recorded, so it was taken back: %w", err)
	}
	if _, err := l.Checkpoint(signer); err != nil {
		// The entry is in the ledger with its intent: the next run that
		// opens the ledger signs it.
		return nil, fmt.Errorf("the approval is recorded, but signing the ledger checkpoint failed: %w", err)
	}
	return a, nil
}

// checkDecision refuses a plan made under another decision than cfg's
// (plan.File.CheckDecision): the policy, registries, stores, layouts,
// profiles or operators changed since it was made. Edits that decide
// nothing (comments, schedules, notify, listen) pass.
func checkDecision(cfg *config.Config, f *plan.File) error {
	d, err := pipeline.Decision(cfg)
	if err != nil {
		return configErr(err)
	}
	return f.CheckDecision(d, cfg.SHA256)
}

// ledgerKeys loads the config's ledger signing key and its verifier,
// derived from the key itself.
func ledgerKeys(cfg *config.Config) (note.Signer, note.Verifier, error) {
	if cfg.LedgerKeyFile == "" {
		return nil, nil, &exitError{code: 2, err: errors.New("the config sets no ledger_key_file: create keys with `retentiond keygen --out DIR` and name DIR/ledger.key in the config")}
	}
	return keys.LoadSignerVerifier(cfg.LedgerKeyFile)
}

// loadApproval reads and checks the approval of f (see approval.Load).
func loadApproval(cfg *config.Config, f *plan.File, k *pseudonym.Keyed) (*approval.Approval, error) {
	_, v, err := ledgerKeys(cfg)
	if err != nil {
		return nil, err
	}
	return approval.Load(cfg.StateDir, f, v, cfg.Apply.ParsedPlanMaxAge, cfg.Location, k, cfg.Console.FourEyesOver)
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

package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/apply"
	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/rules"
)

// ApplyOptions are the choices of one apply.
type ApplyOptions struct {
	// DryRun re-checks every item and says what would happen; it changes
	// nothing.
	DryRun bool
	// PlanPath is the plan as the caller named it, for the command a
	// message suggests; "" is the plan's folder.
	PlanPath string
	// By is who started the apply at the console ("apply now"); the
	// ledger then says so (ActionApplyStarted). Zero for the CLI and the
	// daemon's job, whose applies the approval alone starts.
	By Actor
	// Progress, if set, is told how many of the plan's approved actions
	// (total) are handled so far (done), as that number grows; a front
	// end shows it (the service itself prints nothing). It must not block.
	Progress func(done, total int)
}

// ActionApplyStarted is the ledger action of an apply a person started
// at the console, before its items' entries.
const ActionApplyStarted = "apply-started"

// ApplyResult is what an apply did.
type ApplyResult struct {
	*apply.Result
	// Details is the CSV beside the plan with what happened to each item.
	Details string
}

// Apply carries out the approved plan id (a folder of STATE_DIR/plans);
// see ApplyFile.
func (s *Service) Apply(ctx context.Context, id string, o ApplyOptions) (*ApplyResult, error) {
	f, _, err := s.PlanFile(id)
	if err != nil {
		return nil, err
	}
	return s.ApplyFile(ctx, f, o)
}

// ApplyFile carries out the approved plan f, re-checking every item
// against today's stores, registries, holds, requests and resolutions,
// within the delete limit, recording each action in the ledger. Once the
// run ended without error the plan is marked applied and the erasure
// request it answers is settled; new ledger lines are copied to the
// ledger_copy bucket. The result is nil only when nothing was tried; an
// error with a result says what stopped the run (items that failed are
// counted, not an error).
func (s *Service) ApplyFile(ctx context.Context, f *plan.File, o ApplyOptions) (*ApplyResult, error) {
	if !o.DryRun && o.By.String() != "" {
		// Only an approved plan is worth the entry: apply checks again.
		if _, err := s.Approval(f); err != nil {
			return nil, err
		}
		if err := s.ledgerEvent(func(k *pseudonym.Keyed) (ledger.Entry, error) {
			return ledger.Entry{Time: time.Now(), Plan: f.Digest, Action: ActionApplyStarted, Outcome: ledger.OutcomeDone,
				Reason: strings.TrimPrefix(ledgerBy(k, o.By), "; ")}, nil
		}); err != nil {
			return nil, fmt.Errorf("the ledger could not record who started the apply, so nothing was applied: %w", err)
		}
	}
	res, runErr := s.applyPlan(ctx, f, o, nil, rules.Date{})
	if res == nil {
		return nil, runErr
	}
	if !o.DryRun && runErr == nil {
		// As the apply job does: it goes over the plan no more, and the
		// daemon's gauges and prune see it applied.
		if err := markApplied(filepath.Dir(f.Path), time.Now()); err != nil {
			fmt.Fprintf(s.warn, "retentiond apply: marking the plan applied: %v\n", err)
		}
	}
	if !o.DryRun && runErr == nil {
		if err := s.finishRequest(f, res.Failed+res.Skipped+res.Excluded); err != nil {
			runErr = err
		}
	}
	if !o.DryRun && res.LedgerEntries > 0 {
		if err := s.CopyLedger(ctx); err != nil && runErr == nil {
			runErr = err
		}
	}
	details, err := writeDetails(f, res, o.DryRun)
	if err != nil && runErr == nil {
		runErr = err
	}
	return &ApplyResult{Result: res, Details: details}, runErr
}

// markApplied writes the applied marker into the plan folder dir.
func markApplied(dir string, now time.Time) error {
	return os.WriteFile(filepath.Join(dir, AppliedMarker), []byte(now.Format(time.RFC3339)+"\n"), 0o600)
}

// applyPlan carries out an approved plan: the apply command's, the
// console's and the daemon's one way to it. Problems with the ledger are
// warnings (they hold no personal data). seen, if set, is given the
// stores as opened, after the run. today is the day the re-check decides
// as of; zero is today by the service's clock.
func (s *Service) applyPlan(ctx context.Context, f *plan.File, o ApplyOptions, seen func([]plan.Store), today rules.Date) (*apply.Result, error) {
	cfg := s.cfg
	k, err := s.Pseudonyms()
	if err != nil {
		return nil, err
	}
	appr, err := s.loadApproval(f, k)
	if errors.Is(err, approval.ErrNotApproved) {
		planPath := o.PlanPath
		if planPath == "" {
			planPath = filepath.Dir(f.Path)
		}
		return nil, fmt.Errorf("plan %s has not been approved: review its report, then run retentiond approve --config %s --plan %s --by NAME",
			ShortDigest(f.Digest), s.path, planPath)
	}
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", ShortDigest(f.Digest), err)
	}
	// Refused before any store is opened when what decides changed.
	decision, err := pipeline.Decision(cfg)
	if err != nil {
		return nil, configErr(err)
	}
	if err := f.CheckDecision(decision, cfg.SHA256); err != nil {
		return nil, fmt.Errorf("plan %s: %w: make and approve a new plan", ShortDigest(f.Digest), err)
	}
	if today.IsZero() {
		today = rules.DateIn(s.now(), cfg.Location)
	}
	planner, err := s.recheckPlanner(ctx, f, today)
	if err != nil {
		return nil, err
	}
	if seen != nil {
		defer func() { seen(planner.Stores) }()
	}
	if !o.DryRun {
		// One apply at a time per state dir; holding the lock, remove what
		// killed runs left (temporary copies of rewritten files).
		l, err := s.lockApply()
		if err != nil {
			return nil, err
		}
		defer l.Unlock()
		s.sweepLocked(ctx, planner.Stores)
		done, err := s.markApplying()
		if err != nil {
			return nil, err
		}
		defer done()
	}
	opts := apply.Options{
		Plan: f, Approval: appr, Planner: planner, Pseudonyms: k, StateDir: cfg.StateDir,
		Decision: decision, ConfigSHA256: cfg.SHA256, MaxDeletions: cfg.Apply.MaxDeletions, DryRun: o.DryRun, Now: time.Now,
		Progress: o.Progress,
	}
	if !o.DryRun {
		if cfg.LedgerKeyFile == "" {
			return nil, badInput(errNoLedgerKey)
		}
		signer, err := keys.LoadSigner(cfg.LedgerKeyFile)
		if err != nil {
			return nil, err
		}
		dir := s.ledgerDir()
		led, err := ledger.Open(dir, keys.NameFor(cfg.Organisation), ledger.WithSigner(signer))
		if err != nil {
			return nil, err
		}
		defer led.Close()
		for _, r := range led.Recovered() {
			fmt.Fprintf(s.warn, "retentiond apply: ledger: repaired after an interruption: %s\n", r)
		}
		if opts.Recorded, err = apply.Recorded(dir, f.Digest); err != nil {
			return nil, fmt.Errorf("reading the ledger: %w", err)
		}
		// An approve killed after saving the approval (or its second
		// approver) and before its ledger entry: the approval is recorded
		// before anything is done.
		missing, err := approval.Unrecorded(dir, appr, k)
		if err != nil {
			return nil, fmt.Errorf("reading the ledger: %w", err)
		}
		for _, e := range missing {
			if _, err := led.Append(e); err != nil {
				return nil, fmt.Errorf("recording the approval of plan %s in the ledger (approve was interrupted before it did): %w", ShortDigest(f.Digest), err)
			}
			fmt.Fprintf(s.warn, "retentiond apply: the approval of plan %s was not in the ledger (approve was interrupted): recorded it now\n", ShortDigest(f.Digest))
		}
		opts.Ledger = led
		defer func() {
			// Sign what this run added, whatever happened after it.
			if led.Size() > 0 {
				if _, err := led.Checkpoint(signer); err != nil {
					fmt.Fprintf(s.warn, "retentiond apply: signing the ledger checkpoint: %v\n", err)
				}
			}
		}()
	}
	return apply.Run(ctx, opts)
}

// recheckPlanner is a planner as of today, with today's registries and
// policy, to decide each item again before acting.
func (s *Service) recheckPlanner(ctx context.Context, f *plan.File, today rules.Date) (*plan.Planner, error) {
	cfg := s.cfg
	pol, err := pipeline.Policy(cfg)
	if err != nil {
		return nil, configErr(err)
	}
	subjects, _, err := pipeline.Subjects(cfg)
	if err != nil {
		return nil, fmt.Errorf("registries could not be read, so nothing is applied:\n%w", err)
	}
	stores, err := pipeline.Stores(ctx, cfg)
	if err != nil {
		return nil, configErr(err)
	}
	held, err := s.activeHolds(today)
	if err != nil {
		return nil, fmt.Errorf("legal holds could not be read, so nothing is applied: %w", err)
	}
	reqs, err := s.openRequests()
	if err != nil {
		return nil, fmt.Errorf("data-subject requests could not be read, so nothing is applied: %w", err)
	}
	resolved, err := s.activeResolutions()
	if err != nil {
		return nil, fmt.Errorf("review resolutions could not be read, so nothing is applied: %w", err)
	}
	return &plan.Planner{
		Policy: pol, Subjects: subjects, Stores: stores, Location: cfg.Location, Lang: f.Lang,
		AsOf: today, Holds: held, Erasures: requests.Erasures(reqs), Resolutions: resolved,
	}, nil
}

// writeDetails writes what happened to each item beside the plan, mode
// 0600 (it names records), as CSV for Excel.
func writeDetails(f *plan.File, res *apply.Result, dryRun bool) (string, error) {
	name := "apply-" + time.Now().Format("20060102-150405")
	if dryRun {
		name += "-dry-run"
	}
	path := filepath.Join(filepath.Dir(f.Path), name+".csv")
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return path, err
	}
	w, err := report.NewExcelCSV(out)
	if err != nil {
		out.Close()
		return path, err
	}
	w.Write([]string{"item", "store", "record", "outcome", "reason"})
	for _, d := range res.Details {
		w.Write([]string{strconv.Itoa(d.Item), d.Store, d.Record, d.Outcome, d.Reason})
	}
	if err := w.Flush(); err != nil {
		out.Close()
		return path, err
	}
	return path, out.Close()
}

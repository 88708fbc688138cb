package agent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/selection"
	"github.com/retentiond/retentiond/agent/statefs"
)

// Approve records that by approved the plan id (a folder of
// STATE_DIR/plans), leaving out the items exclude names (STORE:RECORD).
// See ApproveFile.
func (s *Service) Approve(ctx context.Context, id string, by Actor, exclude []string, comment string) (*approval.Approval, error) {
	f, _, err := s.PlanFile(id)
	if err != nil {
		return nil, err
	}
	return s.ApproveFile(ctx, f, by, exclude, comment)
}

// ApproveFile records that by approved the plan f, which may lie outside
// the state dir (the command line's --plan). The plan must have been
// made under the config's decision as it is now. The approval leaves out
// the items the reviewers' selection excludes (Exclude) and the items
// exclude names, which are added to the selection first (ledgered as
// exclusions by by). It is signed with the ledger key, written to
// STATE_DIR/approvals/ with comment and recorded in the ledger, which
// names the approver by a keyed pseudonym only (never the comment).
//
// With console.four_eyes_over above 0 and more deletions than that, the
// first approval waits for a second, different approver (names compared
// without case and spacing; the returned approval's NeedsSecond says
// so), and apply refuses it until then. The second approver's approval
// of the same exclusions completes it. If the exclusions changed since
// the first approval, that one no longer counts: this approval replaces
// it as the first of two. A rejected plan is not approved.
func (s *Service) ApproveFile(_ context.Context, f *plan.File, by Actor, exclude []string, comment string) (*approval.Approval, error) {
	// The service must be able to read the approval: root's files are
	// given to the state dir's owner afterwards (statefs.KeepOwner);
	// another user's would stay unreadable to it.
	if err := statefs.CheckWriter(s.cfg.StateDir); err != nil {
		return nil, err
	}
	if err := s.checkDecision(f); err != nil {
		return nil, fmt.Errorf("%w: make a new plan and approve that one", err)
	}
	if strings.TrimSpace(by.String()) == "" {
		return nil, inputErr("say who approves with --by NAME")
	}
	items, err := approval.Resolve(f, exclude)
	if err != nil {
		return nil, badInput(err) // an --exclude that names no item
	}
	if len(items) > 0 {
		if _, err := s.changeSelection(f, by, func(f *plan.File, k *pseudonym.Keyed, h selection.Hooks) (selection.Change, error) {
			return selection.Exclude(s.cfg.StateDir, f, items, by.String(), by.Via, "excluded when approving", time.Now(), k, h)
		}); err != nil {
			return nil, err
		}
	}
	return s.approvePlan(f, by, comment)
}

// approvePlan approves f in by's name with the selection's exclusions,
// under the selection's lock. The ledger is opened first, so that a
// ledger in use or damaged stops the approval before anything is
// written; if the ledger cannot take the entry, the approval file is
// put back as it was.
func (s *Service) approvePlan(f *plan.File, by Actor, comment string) (*approval.Approval, error) {
	cfg := s.cfg
	k, err := s.Pseudonyms()
	if err != nil {
		return nil, err
	}
	signer, v, err := s.LedgerKeys()
	if err != nil {
		return nil, err
	}
	var out *approval.Approval
	err = selection.With(cfg.StateDir, f, k, func(sel *selection.Selection) error {
		now := time.Now()
		if err := s.notRejected(f, v); err != nil {
			return err
		}
		first, err := approval.Read(cfg.StateDir, f, v, cfg.Apply.ParsedPlanMaxAge, cfg.Location, k)
		if err != nil && !errors.Is(err, approval.ErrNotApproved) {
			return err
		}
		var a *approval.Approval
		var entry ledger.Entry
		switch {
		case first == nil:
			if a, err = approval.ApproveItems(cfg.StateDir, f, by.String(), sel.Items(), now, cfg.Apply.ParsedPlanMaxAge, cfg.Location, k); err != nil {
				return err
			}
			a.Comment = comment
			entry = approval.LedgerEntry(a, k)
		case !first.NeedsSecond(f, s.fourEyesOver(f)):
			return fmt.Errorf("%w, by %s at %s", approval.ErrApprovedAlready, strings.Join(first.Approvers(), " and "), first.ApprovedAt.Format(time.RFC3339))
		default:
			a, err = approval.Second(f, first, by.String(), sel.Items(), now)
			if errors.Is(err, approval.ErrExclusionsChanged) {
				// The exclusions changed since the first approval: it no
				// longer counts, and this one is the first of two.
				s.log.Info("the first approval of a plan no longer counts: its exclusions changed", "plan", ShortDigest(f.Digest))
				a, err = approval.Supersede(f, first, by.String(), sel.Items(), now, cfg.Apply.ParsedPlanMaxAge, cfg.Location, k)
				if err != nil {
					return err
				}
				a.Comment, entry = comment, approval.LedgerEntry(a, k)
			} else if err != nil {
				return err
			} else {
				a.SecondComment, entry = comment, approval.SecondLedgerEntry(a, k)
			}
		}
		l, err := ledger.Open(s.ledgerDir(), keys.NameFor(cfg.Organisation), ledger.WithSigner(signer))
		if err != nil {
			return fmt.Errorf("the approval was not recorded: %w", err)
		}
		defer l.Close()
		undo := func() { approval.Remove(cfg.StateDir, f.Digest) }
		if first == nil {
			err = approval.Save(cfg.StateDir, a, signer)
		} else {
			err = approval.Replace(cfg.StateDir, first, a, signer)
			undo = func() { approval.Replace(cfg.StateDir, a, first, signer) }
		}
		if err != nil {
			return err
		}
		if _, err := l.Append(entry); err != nil {
			undo()
			return fmt.Errorf("the approval was not recorded, so it was taken back: %w", err)
		}
		out = a
		if _, err := l.Checkpoint(signer); err != nil {
			// The entry is in the ledger with its intent: the next run that
			// opens the ledger signs it.
			return fmt.Errorf("the approval is recorded, but signing the ledger checkpoint failed: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// notRejected refuses to approve a plan with a rejection file (valid or
// not: a forged one is told by Load).
func (s *Service) notRejected(f *plan.File, v note.Verifier) error {
	r, err := approval.LoadRejection(s.cfg.StateDir, f, v)
	if err != nil {
		return err
	}
	if r != nil {
		return fmt.Errorf("%w by %s at %s: it cannot be approved; make a new plan", approval.ErrRejected, r.RejectedBy, r.RejectedAt.Format(time.RFC3339))
	}
	return nil
}

// checkDecision refuses a plan made under another decision than the
// config's (plan.File.CheckDecision): the policy, registries, stores,
// layouts, profiles or operators changed since it was made. Edits that
// decide nothing (comments, schedules, notify, listen) pass.
func (s *Service) checkDecision(f *plan.File) error {
	d, err := pipeline.Decision(s.cfg)
	if err != nil {
		return configErr(err)
	}
	return f.CheckDecision(d, s.cfg.SHA256)
}

// Approval reads and checks the approval of f as apply does (see
// approval.Load): approval.ErrNotApproved when there is none; an error
// wrapping approval.ErrNeedsSecondApprover or approval.ErrRejected when
// it may not be applied (yet).
func (s *Service) Approval(f *plan.File) (*approval.Approval, error) {
	k, err := s.Pseudonyms()
	if err != nil {
		return nil, err
	}
	return s.loadApproval(f, k)
}

// loadApproval is Approval with the pseudonym key loaded.
func (s *Service) loadApproval(f *plan.File, k *pseudonym.Keyed) (*approval.Approval, error) {
	_, v, err := s.LedgerKeys()
	if err != nil {
		return nil, err
	}
	return approval.Load(s.cfg.StateDir, f, v, s.cfg.Apply.ParsedPlanMaxAge, s.cfg.Location, k, s.fourEyesOver(f))
}

// fourEyesOver is the four-eyes threshold for f: console.four_eyes_over
// of the config, or 0 (one approver suffices) for a plan whose every
// action is of a daemon.auto_apply rule, which the config lets the
// daemon carry out with no person's approval at all (the auto plan).
func (s *Service) fourEyesOver(f *plan.File) int {
	over := s.cfg.Console.FourEyesOver
	if over <= 0 || len(s.cfg.Daemon.AutoApply) == 0 {
		return over
	}
	for _, it := range f.Items {
		if approval.IsAction(it.Action) && !slices.Contains(s.cfg.Daemon.AutoApply, it.Rule) {
			return over
		}
	}
	return 0
}

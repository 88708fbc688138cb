package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
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
// made under the config's decision as it is now. The approval is signed
// with the ledger key, written to STATE_DIR/approvals/ and recorded in
// the ledger, which names the approver by a keyed pseudonym only.
// comment is not stored yet (the approval file has no field for it).
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
	return s.approvePlan(f, by.String(), exclude)
}

// approvePlan approves f in by's name. The ledger is opened first, so
// that a ledger in use or damaged stops the approval before anything is
// written; if the ledger cannot take the entry, the approval file is
// removed again.
func (s *Service) approvePlan(f *plan.File, by string, exclude []string) (*approval.Approval, error) {
	cfg := s.cfg
	k, err := s.Pseudonyms()
	if err != nil {
		return nil, err
	}
	signer, _, err := s.LedgerKeys()
	if err != nil {
		return nil, err
	}
	a, err := approval.Approve(cfg.StateDir, f, by, exclude, time.Now(), cfg.Apply.ParsedPlanMaxAge, cfg.Location, k)
	if err != nil {
		return nil, err
	}
	l, err := ledger.Open(s.ledgerDir(), keys.NameFor(cfg.Organisation), ledger.WithSigner(signer))
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
	return approval.Load(s.cfg.StateDir, f, v, s.cfg.Apply.ParsedPlanMaxAge, s.cfg.Location, k, s.cfg.Console.FourEyesOver)
}

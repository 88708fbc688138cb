package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/selection"
	"github.com/retentiond/retentiond/agent/statefs"
)

// The decisions people take on a plan besides approving it: the
// reviewers' exclusions before approval (agent/selection) and the
// rejection of a plan (approval.Reject). Approve (approve.go) leaves out
// what the selection excludes, and asks a second approver where
// console.four_eyes_over says so.

// Exclude leaves the items (1-based numbers of plan.json's items) of the
// plan planID out of its approval, in by's name, with reason (kept in
// the state dir, never in the ledger). The change is recorded in the
// ledger with the plan's digest, the number of items and by's keyed
// pseudonym. It is refused once the plan is approved (by as many people
// as it needs) or rejected; while a first approval waits for its second
// approver it is allowed, and that first approval then no longer counts
// (the next approval is the first of two again).
func (s *Service) Exclude(_ context.Context, planID string, items []int, by Actor, reason string) error {
	f, _, err := s.PlanFile(planID)
	if err != nil {
		return err
	}
	_, err = s.changeSelection(f, by, func(f *plan.File, k *pseudonym.Keyed, h selection.Hooks) (selection.Change, error) {
		return selection.Exclude(s.cfg.StateDir, f, items, by.String(), by.Via, reason, time.Now(), k, h)
	})
	return err
}

// Include takes excluded items of the plan planID back into it, as
// Exclude leaves them out: ledgered, and refused on an approved or
// rejected plan.
func (s *Service) Include(_ context.Context, planID string, items []int, by Actor) error {
	f, _, err := s.PlanFile(planID)
	if err != nil {
		return err
	}
	_, err = s.changeSelection(f, by, func(f *plan.File, k *pseudonym.Keyed, h selection.Hooks) (selection.Change, error) {
		return selection.Include(s.cfg.StateDir, f, items, by.String(), by.Via, time.Now(), k, h)
	})
	return err
}

// Excluded returns the numbers of the items of plan planID that
// reviewers excluded, sorted.
func (s *Service) Excluded(planID string) ([]int, error) {
	sel, err := s.Selection(planID)
	if err != nil {
		return nil, err
	}
	return sel.Items(), nil
}

// Selection returns the reviewers' exclusions of plan planID with who
// excluded each item, when and why (for the console; the names and
// reasons are the organisation's, not for logs).
func (s *Service) Selection(planID string) (*selection.Selection, error) {
	f, _, err := s.PlanFile(planID)
	if err != nil {
		return nil, err
	}
	k, err := s.Pseudonyms()
	if err != nil {
		return nil, err
	}
	return selection.Read(s.cfg.StateDir, f, k)
}

// Reject records that by rejected the plan planID, with comment (kept in
// the rejection file in the state dir, never in the ledger): apply, the
// console and the daemon carry nothing of it out, even if it was
// approved. The rejection is signed with the ledger key and recorded in
// the ledger by by's keyed pseudonym. A plan applied already, or
// rejected before, is refused.
func (s *Service) Reject(_ context.Context, planID string, by Actor, comment string) error {
	f, _, err := s.PlanFile(planID)
	if err != nil {
		return err
	}
	_, err = s.RejectFile(f, by, comment)
	return err
}

// RejectFile is Reject of the plan f, which may lie outside the state
// dir (the command line's --plan).
func (s *Service) RejectFile(f *plan.File, by Actor, comment string) (*approval.Rejection, error) {
	if f.Path != "" {
		if _, err := os.Stat(filepath.Join(filepath.Dir(f.Path), AppliedMarker)); err == nil {
			return nil, fmt.Errorf("plan %s was applied already: rejecting it undoes nothing", ShortDigest(f.Digest))
		}
	}
	if err := statefs.CheckWriter(s.cfg.StateDir); err != nil {
		return nil, err
	}
	k, err := s.Pseudonyms()
	if err != nil {
		return nil, err
	}
	signer, _, err := s.LedgerKeys()
	if err != nil {
		return nil, err
	}
	var r *approval.Rejection
	// Under the selection's lock, as approvals are: no approval is
	// written while the plan is being rejected.
	err = selection.With(s.cfg.StateDir, f, k, func(*selection.Selection) error {
		if r, err = approval.Reject(s.cfg.StateDir, f, by.String(), comment, time.Now()); err != nil {
			return badInput(err)
		}
		l, err := ledger.Open(s.ledgerDir(), keys.NameFor(s.cfg.Organisation), ledger.WithSigner(signer))
		if err != nil {
			return fmt.Errorf("the rejection was not recorded: %w", err)
		}
		defer l.Close()
		if err := approval.SaveRejection(s.cfg.StateDir, r, signer); err != nil {
			return err
		}
		e := approval.RejectionLedgerEntry(r, k)
		if by.Via != "" {
			e.Reason += " via " + by.Via
		}
		if _, err := l.Append(e); err != nil {
			approval.RemoveRejection(s.cfg.StateDir, f.Digest)
			return fmt.Errorf("the rejection was not recorded, so it was taken back: %w", err)
		}
		if _, err := l.Checkpoint(signer); err != nil {
			return fmt.Errorf("the rejection is recorded, but signing the ledger checkpoint failed: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Rejection returns the rejection of plan planID, or nil if it was not
// rejected.
func (s *Service) Rejection(planID string) (*approval.Rejection, error) {
	f, _, err := s.PlanFile(planID)
	if err != nil {
		return nil, err
	}
	_, v, err := s.LedgerKeys()
	if err != nil {
		return nil, err
	}
	return approval.LoadRejection(s.cfg.StateDir, f, v)
}

// NeedsSecondApprover reports whether a, an approval of f, waits for a
// second, different approver before apply acts on it (the config's
// console.four_eyes_over; the daemon's auto plan never waits).
func (s *Service) NeedsSecondApprover(f *plan.File, a *approval.Approval) bool {
	return a.NeedsSecond(f, s.fourEyesOver(f))
}

// changeSelection makes one change to a plan's selection: the ledger is
// opened first (a ledger in use or damaged stops the change before
// anything is written), the change is refused on a plan approved or
// rejected, and its entry is appended before the selection file is
// written.
func (s *Service) changeSelection(f *plan.File, by Actor, change func(*plan.File, *pseudonym.Keyed, selection.Hooks) (selection.Change, error)) (selection.Change, error) {
	if strings.TrimSpace(by.String()) == "" {
		return selection.Change{}, inputErr("say who changes the exclusions (--by NAME)")
	}
	if err := statefs.CheckWriter(s.cfg.StateDir); err != nil {
		return selection.Change{}, err
	}
	k, err := s.Pseudonyms()
	if err != nil {
		return selection.Change{}, err
	}
	signer, v, err := s.LedgerKeys()
	if err != nil {
		return selection.Change{}, err
	}
	l, err := ledger.Open(s.ledgerDir(), keys.NameFor(s.cfg.Organisation), ledger.WithSigner(signer))
	if err != nil {
		return selection.Change{}, fmt.Errorf("the exclusions were not changed: %w", err)
	}
	defer l.Close()
	c, err := change(f, k, selection.Hooks{
		Guard: func() error { return s.selectionOpen(f, v, k) },
		Record: func(c selection.Change) error {
			_, err := l.Append(selection.LedgerEntry(c, k))
			return err
		},
	})
	if err != nil {
		return c, err
	}
	if c.Items > 0 {
		if _, err := l.Checkpoint(signer); err != nil {
			return c, fmt.Errorf("the exclusions changed and are recorded, but signing the ledger checkpoint failed: %w", err)
		}
	}
	return c, nil
}

// errDecided is wrapped by the error of a change to the exclusions of a
// plan that is approved or rejected.
var errDecided = errors.New("its exclusions can no longer change")

// selectionOpen refuses a change to the exclusions of f once f is
// rejected, or approved by as many people as it needs now. A first
// approval that waits for its second approver does not stop a change:
// it no longer counts once the exclusions differ from its own.
func (s *Service) selectionOpen(f *plan.File, v note.Verifier, k *pseudonym.Keyed) error {
	if _, err := os.Lstat(approval.RejectionPath(s.cfg.StateDir, f.Digest)); err == nil {
		return fmt.Errorf("plan %s was rejected: %w", ShortDigest(f.Digest), errDecided)
	}
	a, err := approval.Read(s.cfg.StateDir, f, v, s.cfg.Apply.ParsedPlanMaxAge, s.cfg.Location, k)
	switch {
	case errors.Is(err, approval.ErrNotApproved):
		return nil
	case err != nil:
		return err
	case a.NeedsSecond(f, s.fourEyesOver(f)):
		return nil
	}
	return fmt.Errorf("plan %s was approved already: %w (make a new plan to change them)", ShortDigest(f.Digest), errDecided)
}

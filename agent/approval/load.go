package approval

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
)

// Load returns the approval of plan f that apply may act on, checked:
// the file must be signed with the ledger key v verifies, be of this plan
// (digest, organisation, as_of, created_at), and agree with it in every
// count (items, actions, each excluded item's position and record
// pseudonym under k). Its ExpiresAt is computed from the plan's
// created_at and maxAge in loc.
//
// fourEyesOver is the config's console.four_eyes_over of now, never a
// value from the file: above 0, an approval of a plan that deletes more
// items than that needs a second, different approver, and until it has
// one Load returns an error wrapping ErrNeedsSecondApprover. A plan
// rejected (Reject) gives an error wrapping ErrRejected, whatever its
// approval says.
//
// A plan without an approval file gives ErrNotApproved; a file that is
// not a valid approval of f (or a rejection file that is not a valid
// rejection of f) gives an error wrapping ErrInvalid that names the file
// and what is wrong, never a value from it.
func Load(stateDir string, f *plan.File, v note.Verifier, maxAge rules.Term, loc *time.Location, k *pseudonym.Keyed, fourEyesOver int) (*Approval, error) {
	r, err := LoadRejection(stateDir, f, v)
	if err != nil {
		return nil, err
	}
	if r != nil {
		return nil, fmt.Errorf("%w at %s: nothing of it is applied; make a new plan",
			ErrRejected, r.RejectedAt.Format(time.RFC3339))
	}
	a, err := Read(stateDir, f, v, maxAge, loc, k)
	if err != nil {
		return nil, err
	}
	if a.NeedsSecond(f, fourEyesOver) {
		return nil, fmt.Errorf("%w: it deletes %d item(s), more than console.four_eyes_over (%d); one person approved it, and a second, different person must approve it too (in the console, or retentiond approve --by NAME) before it is applied",
			ErrNeedsSecondApprover, a.Deletions(f), fourEyesOver)
	}
	return a, nil
}

// Read returns the approval of plan f checked as Load checks it, but
// without the four-eyes rule and the rejection: an approval that still
// waits for its second approver is returned as it is. Approving uses it
// to find the first approval; nothing may be applied on what Read alone
// returned.
func Read(stateDir string, f *plan.File, v note.Verifier, maxAge rules.Term, loc *time.Location, k *pseudonym.Keyed) (*Approval, error) {
	path := Path(stateDir, f.Digest)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotApproved
	}
	if err != nil {
		return nil, err
	}
	return check(path, b, f, v, maxAge, loc, k)
}

// check is Load on the content b of the approval file at path.
func check(path string, b []byte, f *plan.File, v note.Verifier, maxAge rules.Term, loc *time.Location, k *pseudonym.Keyed) (*Approval, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s; it was not written by `retentiond approve` with this organisation's ledger key, or was changed since: nothing is applied on it (remove it and approve the plan again)",
			ErrInvalid, path, fmt.Sprintf(format, args...))
	}
	a, err := Parse(b)
	if err != nil {
		return nil, invalid("%v", err)
	}
	key := fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())
	switch {
	case a.Signature == "":
		return nil, invalid("it is not signed")
	case a.Key != key:
		return nil, invalid("it is not signed by the ledger key %s", key)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(a.Signature)
	if err != nil || !v.Verify(a.SignedText(), sig) {
		return nil, invalid("its signature does not verify with the ledger key %s", key)
	}
	if err := a.matches(f, k); err != nil {
		return nil, invalid("%v", err)
	}
	created, err := time.Parse(time.RFC3339, f.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("plan %s: its created_at is not a time: make a new plan", short(f.Digest))
	}
	a.ExpiresAt = Expiry(created, maxAge, loc)
	return a, nil
}

// matches checks that a approves f as f is: the same plan and the same
// counts. Errors name fields and positions only.
func (a *Approval) matches(f *plan.File, k *pseudonym.Keyed) error {
	switch {
	case a.Plan != f.Digest:
		return errors.New("it names another plan")
	case a.Organisation != f.Organisation || a.AsOf != f.AsOf || a.PlanCreated != f.CreatedAt:
		return errors.New("its organisation, as_of or plan_created_at differ from the plan's")
	case a.Items != len(f.Items):
		return fmt.Errorf("it counts %d items, the plan has %d", a.Items, len(f.Items))
	case a.ApprovedBy == "" || a.ApprovedAt.IsZero():
		return errors.New("it names no approver or time")
	case (a.SecondBy == "") != (a.SecondAt == nil):
		return errors.New("it names a second approver without a time, or a time without one")
	case a.SecondAt != nil && a.SecondAt.Before(a.ApprovedAt):
		return errors.New("its second approval is older than its first")
	case a.SecondBy != "" && SameApprover(a.SecondBy, a.ApprovedBy):
		return errors.New("its two approvers are the same person")
	}
	excluded := map[int]bool{}
	for n, x := range a.Excluded {
		if x.Item < 1 || x.Item > len(f.Items) || excluded[x.Item] {
			return fmt.Errorf("excluded #%d: item %d is not an item of the plan, or excluded twice", n+1, x.Item)
		}
		it := f.Items[x.Item-1]
		if x.Record != RecordPseudonym(k, it.Store, it.Record) {
			return fmt.Errorf("excluded #%d: item %d of the plan is another record", n+1, x.Item)
		}
		excluded[x.Item] = true
	}
	actions := 0
	for i, it := range f.Items {
		if IsAction(it.Action) && !excluded[i+1] {
			actions++
		}
	}
	if a.Actions != actions {
		return fmt.Errorf("it counts %d actions, the plan has %d once the excluded items are left out", a.Actions, actions)
	}
	return nil
}

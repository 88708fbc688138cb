package approval

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/holds/statefile"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
)

// Four eyes: with console.four_eyes_over above 0, a plan whose approval
// deletes more items than that is applied only once two different people
// approved it. The first approval is written as always (Save) and waits;
// the second approver approves the same plan with the same exclusions
// (Second), which rewrites the file with both names (Replace). If the
// exclusions changed between the two (a reviewer excluded or included an
// item after the first approval), the first approval no longer counts:
// the later approver's approval replaces it as the first of two
// (Supersede), and another person must approve that one.
//
// Load decides with the threshold of the config it is given, never with
// one from the file: raising or lowering four_eyes_over takes effect at
// the next apply.

// ErrNeedsSecondApprover is wrapped by Load's error when a plan's approval
// has one approver and the plan deletes more items than
// console.four_eyes_over. Nothing is applied until a second, different
// person approves it.
var ErrNeedsSecondApprover = errors.New("the plan needs a second approver")

// ErrSameApprover is returned by Second when the second approver is the
// person who approved first (names compared without case and spacing).
var ErrSameApprover = errors.New("a second, different approver is needed")

// ErrExclusionsChanged is returned by Second when the items left out
// differ from those of the first approval.
var ErrExclusionsChanged = errors.New("the excluded items differ from those of the first approval")

// ErrApprovedAlready is returned when a plan is approved as far as it
// can be: by one person where one suffices, or by two.
var ErrApprovedAlready = errors.New("the plan was approved already")

// ActionSecondApproval is the ledger action of a second approval (the
// first is ledger.ActionApproved).
const ActionSecondApproval = "approved-second"

// SameApprover reports whether x and y name the same person: equal once
// case and runs of spaces are disregarded ("Marieke  de Vries" and
// "marieke de vries").
func SameApprover(x, y string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	return norm(x) == norm(y)
}

// Deletions counts the items of f that a deletes: items whose action is
// delete, less the excluded ones.
func (a *Approval) Deletions(f *plan.File) int {
	n := 0
	for i, it := range f.Items {
		if it.Action == rules.Delete && !a.IsExcluded(i) {
			n++
		}
	}
	return n
}

// NeedsSecond reports whether a, an approval of f, waits for a second
// approver under the threshold fourEyesOver (console.four_eyes_over).
func (a *Approval) NeedsSecond(f *plan.File, fourEyesOver int) bool {
	return fourEyesOver > 0 && a.SecondBy == "" && a.Deletions(f) > fourEyesOver
}

// Approvers lists who approved: the first approver and, if there is one,
// the second.
func (a *Approval) Approvers() []string {
	if a.SecondBy == "" {
		return []string{a.ApprovedBy}
	}
	return []string{a.ApprovedBy, a.SecondBy}
}

// ExcludedItems returns the excluded item numbers (1-based), sorted.
func (a *Approval) ExcludedItems() []int {
	out := make([]int, 0, len(a.Excluded))
	for _, x := range a.Excluded {
		out = append(out, x.Item)
	}
	slices.Sort(out)
	return out
}

// Second returns first, an approval of f that waits for its second
// approver (as Read returned it), approved by by as well, at now. The
// second approver must be another person (ErrSameApprover) and approve
// the same exclusions (ErrExclusionsChanged); the plan must not have
// expired. Exclusions that changed are told first: then the first
// approval no longer counts, whoever approves now. It writes nothing:
// Replace writes it over the first.
func Second(f *plan.File, first *Approval, by string, exclude []int, now time.Time) (*Approval, error) {
	by = strings.TrimSpace(by)
	want := slices.Compact(slices.Sorted(slices.Values(exclude)))
	switch {
	case by == "":
		return nil, errors.New("say who approves with --by NAME")
	case first.SecondBy != "":
		return nil, fmt.Errorf("%w, by two people", ErrApprovedAlready)
	case !slices.Equal(want, first.ExcludedItems()):
		// Checked before the approver: the first approval no longer
		// counts, whoever approves now (Supersede).
		return nil, fmt.Errorf("%w (%d excluded then, %d now)", ErrExclusionsChanged, len(first.Excluded), len(want))
	case SameApprover(by, first.ApprovedBy):
		return nil, fmt.Errorf("%w: %s approved this plan at %s already", ErrSameApprover, first.ApprovedBy, first.ApprovedAt.Format(time.RFC3339))
	case !now.Before(first.ExpiresAt):
		return nil, fmt.Errorf("the plan expired on %s: make a new plan", first.ExpiresAt.Format("2006-01-02"))
	}
	c := *first
	c.Excluded = slices.Clone(first.Excluded)
	at := now.UTC().Truncate(time.Second)
	if at.Before(first.ApprovedAt) {
		at = first.ApprovedAt
	}
	c.SecondBy, c.SecondAt = by, &at
	c.Key, c.Signature = "", ""
	return &c, nil
}

// Supersede returns the approval of f by by with the items exclude left
// out, to replace first, an approval that waits for its second approver
// but left out other items: the first no longer counts, and the new one
// waits for a second approver of its own. It writes nothing: Replace
// writes it over the first.
func Supersede(f *plan.File, first *Approval, by string, exclude []int, now time.Time, maxAge rules.Term, loc *time.Location, k *pseudonym.Keyed) (*Approval, error) {
	if first.SecondBy != "" {
		return nil, fmt.Errorf("%w, by two people", ErrApprovedAlready)
	}
	return decide(f, by, exclude, now, maxAge, loc, k)
}

// Replace signs next with s (the ledger key) and writes it over the
// approval file that holds old, atomically and under the file's lock. It
// refuses if the file no longer holds old (another approver came first):
// the caller reads the approval again and decides anew.
func Replace(stateDir string, old, next *Approval, s note.Signer) error {
	if old.Plan != next.Plan {
		return errors.New("replacing an approval by one of another plan")
	}
	if err := checkComments(next); err != nil {
		return err
	}
	if err := sign(next, s); err != nil {
		return err
	}
	b, err := marshal(next)
	if err != nil {
		return err
	}
	return statefile.Update(Path(stateDir, old.Plan), func(cur []byte) ([]byte, error) {
		if cur == nil {
			return nil, ErrNotApproved
		}
		now, err := Parse(cur)
		if err != nil || now.Signature != old.Signature {
			return nil, errors.New("the approval changed meanwhile (another approver?): look at the plan again")
		}
		return b, nil
	})
}

// SecondLedgerEntry is the ledger's record of a's second approval: the
// plan, when, the two approvers' pseudonyms and the counts.
func SecondLedgerEntry(a *Approval, k *pseudonym.Keyed) ledger.Entry {
	at := a.ApprovedAt
	if a.SecondAt != nil {
		at = *a.SecondAt
	}
	return ledger.Entry{
		Time: at, Plan: a.Plan, Action: ActionSecondApproval, Outcome: ledger.OutcomeDone,
		Reason: fmt.Sprintf("second approval by %s of the approval by %s: %d action(s) of %d item(s), %d excluded",
			ApproverPseudonym(k, a.SecondBy), ApproverPseudonym(k, a.ApprovedBy), a.Actions, a.Items, len(a.Excluded)),
	}
}

// LedgerEntries are the ledger's records of a: the first approval's
// entry and, if a has a second approver, the second's.
func LedgerEntries(a *Approval, k *pseudonym.Keyed) []ledger.Entry {
	out := []ledger.Entry{LedgerEntry(a, k)}
	if a.SecondBy != "" {
		out = append(out, SecondLedgerEntry(a, k))
	}
	return out
}

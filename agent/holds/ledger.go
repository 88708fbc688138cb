package holds

import (
	"errors"
	"fmt"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pseudonym"
)

// LedgerEntry returns the ledger entry for a hold event, event being
// ledger.ActionHoldAdded or ledger.ActionHoldReleased. It holds no personal
// data: the subject is its keyed pseudonym (Keyed.Subject), the path its
// keyed pseudonym as a record of the store (Keyed.Record(store, glob): a
// hold on one exact record joins up with that record's entries), the rule
// the hold's id, and the reason only "until YYYY-MM-DD" or "until
// released". The administrator's reason and names are left out.
//
// The entry's Time is AddedAt or ReleasedAt; its Plan is empty (a hold is
// not part of a plan) and its Outcome ledger.OutcomeDone.
func LedgerEntry(h Hold, k *pseudonym.Keyed, event string) (ledger.Entry, error) {
	if k == nil {
		return ledger.Entry{}, errors.New("hold ledger entry: no pseudonym key")
	}
	if !holdIDRe.MatchString(h.ID) {
		return ledger.Entry{}, errors.New("hold ledger entry: the hold has no id (add it first)")
	}
	e := ledger.Entry{Rule: h.ID, Action: event, Outcome: ledger.OutcomeDone}
	switch event {
	case ledger.ActionHoldAdded:
		e.Time = h.AddedAt
		e.Reason = "until released"
		if !h.Until.IsZero() {
			e.Reason = "until " + h.Until.String()
		}
	case ledger.ActionHoldReleased:
		if !h.Released() {
			return ledger.Entry{}, fmt.Errorf("hold %s: not released", h.ID)
		}
		e.Time = *h.ReleasedAt
		e.Reason = "released"
	default:
		return ledger.Entry{}, fmt.Errorf("hold %s: event %q is neither %s nor %s", h.ID, event, ledger.ActionHoldAdded, ledger.ActionHoldReleased)
	}
	if h.Subject != nil {
		e.Subject = k.Subject(string(h.Subject.Type), h.Subject.ID)
	} else {
		e.Store = h.Store
		e.Record = k.Record(h.Store, h.PathGlob)
	}
	return e, nil
}

package review

import (
	"errors"
	"fmt"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pseudonym"
)

// Ledger actions of resolutions.
const (
	ActionResolved   = "review-resolved"
	ActionUnresolved = "review-unresolved"
)

// LedgerEntry returns the ledger entry for a resolution event, event
// being ActionResolved or ActionUnresolved. It holds no personal data:
// the record or folder is its keyed pseudonym as a record of the store
// (Keyed.Record(store, path): a resolution of one record joins up with
// that record's entries), the subject its keyed pseudonym, the rule the
// resolution's id and the reason its kind ("subject", "not-personal",
// "keep-until YYYY-MM-DD") or "unresolved". The administrator's reason
// and names are left out.
//
// The entry's Time is At or UndoneAt; its Plan is empty (a resolution is
// not part of a plan) and its Outcome ledger.OutcomeDone.
func LedgerEntry(r Resolution, k *pseudonym.Keyed, event string) (ledger.Entry, error) {
	if k == nil {
		return ledger.Entry{}, errors.New("resolution ledger entry: no pseudonym key")
	}
	if !idRe.MatchString(r.ID) {
		return ledger.Entry{}, errors.New("resolution ledger entry: the resolution has no id (resolve it first)")
	}
	e := ledger.Entry{Rule: r.ID, Action: event, Outcome: ledger.OutcomeDone, Store: r.Store,
		Record: k.Record(r.Store, r.Path), Category: string(r.Category)}
	switch event {
	case ActionResolved:
		e.Time = r.At
		e.Reason = string(r.Kind)
		if r.Kind == KindKeepUntil {
			e.Reason += " " + r.Until.String()
		}
	case ActionUnresolved:
		if r.Active() {
			return ledger.Entry{}, fmt.Errorf("resolution %s: not undone", r.ID)
		}
		e.Time = *r.UndoneAt
		e.Reason = "unresolved"
	default:
		return ledger.Entry{}, fmt.Errorf("resolution %s: event %q is neither %s nor %s", r.ID, event, ActionResolved, ActionUnresolved)
	}
	if r.Subject != nil {
		e.Subject = k.Subject(string(r.Subject.Type), r.Subject.ID)
	}
	return e, nil
}

package apply

import (
	"context"

	"github.com/retentiond/retentiond/agent/plan"
)

// absenceChecker is a store that can verify that a record is not there
// (localfs, and archive over it): its "not found" can also mean that
// something else has the record's name.
type absenceChecker interface {
	Absent(ctx context.Context, id string) (bool, error)
}

// verifiedGone reports whether the record id, which its store did not
// find, is verifiably absent; why says what else the store found. A store
// that cannot tell is taken at its word.
func (r *run) verifiedGone(ctx context.Context, store, id string) (ok bool, why string) {
	ac, isChecker := r.o.Planner.Store(store).(absenceChecker)
	if !isChecker {
		return true, ""
	}
	absent, err := ac.Absent(ctx, id)
	switch {
	case err != nil:
		return false, err.Error()
	case !absent:
		return false, "something else than the planned record is there under its name"
	}
	return true, ""
}

// gone records an item whose store did not find its record: gone if the
// record is verified absent, failed otherwise (issue 12: a record apply
// could not find is never ledgered as gone on that alone).
func (r *run) gone(ctx context.Context, n int, it *plan.Item, rp, reason string) error {
	if ok, why := r.verifiedGone(ctx, it.Store, it.Record); !ok {
		return r.record(n, it, rp, Failed, "the record could not be found, and is not verified gone", why)
	}
	return r.record(n, it, rp, Gone, reason, "")
}

package agent

import (
	"slices"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/report"
)

// splitSink sends the items of auto_apply rules to one plan (which the
// daemon approves itself) and everything else to the plan a person
// reviews. Both get every store's result; each gets its own summary.
type splitSink struct {
	review, auto       plan.Sink
	rules              []string
	reviewSum, autoSum plan.Summary
	autoActions        int
}

func (s *splitSink) Begin(h plan.Header) error {
	if err := s.review.Begin(h); err != nil {
		return err
	}
	return s.auto.Begin(h)
}

func (s *splitSink) Item(it *plan.Item) error {
	if approval.IsAction(it.Action) && slices.Contains(s.rules, it.Rule) {
		s.autoSum.Add(it.Action)
		s.autoActions++
		return s.auto.Item(it)
	}
	s.reviewSum.Add(it.Action)
	return s.review.Item(it)
}

func (s *splitSink) Commit() error {
	if err := s.review.Commit(); err != nil {
		return err
	}
	return s.auto.Commit()
}

func (s *splitSink) Discard() error {
	if err := s.review.Discard(); err != nil {
		return err
	}
	return s.auto.Discard()
}

func (s *splitSink) End(stores []plan.StoreResult, sum plan.Summary) error {
	// Keep counts every record not yet due, listed or not (none goes
	// to the auto plan): it stays in the review plan's summary.
	s.reviewSum.Keep = sum.Keep
	if err := s.review.End(stores, s.reviewSum); err != nil {
		s.Abandon()
		return err
	}
	if err := s.auto.End(stores, s.autoSum); err != nil {
		s.Abandon()
		return err
	}
	return nil
}

// Abandon removes both plans' files: a run that failed leaves neither.
func (s *splitSink) Abandon() {
	for _, k := range []plan.Sink{s.review, s.auto} {
		if a, ok := k.(report.Abandoner); ok {
			a.Abandon()
		}
	}
}

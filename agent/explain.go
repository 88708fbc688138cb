package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/rules"
)

// Explanation is why one record gets its decision.
type Explanation struct {
	Item     *plan.Item
	Decision rules.Decision
	AsOf     rules.Date
	// Resolution is the review resolution that settled the record, if
	// any.
	Resolution *review.Resolution
}

// Explain decides one record of a store again, as of asOf (zero: today)
// in lang ("nl" or "en"), and says why: the layout and subject it was
// tied to and every rule that applied.
func (s *Service) Explain(ctx context.Context, store, record string, asOf rules.Date, lang string) (*Explanation, error) {
	cfg := s.cfg
	if asOf.IsZero() {
		asOf = rules.DateIn(s.now(), cfg.Location)
	}
	pol, err := pipeline.Policy(cfg)
	if err != nil {
		return nil, configErr(err)
	}
	subjects, _, err := pipeline.Subjects(cfg)
	if err != nil {
		return nil, fmt.Errorf("registries:\n%w", err)
	}
	stores, err := pipeline.Stores(ctx, cfg)
	if err != nil {
		return nil, configErr(err)
	}
	var set *review.Set
	if _, err := os.Stat(filepath.Join(cfg.StateDir, review.FileName)); err == nil {
		if set, err = s.openResolutions(); err != nil {
			return nil, fmt.Errorf("review resolutions: %w", err)
		}
	}
	p := &plan.Planner{Policy: pol, Subjects: subjects, Stores: stores, AsOf: asOf, Location: cfg.Location, Lang: lang}
	if set != nil {
		p.Resolutions = set.Matcher()
	}
	it, d, err := p.Explain(ctx, store, record)
	if err != nil {
		return nil, err
	}
	e := &Explanation{Item: it, Decision: d, AsOf: asOf}
	if set != nil && it.Resolved != "" {
		if r, ok := set.Get(it.Resolved); ok {
			e.Resolution = &r
		}
	}
	return e, nil
}

package plan

import (
	"context"
	"fmt"

	"github.com/retentiond/retentiond/rules"
)

// Explain decides one record as a plan would, and returns its item with
// the whole decision (every rule considered), for `retentiond explain`.
func (p *Planner) Explain(ctx context.Context, store, id string) (*Item, rules.Decision, error) {
	for _, st := range p.Stores {
		if st.Name != store {
			continue
		}
		if st.OpenErr != nil {
			return nil, rules.Decision{}, st.OpenErr
		}
		rec, err := st.Store.Stat(ctx, id)
		if err != nil {
			return nil, rules.Decision{}, err
		}
		p.explain = true
		dc := p.decide(st, rec)
		return p.item(st, rec, dc), dc.d, nil
	}
	return nil, rules.Decision{}, fmt.Errorf("no store named %q in the config", store)
}

package agent

import (
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/gauges"
	"github.com/retentiond/retentiond/agent/plan"
)

// RefreshGauges rebuilds the metrics' gauges from the state dir
// (agent/gauges): the stores' items of the latest plan less what the
// ledger shows done since, the plans awaiting approval, the data-subject
// requests, and the ledger's size and verification. The daemon runs it
// at start-up, after its jobs, and before a scrape when the state dir
// changed, so that an apply from the command line shows at once and a
// restart loses nothing. It does nothing without metrics.
func (s *Service) RefreshGauges() {
	if s.metrics == nil {
		return
	}
	cfg := s.cfg
	var stores []string
	for _, st := range cfg.Stores {
		stores = append(stores, st.Name)
	}
	k, kerr := s.Pseudonyms()
	if kerr != nil {
		k = nil
	}
	_, _, verr := s.LedgerKeys()
	src := gauges.Source{StateDir: cfg.StateDir, Location: cfg.Location, Stores: stores,
		PlanMaxAge: cfg.Apply.ParsedPlanMaxAge, Pseudonyms: k, Now: time.Now(),
		Approved: func(f *plan.File) error {
			if kerr != nil || verr != nil {
				return approval.ErrNotApproved
			}
			_, err := s.loadApproval(f, k)
			return err
		}}
	g, err := gauges.Read(src)
	if err != nil {
		s.log.Error("the gauges could not all be rebuilt from the state dir", "err", err)
	}
	if g != nil {
		g.Set(s.metrics)
	}
	s.requestMetrics()
	s.verifyLedgerJob()
}

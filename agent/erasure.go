package agent

import (
	"os"
	"path/filepath"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/rules"
)

// SettleErasures settles the erasure requests after a night's plan in
// dir, made as of asOf with every store listed in full
// (requests.Set.Settle): one whose subject has nothing left is completed
// (answered at the same time if it was open), so what a statutory
// minimum held has been deleted since; an answered one with records left
// gets what is left and when the last goes counted afresh. The ledger
// records each completion. The auto_apply plan's items count too, unless
// it was applied in full: a request is not carried out while its diary
// rows remain. Problems are logged (no personal data).
func (s *Service) SettleErasures(dir string, asOf rules.Date) {
	set, err := s.openRequests()
	if err != nil || set == nil {
		return
	}
	var plans []*plan.File
	for _, d := range []string{dir, filepath.Join(dir, AutoDir)} {
		if d != dir {
			if _, err := os.Stat(filepath.Join(d, AppliedMarker)); err == nil {
				continue
			}
		}
		f, err := ReadPlan(d)
		if err != nil {
			if d == dir {
				return
			}
			continue // no auto_apply plan
		}
		plans = append(plans, f)
	}
	changes, unknown, err := set.Settle(plans, asOf, time.Now().In(s.cfg.Location), s.knownTo())
	if err != nil {
		s.log.Error("settling the erasure requests failed", "err", err)
		return
	}
	for _, id := range unknown {
		s.log.Warn("an erasure request's plan finds nothing, but its subject is not in the registries: it is not completed; fix the registry, or refuse the request", "request", id)
	}
	for _, c := range changes {
		if err := s.recordChange(c, "", Actor{}); err != nil {
			s.log.Error("recording a completed erasure request failed", "request", c.Request.ID, "err", err)
			continue
		}
		s.log.Info("erasure request carried out and completed: nothing of the subject is left", "request", c.Request.ID)
	}
}

// requestMetrics sets the metrics of data-subject requests: how many are
// open (not yet answered) and answered, the oldest open one, and the
// nearest deadline of an open one (an alert fires a week before it).
func (s *Service) requestMetrics() {
	if s.metrics == nil {
		return
	}
	set, err := requests.Open(s.cfg.StateDir)
	if err != nil {
		s.log.Error("data-subject requests could not be read", "err", err)
		return
	}
	s.metrics.SetSubjectRequests(set.Summary(s.cfg.Location))
}

// RequestMetrics sets the metrics of data-subject requests from the state
// dir (the daemon does so after each job).
func (s *Service) RequestMetrics() { s.requestMetrics() }

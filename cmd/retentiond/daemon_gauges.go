package main

import (
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/gauges"
	"github.com/retentiond/retentiond/agent/plan"
)

// refresh rebuilds the gauges from the state dir (agent/gauges): the
// stores' items of the latest plan less what the ledger shows done since,
// the plans awaiting approval, the data-subject requests, and the
// ledger's size and verification. The daemon's Watcher runs it at
// start-up, after its jobs, and before a scrape when the state dir
// changed, so that an apply from the command line shows at once and a
// restart loses nothing.
func (d *daemonJobs) refresh() {
	cfg := d.cfg
	var stores []string
	for _, s := range cfg.Stores {
		stores = append(stores, s.Name)
	}
	k, kerr := loadPseudonyms(cfg)
	if kerr != nil {
		k = nil
	}
	_, v, verr := ledgerKeys(cfg)
	src := gauges.Source{StateDir: cfg.StateDir, Location: cfg.Location, Stores: stores,
		PlanMaxAge: cfg.Apply.ParsedPlanMaxAge, Pseudonyms: k, Now: time.Now(),
		Approved: func(f *plan.File) error {
			if kerr != nil || verr != nil {
				return approval.ErrNotApproved
			}
			_, err := approval.Load(cfg.StateDir, f, v, cfg.Apply.ParsedPlanMaxAge, cfg.Location, k, cfg.Console.FourEyesOver)
			return err
		}}
	g, err := gauges.Read(src)
	if err != nil {
		d.log.Error("the gauges could not all be rebuilt from the state dir", "err", err)
	}
	if g != nil {
		g.Set(d.m)
	}
	d.requestMetrics()
	d.verifyLedger(cfg)
}

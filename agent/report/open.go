package report

import (
	"errors"
	"path/filepath"
	"sync"

	"github.com/retentiond/retentiond/agent/plan"
)

// File names in a plan directory.
const (
	PlanJSON   = "plan.json"
	PlanCSV    = "plan.csv"
	ReportHTML = "report.html"
)

// Open creates plan.json, plan.csv and report.html in dir and returns one
// sink that writes all three, in language lang.
func Open(dir, lang string) (plan.Sink, error) { return OpenWith(dir, Options{Lang: lang}) }

// OpenWith is Open with all options: report.html then links to the plan's
// page in the console, or names the config in the approve command.
func OpenWith(dir string, o Options) (plan.Sink, error) {
	lang := o.Lang
	j, err := NewJSON(filepath.Join(dir, PlanJSON))
	if err != nil {
		return nil, err
	}
	c, err := NewCSV(filepath.Join(dir, PlanCSV), lang)
	if err != nil {
		j.pf.abandon()
		return nil, err
	}
	h, err := NewHTMLWith(filepath.Join(dir, ReportHTML), o)
	if err != nil {
		j.pf.abandon()
		c.pf.abandon()
		return nil, err
	}
	return tee{j, c, h}, nil
}

// Abandoner is a sink that can remove everything it wrote, for a run that
// failed: Open's sink is one.
type Abandoner interface{ Abandon() }

// tee sends a plan to several sinks. End is called on every sink even if
// one fails, so that every file is closed.
type tee []plan.Sink

func (t tee) Begin(h plan.Header) error {
	for _, s := range t {
		if err := s.Begin(h); err != nil {
			return err
		}
	}
	return nil
}

func (t tee) Item(it *plan.Item) error {
	for _, s := range t {
		if err := s.Item(it); err != nil {
			return err
		}
	}
	return nil
}

func (t tee) Commit() error {
	for _, s := range t {
		if err := s.Commit(); err != nil {
			return err
		}
	}
	return nil
}

func (t tee) Discard() error {
	for _, s := range t {
		if err := s.Discard(); err != nil {
			return err
		}
	}
	return nil
}

func (t tee) End(stores []plan.StoreResult, sum plan.Summary) error {
	// Each sink writes its own file: they end at once, so that the
	// report is written while the others are synced to disk.
	errs := make([]error, len(t))
	var wg sync.WaitGroup
	for i, s := range t {
		wg.Go(func() { errs[i] = s.End(stores, sum) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		// Never half a plan: without plan.json the report and the CSV
		// would be personal data nobody can approve or prune.
		t.Abandon()
		return err
	}
	return nil
}

// Abandon removes every file of the plan, partial or in place: the run
// failed, and no part of it may be left behind. It is for a caller whose
// run stopped before End, and is safe after End.
func (t tee) Abandon() {
	for _, s := range t {
		if a, ok := s.(interface{ abandonAll() }); ok {
			a.abandonAll()
		}
	}
}

package agent

import (
	"context"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// Resolutions lists the review resolutions: the active ones, or all
// (with those undone).
func (s *Service) Resolutions(all bool) ([]review.Resolution, error) {
	if err := s.mkState(); err != nil {
		return nil, err
	}
	set, err := s.openResolutions()
	if err != nil {
		return nil, err
	}
	return set.List(all), nil
}

// Resolution is one review resolution by id.
func (s *Service) Resolution(id string) (review.Resolution, bool, error) {
	set, err := s.openResolutions()
	if err != nil {
		return review.Resolution{}, false, err
	}
	r, ok := set.Get(id)
	return r, ok, nil
}

// ResolutionMatcher is what the resolutions settle, for marking a plan's
// review items resolved since.
func (s *Service) ResolutionMatcher() (*review.Matcher, error) {
	set, err := s.openResolutions()
	if err != nil {
		return nil, err
	}
	return set.Matcher(), nil
}

// CheckTarget checks a resolution's target, STORE:PATH (a record or
// FOLDER/**): the store is in the config and the path is one a
// resolution can name. Errors never repeat the path.
func (s *Service) CheckTarget(store, path string) error {
	if s.storeConfig(store) == nil {
		return inputErr("no store %q in the config", store)
	}
	if err := review.CheckPath(path); err != nil {
		return badInput(err)
	}
	return nil
}

// Resolve records by's decision on a review item (r's Store, Path, Kind,
// Subject, Category, Until and Reason; By is by's name) and records it in
// the ledger: every later plan, apply's re-check and explain follow it.
// A subject must be in the registries (*UnknownSubjectError), and a
// record tied to a subject needs a category (its layout's, or
// r.Category).
func (s *Service) Resolve(_ context.Context, r review.Resolution, by Actor) (review.Resolution, error) {
	if err := s.CheckTarget(r.Store, r.Path); err != nil {
		return r, err
	}
	r.By = by.String()
	switch {
	case strings.TrimSpace(r.Reason) == "":
		return r, inputErr("--reason is required: say why (kept in the state dir only)")
	case r.By == "":
		return r, inputErr("--by is required: say who decides")
	case r.Kind == review.KindSubject && r.Subject == nil:
		return r, inputErr("give exactly one of --subject TYPE:ID, --not-personal or --keep-until DATE")
	}
	if r.Kind == review.KindSubject {
		if err := s.knownSubject(*r.Subject); err != nil {
			return r, err
		}
		if r.Category != "" && !rules.IsCategory(r.Category) {
			return r, inputErr("--category: not a category; use one of %s", categories())
		}
		sc := s.storeConfig(r.Store)
		if _, folder := r.Prefix(); r.Category == "" && !folder && sc.Type != config.TypeExport && layoutCategory(sc, r.Path) == "" {
			return r, inputErr("--category: no layout of store %s matches this record, so nothing says what kind of record it is; give --category (one of %s)", r.Store, categories())
		}
	}
	if err := s.mkState(); err != nil {
		return r, err
	}
	set, err := s.openResolutions()
	if err != nil {
		return r, err
	}
	if r, err = set.Resolve(r, time.Now().In(s.cfg.Location)); err != nil {
		return r, callerErr(err)
	}
	if err := s.ledgerEvent(func(k *pseudonym.Keyed) (ledger.Entry, error) {
		e, err := review.LedgerEntry(r, k, review.ActionResolved)
		e.Reason += ledgerBy(k, by)
		return e, err
	}); err != nil {
		return r, fmtErr("%s was made, but the ledger could not record it: %w", r.ID, err)
	}
	return r, nil
}

// Unresolve undoes the resolution id in by's name and records it in the
// ledger: what it settled is review again in the next plan.
func (s *Service) Unresolve(_ context.Context, id string, by Actor) (review.Resolution, error) {
	if err := s.mkState(); err != nil {
		return review.Resolution{}, err
	}
	set, err := s.openResolutions()
	if err != nil {
		return review.Resolution{}, err
	}
	r, err := set.Unresolve(id, by.String(), time.Now().In(s.cfg.Location))
	if err != nil {
		return r, callerErr(err)
	}
	if err := s.ledgerEvent(func(k *pseudonym.Keyed) (ledger.Entry, error) {
		e, err := review.LedgerEntry(r, k, review.ActionUnresolved)
		e.Reason += ledgerBy(k, by)
		return e, err
	}); err != nil {
		return r, fmtErr("%s was undone, but the ledger could not record it: %w", r.ID, err)
	}
	return r, nil
}

// storeConfig is the config of the store name; nil if there is none.
func (s *Service) storeConfig(name string) *config.Store {
	for i := range s.cfg.Stores {
		if s.cfg.Stores[i].Name == name {
			return &s.cfg.Stores[i]
		}
	}
	return nil
}

// layoutCategory is the category sc's layouts give the record id.
func layoutCategory(sc *config.Store, id string) rules.Category {
	var ls []classify.Layout
	for _, l := range sc.Layout {
		ls = append(ls, classify.Layout{Path: l.Path, Category: rules.Category(l.Category), Rule: l.Rule})
	}
	cl, err := classify.Compile(ls)
	if err != nil {
		return "" // config validation reports it
	}
	return plan.LayoutCategory(cl, id)
}

func categories() string {
	var s []string
	for _, c := range rules.Categories {
		s = append(s, string(c))
	}
	return strings.Join(s, ", ")
}

// ResolutionWhat says what r decides, for the administrator.
func ResolutionWhat(r review.Resolution) string {
	switch r.Kind {
	case review.KindSubject:
		s := "subject " + string(r.Subject.Type) + ":" + r.Subject.ID
		if r.Category != "" {
			s += ", " + string(r.Category)
		}
		return s
	case review.KindKeepUntil:
		return "keep until " + r.Until.String()
	default:
		return "not personal data"
	}
}

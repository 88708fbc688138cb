package agent

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
)

// HoldInput is a legal hold to add: on everything of one person
// (Subject), or on the records of Store whose paths match PathGlob.
type HoldInput struct {
	Subject  *holds.SubjectRef
	Store    string
	PathGlob string // * and **
	// Reason says why; it is kept in the state dir only, never in logs or
	// the ledger.
	Reason string
	// Until is the last day of the hold; zero holds until released.
	Until rules.Date
}

// mkState makes the state dir, if it is not there yet.
func (s *Service) mkState() error { return os.MkdirAll(s.cfg.StateDir, 0o700) }

// holdSet opens the state dir's legal holds, making the state dir.
func (s *Service) holdSet() (*holds.Set, error) {
	if err := s.mkState(); err != nil {
		return nil, err
	}
	return holds.Open(s.cfg.StateDir)
}

// Holds lists the legal holds: those not released, or all.
func (s *Service) Holds(all bool) ([]holds.Hold, error) {
	set, err := s.holdSet()
	if err != nil {
		return nil, err
	}
	return set.List(all), nil
}

// AddHold adds a legal hold in by's name and records it in the ledger:
// every plan holds what it covers, and apply checks it before acting. A
// subject must be in the registries (*UnknownSubjectError), a store in
// the config.
func (s *Service) AddHold(_ context.Context, in HoldInput, by Actor) (holds.Hold, error) {
	set, err := s.holdSet()
	if err != nil {
		return holds.Hold{}, err
	}
	h := holds.Hold{Reason: in.Reason, AddedBy: by.String(), Until: in.Until}
	switch {
	case in.Subject != nil && (in.Store != "" || in.PathGlob != ""), in.Subject == nil && (in.Store == "" || in.PathGlob == ""):
		return h, inputErr("give --subject TYPE:ID, or --store and --path")
	case in.Subject != nil:
		if err := s.knownSubject(*in.Subject); err != nil {
			return h, err
		}
		ref := *in.Subject
		h.Subject = &ref
	default:
		if !s.storeExists(in.Store) {
			return h, inputErr("--store: the config has no store %q", in.Store)
		}
		h.Store, h.PathGlob = in.Store, in.PathGlob
	}
	if h, err = set.Add(h, time.Now().In(s.cfg.Location)); err != nil {
		return h, callerErr(err)
	}
	if err := s.ledgerEvent(func(k *pseudonym.Keyed) (ledger.Entry, error) {
		e, err := holds.LedgerEntry(h, k, ledger.ActionHoldAdded)
		e.Reason += ledgerBy(k, by)
		return e, err
	}); err != nil {
		return h, fmt.Errorf("hold %s was added, but the ledger could not record it: %w", h.ID, err)
	}
	return h, nil
}

// ReleaseHold releases the hold id in by's name and records it in the
// ledger: the next plan decides its records by their rules again.
func (s *Service) ReleaseHold(_ context.Context, id string, by Actor) (holds.Hold, error) {
	set, err := s.holdSet()
	if err != nil {
		return holds.Hold{}, err
	}
	h, err := set.Release(id, by.String(), time.Now().In(s.cfg.Location))
	if err != nil {
		return h, callerErr(err)
	}
	if err := s.ledgerEvent(func(k *pseudonym.Keyed) (ledger.Entry, error) {
		e, err := holds.LedgerEntry(h, k, ledger.ActionHoldReleased)
		e.Reason += ledgerBy(k, by)
		return e, err
	}); err != nil {
		return h, fmt.Errorf("hold %s was released, but the ledger could not record it: %w", h.ID, err)
	}
	return h, nil
}

func (s *Service) storeExists(name string) bool {
	for _, st := range s.cfg.Stores {
		if st.Name == name {
			return true
		}
	}
	return false
}

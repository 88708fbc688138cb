package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/rules"
)

// activeHolds reads the legal holds of the state dir active on day. A
// holds file that cannot be read is an error: a half-read list must never
// mean that nothing is held.
func (s *Service) activeHolds(day rules.Date) (*holds.Matcher, error) {
	if _, err := os.Stat(s.cfg.StateDir); errors.Is(err, os.ErrNotExist) {
		return nil, nil // no state yet, so no holds
	}
	set, err := holds.Open(s.cfg.StateDir)
	if err != nil {
		return nil, err
	}
	return set.Matcher(day)
}

// openResolutions opens the state dir's resolutions, with the pseudonym
// key that seals them when the config names one.
func (s *Service) openResolutions() (*review.Set, error) {
	var k *pseudonym.Keyed
	if s.cfg.PseudonymKeyFile != "" {
		var err error
		if k, err = s.Pseudonyms(); err != nil {
			return nil, err
		}
	}
	return review.Open(s.cfg.StateDir, k)
}

// activeResolutions is what plans and apply's re-check follow: the
// resolutions of the state dir, or nil when there are none. A file that
// cannot be read or checked is an error.
func (s *Service) activeResolutions() (*review.Matcher, error) {
	if _, err := os.Stat(filepath.Join(s.cfg.StateDir, review.FileName)); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	set, err := s.openResolutions()
	if err != nil {
		return nil, err
	}
	return set.Matcher(), nil
}

// openRequests reads the state dir's data-subject requests; nil when
// there is no state yet. A requests file that cannot be read is an error:
// an erasure request must not be missed.
func (s *Service) openRequests() (*requests.Set, error) {
	if _, err := os.Stat(s.cfg.StateDir); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return requests.Open(s.cfg.StateDir)
}

// forRequest sets a planner up to answer one request: that subject's
// items only, in the requester's language.
func forRequest(set *requests.Set, id string, p *plan.Planner) error {
	if set == nil {
		return fmt.Errorf("no request %s: nothing has been recorded yet (retentiond request open)", id)
	}
	r, ok := set.Get(id)
	switch {
	case !ok:
		return fmt.Errorf("no request %s; see retentiond request list", id)
	case r.IsClosed():
		return fmt.Errorf("request %s is %s already", r.ID, r.Status)
	case r.Kind != requests.Erase:
		return fmt.Errorf("request %s is an %s request: only erasure requests are answered with a plan", r.ID, r.Kind)
	}
	p.Only = &plan.SubjectKey{Type: r.Subject.Type, ID: r.Subject.ID}
	p.Header.Request = r.ID
	if r.Lang == "nl" || r.Lang == "en" {
		p.Lang, p.Header.Lang = r.Lang, r.Lang
	}
	return nil
}

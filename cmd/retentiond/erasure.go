package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// openRequests reads the state dir's data-subject requests; nil when
// there is no state yet. A requests file that cannot be read is an error:
// an erasure request must not be missed.
func openRequests(cfg *config.Config) (*requests.Set, error) {
	if _, err := os.Stat(cfg.StateDir); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return requests.Open(cfg.StateDir)
}

// erasures maps the subjects of active erasure requests (open or
// answered) to the day each was received: every plan, and apply's
// re-check, decides their records as an erasure request says (R3).
func erasures(set *requests.Set) map[plan.SubjectKey]rules.Date {
	return requests.Erasures(set)
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

// finishRequest records what an apply, run to its end, did for the
// erasure request its plan answers (requests.Set.AfterApply): completed
// when nothing of the subject is left; answered, by the plan's approver,
// when what is left is held (a statutory minimum: it goes when the term
// ends); still open while an item needs review or notDone actions were not
// carried out (skipped, failed or left out at approval). Open and answered
// erasure requests are part of every nightly plan, and the daemon completes
// the request on the night nothing of the subject is left.
func finishRequest(cfg *config.Config, f *plan.File, notDone int, w io.Writer) error {
	if f.Request == "" {
		return nil
	}
	set, err := openRequests(cfg)
	if err != nil || set == nil {
		return err
	}
	c, left, err := set.AfterApply(f, notDone, approverOf(cfg, f), time.Now().In(cfg.Location), knownTo(cfg))
	if isUnknownSubject(err) {
		return &exitError{code: 1, err: err}
	}
	if err != nil {
		return err
	}
	if err := recordChange(cfg, c, f.Digest); err != nil {
		return err
	}
	r := c.Request
	switch {
	case c.From == requests.StatusOpen && r.Status == requests.StatusOpen:
		fmt.Fprintf(w, "Request %s stays open: %d item(s) need review and %d were not carried out, so what stays is not settled; settle them and apply again, or record the reply with retentiond request answer --id %s --by NAME.\n",
			r.ID, left.Review, notDone, r.ID)
	case r.Status == requests.StatusAnswered:
		fmt.Fprintf(w, "Request %s is answered: %s. Its deadline no longer counts; every nightly plan deletes what is left when its term ends, and the daemon completes the request when nothing is left.\n", r.ID, r.Left)
	case r.Status == requests.StatusCompleted && c.Changed():
		fmt.Fprintf(w, "Request %s is carried out and completed: nothing of the person is left; the ledger records it.\n", r.ID)
	default:
		fmt.Fprintf(w, "Request %s is %s already.\n", r.ID, r.Status)
	}
	return nil
}

// approverOf is who approved f, the plan whose apply answers a request;
// "" if the approval cannot be read again.
func approverOf(cfg *config.Config, f *plan.File) string {
	k, err := loadPseudonyms(cfg)
	if err != nil {
		return ""
	}
	a, err := loadApproval(cfg, f, k)
	if err != nil {
		return ""
	}
	return a.ApprovedBy
}

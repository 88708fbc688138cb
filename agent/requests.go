package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/rules"
)

// RequestInput is a data-subject request to open.
type RequestInput struct {
	Subject requests.SubjectRef
	Kind    string     // requests.Erase, Access, Export, Rectify or Restrict
	Lang    string     // the language to answer in: "nl" or "en"
	Term    rules.Term // the term to answer in; zero is four weeks
	// Received is the day it was received; zero is today.
	Received rules.Date
}

// Requests lists the data-subject requests: the active ones (open and
// answered), or all.
func (s *Service) Requests(all bool) ([]requests.Request, error) {
	set, err := s.requestSet()
	if err != nil {
		return nil, err
	}
	return set.List(!all), nil
}

// Request is one data-subject request by id.
func (s *Service) Request(id string) (requests.Request, bool, error) {
	set, err := s.requestSet()
	if err != nil {
		return requests.Request{}, false, err
	}
	r, ok := set.Get(id)
	return r, ok, nil
}

// requestSet opens the state dir's requests, making the state dir.
func (s *Service) requestSet() (*requests.Set, error) {
	if err := s.mkState(); err != nil {
		return nil, err
	}
	return requests.Open(s.cfg.StateDir)
}

// OpenRequest records a data-subject request received from the person
// in.Subject, who must be in the registries (*UnknownSubjectError), and
// counts its deadline.
func (s *Service) OpenRequest(_ context.Context, in RequestInput, by Actor) (requests.Request, error) {
	set, err := s.requestSet()
	if err != nil {
		return requests.Request{}, err
	}
	if err := s.knownSubject(in.Subject); err != nil {
		return requests.Request{}, err
	}
	now := time.Now().In(s.cfg.Location)
	r := requests.Request{Subject: in.Subject, Kind: in.Kind, Received: in.Received, Lang: in.Lang}
	if r.Received.IsZero() {
		r.Received = rules.DateIn(now, s.cfg.Location)
	}
	t := in.Term
	if t == (rules.Term{}) {
		t, _ = rules.ParseTerm("4w")
	}
	r, err = set.OpenRequest(r, t, now)
	return r, callerErr(err)
}

// AnswerRequest records that by answered the request id; the ledger
// records it and its deadline no longer counts.
func (s *Service) AnswerRequest(_ context.Context, id string, by Actor) (requests.Change, error) {
	set, err := s.requestSet()
	if err != nil {
		return requests.Change{}, err
	}
	c, err := set.Answer(id, by.String(), time.Now().In(s.cfg.Location))
	if err != nil {
		return c, callerErr(err)
	}
	return c, s.recordChange(c, "", by)
}

// CompleteRequest completes the request id and records it in the
// ledger. A request whose subject is not in the registries is never
// completed: a plan for an id nobody has finds nothing, which is not
// "nothing left".
func (s *Service) CompleteRequest(_ context.Context, id string, by Actor) (requests.Change, error) {
	set, err := s.requestSet()
	if err != nil {
		return requests.Change{}, err
	}
	return s.completeRequest(set, id, by, "")
}

// RefuseRequest records that the request id is refused.
func (s *Service) RefuseRequest(_ context.Context, id string, by Actor) (requests.Change, error) {
	set, err := s.requestSet()
	if err != nil {
		return requests.Change{}, err
	}
	c, err := set.Refuse(id, by.String(), time.Now().In(s.cfg.Location))
	if err != nil {
		return c, callerErr(err)
	}
	return c, s.recordChange(c, "", by)
}

// completeRequest completes a request and records it in the ledger; plan,
// if set, is the digest of the plan that carried it out.
func (s *Service) completeRequest(set *requests.Set, id string, by Actor, plan string) (requests.Change, error) {
	if r, ok := set.Get(id); ok && !r.IsClosed() {
		if !s.knownTo()(r.Subject) {
			return requests.Change{}, fmt.Errorf("%s cannot be completed: %w", r.ID, requests.ErrUnknownSubject)
		}
	}
	c, err := set.Complete(id, by.String(), time.Now().In(s.cfg.Location))
	if err != nil {
		return c, callerErr(err)
	}
	return c, s.recordChange(c, plan, by)
}

// recordChange writes a request's change of status to the ledger (keyed
// pseudonyms only, see requests.Change.LedgerEntries); plan, if set, is
// the digest of the plan that carried it out; by, if named, who changed it.
func (s *Service) recordChange(c requests.Change, plan string, by Actor) error {
	if !c.Changed() {
		return nil
	}
	err := s.ledgerEvents(func(k *pseudonym.Keyed) ([]ledger.Entry, error) {
		es, err := c.LedgerEntries(k, plan)
		for i := range es {
			es[i].Reason = stampBy(es[i].Reason, k, by)
		}
		return es, err
	})
	if err != nil {
		return fmt.Errorf("%s is %s, but the ledger could not record it: %w", c.Request.ID, c.Request.Status, err)
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
// the request on the night nothing of the subject is left. What it did is
// said on the service's Out.
func (s *Service) finishRequest(f *plan.File, notDone int) error {
	if f.Request == "" {
		return nil
	}
	set, err := s.openRequests()
	if err != nil || set == nil {
		return err
	}
	c, left, err := set.AfterApply(f, notDone, s.approverOf(f), time.Now().In(s.cfg.Location), s.knownTo())
	if err != nil {
		return err
	}
	if err := s.recordChange(c, f.Digest, Actor{}); err != nil {
		return err
	}
	w := s.out
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
func (s *Service) approverOf(f *plan.File) string {
	a, err := s.Approval(f)
	if err != nil {
		return ""
	}
	return a.ApprovedBy
}

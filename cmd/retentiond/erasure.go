package main

import (
	"errors"
	"fmt"
	"io"
	"os"

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

// erasures maps the subjects of open erasure requests to the day each was
// received: every plan, and apply's re-check, decides their records as
// an erasure request says (R3).
func erasures(set *requests.Set) map[plan.SubjectKey]rules.Date {
	if set == nil {
		return nil
	}
	out := map[plan.SubjectKey]rules.Date{}
	for _, r := range set.List(true) {
		if r.Kind != requests.Erase {
			continue
		}
		k := plan.SubjectKey{Type: r.Subject.Type, ID: r.Subject.ID}
		if d, ok := out[k]; !ok || r.Received.Before(d) {
			out[k] = r.Received
		}
	}
	return out
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
	case !r.IsOpen():
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

// finishRequest closes an erasure request whose plan was applied in full:
// every action done (none skipped, failed or left out at approval: the
// caller counts them in notDone) and nothing held. Otherwise it stays open, and the
// nightly plan deletes the held rest when its statutory term ends (open
// erasure requests are part of every plan); closing is then the
// administrator's `request close`.
func finishRequest(cfg *config.Config, f *plan.File, notDone int, w io.Writer) error {
	if f.Request == "" {
		return nil
	}
	set, err := openRequests(cfg)
	if err != nil || set == nil {
		return err
	}
	held := 0
	for _, it := range f.Items {
		if it.Action == rules.Hold || it.Action == rules.Review {
			held++
		}
	}
	if held > 0 || notDone > 0 {
		fmt.Fprintf(w, "Request %s stays open: %d item(s) are held or need review and %d were not carried out; every nightly plan decides them under the request, and the daemon closes it when nothing is left.\n", f.Request, held, notDone)
		return nil
	}
	r, err := closeRequest(cfg, set, f.Request, false, f.Digest)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Request %s is carried out and closed; the ledger records it.\n", r.ID)
	return nil
}

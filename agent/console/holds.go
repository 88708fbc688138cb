package console

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

var holdIDRe = regexp.MustCompile(`^H-[0-9]{4,}$`)

type holdsData struct {
	All    bool
	Holds  []holds.Hold
	CanAdd bool
	Stores []string
	People peopleSearch
	Form   struct{ What, Subject, Store, Glob, Reason, Until string }
}

func (c *Console) showHolds(w http.ResponseWriter, r *http.Request, p *Person, status int, d *holdsData, err error) {
	list, lerr := c.backend().Holds(d.All)
	if lerr != nil {
		c.fail(w, r, p, http.StatusInternalServerError, lerr)
		return
	}
	d.Holds = list
	d.CanAdd = p.Can(config.RolePrivacyOfficer)
	for _, s := range c.config().Stores {
		d.Stores = append(d.Stores, s.Name)
	}
	if d.Form.What == "" {
		d.Form.What = "subject"
	}
	v := c.newView(r, p, "holds")
	if err != nil {
		v.Error = err.Error()
	}
	v.Data = d
	c.render(w, status, "holds", v)
}

func (d *holdsData) keepForm(r *http.Request) {
	d.Form.What = r.PostFormValue("what")
	d.Form.Subject = r.PostFormValue("subject")
	d.Form.Store = r.PostFormValue("store")
	d.Form.Glob = r.PostFormValue("glob")
	d.Form.Reason = r.PostFormValue("reason")
	d.Form.Until = r.PostFormValue("until")
}

// GET /holds
func (c *Console) holdsPage(w http.ResponseWriter, r *http.Request, p *Person) {
	c.showHolds(w, r, p, http.StatusOK, &holdsData{All: r.URL.Query().Get("all") == "1"}, nil)
}

// POST /holds/people (privacy officer): the add form's person search.
func (c *Console) holdPeople(w http.ResponseWriter, r *http.Request, p *Person) {
	d := &holdsData{}
	d.keepForm(r)
	var err error
	d.People, err = c.searchPeople(r)
	c.showHolds(w, r, p, http.StatusOK, d, err)
}

// POST /holds (privacy officer): add a hold on a person or on a path.
func (c *Console) addHold(w http.ResponseWriter, r *http.Request, p *Person) {
	d := &holdsData{}
	d.keepForm(r)
	lang := c.lang(r)
	in := agent.HoldInput{Reason: strings.TrimSpace(d.Form.Reason)}
	var err error
	if d.Form.What == "path" {
		in.Store, in.PathGlob = d.Form.Store, strings.TrimSpace(d.Form.Glob)
	} else if in.Subject, err = subjectOf(r); err != nil || in.Subject == nil {
		c.showHolds(w, r, p, http.StatusBadRequest, d, errors.New(text(lang, "err.pickperson")))
		return
	}
	if u := strings.TrimSpace(d.Form.Until); u != "" {
		if in.Until, err = rules.ParseDate(u); err != nil {
			c.showHolds(w, r, p, http.StatusBadRequest, d, errors.New(text(lang, "err.until")))
			return
		}
	}
	h, err := c.backend().AddHold(r.Context(), in, actor(p))
	if err != nil {
		c.showHolds(w, r, p, http.StatusBadRequest, d, err)
		return
	}
	_ = h
	redirect(w, r, "/holds", "held")
}

// POST /holds/{id}/release (privacy officer).
func (c *Console) releaseHold(w http.ResponseWriter, r *http.Request, p *Person) {
	id := r.PathValue("id")
	if !holdIDRe.MatchString(id) {
		c.fail(w, r, p, http.StatusNotFound, errors.New(text(c.lang(r), "err.nohold")))
		return
	}
	if _, err := c.backend().ReleaseHold(r.Context(), id, actor(p)); err != nil {
		c.fail(w, r, p, http.StatusConflict, err)
		return
	}
	redirect(w, r, "/holds", "released")
}

// GET /ledger: the ledger verified now (the overview shows the last
// minute's), and the way to a deleted item's inclusion proof.
func (c *Console) ledgerPage(w http.ResponseWriter, r *http.Request, p *Person) {
	st, err := c.ledgerStatus(r.Context(), true)
	d := struct {
		Status LedgerStatus
		Error  string
		Plans  []PlanInfo
	}{Status: st}
	if err != nil {
		d.Error = err.Error()
	}
	if list, err := c.backend().Plans(); err == nil {
		for _, pl := range list {
			if pl.State == "applied" {
				d.Plans = append(d.Plans, pl)
			}
		}
	}
	v := c.newView(r, p, "ledger")
	v.Data = d
	c.render(w, http.StatusOK, "ledger", v)
}

// GET /ledger/proof?plan=ID&item=N: on to the item's proof page (both are
// numbers and ids, no personal data).
func (c *Console) ledgerProof(w http.ResponseWriter, r *http.Request, p *Person) {
	q := r.URL.Query()
	id, n := q.Get("plan"), q.Get("item")
	if !planIDRe.MatchString(id) || !regexp.MustCompile(`^[1-9][0-9]{0,8}$`).MatchString(n) {
		c.fail(w, r, p, http.StatusBadRequest, errors.New(text(c.lang(r), "err.noitem")))
		return
	}
	http.Redirect(w, r, "/plans/"+id+"/items/"+n+"/proof", http.StatusSeeOther)
}

package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/planview"
	"github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// maxPeople is the most people a person search shows.
const maxPeople = 25

// peopleSearch runs the person search of a form (field q, POSTed): the
// registries' people whose name or number holds the text. The text and
// the names found go into the page only.
type peopleSearch struct {
	Query   string
	Done    bool
	Results []plan.SubjectRef
}

func (c *Console) searchPeople(r *http.Request) (peopleSearch, error) {
	q := strings.TrimSpace(r.PostFormValue("q"))
	if q == "" || len(q) > 200 {
		return peopleSearch{}, nil
	}
	res, err := c.backend().Subjects(r.Context(), q, maxPeople)
	return peopleSearch{Query: q, Done: true, Results: res}, err
}

// subjectOf reads a picked person (field subject, "TYPE:ID").
func subjectOf(r *http.Request) (*holds.SubjectRef, error) {
	s := r.PostFormValue("subject")
	if s == "" {
		return nil, nil
	}
	ref, err := holds.ParseSubjectRef(s)
	if err != nil {
		return nil, err
	}
	return &ref, nil
}

type reviewData struct {
	Latest      *PlanInfo
	Items       planRows
	Resolutions []review.Resolution
	CanResolve  bool
	// Settled names, per item number on the page, the resolution made
	// since the plan that settles it (the next plan decides it by it).
	Settled map[int]string
}

// settledBy returns the active resolution of rs that covers the record,
// or "".
func settledBy(rs []review.Resolution, store, record string) string {
	for _, r := range rs {
		if !r.Active() || r.Store != store {
			continue
		}
		if base, ok := r.Prefix(); (ok && (record == base || strings.HasPrefix(record, base+"/"))) || r.Path == record {
			return r.ID
		}
	}
	return ""
}

// GET /review: the review items of the newest plan, and the resolutions
// made so far.
func (c *Console) reviewPage(w http.ResponseWriter, r *http.Request, p *Person) {
	list, err := c.backend().Plans()
	if err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, err)
		return
	}
	d := &reviewData{CanResolve: p.Can(config.RoleReviewer)}
	for i := range list {
		if list[i].Request == "" {
			d.Latest = &list[i]
			break
		}
	}
	if d.Latest != nil {
		ix, err := c.ix.get(d.Latest.Dir)
		if err != nil {
			c.fail(w, r, p, http.StatusInternalServerError, err)
			return
		}
		d.Items.Info = *d.Latest
		d.Items.Mode = "review"
		_, page := filterOf(r.URL.Query())
		if err := c.rows(&d.Items, ix, planview.Filter{Action: string(rules.Review)}, page, "/review", p); err != nil {
			c.fail(w, r, p, http.StatusInternalServerError, err)
			return
		}
	}
	if d.Resolutions, err = c.backend().Resolutions(false); err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, err)
		return
	}
	d.Settled = map[int]string{}
	for _, row := range d.Items.Rows {
		if id := settledBy(d.Resolutions, row.Item.Store, row.Item.Record); id != "" {
			d.Settled[row.N] = id
		}
	}
	v := c.newView(r, p, "review")
	v.Data = d
	c.render(w, http.StatusOK, "review", v)
}

type resolveData struct {
	Info    PlanInfo
	N       int
	Item    plan.Item
	Folders []folderLink
	People  peopleSearch
	Form    struct{ Kind, Scope, Until, Reason, Subject string }
}

// resolveForm loads the review item of /review/{id}/{n}.
func (c *Console) resolveForm(r *http.Request) (*resolveData, error) {
	info, _, err := c.planAndPrev(r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	ix, err := c.ix.get(info.Dir)
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(r.PathValue("n"))
	it, ok := ix.Item(n)
	if !ok || it.Action != rules.Review {
		return nil, errNoItem
	}
	d := &resolveData{Info: info, N: n, Item: it}
	parts := strings.Split(it.Record, "/")
	for depth := 1; depth < len(parts); depth++ {
		d.Folders = append(d.Folders, folderLink{Depth: depth, Name: strings.Join(parts[:depth], "/") + "/**"})
	}
	d.Form.Kind, d.Form.Scope = string(review.KindSubject), "record"
	return d, nil
}

var errNoItem = errors.New("no such item")

func (c *Console) showResolve(w http.ResponseWriter, r *http.Request, p *Person, status int, d *resolveData, err error) {
	v := c.newView(r, p, "review")
	v.Title = v.T("title.resolve") + " " + d.Info.ID + " #" + strconv.Itoa(d.N)
	if err != nil {
		v.Error = err.Error()
	}
	v.Data = d
	c.render(w, status, "resolve", v)
}

func (c *Console) resolveError(w http.ResponseWriter, r *http.Request, p *Person, err error) {
	if errors.Is(err, errNoItem) {
		c.fail(w, r, p, http.StatusNotFound, errors.New(text(c.lang(r), "err.noreview")))
		return
	}
	c.planError(w, r, p, err)
}

// GET /review/{id}/{n}: the form that settles a review item.
func (c *Console) resolvePage(w http.ResponseWriter, r *http.Request, p *Person) {
	d, err := c.resolveForm(r)
	if err != nil {
		c.resolveError(w, r, p, err)
		return
	}
	c.showResolve(w, r, p, http.StatusOK, d, nil)
}

// keepForm copies what was typed into the form, to show it again.
func (d *resolveData) keepForm(r *http.Request) {
	d.Form.Kind = r.PostFormValue("kind")
	d.Form.Scope = r.PostFormValue("scope")
	d.Form.Until = r.PostFormValue("until")
	d.Form.Reason = r.PostFormValue("reason")
	d.Form.Subject = r.PostFormValue("subject")
}

// POST /review/{id}/{n}/people (reviewer): the person search of the form.
func (c *Console) resolvePeople(w http.ResponseWriter, r *http.Request, p *Person) {
	d, err := c.resolveForm(r)
	if err != nil {
		c.resolveError(w, r, p, err)
		return
	}
	d.keepForm(r)
	d.People, err = c.searchPeople(r)
	c.showResolve(w, r, p, http.StatusOK, d, err)
}

// POST /review/{id}/{n}/resolve (reviewer): settle the item (or its
// folder) through the service, which ledgers it with the actor.
func (c *Console) resolve(w http.ResponseWriter, r *http.Request, p *Person) {
	d, err := c.resolveForm(r)
	if err != nil {
		c.resolveError(w, r, p, err)
		return
	}
	d.keepForm(r)
	lang := c.lang(r)
	res := review.Resolution{Store: d.Item.Store, Path: d.Item.Record, Kind: review.Kind(d.Form.Kind), Reason: strings.TrimSpace(d.Form.Reason)}
	if s, ok := strings.CutPrefix(d.Form.Scope, "folder-"); ok {
		depth, _ := strconv.Atoi(s)
		if depth < 1 || depth > len(d.Folders) {
			c.showResolve(w, r, p, http.StatusBadRequest, d, errors.New(text(lang, "err.scope")))
			return
		}
		res.Path = d.Folders[depth-1].Name
	}
	switch res.Kind {
	case review.KindSubject:
		if res.Subject, err = subjectOf(r); err != nil || res.Subject == nil {
			c.showResolve(w, r, p, http.StatusBadRequest, d, errors.New(text(lang, "err.pickperson")))
			return
		}
	case review.KindKeepUntil:
		if res.Until, err = rules.ParseDate(d.Form.Until); err != nil {
			c.showResolve(w, r, p, http.StatusBadRequest, d, errors.New(text(lang, "err.until")))
			return
		}
	case review.KindNotPersonal:
	default:
		c.showResolve(w, r, p, http.StatusBadRequest, d, errors.New(text(lang, "err.kind")))
		return
	}
	if res.Reason == "" {
		c.showResolve(w, r, p, http.StatusBadRequest, d, errors.New(text(lang, "err.reason")))
		return
	}
	got, err := c.backend().Resolve(r.Context(), res, actor(p))
	if err != nil {
		c.showResolve(w, r, p, http.StatusBadRequest, d, err)
		return
	}
	_ = got
	redirect(w, r, "/review", "resolved")
}

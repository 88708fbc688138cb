package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/planview"
	"github.com/retentiond/retentiond/config"
)

// maxPersonOptions is the most people the plan page lists in its person
// filter; a plan with more is filtered by a person from a row's link.
const maxPersonOptions = 500

// decidable reports whether a plan in state can still be changed by
// reviewers, approved or rejected.
func decidable(state string) bool {
	return state == agent.StateWaiting || state == agent.StateNeedsSecond
}

// planAndPrev returns the plan id names and the plan before it that
// answers the same request (or none), for "new since the previous plan".
func (c *Console) planAndPrev(id string) (PlanInfo, *PlanInfo, error) {
	if !planIDRe.MatchString(id) {
		return PlanInfo{}, nil, errNoPlan
	}
	list, err := c.backend().Plans() // newest first
	if err != nil {
		return PlanInfo{}, nil, err
	}
	for i, p := range list {
		if p.ID != id {
			continue
		}
		for _, q := range list[i+1:] {
			if q.Request == p.Request {
				return p, &q, nil
			}
		}
		return p, nil, nil
	}
	return PlanInfo{}, nil, errNoPlan
}

// planRows is the data of the plan page and of a person's or a folder's
// items.
type planRows struct {
	Info     PlanInfo
	Mode     string // "plan", "person", "folder"
	Heading  string
	Summary  plan.Summary
	Stores   []plan.StoreResult
	PrevID   string
	NewCount int
	Excluded int
	Facets   planview.Facets
	Persons  []personOption
	Filter   planview.Filter
	Rows     []row
	Page     planview.Page
	Last     int
	PageNo   int
	Pages    int
	PrevPage string
	NextPage string
	FolderOf int
	Depth    int
	// what the person signed in may do here
	CanSelect, CanDecide, CanApply bool
	// ApprovedAlready: the person approved this plan, which waits for a
	// second approver (console.four_eyes_over).
	ApprovedAlready bool
	// Back is this page's address, where a selection form returns to.
	Back string
}

type personOption struct {
	N          int
	Name, Type string
}

type row struct {
	planview.Row
	Excluded bool
}

// filterOf reads the filters a URL may carry: none of them personal data
// (a person is a number).
func filterOf(q url.Values) (planview.Filter, int) {
	clean := func(s string) string {
		if len(s) > 200 {
			return ""
		}
		return s
	}
	f := planview.Filter{
		Store: clean(q.Get("store")), Category: clean(q.Get("category")),
		Action: clean(q.Get("action")), Rule: clean(q.Get("rule")),
		NewOnly: q.Get("new") == "1",
	}
	f.Person, _ = strconv.Atoi(q.Get("person"))
	f.Person = max(f.Person, 0)
	page, _ := strconv.Atoi(q.Get("page"))
	return f, max(page, 1)
}

// filterQuery is the URL query of f's filters that may be in a URL.
func filterQuery(f planview.Filter, page int) string {
	q := url.Values{}
	for k, v := range map[string]string{"store": f.Store, "category": f.Category, "action": f.Action, "rule": f.Rule} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Person > 0 {
		q.Set("person", strconv.Itoa(f.Person))
	}
	if f.NewOnly {
		q.Set("new", "1")
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return q.Encode()
}

// rows fills d with the page of items f selects.
func (c *Console) rows(d *planRows, ix *planview.Index, f planview.Filter, page int, base string, p *Person) error {
	ex, err := c.backend().Excluded(d.Info.ID)
	if err != nil {
		return err
	}
	excluded := make(map[int]bool, len(ex))
	for _, n := range ex {
		excluded[n] = true
	}
	d.Excluded = len(ex)
	d.Filter = f
	d.Back = base
	if q := filterQuery(f, page); q != "" && d.Mode == "plan" {
		d.Back += "?" + q
	} else if page > 1 {
		d.Back += "?page=" + strconv.Itoa(page)
	}
	pg := ix.Query(f, (page-1)*c.size, c.size)
	if pg.Total > 0 && pg.Offset >= pg.Total { // past the end: the last page
		page = (pg.Total-1)/c.size + 1
		pg = ix.Query(f, (page-1)*c.size, c.size)
	}
	d.Page = pg
	d.Rows = make([]row, len(pg.Rows))
	for i, r := range pg.Rows {
		d.Rows[i] = row{Row: r, Excluded: excluded[r.N]}
	}
	d.Last = pg.Offset + len(pg.Rows)
	d.PageNo = page
	d.Pages = max(1, (pg.Total+c.size-1)/c.size)
	link := func(n int) string {
		if d.Mode != "plan" {
			return base + "?page=" + strconv.Itoa(n)
		}
		if q := filterQuery(f, n); q != "" {
			return base + "?" + q
		}
		return base
	}
	if page > 1 {
		d.PrevPage = link(page - 1)
	}
	if page < d.Pages {
		d.NextPage = link(page + 1)
	}
	d.CanSelect = p.Can(config.RoleReviewer) && decidable(d.Info.State)
	return nil
}

// loadPlan finds the plan of the request's {id} and its index, marked
// against the previous plan.
func (c *Console) loadPlan(r *http.Request) (*planRows, *planview.Index, error) {
	info, prev, err := c.planAndPrev(r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	prevDir := ""
	if prev != nil {
		prevDir = prev.Dir
	}
	ix, err := c.ix.compared(info.Dir, prevDir)
	if err != nil {
		return nil, nil, err
	}
	d := &planRows{Info: info, Summary: ix.Summary(), Stores: ix.StoreSummaries()}
	if prev != nil {
		d.PrevID = prev.ID
		d.NewCount = ix.NewCount()
	}
	return d, ix, nil
}

func (c *Console) planError(w http.ResponseWriter, r *http.Request, p *Person, err error) {
	if errors.Is(err, errNoPlan) {
		c.fail(w, r, p, http.StatusNotFound, errors.New(text(c.lang(r), "err.noplan")))
		return
	}
	c.fail(w, r, p, http.StatusInternalServerError, err)
}

// GET /plans/{id}
func (c *Console) planPage(w http.ResponseWriter, r *http.Request, p *Person) {
	d, ix, err := c.loadPlan(r)
	if err != nil {
		c.planError(w, r, p, err)
		return
	}
	d.Mode = "plan"
	f, page := filterOf(r.URL.Query())
	if f.Person > len(ix.Persons()) {
		f.Person = 0
	}
	f.Query = c.views.queryOf(c.viewToken(w, r), p.Account, d.Info.ID)
	d.Facets = c.ix.facets(ix)
	if persons := ix.Persons(); len(persons) <= maxPersonOptions {
		d.Persons = make([]personOption, len(persons))
		for i, s := range persons {
			d.Persons[i] = personOption{N: i + 1, Name: s.Name, Type: string(s.Type)}
		}
	}
	if err := c.rows(d, ix, f, page, "/plans/"+d.Info.ID, p); err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, err)
		return
	}
	d.CanDecide = p.Can(config.RoleApprover) && decidable(d.Info.State)
	// four eyes: the first approver waits for a second, different one
	d.ApprovedAlready = d.Info.State == agent.StateNeedsSecond && slices.Contains(d.Info.Approvers, p.Name)
	d.CanApply = p.Can(config.RoleApprover) && d.Info.State == agent.StateApproved
	v := c.newView(r, p, "plans")
	v.Title = v.T("title.plan") + " " + d.Info.ID
	v.Data = d
	c.render(w, http.StatusOK, "plan", v)
}

// POST /plans/{id}/search: the search text goes in the body and stays in
// the session, never in a URL.
func (c *Console) planSearch(w http.ResponseWriter, r *http.Request, p *Person) {
	id := r.PathValue("id")
	if !planIDRe.MatchString(id) {
		c.planError(w, r, p, errNoPlan)
		return
	}
	q := strings.TrimSpace(r.PostFormValue("q"))
	if r.PostFormValue("clear") != "" || len(q) > 200 {
		q = ""
	}
	c.views.setQuery(c.viewToken(w, r), p.Account, id, q)
	redirect(w, r, "/plans/"+id, "")
}

// GET /plans/{id}/persons/{p}: a person's items.
func (c *Console) personPage(w http.ResponseWriter, r *http.Request, p *Person) {
	d, ix, err := c.loadPlan(r)
	if err != nil {
		c.planError(w, r, p, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("p"))
	persons := ix.Persons()
	if err != nil || n < 1 || n > len(persons) {
		c.fail(w, r, p, http.StatusNotFound, errors.New(text(c.lang(r), "err.noperson")))
		return
	}
	d.Mode = "person"
	s := persons[n-1]
	v := c.newView(r, p, "plans")
	d.Heading = s.Name + " (" + v.Word("subject", string(s.Type)) + " " + s.ID + ")"
	_, page := filterOf(r.URL.Query())
	if err := c.rows(d, ix, planview.Filter{Person: n}, page, fmt.Sprintf("/plans/%s/persons/%d", d.Info.ID, n), p); err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, err)
		return
	}
	v.Title = v.T("title.person")
	v.Data = d
	c.render(w, http.StatusOK, "person", v)
}

// folderOf returns the folder of depth levels above record n ("a/b" is
// depth 2 of "a/b/c.pdf"), and false when the record has no such folder.
func folderOf(ix *planview.Index, n, depth int) (store, folder string, ok bool) {
	store, rec, ok := ix.Record(n)
	if !ok || depth < 1 {
		return "", "", false
	}
	parts := strings.Split(rec, "/")
	if depth >= len(parts) {
		return "", "", false
	}
	return store, strings.Join(parts[:depth], "/"), true
}

// GET /plans/{id}/items/{n}/folder/{depth}: the items under a folder of
// item n's record, named by numbers so that no path is in the URL.
func (c *Console) folderPage(w http.ResponseWriter, r *http.Request, p *Person) {
	d, ix, err := c.loadPlan(r)
	if err != nil {
		c.planError(w, r, p, err)
		return
	}
	n, _ := strconv.Atoi(r.PathValue("n"))
	depth, _ := strconv.Atoi(r.PathValue("depth"))
	store, folder, ok := folderOf(ix, n, depth)
	if !ok {
		c.fail(w, r, p, http.StatusNotFound, errors.New(text(c.lang(r), "err.nofolder")))
		return
	}
	d.Mode, d.FolderOf, d.Depth = "folder", n, depth
	d.Heading = store + ": " + folder + "/"
	_, page := filterOf(r.URL.Query())
	base := fmt.Sprintf("/plans/%s/items/%d/folder/%d", d.Info.ID, n, depth)
	if err := c.rows(d, ix, planview.Filter{Store: store, Folder: folder}, page, base, p); err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, err)
		return
	}
	v := c.newView(r, p, "plans")
	v.Title = v.T("title.folder")
	v.Data = d
	c.render(w, http.StatusOK, "folder", v)
}

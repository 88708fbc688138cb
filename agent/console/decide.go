package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/planview"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// maxComment bounds a comment or reason typed in the console.
const maxComment = 2000

// selection returns the item numbers a selection form names: checked
// items (item=N…), a person's items (person=N), or a folder of an item's
// record (folder-of=N, depth=D). Numbers outside the plan are refused.
func selection(r *http.Request, ix *planview.Index) ([]int, error) {
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	f := r.PostForm
	switch {
	case f.Get("person") != "":
		n, err := strconv.Atoi(f.Get("person"))
		if err != nil || n < 1 || n > len(ix.Persons()) {
			return nil, errors.New("person")
		}
		return ix.PersonItems(n), nil
	case f.Get("folder-of") != "":
		n, _ := strconv.Atoi(f.Get("folder-of"))
		d, _ := strconv.Atoi(f.Get("depth"))
		store, folder, ok := folderOf(ix, n, d)
		if !ok {
			return nil, errors.New("folder")
		}
		return ix.FolderItems(store, folder), nil
	}
	var out []int
	for _, s := range f["item"] {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > ix.Len() {
			return nil, errors.New("item")
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// backTo is where a selection form returns to: the page it was on, when
// that is a page of the same plan; else the plan.
func backTo(r *http.Request, id string) string {
	b := r.PostFormValue("back")
	base := "/plans/" + id
	if (b == base || strings.HasPrefix(b, base+"?") || strings.HasPrefix(b, base+"/")) &&
		!strings.Contains(b, "//") && !strings.ContainsAny(b, "\\\r\n") {
		return b
	}
	return base
}

// POST /plans/{id}/exclude and /plans/{id}/include (reviewer).
func (c *Console) selectItems(exclude bool) func(w http.ResponseWriter, r *http.Request, p *Person) {
	return func(w http.ResponseWriter, r *http.Request, p *Person) {
		d, ix, err := c.loadPlan(r)
		if err != nil {
			c.planError(w, r, p, err)
			return
		}
		lang := c.lang(r)
		if !decidable(d.Info.State) {
			c.fail(w, r, p, http.StatusConflict, errors.New(text(lang, "err.notdecidable")))
			return
		}
		items, err := selection(r, ix)
		if err != nil {
			c.fail(w, r, p, http.StatusBadRequest, errors.New(text(lang, "err.selection")))
			return
		}
		if len(items) == 0 {
			redirect(w, r, backTo(r, d.Info.ID), "nothing")
			return
		}
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if len(reason) > maxComment {
			c.fail(w, r, p, http.StatusBadRequest, errors.New(text(lang, "err.toolong")))
			return
		}
		done := "excluded"
		if exclude {
			err = c.backend().Exclude(r.Context(), d.Info.ID, items, actor(p), reason)
		} else {
			done = "included"
			err = c.backend().Include(r.Context(), d.Info.ID, items, actor(p))
		}
		if err != nil {
			c.fail(w, r, p, http.StatusConflict, err)
			return
		}
		redirect(w, r, backTo(r, d.Info.ID), done)
	}
}

// comment reads the comment field.
func comment(r *http.Request) (string, bool) {
	s := strings.TrimSpace(r.PostFormValue("comment"))
	return s, len(s) <= maxComment
}

// POST /plans/{id}/approve (approver).
func (c *Console) approve(w http.ResponseWriter, r *http.Request, p *Person) {
	info, _, err := c.planAndPrev(r.PathValue("id"))
	if err != nil {
		c.planError(w, r, p, err)
		return
	}
	text, ok := comment(r)
	if !ok {
		c.fail(w, r, p, http.StatusBadRequest, errors.New(textOf(c.lang(r), "err.toolong")))
		return
	}
	// The service takes the reviewers' exclusions (agent/selection) into
	// the approval; nothing is excluded here besides.
	if _, err := c.backend().Approve(r.Context(), info.ID, actor(p), nil, text); err != nil {
		c.fail(w, r, p, http.StatusConflict, err)
		return
	}
	redirect(w, r, "/plans/"+info.ID, "approved")
}

// POST /plans/{id}/reject (approver).
func (c *Console) reject(w http.ResponseWriter, r *http.Request, p *Person) {
	info, _, err := c.planAndPrev(r.PathValue("id"))
	if err != nil {
		c.planError(w, r, p, err)
		return
	}
	text, ok := comment(r)
	if !ok {
		c.fail(w, r, p, http.StatusBadRequest, errors.New(textOf(c.lang(r), "err.toolong")))
		return
	}
	if err := c.backend().Reject(r.Context(), info.ID, actor(p), text); err != nil {
		c.fail(w, r, p, http.StatusConflict, err)
		return
	}
	redirect(w, r, "/plans/"+info.ID, "rejected")
}

// POST /plans/{id}/apply (approver): carry out an approved plan now,
// through the service's one road (re-check, delete limit, ledger).
func (c *Console) applyNow(w http.ResponseWriter, r *http.Request, p *Person) {
	info, _, err := c.planAndPrev(r.PathValue("id"))
	if err != nil {
		c.planError(w, r, p, err)
		return
	}
	res, err := c.backend().Apply(r.Context(), info.ID, agent.ApplyOptions{By: actor(p)})
	if err != nil {
		c.fail(w, r, p, http.StatusConflict, err)
		return
	}
	if res != nil && res.Result != nil {
		lang := c.lang(r)
		c.views.setFlash(c.viewToken(w, r), p.Account, fmt.Sprintf(text(lang, "apply.result"),
			res.Done, res.Skipped, res.Gone, res.Failed, res.Excluded))
	}
	redirect(w, r, "/plans/"+info.ID, "applied")
}

// itemData is the item page's.
type itemData struct {
	Info       PlanInfo
	N          int
	Row        planview.Row
	Excluded   bool
	Folders    []folderLink
	Decision   *rules.Decision
	ExplainErr string
	CanSelect  bool
	Proof      bool
}

type folderLink struct {
	Depth int
	Name  string
}

// GET /plans/{id}/items/{n}: an item's reason, basis and the explain
// trace (every rule considered), as the record is decided today.
func (c *Console) itemPage(w http.ResponseWriter, r *http.Request, p *Person) {
	d, ix, err := c.loadPlan(r)
	if err != nil {
		c.planError(w, r, p, err)
		return
	}
	n, _ := strconv.Atoi(r.PathValue("n"))
	item, ok := ix.Item(n)
	if !ok {
		c.fail(w, r, p, http.StatusNotFound, errors.New(text(c.lang(r), "err.noitem")))
		return
	}
	it := itemData{Info: d.Info, N: n, Row: planview.Row{N: n, Item: item}}
	if s := item.Subject; s != nil {
		it.Row.Person = ix.PersonOf(s.Type, s.ID)
	}
	ex, err := c.backend().Excluded(d.Info.ID)
	if err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, err)
		return
	}
	it.Excluded = slices.Contains(ex, n)
	parts := strings.Split(it.Row.Item.Record, "/")
	for depth := 1; depth < len(parts); depth++ {
		it.Folders = append(it.Folders, folderLink{Depth: depth, Name: strings.Join(parts[:depth], "/") + "/"})
	}
	if ex, err := c.backend().Explain(r.Context(), it.Row.Item.Store, it.Row.Item.Record, rules.Date{}, c.lang(r)); err != nil {
		it.ExplainErr = err.Error()
	} else {
		it.Decision = &ex.Decision
	}
	it.CanSelect = p.Can(config.RoleReviewer) && decidable(d.Info.State)
	it.Proof = d.Info.State == "applied" && (it.Row.Item.Action == rules.Delete || it.Row.Item.Action == rules.Pseudonymise)
	v := c.newView(r, p, "plans")
	v.Title = v.T("title.item") + " " + strconv.Itoa(n)
	v.Data = it
	c.render(w, http.StatusOK, "item", v)
}

// GET /plans/{id}/items/{n}/proof: the ledger's inclusion proof of what
// was done to the item's record.
func (c *Console) proofPage(w http.ResponseWriter, r *http.Request, p *Person) {
	d, ix, err := c.loadPlan(r)
	if err != nil {
		c.planError(w, r, p, err)
		return
	}
	n, _ := strconv.Atoi(r.PathValue("n"))
	store, rec, ok := ix.Record(n)
	if !ok {
		c.fail(w, r, p, http.StatusNotFound, errors.New(text(c.lang(r), "err.noitem")))
		return
	}
	proof, err := c.backend().Proof(r.Context(), store, rec)
	v := c.newView(r, p, "ledger")
	v.Title = v.T("title.proof") + " " + d.Info.ID + " #" + strconv.Itoa(n)
	data := struct {
		Info         PlanInfo
		N            int
		Proof, Error string
	}{Info: d.Info, N: n, Proof: proof}
	if err != nil {
		data.Error = err.Error()
	}
	v.Data = data
	c.render(w, http.StatusOK, "proof", v)
}

// textOf is text, for handlers where a local variable is named text.
func textOf(lang, key string) string { return text(lang, key) }

package console

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

var requestIDRe = regexp.MustCompile(`^(?i)REQ-[0-9]{4,}$`)

type requestRow struct {
	requests.Request
	DaysLeft int
}

// GET /requests: the requests, active ones (or all with ?all=1).
func (c *Console) requestsPage(w http.ResponseWriter, r *http.Request, p *Person) {
	all := r.URL.Query().Get("all") == "1"
	list, err := c.backend().Requests(all)
	if err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, err)
		return
	}
	today := rules.DateIn(c.now(), c.loc())
	rows := make([]requestRow, len(list))
	for i, q := range list {
		rows[i] = requestRow{Request: q, DaysLeft: requests.DaysLeft(q, today)}
	}
	v := c.newView(r, p, "requests")
	v.Data = struct {
		All     bool
		Rows    []requestRow
		CanOpen bool
	}{all, rows, p.Can(config.RolePrivacyOfficer)}
	c.render(w, http.StatusOK, "requests", v)
}

type newRequestData struct {
	Kinds  []string
	People peopleSearch
	Form   struct{ Kind, Received, Lang, Subject string }
}

func (c *Console) showNewRequest(w http.ResponseWriter, r *http.Request, p *Person, status int, d *newRequestData, err error) {
	v := c.newView(r, p, "requests")
	if err != nil {
		v.Error = err.Error()
	}
	d.Kinds = requests.Kinds
	v.Data = d
	c.render(w, status, "request_new", v)
}

func (d *newRequestData) keepForm(r *http.Request) {
	d.Form.Kind = r.PostFormValue("kind")
	d.Form.Received = r.PostFormValue("received")
	d.Form.Lang = r.PostFormValue("lang")
	d.Form.Subject = r.PostFormValue("subject")
}

// GET /requests/new (privacy officer): the form that opens a request.
func (c *Console) newRequestPage(w http.ResponseWriter, r *http.Request, p *Person) {
	d := &newRequestData{}
	d.Form.Kind = requests.Erase
	d.Form.Received = rules.DateIn(c.now(), c.loc()).String()
	d.Form.Lang = "nl"
	c.showNewRequest(w, r, p, http.StatusOK, d, nil)
}

// POST /requests/new/people (privacy officer): the form's person search.
func (c *Console) newRequestPeople(w http.ResponseWriter, r *http.Request, p *Person) {
	d := &newRequestData{}
	d.keepForm(r)
	var err error
	d.People, err = c.searchPeople(r)
	c.showNewRequest(w, r, p, http.StatusOK, d, err)
}

// POST /requests (privacy officer): open the request.
func (c *Console) openRequest(w http.ResponseWriter, r *http.Request, p *Person) {
	d := &newRequestData{}
	d.keepForm(r)
	lang := c.lang(r)
	subj, err := subjectOf(r)
	if err != nil || subj == nil {
		c.showNewRequest(w, r, p, http.StatusBadRequest, d, errors.New(text(lang, "err.pickperson")))
		return
	}
	received, err := rules.ParseDate(d.Form.Received)
	if err != nil {
		c.showNewRequest(w, r, p, http.StatusBadRequest, d, errors.New(text(lang, "err.received")))
		return
	}
	in := agent.RequestInput{Subject: *subj, Kind: d.Form.Kind, Received: received, Lang: d.Form.Lang}
	q, err := c.backend().OpenRequest(r.Context(), in, actor(p))
	if err != nil {
		c.showNewRequest(w, r, p, http.StatusBadRequest, d, err)
		return
	}
	redirect(w, r, "/requests/"+q.ID, "opened")
}

// findRequest returns the request of the path's {id}.
func (c *Console) findRequest(r *http.Request) (requests.Request, error) {
	id := r.PathValue("id")
	if !requestIDRe.MatchString(id) {
		return requests.Request{}, errNoRequest
	}
	list, err := c.backend().Requests(true)
	if err != nil {
		return requests.Request{}, err
	}
	i := slices.IndexFunc(list, func(q requests.Request) bool { return strings.EqualFold(q.ID, id) })
	if i < 0 {
		return requests.Request{}, errNoRequest
	}
	return list[i], nil
}

var errNoRequest = errors.New("no such request")

func (c *Console) requestError(w http.ResponseWriter, r *http.Request, p *Person, err error) {
	if errors.Is(err, errNoRequest) {
		c.fail(w, r, p, http.StatusNotFound, errors.New(text(c.lang(r), "err.norequest")))
		return
	}
	c.fail(w, r, p, http.StatusInternalServerError, err)
}

// GET /requests/{id}
func (c *Console) requestPage(w http.ResponseWriter, r *http.Request, p *Person) {
	q, err := c.findRequest(r)
	if err != nil {
		c.requestError(w, r, p, err)
		return
	}
	plans, err := c.backend().Plans()
	if err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, err)
		return
	}
	var mine []PlanInfo
	for _, pl := range plans {
		if strings.EqualFold(pl.Request, q.ID) {
			mine = append(mine, pl)
		}
	}
	v := c.newView(r, p, "requests")
	v.Title = v.T("title.request") + " " + q.ID
	po := p.Can(config.RolePrivacyOfficer)
	v.Data = struct {
		Row                                                      requestRow
		Plans                                                    []PlanInfo
		CanAnswer, CanComplete, CanRefuse, CanPackage, CanLetter bool
	}{
		CanLetter:   po,
		Row:         requestRow{Request: q, DaysLeft: requests.DaysLeft(q, rules.DateIn(c.now(), c.loc()))},
		Plans:       mine,
		CanAnswer:   po && q.Status == requests.StatusOpen,
		CanComplete: po && !q.IsClosed(),
		CanRefuse:   po && q.Status == requests.StatusOpen,
		CanPackage:  po && !q.IsClosed() && (q.Kind == requests.Access || q.Kind == requests.Export),
	}
	c.render(w, http.StatusOK, "request", v)
}

// POST /requests/{id}/answer|complete|refuse (privacy officer).
func (c *Console) requestEvent(event string) func(w http.ResponseWriter, r *http.Request, p *Person) {
	return func(w http.ResponseWriter, r *http.Request, p *Person) {
		q, err := c.findRequest(r)
		if err != nil {
			c.requestError(w, r, p, err)
			return
		}
		switch event {
		case requests.EventAnswer:
			_, err = c.backend().AnswerRequest(r.Context(), q.ID, actor(p))
		case requests.EventComplete:
			_, err = c.backend().CompleteRequest(r.Context(), q.ID, actor(p))
		case requests.EventRefuse:
			_, err = c.backend().RefuseRequest(r.Context(), q.ID, actor(p))
		}
		if err != nil {
			c.fail(w, r, p, http.StatusConflict, err)
			return
		}
		redirect(w, r, "/requests/"+q.ID, map[string]string{requests.EventAnswer: "answered", requests.EventComplete: "completed", requests.EventRefuse: "refused"}[event])
	}
}

// POST /requests/{id}/package (privacy officer): make the access (or
// export) package through the service, which ledgers it with the actor,
// and hand it over as a zip. The file name holds the request id only.
func (c *Console) accessPackage(w http.ResponseWriter, r *http.Request, p *Person) {
	q, err := c.findRequest(r)
	if err != nil {
		c.requestError(w, r, p, err)
		return
	}
	pkg, err := c.backend().AccessPackage(r.Context(), q.ID, "", actor(p))
	if err != nil && (pkg == nil || pkg.Dir == "") {
		c.fail(w, r, p, http.StatusConflict, err)
		return
	}
	if err != nil { // made (and ledgered), but the request's state was not changed
		c.log.Warn("console: access package made, request not marked answered", "request", q.ID, "err", err)
	}
	root, err := os.OpenRoot(pkg.Dir)
	if err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, errors.New("the package was made but cannot be read"))
		return
	}
	defer root.Close()
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+q.ID+`-package.zip"`)
	if err := zipDir(w, root.FS()); err != nil {
		// the header is out: the download breaks off, and the log says so
		// (without the file's name: it names the person's records)
		c.log.Error("console: sending an access package failed", "request", q.ID, "err", withoutPath(err))
	}
}

// withoutPath is err without the file name a *fs.PathError carries.
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s a file of the package: %w", pe.Op, pe.Err)
	}
	return err
}

// zipDir writes the regular files of fsys (an os.Root's: no link leads
// out) to w as a zip.
func zipDir(w io.Writer, fsys fs.FS) error {
	zw := zip.NewWriter(w)
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		f, err := fsys.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		out, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err == nil {
			_, err = io.Copy(out, f)
		}
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}

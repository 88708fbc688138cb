package console

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/retentiond/retentiond/agent/letter"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/rules"
)

// letterInput gathers what the answer letter of request q says: the
// person's name from the registries, and from the newest plan made for
// the request what it does (erasure) or what the package holds (access,
// export, once made).
func (c *Console) letterInput(ctx context.Context, q requests.Request) letter.Input {
	in := letter.Input{Request: q, Organisation: letter.Organisation{Name: c.config().Organisation},
		Date: rules.DateIn(c.now(), c.loc())}
	ref := string(q.Subject.Type) + ":" + q.Subject.ID
	if people, err := c.backend().Subjects(ctx, ref, 1); err == nil && len(people) == 1 &&
		people[0].Type == q.Subject.Type && people[0].ID == q.Subject.ID {
		in.SubjectName = people[0].Name
	}
	plans, err := c.backend().Plans()
	if err != nil {
		return in
	}
	for _, p := range plans { // newest first
		if !strings.EqualFold(p.Request, q.ID) {
			continue
		}
		ix, err := c.ix.get(p.Dir)
		if err != nil {
			return in
		}
		f := &plan.File{}
		if n := ix.PersonOf(q.Subject.Type, q.Subject.ID); n > 0 {
			for _, i := range ix.PersonItems(n) {
				if it, ok := ix.Item(i); ok {
					f.Items = append(f.Items, &it)
				}
			}
		}
		switch q.Kind {
		case requests.Erase:
			e := letter.ErasureFromPlan(f, q.Subject, p.State == "applied", 0)
			in.Erasure = &e
		case requests.Access, requests.Export:
			if _, err := os.Stat(filepath.Join(c.config().StateDir, "packages", q.ID)); err == nil {
				pk := letter.PackageFromItems(f.Items, 0)
				in.Package = &pk
			}
		}
		return in
	}
	return in
}

// GET /requests/{id}/letter (privacy officer): the answer letter as the
// person will read it, served with the letter's own CSP (it loads and
// runs nothing; its style is allowed by hash).
func (c *Console) letterPreview(w http.ResponseWriter, r *http.Request, p *Person) {
	c.serveLetter(w, r, p, letter.HTML, false)
}

// GET /requests/{id}/letter/download?format=html|text (privacy officer).
func (c *Console) letterDownload(w http.ResponseWriter, r *http.Request, p *Person) {
	format := letter.HTML
	if r.URL.Query().Get("format") == "text" {
		format = letter.Text
	}
	c.serveLetter(w, r, p, format, true)
}

func (c *Console) serveLetter(w http.ResponseWriter, r *http.Request, p *Person, format string, download bool) {
	q, err := c.findRequest(r)
	if err != nil {
		c.requestError(w, r, p, err)
		return
	}
	in := c.letterInput(r.Context(), q)
	var buf bytes.Buffer
	if err := letter.Render(&buf, in, format); err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", letter.ContentType(format))
	if format == letter.HTML {
		h.Set("Content-Security-Policy", letter.CSP())
	}
	if download {
		h.Set("Content-Disposition", `attachment; filename="`+letter.FileName(in, format)+`"`)
	}
	_, _ = w.Write(buf.Bytes())
}

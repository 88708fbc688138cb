package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/rules"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/*
var staticFS embed.FS

// pages holds one template set per page, each the layout plus the page.
type pages struct{ m map[string]*template.Template }

var funcs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"join": func(s []string, sep string) string {
		return strings.Join(s, sep)
	},
	"stamp": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02 15:04")
	},
	"day": func(d rules.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	},
}

func loadPages() (*pages, error) {
	base, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html")
	if err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{m: map[string]*template.Template{}}
	for _, n := range names {
		stem := strings.TrimSuffix(path.Base(n), ".html")
		if stem == "layout" || strings.HasPrefix(stem, "_") {
			continue
		}
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(templateFS, n)
		}
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", n, err)
		}
		p.m[stem] = t
	}
	return p, nil
}

// view is what every page's template gets: the layout's parts and the
// page's own Data.
type view struct {
	Lang   string
	Title  string
	Nav    string
	Person *Person
	Org    string
	Flash  string
	Error  string
	Data   any
}

// T returns the text of key in the page's language.
func (v *view) T(key string) string { return text(v.Lang, key) }

// Can reports whether the person signed in may act in role.
func (v *view) Can(role string) bool { return v.Person != nil && v.Person.Can(role) }

// Other is the language the switch offers.
func (v *view) Other() string {
	if v.Lang == "nl" {
		return "en"
	}
	return "nl"
}

// Age says how long ago t was, in days or hours.
func (v *view) Age(t time.Time, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Hour:
		return fmt.Sprintf(v.T("age.minutes"), int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf(v.T("age.hours"), int(d.Hours()))
	default:
		return fmt.Sprintf(v.T("age.days"), int(d.Hours()/24))
	}
}

// Word translates a code the pages show (an action, a state, a request
// kind or status) to words; an unknown code is shown as it is.
func (v *view) Word(kind, code string) string {
	switch kind {
	case "cat":
		if code == "" {
			return ""
		}
		return rules.CategoryName(rules.Category(code), v.Lang)
	case "subject":
		return rules.SubjectName(rules.SubjectType(code), v.Lang)
	case "kindof":
		return report.KindName(code, v.Lang)
	case "storetype":
		return report.StoreTypeName(code, v.Lang)
	case "action":
		return report.ActionName(rules.Action(code), v.Lang)
	}
	if t, ok := texts[kind+"."+code]; ok {
		return t[langIndex(v.Lang)]
	}
	return code
}

// lang is the language of the request: the person's choice, else the
// config's.
func (c *Console) lang(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil && (ck.Value == "nl" || ck.Value == "en") {
		return ck.Value
	}
	if c.config().Console.Lang == "en" {
		return "en"
	}
	return "nl"
}

// newView starts the view of a page.
func (c *Console) newView(r *http.Request, p *Person, nav string) *view {
	v := &view{Lang: c.lang(r), Nav: nav, Person: p, Org: c.config().Organisation}
	if ck, err := r.Cookie(viewCookie); err == nil && p != nil {
		v.Flash = c.views.takeFlash(ck.Value, p.Account)
	}
	if code := r.URL.Query().Get("done"); code != "" && v.Flash == "" {
		if _, ok := texts["done."+code]; ok {
			v.Flash = v.T("done." + code)
		}
	}
	return v
}

// render executes page name into a buffer and writes it, so that a
// template error is a 500 and never half a page.
func (c *Console) render(w http.ResponseWriter, status int, name string, v *view) {
	t := c.pages.m[name]
	if t == nil {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	if v.Title == "" {
		v.Title = v.T("title." + name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		c.log.Error("console: rendering a page failed", "page", name, "err", err)
		http.Error(w, "the page could not be shown", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail shows an error page with status and the error's words (errors of
// the service name no personal data).
func (c *Console) fail(w http.ResponseWriter, r *http.Request, p *Person, status int, err error) {
	v := c.newView(r, p, "")
	v.Error = err.Error()
	v.Title = http.StatusText(status)
	c.render(w, status, "error", v)
}

// forbidden refuses an action the person's role does not allow.
func (c *Console) forbidden(w http.ResponseWriter, r *http.Request, p *Person) {
	v := c.newView(r, p, "")
	v.Error = v.T("err.forbidden")
	v.Title = http.StatusText(http.StatusForbidden)
	c.render(w, http.StatusForbidden, "error", v)
}

// staticHandler serves the embedded stylesheet and script.
func staticHandler() http.Handler {
	fsys, _ := fs.Sub(staticFS, "static")
	fh := http.StripPrefix("/static/", http.FileServerFS(fsys))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fh.ServeHTTP(w, r)
	})
}

// redirect sends the browser on after a POST (303), with a done code the
// next page turns into a message.
func redirect(w http.ResponseWriter, r *http.Request, to, done string) {
	if done != "" {
		if strings.Contains(to, "?") {
			to += "&done=" + done
		} else {
			to += "?done=" + done
		}
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

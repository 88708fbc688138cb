package auth

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
)

//go:embed templates/page.html
var pageFS embed.FS

// texts are the sign-in pages' words: Dutch, English.
var texts = map[string][2]string{
	"title":          {"Aanmelden", "Sign in"},
	"lang.switch":    {"English", "Nederlands"},
	"oidc.button":    {"Aanmelden met %s", "Sign in with %s"},
	"local.title":    {"Of met een lokaal account", "Or with a local account"},
	"local.name":     {"Naam", "Name"},
	"local.password": {"Wachtwoord", "Password"},
	"local.submit":   {"Aanmelden", "Sign in"},
	"continue":       {"Verder", "Continue"},
	"again":          {"Opnieuw aanmelden", "Sign in again"},
	"nobody": {"Nog niemand kan zich aanmelden. Maak op de server een account aan: retentiond console user add NAAM --role approver --config CONFIG, of stel console.oidc in.",
		"Nobody can sign in yet. Create an account on the server: retentiond console user add NAME --role approver --config CONFIG, or set up console.oidc."},
	"bad": {"Naam of wachtwoord klopt niet.", "The name or password is wrong."},
	"wait": {"Te veel mislukte pogingen. Probeer het over %d minuten opnieuw.",
		"Too many failed attempts. Try again in %d minutes."},
	"signedout": {"U bent afgemeld.", "You are signed out."},
	"signedin":  {"U bent aangemeld.", "You are signed in."},
	"norole": {"U bent aangemeld bij %s als %s, maar u heeft geen rol in deze console. Vraag de beheerder van retentiond om uw e-mailadres of groep toe te voegen aan console.roles.",
		"You signed in at %s as %s, but you have no role in this console. Ask the administrator of retentiond to add your e-mail address or group to console.roles."},
	"noemail": {"(zonder e-mailadres)", "(without an e-mail address)"},
	"expired": {"Deze aanmelding is verlopen of in een ander venster begonnen. Begin opnieuw.",
		"This sign-in has expired or was started in another window. Start again."},
	"refused": {"De identiteitsprovider heeft de aanmelding geweigerd.", "The identity provider refused the sign-in."},
	"oidcfail": {"Aanmelden bij de identiteitsprovider is mislukt. De beheerder vindt de oorzaak in het log van retentiond.",
		"Signing in with the identity provider failed. The administrator finds the cause in retentiond's log."},
	"nooidc":  {"Deze console is niet ingesteld voor aanmelden met een identiteitsprovider.", "This console is not set up for signing in with an identity provider."},
	"broken":  {"De accounts van deze console kunnen niet worden gelezen. De beheerder vindt de oorzaak in het log van retentiond.", "The console's accounts cannot be read. The administrator finds the cause in retentiond's log."},
	"toolong": {"Het formulier is te groot.", "The form is too large."},
}

// page is what page.html shows.
type page struct {
	Lang, Base, Org string
	Next            string // a safe local path to return to, or ""
	Message         string
	Failed          bool
	Form            bool   // show the sign-in choices
	Local           bool   // show the local account form
	OIDCName        string // the provider's name, when OIDC is set up
	Continue        string // after an OIDC sign-in: where to go on
}

// T returns the text of key in the page's language.
func (p *page) T(key string) string {
	t, ok := texts[key]
	if !ok {
		return key
	}
	if p.Lang == "en" {
		return t[1]
	}
	return t[0]
}

// Other is the language the switch offers.
func (p *page) Other() string {
	if p.Lang == "en" {
		return "nl"
	}
	return "en"
}

func parsePages() (*template.Template, error) {
	t, err := template.ParseFS(pageFS, "templates/page.html")
	if err != nil {
		return nil, fmt.Errorf("auth: page template: %w", err)
	}
	return t, nil
}

// langCookies are the cookies that may hold a person's language: the
// console's, then a plain one.
var langCookies = []string{"retentiond_lang", "lang"}

// lang is the request's language: ?lang= on the sign-in page, the
// person's cookie, else console.lang.
func (a *Auth) lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "nl" || l == "en" {
		return l
	}
	for _, n := range langCookies {
		if c, err := r.Cookie(n); err == nil && (c.Value == "nl" || c.Value == "en") {
			return c.Value
		}
	}
	if a.cfg.Lang == "en" {
		return "en"
	}
	return "nl"
}

// newPage starts a page for r, returning to next.
func (a *Auth) newPage(r *http.Request, next string) *page {
	p := &page{Lang: a.lang(r), Base: a.base, Org: a.org}
	if n := safeNext(next); n != "/" {
		p.Next = n
	}
	return p
}

// render writes p with status code.
func (a *Auth) render(w http.ResponseWriter, code int, p *page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if h.Get("Content-Security-Policy") == "" {
		h.Set("Content-Security-Policy", "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	}
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(code)
	if err := a.pages.Execute(w, p); err != nil {
		a.log.Error("console: sign-in page", "err", err)
	}
}

// loginPage is GET /login: the sign-in choices. A language chosen here
// (?lang=) is kept in the console's language cookie, so the console
// speaks it after sign-in too.
func (a *Auth) loginPage(w http.ResponseWriter, r *http.Request) {
	if l := r.URL.Query().Get("lang"); l == "nl" || l == "en" {
		http.SetCookie(w, &http.Cookie{
			Name: langCookies[0], Value: l, Path: a.base, MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteStrictMode,
		})
	}
	p := a.newPage(r, r.URL.Query().Get("next"))
	if r.URL.Query().Get("out") == "1" {
		p.Message = p.T("signedout")
	}
	a.choices(p)
	a.render(w, http.StatusOK, p)
}

// choices fills in the sign-in choices: the provider's button when OIDC
// is set up, the local form when there are local accounts or no
// provider.
func (a *Auth) choices(p *page) {
	p.Form = true
	if a.oidc != nil {
		p.OIDCName = a.oidc.name
	}
	list, err := a.users.List()
	p.Local = err != nil || len(list) > 0
}

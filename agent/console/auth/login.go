package auth

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// maxForm bounds a sign-in form's body.
const maxForm = 16 << 10

// clientAddr is the request's client address for the rate limit (the
// reverse proxy's, behind one). It is never logged.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loginLocal is POST /login: a local account's name and password. A
// wrong name and a wrong password get the same answer; after repeated
// failures for the account or from the address, attempts are refused
// unchecked until the wait is over.
func (a *Auth) loginLocal(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p := a.newPage(r, "")
		p.Message, p.Failed = p.T("toolong"), true
		a.choices(p)
		a.render(w, http.StatusBadRequest, p)
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	password := []byte(r.PostForm.Get("password"))
	p := a.newPage(r, r.PostForm.Get("next"))
	keys := []string{keyAccount(strings.ToLower(name)), keyAddr(clientAddr(r))}
	if wait := a.limit.begin(keys...); wait > 0 {
		a.log.Warn("console: sign-in refused: too many failed attempts", "via", "local")
		mins := int((wait + time.Minute - 1) / time.Minute)
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds()+0.999)))
		p.Message, p.Failed = fmt.Sprintf(p.T("wait"), mins), true
		a.choices(p)
		a.render(w, http.StatusTooManyRequests, p)
		return
	}
	// At most a few hashes at once: each takes argon2's memory.
	select {
	case a.hashing <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	acct, ok, err := a.users.Authenticate(name, password)
	<-a.hashing
	if err != nil {
		a.log.Error("console: local accounts", "err", err)
		p.Message, p.Failed = p.T("broken"), true
		a.render(w, http.StatusInternalServerError, p)
		return
	}
	if !ok {
		a.log.Warn("console: sign-in failed", "via", "local")
		p.Message, p.Failed = p.T("bad"), true
		a.choices(p)
		a.render(w, http.StatusUnauthorized, p)
		return
	}
	a.limit.succeeded(keys[0], keys[1])
	u := User{Account: "local:" + acct.Name, Name: acct.Name, Roles: acct.Roles, Via: "local"}
	a.start(w, r, u, acct.Hash.Salt)
	http.Redirect(w, r, a.target(p.Next), http.StatusSeeOther)
}

// errPage writes a page with only the message of key and a way to
// start again.
func (a *Auth) errPage(w http.ResponseWriter, r *http.Request, code int, next, key string) {
	p := a.newPage(r, next)
	p.Message, p.Failed = p.T(key), true
	a.render(w, code, p)
}

package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Cookie names. With Secure cookies on a console at the root of its
// address the session cookie takes the __Host- prefix, which browsers
// only accept from https, for Path=/ and without a Domain.
const (
	sessionCookie     = "retentiond_session"
	hostSessionCookie = "__Host-retentiond_session"
)

// session is a signed-in person's server-side state.
type session struct {
	user    User
	salt    []byte // a local account's password salt at sign-in
	created time.Time
	last    time.Time
}

// sessions is the in-memory session store. A restart signs everyone out.
type sessions struct {
	mu sync.Mutex
	m  map[string]*session
}

func newSessions() *sessions { return &sessions{m: map[string]*session{}} }

// newID returns a random 32-byte id, base64url.
func newID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// cookieName is the session cookie's name.
func (a *Auth) cookieName() string {
	if a.secure && a.base == "/" {
		return hostSessionCookie
	}
	return sessionCookie
}

// cookie returns the session cookie carrying id; an empty id deletes it.
func (a *Auth) cookie(id string) *http.Cookie {
	c := &http.Cookie{
		Name:     a.cookieName(),
		Value:    id,
		Path:     a.base,
		HttpOnly: true,
		Secure:   a.secure,
		SameSite: http.SameSiteStrictMode,
	}
	if id == "" {
		c.MaxAge = -1
	}
	return c
}

// sessionID returns the id of the request's session cookie, or "".
func (a *Auth) sessionID(r *http.Request) string {
	c, err := r.Cookie(a.cookieName())
	if err != nil || len(c.Value) != 43 || strings.ContainsAny(c.Value, "+/=") {
		return ""
	}
	return c.Value
}

// start signs u in: a new session under a new id (any session the
// request had is ended, so an id planted before sign-in is worthless).
// salt is a local account's password salt (nil for OIDC).
func (a *Auth) start(w http.ResponseWriter, r *http.Request, u User, salt []byte) {
	now := a.now()
	id := newID()
	a.sessions.mu.Lock()
	if old := a.sessionID(r); old != "" {
		delete(a.sessions.m, old)
	}
	for k, s := range a.sessions.m {
		if a.expired(s, now) {
			delete(a.sessions.m, k)
		}
	}
	a.sessions.m[id] = &session{user: u, salt: salt, created: now, last: now}
	a.sessions.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	http.SetCookie(w, a.cookie(id))
	a.log.Info("console: signed in", "via", u.Via)
}

// expired reports whether s has been idle too long or lived too long.
func (a *Auth) expired(s *session, now time.Time) bool {
	return now.Sub(s.last) >= a.idle || now.Sub(s.created) >= a.maxAge
}

// current returns the request's signed-in user, or nil. It ends a
// session that has expired and, for a local account, one whose account
// was removed or given a new password; the account's roles are read
// anew, so a change applies at the next request.
func (a *Auth) current(w http.ResponseWriter, r *http.Request) (*User, error) {
	id := a.sessionID(r)
	if id == "" {
		return nil, nil
	}
	now := a.now()
	a.sessions.mu.Lock()
	s := a.sessions.m[id]
	if s != nil && a.expired(s, now) {
		delete(a.sessions.m, id)
		s = nil
	}
	var u User
	var salt []byte
	if s != nil {
		s.last = now
		u, salt = s.user, s.salt
	}
	a.sessions.mu.Unlock()
	if s == nil {
		http.SetCookie(w, a.cookie(""))
		return nil, nil
	}
	if u.Via == "local" {
		acct, ok, err := a.users.Lookup(u.Name)
		if err != nil {
			return nil, err
		}
		if !ok || !bytes.Equal(acct.Hash.Salt, salt) {
			a.end(id)
			http.SetCookie(w, a.cookie(""))
			return nil, nil
		}
		u.Roles = acct.Roles
	}
	u.Roles = append([]string(nil), u.Roles...)
	return &u, nil
}

// end ends the session id.
func (a *Auth) end(id string) {
	a.sessions.mu.Lock()
	delete(a.sessions.m, id)
	a.sessions.mu.Unlock()
}

// logout ends the request's session (POST /logout) and sends the person
// to the sign-in page.
func (a *Auth) logout(w http.ResponseWriter, r *http.Request) {
	if id := a.sessionID(r); id != "" {
		a.end(id)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.SetCookie(w, a.cookie(""))
	http.Redirect(w, r, a.base+"login?out=1", http.StatusSeeOther)
}

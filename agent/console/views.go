package console

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// viewCookie names the browser's console session for what it must not
// carry in a URL: the search text of a plan's items (it may be a name).
// The text stays in memory on the server, under a random token, bound to
// the account that typed it, and is forgotten after the idle timeout.
const viewCookie = "retentiond_view"

// langCookie holds the language a person chose ("nl" or "en").
const langCookie = "retentiond_lang"

// maxViews bounds the sessions kept; the oldest is dropped beyond it.
const maxViews = 10000

// views keeps the search text per browser session and plan.
type views struct {
	mu   sync.Mutex
	idle time.Duration
	now  func() time.Time
	m    map[string]*viewState
}

type viewState struct {
	account string
	last    time.Time
	query   map[string]string // plan id -> search text
	flash   string            // a message for the next page, shown once
}

func newViews(idle time.Duration, now func() time.Time) *views {
	return &views{idle: idle, now: now, m: map[string]*viewState{}}
}

// token returns the browser's view token, setting a new cookie when it
// has none.
func (c *Console) viewToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(viewCookie); err == nil && len(ck.Value) == 43 {
		return ck.Value
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	t := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{
		Name: viewCookie, Value: t, Path: "/",
		HttpOnly: true, Secure: c.auth.Secure(), SameSite: http.SameSiteStrictMode,
	})
	return t
}

// query returns the search text the session set for plan id.
func (v *views) queryOf(token, account, planID string) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.m[token]
	if s == nil || s.account != account || v.now().Sub(s.last) > v.idle {
		return ""
	}
	s.last = v.now()
	return s.query[planID]
}

// setQuery keeps the search text q for plan id in the session; "" clears
// it.
func (v *views) setQuery(token, account, planID, q string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	s := v.m[token]
	if s == nil || s.account != account || now.Sub(s.last) > v.idle {
		v.sweep(now)
		s = &viewState{account: account, query: map[string]string{}}
		v.m[token] = s
	}
	s.last = now
	if q == "" {
		delete(s.query, planID)
	} else {
		s.query[planID] = q
	}
}

// sweep forgets idle sessions, and the oldest when there are too many.
// It is called with mu held.
func (v *views) sweep(now time.Time) {
	var oldest string
	for k, s := range v.m {
		if now.Sub(s.last) > v.idle {
			delete(v.m, k)
			continue
		}
		if oldest == "" || s.last.Before(v.m[oldest].last) {
			oldest = k
		}
	}
	if len(v.m) >= maxViews && oldest != "" {
		delete(v.m, oldest)
	}
}

// setFlash keeps a message for the session's next page.
func (v *views) setFlash(token, account, msg string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	s := v.m[token]
	if s == nil || s.account != account || now.Sub(s.last) > v.idle {
		v.sweep(now)
		s = &viewState{account: account, query: map[string]string{}}
		v.m[token] = s
	}
	s.last = now
	s.flash = msg
}

// takeFlash returns the session's message and forgets it.
func (v *views) takeFlash(token, account string) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.m[token]
	if s == nil || s.account != account {
		return ""
	}
	m := s.flash
	s.flash = ""
	return m
}

package console

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/rules"
)

// ledgerCache keeps the ledger's verification for a minute: the overview
// shows it on every visit, and verifying reads the whole ledger.
type ledgerCache struct {
	mu  sync.Mutex
	ttl time.Duration
	at  time.Time
	st  LedgerStatus
	err error
}

// forget drops the kept verification.
func (lc *ledgerCache) forget() {
	lc.mu.Lock()
	lc.at = time.Time{}
	lc.mu.Unlock()
}

func (c *Console) ledgerStatus(ctx context.Context, fresh bool) (LedgerStatus, error) {
	lc := c.ledg
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if fresh || lc.at.IsZero() || c.now().Sub(lc.at) > lc.ttl || lc.err != nil {
		lc.st, lc.err = c.backend().VerifyLedger(ctx)
		lc.at = c.now()
	}
	return lc.st, lc.err
}

type deadline struct {
	requests.Request
	DaysLeft int
}

type overviewData struct {
	Now       time.Time
	Waiting   []PlanInfo
	Latest    *PlanInfo
	LatestRun time.Time
	Overdue   int
	Review    int
	Deadlines []deadline
	Stores    []plan.StoreResult
	Ledger    LedgerStatus
	LedgerErr string
}

// maxDeadlines is the number of request deadlines the overview lists.
const maxDeadlines = 8

// GET /
func (c *Console) overview(w http.ResponseWriter, r *http.Request, p *Person) {
	now := c.now()
	d := overviewData{Now: now}
	list, err := c.backend().Plans()
	if err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, err)
		return
	}
	for i := range list {
		if decidable(list[i].State) {
			d.Waiting = append(d.Waiting, list[i])
		}
		// the last run of every store: the newest plan of the whole
		// organisation (a request's plan lists one person only)
		if d.Latest == nil && list[i].Request == "" {
			d.Latest = &list[i]
		}
	}
	if d.Latest != nil {
		d.LatestRun = d.Latest.Created
		if ix, err := c.ix.get(d.Latest.Dir); err == nil {
			d.Stores = ix.StoreSummaries()
			for _, s := range d.Stores {
				d.Overdue += s.Overdue
			}
			d.Review = ix.Summary().Review
		}
	}
	reqs, err := c.backend().Requests(false)
	if err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, err)
		return
	}
	today := rules.DateIn(now, c.loc())
	for _, q := range reqs {
		if q.IsOpen() {
			d.Deadlines = append(d.Deadlines, deadline{Request: q, DaysLeft: requests.DaysLeft(q, today)})
		}
	}
	slices.SortFunc(d.Deadlines, func(a, b deadline) int { return a.DaysLeft - b.DaysLeft })
	if len(d.Deadlines) > maxDeadlines {
		d.Deadlines = d.Deadlines[:maxDeadlines]
	}
	d.Ledger, err = c.ledgerStatus(r.Context(), false)
	if err != nil {
		d.LedgerErr = err.Error()
	}
	v := c.newView(r, p, "overview")
	v.Data = d
	c.render(w, http.StatusOK, "overview", v)
}

// GET /plans
func (c *Console) plansPage(w http.ResponseWriter, r *http.Request, p *Person) {
	list, err := c.backend().Plans()
	if err != nil {
		c.fail(w, r, p, http.StatusInternalServerError, err)
		return
	}
	v := c.newView(r, p, "plans")
	v.Data = struct{ Plans []PlanInfo }{list}
	c.render(w, http.StatusOK, "plans", v)
}

// POST /lang: the language switch, kept in a cookie for a year.
func (c *Console) setLang(w http.ResponseWriter, r *http.Request, p *Person) {
	l := r.PostFormValue("lang")
	if l != "nl" && l != "en" {
		l = c.lang(r)
	}
	http.SetCookie(w, &http.Cookie{
		Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: c.auth.Secure(), SameSite: http.SameSiteStrictMode,
	})
	redirect(w, r, "/", "")
}

// loc is the organisation's time zone.
func (c *Console) loc() *time.Location {
	if c.config().Location != nil {
		return c.config().Location
	}
	return time.Local
}

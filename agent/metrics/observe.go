package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ScanStats is what one store's scan and plan found. Counts are of items
// (records, or fields for field-level retention) as the plan counts them.
type ScanStats struct {
	// Records is the number of records the scan listed.
	Records int
	// Due counts items due by plan action: ActionDelete and
	// ActionPseudonymise (both always shown, 0 when absent).
	Due map[string]int
	// Overdue counts items whose due date has passed and that are still
	// present: the number an alert wants at zero.
	Overdue int
	// Hold counts items due but kept by a hold; Locked those of them the
	// store itself locks (S3 Object Lock, a retention label).
	Hold, Locked int
	// Review counts items a person has to decide on.
	Review int
	// Links counts sharing links by scope (ScopeAnonymous,
	// ScopeOrganization, …). nil means the store has no sharing links
	// (a local folder) and shows no series; non-nil always shows
	// ScopeAnonymous and ScopeOrganization.
	Links map[string]int
	// Duration is how long the scan took.
	Duration time.Duration
	// Err says that the scan failed; the other counts are then ignored
	// and the store's gauges keep the last successful scan's values.
	Err bool
	// At is when the scan ended (required: it is the last success
	// time).
	At time.Time
}

// ObserveScan records one store's scan. A failed scan sets
// retentiond_scan_success to 0 and observes the duration only.
func (m *Metrics) ObserveScan(store string, s ScanStats) {
	store = label(store)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.touchLocked(store)
	m.scanDuration.WithLabelValues(store).Observe(s.Duration.Seconds())
	m.setScanLocked(store, s)
}

// setScanLocked sets the store's scan gauges from s; m.mu is held.
func (m *Metrics) setScanLocked(store string, s ScanStats) {
	if s.Err {
		m.scanSuccess.WithLabelValues(store).Set(0)
		return
	}
	m.scanRecords.WithLabelValues(store).Set(float64(s.Records))
	m.setKeysLocked(m.due, store, actions, s.Due)
	m.overdue.WithLabelValues(store).Set(float64(s.Overdue))
	m.held.WithLabelValues(store).Set(float64(s.Hold))
	m.locked.WithLabelValues(store).Set(float64(s.Locked))
	m.review.WithLabelValues(store).Set(float64(s.Review))
	if s.Links == nil {
		m.links.DeletePartialMatch(prometheus.Labels{"store": store})
		delete(m.keys, keysOf{m.links, store})
	} else {
		m.setKeysLocked(m.links, store, scopes, s.Links)
	}
	m.scanSuccess.WithLabelValues(store).Set(1)
	m.scanLastSuccess.WithLabelValues(store).Set(unix(s.At))
}

// ActionCount is a number of apply actions with one store, action and
// outcome.
type ActionCount struct {
	Store, Action, Outcome string
	N                      int
}

// ApplyStats is one apply run.
type ApplyStats struct {
	// Actions are added to retentiond_actions_total; leave it empty if
	// they were fed item by item with AddActions.
	Actions []ActionCount
	// Duration is how long the run took.
	Duration time.Duration
	// Err says the run failed as a whole (plan unreadable, ledger
	// error); single failed items are outcomes, not an Err.
	Err bool
	// At is when the run ended.
	At time.Time
}

// ObserveApply records one apply run.
func (m *Metrics) ObserveApply(a ApplyStats) {
	for _, c := range a.Actions {
		m.AddActions(c.Store, c.Action, c.Outcome, c.N)
	}
	m.applyDuration.Observe(a.Duration.Seconds())
	if a.Err {
		m.applySuccess.WithLabelValues().Set(0)
		return
	}
	m.applySuccess.WithLabelValues().Set(1)
	m.applyLastSuccess.WithLabelValues().Set(unix(a.At))
}

// AddActions adds n apply actions with the outcome (OutcomeDone, …) to
// the store's counter. n <= 0 adds nothing.
func (m *Metrics) AddActions(store, action, outcome string, n int) {
	store = label(store)
	m.mu.Lock()
	m.touchLocked(store)
	m.mu.Unlock()
	if n > 0 {
		m.actions.WithLabelValues(store, label(action), label(outcome)).Add(float64(n))
	}
}

// SetPendingPlans records the number of plans awaiting approval and when
// the oldest of them was made (ignored when n is 0). A timestamp rather
// than an age: PromQL's time() - x is then current at every scrape, not
// only when the daemon last looked.
func (m *Metrics) SetPendingPlans(n int, oldestMade time.Time) {
	m.plansPending.Set(float64(n))
	if n <= 0 || oldestMade.IsZero() {
		m.plansPendingOldest.Reset()
		return
	}
	m.plansPendingOldest.WithLabelValues().Set(unix(oldestMade))
}

// SetLedger records the ledger's size and the result and time of its last
// verification.
func (m *Metrics) SetLedger(entries int64, verifiedOK bool, at time.Time) {
	m.ledgerEntries.Set(float64(entries))
	ok := 0.0
	if verifiedOK {
		ok = 1
	}
	m.ledgerVerifyOK.WithLabelValues().Set(ok)
	m.ledgerLastVerify.WithLabelValues().Set(unix(at))
}

// AddRequests adds n requests the store sent to service (ServiceGraph,
// ServiceS3) for operation (a fixed name such as list or delete), for
// feeding a store's own request counters as deltas. n <= 0 adds nothing.
func (m *Metrics) AddRequests(store, service, operation string, n int) {
	m.addRemote(m.remoteRequests, store, service, operation, n)
}

// AddThrottled adds n throttling responses (which AddRequests counts as
// requests too), as AddRequests does.
func (m *Metrics) AddThrottled(store, service, operation string, n int) {
	m.addRemote(m.remoteThrottled, store, service, operation, n)
}

func (m *Metrics) addRemote(c *prometheus.CounterVec, store, service, operation string, n int) {
	store = label(store)
	m.mu.Lock()
	m.touchLocked(store)
	m.mu.Unlock()
	if n > 0 {
		c.WithLabelValues(store, label(service), label(operation)).Add(float64(n))
	}
}

// SubjectRequests is the state of the data-subject requests.
type SubjectRequests struct {
	// Open counts the requests not yet answered by kind (erase, access,
	// export); Answered those answered and not yet completed, such as an
	// erasure request waiting for records a statutory minimum keeps.
	Open, Answered map[string]int
	// OldestOpened is when the oldest request not yet answered was
	// received and NextDeadline the nearest deadline of one; zero when
	// none is open. An answered request has no deadline left.
	OldestOpened, NextDeadline time.Time
}

// requestKinds are the data-subject request kinds always shown, at 0 when
// none is open or answered.
var requestKinds = []string{"erase", "access", "export"}

// SetSubjectRequests records the data-subject requests.
func (m *Metrics) SetSubjectRequests(r SubjectRequests) {
	m.mu.Lock()
	m.setKinds(m.subjectOpen, r.Open)
	m.setKinds(m.subjectAnswered, r.Answered)
	m.mu.Unlock()
	setTime(m.subjectOldestOpen, r.OldestOpened)
	setTime(m.subjectNextDeadline, r.NextDeadline)
}

// setKinds sets vec to counts by kind, the requestKinds at least, and
// removes the kinds the last call set that counts lacks. m.mu is held.
func (m *Metrics) setKinds(vec *prometheus.GaugeVec, counts map[string]int) {
	now := map[string]float64{}
	for _, k := range requestKinds {
		now[k] = 0
	}
	for k, n := range counts {
		now[label(k)] += float64(n)
	}
	for k, v := range now {
		vec.WithLabelValues(k).Set(v)
	}
	for k := range m.kinds[vec] {
		if _, ok := now[k]; !ok {
			vec.DeleteLabelValues(k)
		}
	}
	last := map[string]bool{}
	for k := range now {
		last[k] = true
	}
	m.kinds[vec] = last
}

func setTime(g *prometheus.GaugeVec, t time.Time) {
	if t.IsZero() {
		g.Reset()
		return
	}
	g.WithLabelValues().Set(unix(t))
}

// unix is t in fractional Unix seconds.
func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

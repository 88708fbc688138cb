package metrics

import (
	"net/http"
	"regexp"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every metric name of this package.
const Namespace = "retentiond"

// Plan actions that have due items and apply counters.
const (
	ActionDelete       = "delete"
	ActionPseudonymise = "pseudonymise"
)

// Apply outcomes of one item.
const (
	OutcomeDone    = "done"    // deleted or pseudonymised, and in the ledger
	OutcomeSkipped = "skipped" // re-check at apply time said no (changed, held, no longer due)
	OutcomeGone    = "gone"    // already absent from the store
	OutcomeFailed  = "failed"  // the store refused or errored
)

// Sharing-link scopes (Microsoft Graph's link scopes).
const (
	ScopeAnonymous    = "anonymous"
	ScopeOrganization = "organization"
)

// Services that remote request counters name.
const (
	ServiceGraph = "graph"
	ServiceS3    = "s3"
)

// actions and outcomes are the label values every store's action counters
// start with at zero, so that increase() sees the first failure.
var (
	actions  = []string{ActionDelete, ActionPseudonymise}
	outcomes = []string{OutcomeDone, OutcomeSkipped, OutcomeGone, OutcomeFailed}
	// scopes are the link scopes a store reporting links always shows.
	scopes = []string{ScopeAnonymous, ScopeOrganization}
)

// OtherLabel replaces a label value that is not a short token (see
// ObserveScan), so that a path or a person's name passed by mistake never
// becomes a label.
const OtherLabel = "other"

var tokenRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)

// label returns v if it is a short token of letters, digits and _.:- and
// OtherLabel if not.
func label(v string) string {
	if tokenRe.MatchString(v) {
		return v
	}
	return OtherLabel
}

// Metrics holds retentiond's metrics in a registry of its own. Its methods
// are safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	families []family

	scanRecords     *prometheus.GaugeVec
	scanSuccess     *prometheus.GaugeVec
	scanLastSuccess *prometheus.GaugeVec
	scanDuration    *prometheus.HistogramVec
	due             *prometheus.GaugeVec
	overdue         *prometheus.GaugeVec
	held            *prometheus.GaugeVec
	locked          *prometheus.GaugeVec
	review          *prometheus.GaugeVec
	links           *prometheus.GaugeVec

	actions          *prometheus.CounterVec
	applyDuration    prometheus.Histogram
	applySuccess     *prometheus.GaugeVec
	applyLastSuccess *prometheus.GaugeVec

	plansPending       prometheus.Gauge
	plansPendingOldest *prometheus.GaugeVec

	ledgerEntries    prometheus.Gauge
	ledgerVerifyOK   *prometheus.GaugeVec
	ledgerLastVerify *prometheus.GaugeVec

	remoteRequests  *prometheus.CounterVec
	remoteThrottled *prometheus.CounterVec

	subjectOpen         *prometheus.GaugeVec
	subjectAnswered     *prometheus.GaugeVec
	subjectOldestOpen   *prometheus.GaugeVec
	subjectNextDeadline *prometheus.GaugeVec

	jobRuns        *prometheus.CounterVec
	jobDuration    *prometheus.HistogramVec
	jobLastSuccess *prometheus.GaugeVec

	configReloadOK  *prometheus.GaugeVec
	configReloadAt  *prometheus.GaugeVec
	stateReadErrors *prometheus.CounterVec

	info         *prometheus.GaugeVec
	buildInfo    *prometheus.GaugeVec
	notifyFailed prometheus.Counter
	lockMetrics

	mu     sync.Mutex
	stores map[string]bool
	// keys remembers, per map-fed vector and store, which label values
	// the last observation set, so that a key that disappears is removed.
	keys  map[keysOf]map[string]bool
	jobs  map[string]bool
	kinds map[*prometheus.GaugeVec]map[string]bool // subject request kinds last set, per family
}

type keysOf struct {
	vec   *prometheus.GaugeVec
	store string
}

// family describes one metric family, for Names and for the tests that
// keep the README and the deploy files in step with the code.
type family struct {
	name, typ, help string
	labels          []string
}

// durationBuckets (seconds) span a scan of a small folder to a full walk
// of a large OneDrive.
var durationBuckets = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400}

// New returns Metrics in a new registry that also holds the standard Go
// runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg:    prometheus.NewRegistry(),
		stores: map[string]bool{},
		keys:   map[keysOf]map[string]bool{},
		jobs:   map[string]bool{},
		kinds:  map[*prometheus.GaugeVec]map[string]bool{},
	}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	m.scanRecords = m.gaugeVec("scan_records", "Records the last successful scan of the store found.", "store")
	m.scanSuccess = m.gaugeVec("scan_success", "Whether the store's last scan succeeded (1) or failed (0).", "store")
	m.scanLastSuccess = m.gaugeVec("scan_last_success_timestamp_seconds", "Unix time of the store's last successful scan.", "store")
	m.scanDuration = m.histogramVec("scan_duration_seconds", "Time a scan of the store took, failed scans included.", "store")
	m.due = m.gaugeVec("items_due", "Items the last plan has due for the action in the store.", "store", "action")
	m.overdue = m.gaugeVec("items_overdue", "Items past their due date and still present in the store at the last scan; should be 0.", "store")
	m.held = m.gaugeVec("items_held", "Items due but kept by a hold (legal hold, request or store lock) at the last scan.", "store")
	m.locked = m.gaugeVec("items_locked", "Items due but locked by the store itself (such as S3 Object Lock) at the last scan.", "store")
	m.review = m.gaugeVec("items_review", "Items a person has to review (no subject, no date, ambiguous) at the last scan.", "store")
	m.links = m.gaugeVec("sharing_links", "Sharing links found at the last scan, by link scope.", "store", "scope")

	m.actions = m.counterVec("actions_total", "Apply actions on items, by action and outcome.", "store", "action", "outcome")
	m.applyDuration = m.histogram("apply_duration_seconds", "Time an apply run took.")
	m.applySuccess = m.gaugeVec("apply_success", "Whether the last apply run succeeded (1) or failed (0).")
	m.applyLastSuccess = m.gaugeVec("apply_last_success_timestamp_seconds", "Unix time of the last successful apply run.")

	m.plansPending = m.gauge("plans_pending_approval", "Plans written and not yet approved.")
	m.plansPendingOldest = m.gaugeVec("plans_pending_oldest_timestamp_seconds", "Unix time the oldest plan awaiting approval was made; absent when none awaits.")

	m.ledgerEntries = m.gauge("ledger_entries", "Entries in the signed ledger.")
	m.ledgerVerifyOK = m.gaugeVec("ledger_verify_success", "Whether the last ledger verification succeeded (1) or failed (0).")
	m.ledgerLastVerify = m.gaugeVec("ledger_last_verify_timestamp_seconds", "Unix time of the last ledger verification, whatever its result.")

	m.remoteRequests = m.counterVec("remote_requests_total", "Requests sent to a remote service, throttled ones included.", "store", "service", "operation")
	m.remoteThrottled = m.counterVec("remote_throttled_total", "Requests a remote service answered with a throttling response (429, 503 SlowDown).", "store", "service", "operation")

	m.subjectOpen = m.gaugeVec("subject_requests_open", "Data-subject requests not yet answered, by kind (erase, access, export).", "kind")
	m.subjectAnswered = m.gaugeVec("subject_requests_answered", "Data-subject requests answered and not yet completed (such as an erasure waiting for records a statutory minimum keeps), by kind.", "kind")
	m.subjectOldestOpen = m.gaugeVec("subject_requests_oldest_open_timestamp_seconds", "Unix time the oldest data-subject request not yet answered was received; absent when none is open.")
	m.subjectNextDeadline = m.gaugeVec("subject_requests_next_deadline_timestamp_seconds", "Unix time of the nearest deadline of a data-subject request not yet answered; absent when none is open.")

	m.jobRuns = m.counterVec("job_runs_total", "Scheduler job runs, by result (success, fail, skip, singleton_rescheduled).", "task", "result")
	m.jobDuration = m.histogramVec("job_duration_seconds", "Time a scheduler job run took.", "task")
	m.jobLastSuccess = m.gaugeVec("job_last_success_timestamp_seconds", "Unix time the job last ended successfully.", "task")

	m.configReloadOK = m.gaugeVec("config_last_reload_successful", "Whether the last load of the config (at start-up or on SIGHUP) succeeded (1) or failed and the running config was kept (0).")
	m.configReloadAt = m.gaugeVec("config_last_reload_success_timestamp_seconds", "Unix time of the last successful load of the config.")
	m.stateReadErrors = m.counterVec("state_read_errors_total", "State files the daemon could not read or parse, by kind of file (approvals, holds, requests, resolutions, plans, ledger).", "file")
	for _, f := range StateFiles {
		m.stateReadErrors.WithLabelValues(f)
	}
	m.registerInfo()
	m.registerLocks()
	return m
}

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry returns the registry, for gathering in tests or registering a
// collector of the caller's own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Names returns the name of every series this package can expose, as
// PromQL names them (a histogram as NAME_bucket, NAME_sum and NAME_count),
// sorted. The Go and process collectors' names are not included.
func (m *Metrics) Names() []string {
	var out []string
	for _, f := range m.families {
		if f.typ == "histogram" {
			out = append(out, f.name+"_bucket", f.name+"_sum", f.name+"_count")
			continue
		}
		out = append(out, f.name)
	}
	slices.Sort(out)
	return out
}

// RemoveStore removes every series of the store, counters included; for a
// store that is no longer in the config.
func (m *Metrics) RemoveStore(store string) {
	store = label(store)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeStoreLocked(store)
}

// RetainStores removes the series of every store not named, as after a
// config reload; it returns how many stores it removed.
func (m *Metrics) RetainStores(stores ...string) int {
	keep := map[string]bool{}
	for _, s := range stores {
		keep[label(s)] = true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for s := range m.stores {
		if !keep[s] {
			m.removeStoreLocked(s)
			n++
		}
	}
	return n
}

func (m *Metrics) removeStoreLocked(store string) {
	match := prometheus.Labels{"store": store}
	for _, v := range []interface{ DeletePartialMatch(prometheus.Labels) int }{
		m.scanRecords, m.scanSuccess, m.scanLastSuccess, m.scanDuration, m.due, m.overdue,
		m.held, m.locked, m.review, m.links, m.actions, m.remoteRequests, m.remoteThrottled,
	} {
		v.DeletePartialMatch(match)
	}
	for k := range m.keys {
		if k.store == store {
			delete(m.keys, k)
		}
	}
	delete(m.stores, store)
}

// touchLocked starts a store's action counters at zero the first time the
// store is seen.
func (m *Metrics) touchLocked(store string) {
	if m.stores[store] {
		return
	}
	m.stores[store] = true
	for _, a := range actions {
		for _, o := range outcomes {
			m.actions.WithLabelValues(store, a, o)
		}
	}
}

// setKeysLocked sets vec's series for store from values, with every name
// in always present (0 if values lacks it); series a previous call set and
// this one does not are removed.
func (m *Metrics) setKeysLocked(vec *prometheus.GaugeVec, store string, always []string, values map[string]int) {
	now := map[string]float64{}
	for _, k := range always {
		now[k] = 0
	}
	for k, n := range values {
		now[label(k)] += float64(n)
	}
	for k, v := range now {
		vec.WithLabelValues(store, k).Set(v)
	}
	key := keysOf{vec, store}
	for k := range m.keys[key] {
		if _, ok := now[k]; !ok {
			vec.DeleteLabelValues(store, k)
		}
	}
	set := map[string]bool{}
	for k := range now {
		set[k] = true
	}
	m.keys[key] = set
}

func (m *Metrics) add(name, typ, help string, labels []string) prometheus.Opts {
	m.families = append(m.families, family{Namespace + "_" + name, typ, help, labels})
	return prometheus.Opts{Namespace: Namespace, Name: name, Help: help}
}

func (m *Metrics) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts(m.add(name, "gauge", help, nil)))
	m.reg.MustRegister(g)
	return g
}

// gaugeVec with no labels is a gauge that can be absent (Reset) until it
// has a value.
func (m *Metrics) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts(m.add(name, "gauge", help, labels)), labels)
	m.reg.MustRegister(g)
	return g
}

func (m *Metrics) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts(m.add(name, "counter", help, labels)), labels)
	m.reg.MustRegister(c)
	return c
}

func (m *Metrics) histogram(name, help string) prometheus.Histogram {
	o := m.add(name, "histogram", help, nil)
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: o.Namespace, Name: o.Name, Help: o.Help, Buckets: durationBuckets})
	m.reg.MustRegister(h)
	return h
}

func (m *Metrics) histogramVec(name, help string, labels ...string) *prometheus.HistogramVec {
	o := m.add(name, "histogram", help, labels)
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: o.Namespace, Name: o.Name, Help: o.Help, Buckets: durationBuckets}, labels)
	m.reg.MustRegister(h)
	return h
}

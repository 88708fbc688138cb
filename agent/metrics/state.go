package metrics

import "time"

// Kinds of state file, the values of retentiond_state_read_errors_total's
// file label: fixed names, never a path.
const (
	StateApprovals   = "approvals"
	StateHolds       = "holds"
	StateRequests    = "requests"
	StateResolutions = "resolutions"
	StatePlans       = "plans"
	StateLedger      = "ledger"
)

// StateFiles are the kinds of state file, each shown from the start at 0.
var StateFiles = []string{StateApprovals, StateHolds, StateRequests, StateResolutions, StatePlans, StateLedger}

// SetConfigReload records a load of the config, at start-up or on
// SIGHUP: ok false means it failed and the running config was kept, and
// leaves the time of the last successful load as it was.
func (m *Metrics) SetConfigReload(ok bool, at time.Time) {
	if !ok {
		m.configReloadOK.WithLabelValues().Set(0)
		return
	}
	m.configReloadOK.WithLabelValues().Set(1)
	m.configReloadAt.WithLabelValues().Set(unix(at))
}

// AddStateReadError counts a state file of the kind (StateApprovals, …)
// that could not be read or parsed. A kind that is not a short token
// counts as OtherLabel.
func (m *Metrics) AddStateReadError(kind string) {
	m.stateReadErrors.WithLabelValues(label(kind)).Inc()
}

// RestoreScan sets a store's gauges as ObserveScan does, from what the
// state dir says rather than from a scan just made (the latest plan, less
// what the ledger shows done since): at start-up and after an apply. It
// observes no scan duration. With s.Err it sets scan_success to 0 only.
func (m *Metrics) RestoreScan(store string, s ScanStats) {
	store = label(store)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.touchLocked(store)
	m.setScanLocked(store, s)
}

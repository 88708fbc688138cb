package metrics

import (
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// buildInfo is the version, VCS revision and Go version of the running
// binary, as the Go toolchain stamped them ("unknown" for what it did
// not stamp, as in a test binary).
func buildInfo() (version, revision, goversion string) {
	version, revision, goversion = "unknown", "unknown", runtime.Version()
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	if v := bi.Main.Version; v != "" {
		version = v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && s.Value != "" {
			revision = s.Value
		}
	}
	return
}

// registerInfo registers retentiond_build_info (set at once),
// retentiond_info (set by SetInfo) and
// retentiond_notifications_failed_total.
func (m *Metrics) registerInfo() {
	m.buildInfo = m.gaugeVec("build_info", "The running build: version, VCS revision and Go version; always 1.", "version", "revision", "goversion")
	m.SetVersion("")
	m.info = m.gaugeVec("info", "The organisation this daemon works for (the config's organisation), always 1; join it for the organisation label.", "organisation")
	m.notifyFailed = prometheus.NewCounter(prometheus.CounterOpts(m.add("notifications_failed_total", "counter", "Notifications (mail, webhook) that could not be sent.", nil)))
	m.reg.MustRegister(m.notifyFailed)
}

// SetVersion sets retentiond_build_info's version to v, the version a
// release build sets in the binary (-ldflags -X), as --version prints
// it; "" or "dev" keeps the version the Go toolchain stamped.
func (m *Metrics) SetVersion(v string) {
	stamped, r, g := buildInfo()
	if v == "" || v == "dev" {
		v = stamped
	}
	m.buildInfo.Reset()
	m.buildInfo.WithLabelValues(cut(v), cut(r), cut(g)).Set(1)
}

// SetInfo sets retentiond_info's organisation label to the config's
// organisation (an organisation's name, not a person's: it is kept as
// written, cut at 128 bytes). A later call (after a reload) replaces it.
func (m *Metrics) SetInfo(organisation string) {
	o := strings.TrimSpace(organisation)
	if len(o) > 128 {
		o = o[:128]
	}
	m.info.Reset()
	m.info.WithLabelValues(o).Set(1)
}

// AddNotificationFailed counts a notification that could not be sent.
func (m *Metrics) AddNotificationFailed() { m.notifyFailed.Inc() }

// cut shortens a build-info value to 64 bytes ("(devel)" is kept as it
// is: it is no token, but it names no one either).
func cut(v string) string {
	if len(v) > 64 {
		return v[:64]
	}
	return v
}

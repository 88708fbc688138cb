package gauges

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/prune"
)

// Fingerprint is a cheap summary of what the gauges depend on: the size
// and time of change of the plans folder and every plan folder (a new
// plan, an applied marker), the approvals folder, the ledger's entries
// and its head, and the requests file. It changes when a command writes
// any of them, and costs a few stat calls per plan folder.
func Fingerprint(stateDir string) string {
	var b strings.Builder
	stat := func(path string) {
		fi, err := os.Stat(path)
		if err != nil {
			b.WriteString("-\n")
			return
		}
		fmt.Fprintf(&b, "%d %d\n", fi.Size(), fi.ModTime().UnixNano())
	}
	stat(filepath.Join(stateDir, "plans"))
	for _, dir := range planDirs(stateDir) {
		b.WriteString(filepath.Base(dir) + " ")
		stat(dir)
		stat(filepath.Join(dir, prune.AppliedMarker))
		stat(filepath.Join(dir, "auto"))
		stat(filepath.Join(dir, "auto", prune.AppliedMarker))
	}
	stat(filepath.Join(stateDir, "approvals"))
	stat(filepath.Join(stateDir, "ledger", ledger.EntriesFile))
	stat(ledger.HeadPath(filepath.Join(stateDir, "ledger")))
	stat(filepath.Join(stateDir, "requests.json"))
	return b.String()
}

// Watcher calls refresh when the state dir changed since its last call
// (by Fingerprint): before a scrape of the wrapped handler, and when a
// job asks. So an apply made from the command line shows in the next
// scrape, and nothing is read while nothing changes.
type Watcher struct {
	stateDir string
	refresh  func()
	mu       sync.Mutex
	last     string
}

// NewWatcher returns a Watcher of stateDir that calls refresh.
func NewWatcher(stateDir string, refresh func()) *Watcher {
	return &Watcher{stateDir: stateDir, refresh: refresh}
}

// Check calls refresh if the state dir changed since the last call (or
// there was none) and reports whether it did.
func (w *Watcher) Check() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	fp := Fingerprint(w.stateDir)
	if fp == w.last && w.last != "" {
		return false
	}
	w.refresh()
	w.last = fp
	return true
}

// Handler wraps next (the /metrics handler) so that each request first
// runs Check.
func (w *Watcher) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.Check()
		next.ServeHTTP(rw, r)
	})
}

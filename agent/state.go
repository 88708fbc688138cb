package agent

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/notify"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/agent/statefs"
)

// retellAfter is how long the daemon waits before it tells the
// administrator again of a state file it still cannot read; it logs and
// counts it at every job.
const retellAfter = 12 * time.Hour

// stateTold remembers when the administrator was told of each unreadable
// state file, so that the plan and apply jobs of one night send one
// message.
type stateTold struct {
	mu   sync.Mutex
	when map[string]time.Time
}

// CheckState looks for state files the service cannot read or parse
// (statefs.Check, then the holds, requests and resolutions as the jobs
// read them) and reports them: each is logged as an error with its kind
// of file and counted in retentiond_state_read_errors_total{file}, and
// the administrator is told of them in one message, unless told of each
// in the last 12 hours. It returns the paths reported.
func (s *Service) CheckState(ctx context.Context) map[string]bool {
	ps := statefs.Check(s.cfg.StateDir)
	seen := map[statefs.Kind]bool{}
	for _, p := range ps {
		seen[p.Kind] = true
	}
	dir := s.cfg.StateDir
	for _, c := range []struct {
		kind statefs.Kind
		file string
		open func() error
	}{
		{statefs.Holds, holds.FileName, func() error { _, err := holds.Open(dir); return err }},
		{statefs.Requests, requests.FileName, func() error { _, err := requests.Open(dir); return err }},
		{statefs.Resolutions, review.FileName, func() error { _, err := s.activeResolutions(); return err }},
	} {
		if seen[c.kind] {
			continue
		}
		if err := c.open(); err != nil {
			ps = append(ps, statefs.Problem{Kind: c.kind, Path: filepath.Join(dir, c.file), Err: err})
		}
	}
	s.reportState(ctx, ps)
	out := map[string]bool{}
	for _, p := range ps {
		out[p.Path] = true
	}
	return out
}

// reportState logs, counts and tells of state file problems (see
// CheckState). Errors name state dir paths (timestamps and plan
// digests), never personal data.
func (s *Service) reportState(ctx context.Context, ps []statefs.Problem) {
	if len(ps) == 0 {
		return
	}
	now := time.Now()
	var kinds []string
	tell := false
	s.told.mu.Lock()
	if s.told.when == nil {
		s.told.when = map[string]time.Time{}
	}
	for _, p := range ps {
		s.log.Error("a state file cannot be read or is not valid; what needs it is not done until it is fixed",
			"file", string(p.Kind), "path", p.Path, "err", p.Error())
		if s.metrics != nil {
			s.metrics.AddStateReadError(string(p.Kind))
		}
		if !slices.Contains(kinds, string(p.Kind)) {
			kinds = append(kinds, string(p.Kind))
		}
		if last, ok := s.told.when[p.Path]; !ok || now.Sub(last) >= retellAfter {
			tell = true
		}
		s.told.when[p.Path] = now
	}
	s.told.mu.Unlock()
	slices.Sort(kinds)
	if tell {
		s.tell(ctx, notify.Event{Kind: notify.KindFailure, Error: fmt.Sprintf(
			"state files the daemon cannot read: %s (the log names them; files in the state dir must belong to its owner, the service's user)",
			strings.Join(kinds, ", "))})
	}
}

// isPathError says whether err is the failure to open or read a file.
func isPathError(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe)
}

package agent

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/prune"
	"github.com/retentiond/retentiond/agent/pseudonym"
)

// PruneResult is what a prune of the state dir did.
type PruneResult struct {
	*prune.Result
	// Ledgered says the ledger records it (counts only).
	Ledgered bool
}

// Prune applies the state dir's own retention terms (the config's state:
// section) to old plan folders and access packages, as of now, and, when
// something was removed and the config has a ledger key, records one
// ledger entry of counts. It never blocks an apply: while one runs, plan
// folders are left for the next prune. The result is nil only when
// nothing was looked at.
func (s *Service) Prune(now time.Time, dryRun bool) (*PruneResult, error) {
	cfg := s.cfg
	res, err := prune.Run(prune.Options{StateDir: cfg.StateDir, Terms: prune.TermsOf(cfg), Now: now, DryRun: dryRun,
		ApplyLock: filepath.Join(cfg.StateDir, ApplyLockFile)})
	if res == nil {
		return nil, err
	}
	out := &PruneResult{Result: res}
	e, ok := prune.LedgerEntry(res, now)
	if !ok || cfg.LedgerKeyFile == "" {
		return out, err
	}
	if lerr := s.ledgerEvent(func(*pseudonym.Keyed) (ledger.Entry, error) { return e, nil }); lerr != nil {
		return out, errors.Join(err, fmt.Errorf("the state dir was pruned, but the ledger could not record it: %w", lerr))
	}
	out.Ledgered = true
	return out, err
}

package agent

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/apply"
	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/agent/notify"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/agent/statefs"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// NightlyPlan is the daemon's plan job: scan every store and write a
// plan as of the service clock's day; carry out at once the items of
// auto_apply rules; tell the administrator what awaits review; settle
// the erasure requests; then prune the state dir.
func (s *Service) NightlyPlan(ctx context.Context) error {
	defer s.NightlyPrune(ctx) // the state dir's own retention, however the plan went
	s.CheckState(ctx)
	lang := s.cfg.Notify.Lang
	if lang == "" {
		lang = "nl"
	}
	asOf := rules.DateIn(s.now(), s.cfg.Location)
	res, err := s.Plan(ctx, PlanOptions{AsOf: asOf, Lang: lang, AutoRules: s.cfg.Daemon.AutoApply})
	if err != nil {
		if s.metrics != nil {
			for _, st := range s.cfg.Stores {
				s.metrics.ObserveScan(st.Name, metrics.ScanStats{Err: true, At: time.Now()})
			}
		}
		return s.failure(ctx, "plan", err)
	}
	s.countRequests(res.Opened)
	for _, st := range res.Stores {
		if s.metrics != nil {
			s.metrics.ObserveScan(st.Name, scanStats(st))
		}
		if st.Error != "" {
			s.log.Error("listing a store failed: nothing in it is planned", "store", st.Name, "err", firstLine(st.Error))
		}
	}
	s.log.Info("plan made", "plan", res.Dir, "delete", res.Summary.Delete, "pseudonymise", res.Summary.Pseudonymise,
		"review", res.Summary.Review, "hold", res.Summary.Hold, "auto_apply", res.AutoActions, "seconds", res.Elapsed.Seconds())
	if res.AutoActions > 0 {
		err := s.autoApply(ctx, res)
		s.verifyLedgerJob()
		if err != nil {
			return err
		}
	}
	if n := res.Summary.Delete + res.Summary.Pseudonymise; n > 0 {
		f, err := ReadPlan(res.Dir)
		if err == nil {
			s.tell(ctx, notify.Event{Kind: notify.KindPlanReady, Plan: ShortDigest(f.Digest), PlanPath: res.Dir, PlanID: filepath.Base(res.Dir),
				Report: filepath.Join(res.Dir, "report.html"), Counts: map[string]int{
					"delete": res.Summary.Delete, "pseudonymise": res.Summary.Pseudonymise, "review": res.Summary.Review, "hold": res.Summary.Hold}})
		}
	}
	s.CheckGauges() // the new plan, and what auto_apply did
	if res.Failed == 0 {
		s.SettleErasures(res.Dir, res.AsOf)
	}
	s.requestMetrics()
	if res.Failed > 0 {
		return s.failure(ctx, "plan", fmt.Errorf("%d store(s) could not be listed completely", res.Failed))
	}
	return nil
}

// countRequests adds what the remote stores sent to the metrics. Stores
// are opened per job, so their counts are this job's.
func (s *Service) countRequests(stores []plan.Store) {
	if s.metrics == nil {
		return
	}
	for _, st := range stores {
		rc, ok := st.Store.(scanners.RequestCounter)
		if !ok {
			continue
		}
		service := metrics.ServiceGraph
		if st.Type == config.TypeS3 {
			service = metrics.ServiceS3
		}
		for op, n := range rc.Requests() {
			s.metrics.AddRequests(st.Name, service, op, int(n))
		}
		if n := rc.Throttled(); n > 0 {
			s.metrics.AddThrottled(st.Name, service, "all", int(n))
		}
	}
}

// scanStats is what the metrics need of a store's part of a plan; the
// duration is the store's own scan time, not the whole plan's.
func scanStats(s plan.StoreResult) metrics.ScanStats {
	st := metrics.ScanStats{Records: s.Records, Overdue: s.Overdue, Hold: s.Summary.Hold, Locked: s.Locked,
		Review: s.Summary.Review, Duration: s.Elapsed, Err: s.Error != "", At: time.Now(),
		Due: map[string]int{metrics.ActionDelete: s.Summary.Delete, metrics.ActionPseudonymise: s.Summary.Pseudonymise}}
	if s.Type == config.TypeOneDrive {
		st.Links = map[string]int{metrics.ScopeAnonymous: s.Links["anonymous"], metrics.ScopeOrganization: s.Links["organization"]}
	}
	return st
}

// autoApply approves, in the daemon's own name, the plan of the items of
// auto_apply rules, and applies it.
func (s *Service) autoApply(ctx context.Context, res *PlanResult) error {
	dir := filepath.Join(res.Dir, AutoDir)
	f, err := ReadPlan(dir)
	if err != nil {
		return s.failure(ctx, "auto apply", err)
	}
	by := "retentiond auto_apply (" + strings.Join(s.cfg.Daemon.AutoApply, ", ") + ")"
	if _, err := s.approvePlan(f, Daemon(by), ""); err != nil {
		return s.failure(ctx, "auto apply", err)
	}
	return s.applyOne(ctx, dir, f)
}

// NightlyApply is the daemon's apply job: carry out every approved plan
// that has not expired and was not carried out in full yet. It works with
// the service's config (the daemon's, as loaded), never the file as it is
// now (a broken edit waits for a SIGHUP that loads it).
func (s *Service) NightlyApply(ctx context.Context) error {
	cfg := s.cfg
	var errs []error
	reported := s.CheckState(ctx)
	unreadable := func(kind statefs.Kind, path string, err error) {
		if !reported[path] {
			s.reportState(ctx, []statefs.Problem{{Kind: kind, Path: path, Err: err}})
			reported[path] = true
		}
		errs = append(errs, fmt.Errorf("%s cannot be read: %w", path, err))
	}
	for _, dir := range s.planDirs() {
		for _, p := range []string{dir, filepath.Join(dir, AutoDir)} {
			if Done(p) {
				continue
			}
			f, err := ReadPlan(p)
			if errors.Is(err, fs.ErrNotExist) {
				continue // no plan here (no auto plan), or a plan being written
			}
			if err != nil {
				// Never skipped in silence: a plan folder root made, say.
				unreadable(statefs.Plans, filepath.Join(p, report.PlanJSON), err)
				continue
			}
			a, err := s.Approval(f)
			if errors.Is(err, approval.ErrNotApproved) || errors.Is(err, approval.ErrRejected) || errors.Is(err, approval.ErrNeedsSecondApprover) {
				continue // not approved (by as many as it needs), or rejected: nothing to do
			}
			if errors.Is(err, approval.ErrInvalid) || isPathError(err) {
				// Unreadable (root's 0600 file, say) or not a valid
				// approval: nothing is applied on it, and it is told.
				unreadable(statefs.Approvals, approval.Path(cfg.StateDir, f.Digest), err)
				continue
			}
			if err != nil {
				// A forged or changed approval: told every night until
				// someone removes it; nothing is applied on it.
				errs = append(errs, s.failure(ctx, "apply of plan "+ShortDigest(f.Digest), err))
				continue
			}
			if !time.Now().Before(a.ExpiresAt) {
				continue
			}
			if err := s.applyOne(ctx, p, f); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if !s.CheckGauges() { // nothing changed: verify the ledger all the same, nightly
		s.verifyLedgerJob()
	}
	return errors.Join(errs...)
}

// applyOne applies one approved plan and records what happened.
func (s *Service) applyOne(ctx context.Context, dir string, f *plan.File) error {
	start := time.Now()
	res, err := s.applyPlan(ctx, f, ApplyOptions{PlanPath: dir}, s.countRequests, rules.DateIn(s.now(), s.cfg.Location))
	st := metrics.ApplyStats{Duration: time.Since(start), At: time.Now(), Err: res == nil}
	if res != nil {
		st.Actions = actionCounts(f, res)
		if _, werr := writeDetails(f, res, false); werr != nil {
			s.log.Warn("writing the apply details failed", "plan", dir, "err", werr)
		}
	}
	if s.metrics != nil {
		s.metrics.ObserveApply(st)
	}
	if res != nil && res.LedgerEntries > 0 {
		if cerr := s.CopyLedger(ctx); cerr != nil {
			s.failure(ctx, "ledger copy", cerr)
		}
	}
	switch {
	case errors.Is(err, apply.ErrConfigChanged):
		os.WriteFile(filepath.Join(dir, StaleMarker), []byte(time.Now().Format(time.RFC3339)+"\n"), 0o600)
		// The error names what changed (sections of the config, never a
		// value): the notice says it too, for the administrator to act on.
		return s.failure(ctx, "apply of plan "+ShortDigest(f.Digest)+", now marked stale ("+err.Error()+")", err)
	case errors.Is(err, apply.ErrLimit):
		s.log.Warn("apply stopped at the delete limit; the next run goes on", "plan", dir, "done", res.Done)
	case err != nil:
		return s.failure(ctx, "apply of plan "+ShortDigest(f.Digest), err)
	default:
		if werr := markApplied(dir, time.Now()); werr != nil {
			s.log.Warn("marking the plan applied failed", "plan", dir, "err", werr)
		}
		// A request's plan answers or completes its request, whoever
		// applies it.
		if ferr := s.finishRequest(f, res.Failed+res.Skipped+res.Excluded); ferr != nil {
			s.failure(ctx, "request "+f.Request, ferr)
		}
	}
	s.log.Info("plan applied", "plan", dir, "done", res.Done, "skipped", res.Skipped, "gone", res.Gone, "failed", res.Failed, "earlier", res.Earlier)
	s.tell(ctx, notify.Event{Kind: notify.KindApplyDone, Plan: ShortDigest(f.Digest), PlanPath: dir, PlanID: filepath.Base(dir), Request: f.Request,
		Report: filepath.Join(dir, report.PlanJSON), Counts: map[string]int{"done": res.Done, "skipped": res.Skipped, "gone": res.Gone, "failed": res.Failed}})
	if res.Failed > 0 {
		s.tell(ctx, notify.Event{Kind: notify.KindFailure, Plan: ShortDigest(f.Digest), Error: fmt.Sprintf("%d item(s) could not be deleted", res.Failed)})
	}
	return nil
}

// actionCounts counts a run's outcomes per store and action.
func actionCounts(f *plan.File, res *apply.Result) []metrics.ActionCount {
	n := map[metrics.ActionCount]int{}
	for _, dt := range res.Details {
		if dt.Item < 1 || dt.Item > len(f.Items) {
			continue
		}
		n[metrics.ActionCount{Store: dt.Store, Action: string(f.Items[dt.Item-1].Action), Outcome: dt.Outcome}]++
	}
	var out []metrics.ActionCount
	for k, v := range n {
		k.N = v
		out = append(out, k)
	}
	return out
}

// Done says whether the apply job is finished with a plan folder:
// applied in full, or stale.
func Done(dir string) bool {
	for _, m := range []string{AppliedMarker, StaleMarker} {
		if _, err := os.Stat(filepath.Join(dir, m)); err == nil {
			return true
		}
	}
	return false
}

// verifyLedgerJob verifies the ledger for the daemon (VerifyLedger) and
// logs what it found.
func (s *Service) verifyLedgerJob() {
	st, err := s.VerifyLedger(context.Background())
	if err != nil {
		s.log.Error("the ledger cannot be verified", "err", err)
		return
	}
	if !st.OK {
		s.log.Error("ledger verification failed", "err", st.Problem)
	}
}

// NightlyPrune is the daemon's nightly prune of the state dir (run after
// the plan job, however it went); it logs counts only, and tells of a
// failure.
func (s *Service) NightlyPrune(ctx context.Context) {
	res, err := s.Prune(time.Now(), false)
	if res != nil {
		p, k := res.Plans, res.Packages
		s.log.Info("state dir pruned", "plans_removed", p.Removed, "plans_kept", p.Kept, "plans_busy", p.Busy,
			"plans_unreadable", p.Unreadable, "packages_removed", k.Removed, "packages_kept", k.Kept,
			"failed", p.Failed+k.Failed, "ledgered", res.Ledgered)
	}
	if err != nil {
		s.failure(ctx, "pruning the state dir", err)
	}
}

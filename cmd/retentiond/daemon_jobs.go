package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/apply"
	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/agent/notify"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/prune"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/agent/statefs"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// appliedMarker is written into a plan folder once an apply of it ended
// without error or limit, by the apply job or the apply command: the
// apply job does not go over it again, and prune keeps an applied plan's
// reports for the state: applied_plans term from then.
const appliedMarker = prune.AppliedMarker

// markApplied writes the applied marker into the plan folder dir.
func markApplied(dir string, now time.Time) error {
	return os.WriteFile(filepath.Join(dir, appliedMarker), []byte(now.Format(time.RFC3339)+"\n"), 0o600)
}

// staleMarker is written into a plan folder whose approval can no longer
// be carried out because what decides it (config.Decision) changed since
// the plan was made: the apply job then stops trying (and telling) every
// night.
const staleMarker = "stale"

// plan is the scheduled plan job: scan every store and write a plan; carry
// out at once the items of auto_apply rules; tell the administrator what
// awaits review; then prune the state dir (prune.go).
func (d *daemonJobs) plan(ctx context.Context) error {
	defer d.prune(ctx) // the state dir's own retention, however the plan went
	d.checkState(ctx)
	lang := d.cfg.Notify.Lang
	if lang == "" {
		lang = "nl"
	}
	asOf := rules.DateIn(d.now(), d.cfg.Location).String()
	res, err := makePlan(ctx, planOpts{configPath: d.path, cfg: d.cfg, asOf: asOf, lang: lang, autoRules: d.cfg.Daemon.AutoApply}, io.Discard)
	if err != nil {
		for _, s := range d.cfg.Stores {
			d.m.ObserveScan(s.Name, metrics.ScanStats{Err: true, At: time.Now()})
		}
		return d.failure(ctx, "plan", err)
	}
	d.countRequests(res.opened)
	for _, s := range res.stores {
		d.m.ObserveScan(s.Name, scanStats(s, res.elapsed))
		if s.Error != "" {
			d.log.Error("listing a store failed: nothing in it is planned", "store", s.Name, "err", firstLine(s.Error))
		}
	}
	d.log.Info("plan made", "plan", res.dir, "delete", res.sum.Delete, "pseudonymise", res.sum.Pseudonymise,
		"review", res.sum.Review, "hold", res.sum.Hold, "auto_apply", res.autoActions, "seconds", res.elapsed.Seconds())
	if res.autoActions > 0 {
		err := d.autoApply(ctx, res)
		d.verifyLedger(res.cfg)
		if err != nil {
			return err
		}
	}
	if n := res.sum.Delete + res.sum.Pseudonymise; n > 0 {
		f, err := readPlan(res.dir)
		if err == nil {
			d.tell(ctx, notify.Event{Kind: notify.KindPlanReady, Plan: shortDigest(f.Digest), PlanPath: res.dir,
				Report: filepath.Join(res.dir, "report.html"), Counts: map[string]int{
					"delete": res.sum.Delete, "pseudonymise": res.sum.Pseudonymise, "review": res.sum.Review, "hold": res.sum.Hold}})
		}
	}
	d.watch.Check() // the new plan, and what auto_apply did
	if res.failed == 0 {
		d.closeErasures(res)
	}
	d.requestMetrics()
	if res.failed > 0 {
		return d.failure(ctx, "plan", fmt.Errorf("%d store(s) could not be listed completely", res.failed))
	}
	return nil
}

// countRequests adds what the remote stores sent to the metrics. Stores
// are opened per job, so their counts are this job's.
func (d *daemonJobs) countRequests(stores []plan.Store) {
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
			d.m.AddRequests(st.Name, service, op, int(n))
		}
		if n := rc.Throttled(); n > 0 {
			d.m.AddThrottled(st.Name, service, "all", int(n))
		}
	}
}

// scanStats is what the metrics need of a store's part of a plan.
func scanStats(s plan.StoreResult, d time.Duration) metrics.ScanStats {
	st := metrics.ScanStats{Records: s.Records, Overdue: s.Overdue, Hold: s.Summary.Hold, Locked: s.Locked,
		Review: s.Summary.Review, Duration: d, Err: s.Error != "", At: time.Now(),
		Due: map[string]int{metrics.ActionDelete: s.Summary.Delete, metrics.ActionPseudonymise: s.Summary.Pseudonymise}}
	if s.Type == config.TypeOneDrive {
		st.Links = map[string]int{metrics.ScopeAnonymous: s.Links["anonymous"], metrics.ScopeOrganization: s.Links["organization"]}
	}
	return st
}

// autoApply approves, in the daemon's own name, the plan of the items of
// auto_apply rules, and applies it.
func (d *daemonJobs) autoApply(ctx context.Context, res *planResult) error {
	dir := filepath.Join(res.dir, autoDir)
	f, err := readPlan(dir)
	if err != nil {
		return d.failure(ctx, "auto apply", err)
	}
	by := "retentiond auto_apply (" + strings.Join(d.cfg.Daemon.AutoApply, ", ") + ")"
	if _, err := approvePlan(res.cfg, f, by, nil); err != nil {
		return d.failure(ctx, "auto apply", err)
	}
	return d.applyOne(ctx, res.cfg, dir, f)
}

// apply is the scheduled apply job: carry out every approved plan that
// has not expired and was not carried out in full yet. It works with the
// config the daemon loaded, never the file as it is now (a broken edit
// waits for a SIGHUP that loads it).
func (d *daemonJobs) apply(ctx context.Context) error {
	cfg := d.cfg
	var errs []error
	reported := d.checkState(ctx)
	unreadable := func(kind statefs.Kind, path string, err error) {
		if !reported[path] {
			d.reportState(ctx, []statefs.Problem{{Kind: kind, Path: path, Err: err}})
			reported[path] = true
		}
		errs = append(errs, fmt.Errorf("%s cannot be read: %w", path, err))
	}
	for _, dir := range planDirs(cfg) {
		for _, p := range []string{dir, filepath.Join(dir, autoDir)} {
			if done(p) {
				continue
			}
			f, err := readPlan(p)
			if errors.Is(err, fs.ErrNotExist) {
				continue // no plan here (no auto plan), or a plan being written
			}
			if err != nil {
				// Never skipped in silence: a plan folder root made, say.
				unreadable(statefs.Plans, filepath.Join(p, report.PlanJSON), err)
				continue
			}
			a, err := d.approvalOf(cfg, f)
			if errors.Is(err, approval.ErrNotApproved) {
				continue
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
				errs = append(errs, d.failure(ctx, "apply of plan "+shortDigest(f.Digest), err))
				continue
			}
			if !time.Now().Before(a.ExpiresAt) {
				continue
			}
			if err := d.applyOne(ctx, cfg, p, f); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if !d.watch.Check() { // nothing changed: verify the ledger all the same, nightly
		d.verifyLedger(cfg)
	}
	return errors.Join(errs...)
}

// applyOne applies one approved plan and records what happened.
func (d *daemonJobs) applyOne(ctx context.Context, cfg *config.Config, dir string, f *plan.File) error {
	start := time.Now()
	res, err := applyPlan(ctx, cfg, d.path, dir, f, false, logWriter{d}, d.countRequests, rules.DateIn(d.now(), cfg.Location))
	st := metrics.ApplyStats{Duration: time.Since(start), At: time.Now(), Err: res == nil}
	if res != nil {
		st.Actions = actionCounts(f, res)
		if _, werr := writeDetails(f, res, false); werr != nil {
			d.log.Warn("writing the apply details failed", "plan", dir, "err", werr)
		}
	}
	d.m.ObserveApply(st)
	if res != nil && res.LedgerEntries > 0 {
		if cerr := copyLedger(ctx, cfg, io.Discard); cerr != nil {
			d.failure(ctx, "ledger copy", cerr)
		}
	}
	switch {
	case errors.Is(err, apply.ErrConfigChanged):
		os.WriteFile(filepath.Join(dir, staleMarker), []byte(time.Now().Format(time.RFC3339)+"\n"), 0o600)
		// The error names what changed (sections of the config, never a
		// value): the notice says it too, for the administrator to act on.
		return d.failure(ctx, "apply of plan "+shortDigest(f.Digest)+", now marked stale ("+err.Error()+")", err)
	case errors.Is(err, apply.ErrLimit):
		d.log.Warn("apply stopped at the delete limit; the next run goes on", "plan", dir, "done", res.Done)
	case err != nil:
		return d.failure(ctx, "apply of plan "+shortDigest(f.Digest), err)
	default:
		if werr := markApplied(dir, time.Now()); werr != nil {
			d.log.Warn("marking the plan applied failed", "plan", dir, "err", werr)
		}
		// A request's plan answers or completes its request, whoever
		// applies it.
		if ferr := finishRequest(cfg, f, res.Failed+res.Skipped+res.Excluded, infoWriter{d}); ferr != nil {
			d.failure(ctx, "request "+f.Request, ferr)
		}
	}
	d.log.Info("plan applied", "plan", dir, "done", res.Done, "skipped", res.Skipped, "gone", res.Gone, "failed", res.Failed, "earlier", res.Earlier)
	d.tell(ctx, notify.Event{Kind: notify.KindApplyDone, Plan: shortDigest(f.Digest), PlanPath: dir,
		Report: filepath.Join(dir, report.PlanJSON), Counts: map[string]int{"done": res.Done, "skipped": res.Skipped, "gone": res.Gone, "failed": res.Failed}})
	if res.Failed > 0 {
		d.tell(ctx, notify.Event{Kind: notify.KindFailure, Plan: shortDigest(f.Digest), Error: fmt.Sprintf("%d item(s) could not be deleted", res.Failed)})
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

// done says whether the apply job is finished with a plan folder:
// applied in full, or stale.
func done(dir string) bool {
	for _, m := range []string{appliedMarker, staleMarker} {
		if _, err := os.Stat(filepath.Join(dir, m)); err == nil {
			return true
		}
	}
	return false
}

// planDirs lists the plan folders in the state dir, oldest first.
func planDirs(cfg *config.Config) []string {
	root := filepath.Join(cfg.StateDir, "plans")
	ents, _ := os.ReadDir(root)
	var dirs []string
	for _, e := range ents {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(root, e.Name()))
		}
	}
	sort.Strings(dirs) // names are timestamps
	return dirs
}

// closeErasures settles the erasure requests after a night's plan (every
// store listed in full; requests.Set.Settle): one whose subject has nothing
// left is completed (answered at the same time if it was open), so what a
// statutory minimum held has been deleted since; an answered one with
// records left gets what is left and when the last goes counted afresh.
// The ledger records each completion. The auto_apply plan's items count
// too, unless it was applied in full: a request is not carried out while
// its diary rows remain.
func (d *daemonJobs) closeErasures(res *planResult) {
	set, err := openRequests(res.cfg)
	if err != nil || set == nil {
		return
	}
	var plans []*plan.File
	for _, dir := range []string{res.dir, filepath.Join(res.dir, autoDir)} {
		if dir != res.dir {
			if _, err := os.Stat(filepath.Join(dir, appliedMarker)); err == nil {
				continue
			}
		}
		f, err := readPlan(dir)
		if err != nil {
			if dir == res.dir {
				return
			}
			continue // no auto_apply plan
		}
		plans = append(plans, f)
	}
	changes, unknown, err := set.Settle(plans, res.asOf, time.Now().In(res.cfg.Location), knownTo(res.cfg))
	if err != nil {
		d.log.Error("settling the erasure requests failed", "err", err)
		return
	}
	for _, id := range unknown {
		d.log.Warn("an erasure request's plan finds nothing, but its subject is not in the registries: it is not completed; fix the registry, or refuse the request", "request", id)
	}
	for _, c := range changes {
		if err := recordChange(res.cfg, c, ""); err != nil {
			d.log.Error("recording a completed erasure request failed", "request", c.Request.ID, "err", err)
			continue
		}
		d.log.Info("erasure request carried out and completed: nothing of the subject is left", "request", c.Request.ID)
	}
}

// requestMetrics sets the metrics of data-subject requests: how many are
// open (not yet answered) and answered, the oldest open one, and the
// nearest deadline of an open one (an alert fires a week before it).
func (d *daemonJobs) requestMetrics() {
	set, err := requests.Open(d.cfg.StateDir)
	if err != nil {
		d.log.Error("data-subject requests could not be read", "err", err)
		return
	}
	d.m.SetSubjectRequests(set.Summary(d.cfg.Location))
}

// approvalOf is the checked approval of f (see approval.Load).
func (d *daemonJobs) approvalOf(cfg *config.Config, f *plan.File) (*approval.Approval, error) {
	k, err := loadPseudonyms(cfg)
	if err != nil {
		return nil, err
	}
	return loadApproval(cfg, f, k)
}

// verifyLedger checks the ledger's chain, signatures and high-water mark
// (STATE_DIR/ledger-head) and records the result. Entries after the
// latest checkpoint pass only with an intent signed by retentiond.
func (d *daemonJobs) verifyLedger(cfg *config.Config) {
	dir := filepath.Join(cfg.StateDir, "ledger")
	if _, err := os.Stat(dir); err != nil {
		return // nothing applied yet
	}
	// The verifier comes from the signing key itself: a ledger.pub beside
	// it could be swapped along with a ledger re-signed under another key.
	_, v, err := ledgerKeys(cfg)
	if err != nil {
		d.log.Warn("the ledger cannot be verified: ledger_key_file cannot be read", "err", err)
		return
	}
	rep, err := ledger.Verify(dir, v)
	var entries int64
	if rep != nil {
		entries = rep.Entries
	}
	d.m.SetLedger(entries, err == nil, time.Now())
	if err != nil {
		d.log.Error("ledger verification failed", "err", err)
	}
}

// infoWriter turns lines a command would print on stdout into log
// lines.
type infoWriter struct{ d *daemonJobs }

func (w infoWriter) Write(p []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		if l != "" {
			w.d.log.Info(l)
		}
	}
	return len(p), nil
}

// logWriter turns lines a command would print on stderr into log
// warnings.
type logWriter struct{ d *daemonJobs }

func (w logWriter) Write(p []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		if l != "" {
			w.d.log.Warn(l)
		}
	}
	return len(p), nil
}

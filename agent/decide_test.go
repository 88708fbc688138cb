package agent_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/selection"
	"github.com/retentiond/retentiond/config"
)

// The decisions on a plan through the service, on real files: a real
// organisation of due dossiers, real keys (keys.Generate), the plan the
// service makes, and apply's own path (Service.Apply) to see what is
// carried out.

const decideConfig = `organisation: Vier Ogen
state_dir: state
pseudonym_key_file: keys/pseudonym.key
ledger_key_file: keys/ledger.key
apply:
  max_deletions: 1000
console:
  four_eyes_over: %d
registries:
  - name: kinderen
    subject: child
    file: kinderen.csv
    columns: {id: Nummer, name: Naam, end_of_care: Einde}
stores:
  - name: dossiers
    type: localfs
    root: data
    layout:
      - path: "{child.id} {child.name}/**"
        category: child-dossier
`

// org is an organisation of n dossiers due for deletion, with a plan
// made: the service, the plan's id and file, and the dossiers' paths in
// the plan's item order.
type org struct {
	dir   string
	svc   *agent.Service
	id    string
	plan  *plan.File
	files []string // by item number - 1
}

func newOrg(t *testing.T, n, fourEyesOver int) *org {
	t.Helper()
	dir := t.TempDir()
	write := func(p, s string) {
		p = filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("retentiond.yaml", fmt.Sprintf(decideConfig, fourEyesOver))
	var reg strings.Builder
	reg.WriteString("Nummer;Naam;Einde\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&reg, "%d;Kind%d Achternaam;31-01-2020\n", i, i)
		write(filepath.Join("data", fmt.Sprintf("%d Kind%d Achternaam", i, i), "dossier.pdf"), "dossier")
	}
	write("kinderen.csv", reg.String())
	os.MkdirAll(filepath.Join(dir, "state"), 0o700)
	if _, err := keys.Generate(filepath.Join(dir, "keys"), "vier-ogen"); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "retentiond.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := agent.New(cfg, agent.Options{Out: &strings.Builder{}, Warn: &strings.Builder{}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Plan(context.Background(), agent.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o := &org{dir: dir, svc: svc, id: filepath.Base(res.Dir)}
	if o.plan, _, err = svc.PlanFile(o.id); err != nil {
		t.Fatal(err)
	}
	if len(o.plan.Items) != n {
		t.Fatalf("the plan has %d items, want %d", len(o.plan.Items), n)
	}
	for _, it := range o.plan.Items {
		o.files = append(o.files, filepath.Join(dir, "data", filepath.FromSlash(it.Record)))
	}
	return o
}

// left returns the item numbers whose dossier still exists.
func (o *org) left(t *testing.T) []int {
	var out []int
	for i, f := range o.files {
		if _, err := os.Stat(f); err == nil {
			out = append(out, i+1)
		}
	}
	return out
}

func (o *org) apply(t *testing.T) error {
	_, err := o.svc.Apply(context.Background(), o.id, agent.ApplyOptions{})
	return err
}

func (o *org) state(t *testing.T) agent.PlanInfo {
	t.Helper()
	infos, err := o.svc.Plans()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range infos {
		if in.ID == o.id {
			return in
		}
	}
	t.Fatalf("plan %s not listed", o.id)
	return agent.PlanInfo{}
}

// entries reads the ledger's entries.
func (o *org) entries(t *testing.T) []ledger.Entry {
	t.Helper()
	f, err := os.Open(filepath.Join(o.dir, "state", "ledger", ledger.EntriesFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []ledger.Entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e ledger.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func (o *org) keyed(t *testing.T) *pseudonym.Keyed {
	k, err := o.svc.Pseudonyms()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func console(name string) agent.Actor {
	return agent.Actor{Name: name, Via: agent.ViaConsole, Account: "local:" + name}
}

// TestFourEyes: with console.four_eyes_over below the plan's deletions,
// apply (Service.Apply, the path of `retentiond apply`, the console's
// button and the daemon) carries nothing out after one approval; the
// same person again (other case and spacing) is no second approver; a
// second, different person's approval lets apply act. At or above the
// threshold, and with it off, one approval suffices.
func TestFourEyes(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name     string
		over     int
		needsTwo bool
	}{
		{"off", 0, false},
		{"below: 3 deletions, over 5", 5, false},
		{"at: 3 deletions, over 3", 3, false},
		{"above: 3 deletions, over 2", 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrg(t, 3, tt.over)
			a, err := o.svc.Approve(ctx, o.id, console("Marieke de Vries"), nil, "akkoord")
			if err != nil {
				t.Fatal(err)
			}
			if got := a.NeedsSecond(o.plan, tt.over); got != tt.needsTwo {
				t.Errorf("NeedsSecond = %v", got)
			}
			if !tt.needsTwo {
				if _, err := o.svc.Approve(ctx, o.id, agent.CLI("Jeroen"), nil, ""); !errors.Is(err, approval.ErrApprovedAlready) {
					t.Errorf("a second approval where one suffices: %v", err)
				}
				if err := o.apply(t); err != nil {
					t.Fatalf("apply after one approval: %v", err)
				}
				if left := o.left(t); len(left) != 0 {
					t.Errorf("left %v", left)
				}
				return
			}
			if err := o.apply(t); !errors.Is(err, approval.ErrNeedsSecondApprover) {
				t.Fatalf("apply after one approval: %v, want ErrNeedsSecondApprover", err)
			}
			if st := o.state(t); st.State != agent.StateNeedsSecond || len(st.Approvers) != 1 {
				t.Errorf("state %s, approvers %v", st.State, st.Approvers)
			}
			if _, err := o.svc.Approve(ctx, o.id, agent.CLI("  marieke DE   vries"), nil, ""); !errors.Is(err, approval.ErrSameApprover) {
				t.Errorf("the same person again: %v", err)
			}
			if err := o.apply(t); !errors.Is(err, approval.ErrNeedsSecondApprover) {
				t.Fatalf("apply after the same person twice: %v", err)
			}
			if left := o.left(t); len(left) != 3 {
				t.Fatalf("deleted before the second approval: left %v", left)
			}
			// The command line's approve --by as the second approver.
			a, err = o.svc.Approve(ctx, o.id, agent.CLI("Jeroen"), nil, "gezien")
			if err != nil {
				t.Fatal(err)
			}
			if a.SecondBy != "Jeroen" || a.SecondComment != "gezien" || a.Comment != "akkoord" {
				t.Errorf("approval %+v", a)
			}
			if st := o.state(t); st.State != agent.StateApproved || len(st.Approvers) != 2 {
				t.Errorf("state %s, approvers %v", st.State, st.Approvers)
			}
			if _, err := o.svc.Approve(ctx, o.id, agent.CLI("Derde"), nil, ""); !errors.Is(err, approval.ErrApprovedAlready) {
				t.Errorf("a third approval: %v", err)
			}
			if err := o.apply(t); err != nil {
				t.Fatalf("apply after two approvals: %v", err)
			}
			if left := o.left(t); len(left) != 0 {
				t.Errorf("left %v", left)
			}
		})
	}
}

// TestExclusionsIntoApproval: the reviewers' exclusions are left out of
// the approval and of what apply does; a selection changed after the
// first of two approvals voids it (the next approval is the first of two
// again, and its approver may be the first's second); once approved the
// exclusions cannot change.
func TestExclusionsIntoApproval(t *testing.T) {
	ctx := context.Background()
	o := newOrg(t, 5, 2)
	if err := o.svc.Exclude(ctx, o.id, []int{2}, console("Reviewer Een"), "broer nog in zorg"); err != nil {
		t.Fatal(err)
	}
	// 4 deletions, over 2: A's approval waits for a second.
	if a, err := o.svc.Approve(ctx, o.id, console("A"), nil, ""); err != nil || !a.IsExcluded(1) || !a.NeedsSecond(o.plan, 2) {
		t.Fatalf("A: %+v, %v", a, err)
	}
	// A reviewer excludes another item after the first approval.
	if err := o.svc.Exclude(ctx, o.id, []int{3}, console("Reviewer Twee"), ""); err != nil {
		t.Fatalf("exclude while the first approval waits: %v", err)
	}
	a, err := o.svc.Approve(ctx, o.id, console("B"), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if a.ApprovedBy != "B" || a.SecondBy != "" || !a.IsExcluded(1) || !a.IsExcluded(2) {
		t.Fatalf("B's approval did not replace A's as the first: %+v", a)
	}
	if err := o.apply(t); !errors.Is(err, approval.ErrNeedsSecondApprover) {
		t.Fatalf("apply with A's approval void: %v", err)
	}
	if left := o.left(t); len(left) != 5 {
		t.Fatalf("left %v", left)
	}
	// A may be the second approver of B's approval.
	if a, err = o.svc.Approve(ctx, o.id, agent.CLI("A"), nil, ""); err != nil || a.ApprovedBy != "B" || a.SecondBy != "A" {
		t.Fatalf("A as second: %+v, %v", a, err)
	}
	if err := o.svc.Exclude(ctx, o.id, []int{4}, console("Reviewer Een"), ""); err == nil || !strings.Contains(err.Error(), "approved already") {
		t.Errorf("exclude after the approval: %v", err)
	}
	if err := o.svc.Include(ctx, o.id, []int{2}, console("Reviewer Een")); err == nil || !strings.Contains(err.Error(), "approved already") {
		t.Errorf("include after the approval: %v", err)
	}
	if ex, err := o.svc.Excluded(o.id); err != nil || len(ex) != 2 || ex[0] != 2 || ex[1] != 3 {
		t.Errorf("Excluded = %v, %v", ex, err)
	}
	if err := o.apply(t); err != nil {
		t.Fatal(err)
	}
	if left := o.left(t); len(left) != 2 || left[0] != 2 || left[1] != 3 {
		t.Errorf("left %v, want the excluded items 2 and 3", left)
	}
}

// TestExcludeAtApproveIsInSelection: the command line's --exclude goes
// into the selection (ledgered), so a second approver in the console,
// who excludes nothing more, approves the same exclusions.
func TestExcludeAtApproveIsInSelection(t *testing.T) {
	ctx := context.Background()
	o := newOrg(t, 3, 1)
	it := o.plan.Items[0]
	if _, err := o.svc.Approve(ctx, o.id, agent.CLI("A"), []string{it.Store + ":" + it.Record}, ""); err != nil {
		t.Fatal(err)
	}
	if ex, err := o.svc.Excluded(o.id); err != nil || len(ex) != 1 || ex[0] != 1 {
		t.Fatalf("Excluded = %v, %v", ex, err)
	}
	a, err := o.svc.Approve(ctx, o.id, console("B"), nil, "")
	if err != nil || a.SecondBy != "B" {
		t.Fatalf("second approval: %+v, %v", a, err)
	}
	if err := o.apply(t); err != nil {
		t.Fatal(err)
	}
	if left := o.left(t); len(left) != 1 || left[0] != 1 {
		t.Errorf("left %v", left)
	}
}

// TestForgedSelectionStopsApproval: a selection file edited by hand (an
// exclusion taken out) is refused: no approval is made with it.
func TestForgedSelectionStopsApproval(t *testing.T) {
	ctx := context.Background()
	o := newOrg(t, 3, 0)
	if err := o.svc.Exclude(ctx, o.id, []int{1, 2}, console("R"), ""); err != nil {
		t.Fatal(err)
	}
	p := selection.Path(o.svc.Config().StateDir, o.plan.Digest)
	b, _ := os.ReadFile(p)
	var m map[string]any
	json.Unmarshal(b, &m)
	m["excluded"] = m["excluded"].([]any)[:1]
	b, _ = json.Marshal(m)
	os.WriteFile(p, b, 0o600)
	if _, err := o.svc.Excluded(o.id); !errors.Is(err, selection.ErrInvalid) {
		t.Errorf("Excluded: %v", err)
	}
	if _, err := o.svc.Approve(ctx, o.id, console("A"), nil, ""); !errors.Is(err, selection.ErrInvalid) {
		t.Fatalf("Approve with a forged selection: %v", err)
	}
	if _, err := os.Stat(approval.Path(o.svc.Config().StateDir, o.plan.Digest)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an approval was written: %v", err)
	}
	if err := o.svc.Include(ctx, o.id, []int{1}, console("R")); !errors.Is(err, selection.ErrInvalid) {
		t.Errorf("Include: %v", err)
	}
}

// TestRejectStopsApply: a rejected plan, approved before, is carried out
// neither by apply nor by the daemon's apply job; it shows as rejected,
// and can be neither approved nor changed after.
func TestRejectStopsApply(t *testing.T) {
	ctx := context.Background()
	o := newOrg(t, 2, 0)
	if _, err := o.svc.Approve(ctx, o.id, console("A"), nil, ""); err != nil {
		t.Fatal(err)
	}
	if err := o.svc.Reject(ctx, o.id, console("Privacy Officer"), " "); err == nil {
		t.Error("a rejection without a comment")
	}
	if err := o.svc.Reject(ctx, o.id, console("Privacy Officer"), "Kind1 heeft een broertje in zorg"); err != nil {
		t.Fatal(err)
	}
	if err := o.apply(t); !errors.Is(err, approval.ErrRejected) {
		t.Fatalf("apply of a rejected plan: %v", err)
	}
	if err := o.svc.NightlyApply(ctx); err != nil {
		t.Fatalf("the apply job: %v", err)
	}
	if left := o.left(t); len(left) != 2 {
		t.Fatalf("a rejected plan was carried out: left %v", left)
	}
	if st := o.state(t); st.State != agent.StateRejected {
		t.Errorf("state %s", st.State)
	}
	r, err := o.svc.Rejection(o.id)
	if err != nil || r == nil || r.RejectedBy != "Privacy Officer" || !strings.Contains(r.Comment, "broertje") {
		t.Errorf("Rejection: %+v, %v", r, err)
	}
	if _, err := o.svc.Approve(ctx, o.id, console("B"), nil, ""); !errors.Is(err, approval.ErrRejected) {
		t.Errorf("approve after the rejection: %v", err)
	}
	if err := o.svc.Exclude(ctx, o.id, []int{1}, console("R"), ""); err == nil {
		t.Error("exclude after the rejection")
	}
	if err := o.svc.Reject(ctx, o.id, console("B"), "nog eens"); !errors.Is(err, approval.ErrRejected) {
		t.Errorf("a second rejection: %v", err)
	}
	if _, err := os.Stat(approval.Path(o.svc.Config().StateDir, o.plan.Digest)); err != nil {
		t.Errorf("the approval file: %v", err)
	}

	// A plan applied already is not rejected: that would undo nothing.
	o2 := newOrg(t, 1, 0)
	if _, err := o2.svc.Approve(ctx, o2.id, console("A"), nil, ""); err != nil {
		t.Fatal(err)
	}
	if err := o2.apply(t); err != nil {
		t.Fatal(err)
	}
	if err := o2.svc.Reject(ctx, o2.id, console("P"), "te laat"); err == nil || !strings.Contains(err.Error(), "applied already") {
		t.Errorf("reject after apply: %v", err)
	}
}

// TestApplyJobHonoursDecisions: the daemon's apply job, which carries
// out every approved plan, leaves a rejected one alone.
func TestApplyJobHonoursDecisions(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		decide func(t *testing.T, o *org)
		left   int
	}{
		{"approved", func(t *testing.T, o *org) {}, 0},
		{"rejected", func(t *testing.T, o *org) {
			if err := o.svc.Reject(ctx, o.id, console("P"), "nee"); err != nil {
				t.Fatal(err)
			}
		}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrg(t, 2, 0)
			if _, err := o.svc.Approve(ctx, o.id, console("A"), nil, ""); err != nil {
				t.Fatal(err)
			}
			tt.decide(t, o)
			if err := o.svc.NightlyApply(ctx); err != nil {
				t.Fatalf("the apply job: %v", err)
			}
			if left := o.left(t); len(left) != tt.left {
				t.Errorf("left %v, want %d", left, tt.left)
			}
		})
	}
}

// TestDecisionsLedgered: every exclusion, inclusion, approval (first and
// second) and rejection is in the ledger with the plan, the count and
// the actor's keyed pseudonym; no file of the ledger holds a name, a
// path, a reason or a comment.
func TestDecisionsLedgered(t *testing.T) {
	ctx := context.Background()
	o := newOrg(t, 3, 1)
	k := o.keyed(t)
	ps := func(name string) string { return approval.ApproverPseudonym(k, name) }
	steps := []struct {
		do     func() error
		action string
		by     string
	}{
		{func() error {
			return o.svc.Exclude(ctx, o.id, []int{1, 2}, console("Reviewer Anna"), "Kind1 Achternaam blijft")
		}, selection.ActionExcluded, "Reviewer Anna"},
		{func() error { return o.svc.Include(ctx, o.id, []int{2}, console("Reviewer Anna")) }, selection.ActionIncluded, "Reviewer Anna"},
		{func() error {
			_, err := o.svc.Approve(ctx, o.id, console("Approver Bram"), nil, "commentaar van Bram")
			return err
		}, ledger.ActionApproved, "Approver Bram"},
		{func() error {
			_, err := o.svc.Approve(ctx, o.id, agent.CLI("Approver Carla"), nil, "")
			return err
		}, approval.ActionSecondApproval, "Approver Carla"},
		{func() error { return o.svc.Reject(ctx, o.id, console("Officer Dirk"), "toch niet: Kind3 Achternaam") }, approval.ActionRejected, "Officer Dirk"},
	}
	for i, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		es := o.entries(t)
		e := es[len(es)-1]
		if e.Action != st.action || e.Plan != o.plan.Digest || !strings.Contains(e.Reason, ps(st.by)) {
			t.Errorf("step %d: last entry %+v, want %s by %s", i+1, e, st.action, ps(st.by))
		}
	}
	es := o.entries(t)
	if r := es[0].Reason; !strings.Contains(r, "2 item(s) excluded") || !strings.Contains(r, "via console") {
		t.Errorf("exclusion entry %q", r)
	}
	if r := es[1].Reason; !strings.Contains(r, "1 item(s) included again") || !strings.Contains(r, "1 excluded in all") {
		t.Errorf("inclusion entry %q", r)
	}
	// No personal data and no free text in any file of the ledger.
	ldir := filepath.Join(o.dir, "state", "ledger")
	files, _ := os.ReadDir(ldir)
	for _, fi := range files {
		b, err := os.ReadFile(filepath.Join(ldir, fi.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, pii := range []string{"Anna", "Bram", "Carla", "Dirk", "Reviewer", "Approver", "Officer", "Kind", "Achternaam", "dossier", "commentaar", "blijft", "toch niet"} {
			if strings.Contains(string(b), pii) {
				t.Errorf("ledger file %s holds %q", fi.Name(), pii)
			}
		}
	}
}

// TestApplyRecordsSecondApproval: an approve killed after writing the
// second approver and before ledgering it leaves an approval the ledger
// lacks; apply records it before it acts.
func TestApplyRecordsSecondApproval(t *testing.T) {
	ctx := context.Background()
	o := newOrg(t, 2, 1)
	if _, err := o.svc.Approve(ctx, o.id, console("A"), nil, ""); err != nil {
		t.Fatal(err)
	}
	// What approve does up to the kill: the second approver written, not
	// ledgered.
	cfg := o.svc.Config()
	signer, v, err := o.svc.LedgerKeys()
	if err != nil {
		t.Fatal(err)
	}
	k := o.keyed(t)
	first, err := approval.Read(cfg.StateDir, o.plan, v, cfg.Apply.ParsedPlanMaxAge, cfg.Location, k)
	if err != nil {
		t.Fatal(err)
	}
	both, err := approval.Second(o.plan, first, "B", nil, first.ApprovedAt.Add(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := approval.Replace(cfg.StateDir, first, both, signer); err != nil {
		t.Fatal(err)
	}
	for _, e := range o.entries(t) {
		if e.Action == approval.ActionSecondApproval {
			t.Fatal("the second approval is in the ledger already")
		}
	}
	if err := o.apply(t); err != nil {
		t.Fatal(err)
	}
	es := o.entries(t)
	second := -1
	for i, e := range es {
		if e.Action == approval.ActionSecondApproval && strings.Contains(e.Reason, approval.ApproverPseudonym(k, "B")) {
			second = i
		}
	}
	if second < 0 || es[len(es)-1].Action != ledger.ActionDelete || second > len(es)-3 {
		t.Errorf("the second approval was not recorded before the deletions: %+v", es)
	}
}

// TestAutoPlanNeedsNoSecondApprover: the daemon's auto plan, whose every
// action is of a daemon.auto_apply rule, is carried out on the daemon's
// own approval whatever console.four_eyes_over says: the config lets it
// go without any person's approval.
func TestAutoPlanNeedsNoSecondApprover(t *testing.T) {
	ctx := context.Background()
	o := newOrg(t, 3, 1)
	rule := o.plan.Items[0].Rule
	path := filepath.Join(o.dir, "retentiond.yaml")
	b, _ := os.ReadFile(path)
	os.WriteFile(path, append(b, "daemon:\n  auto_apply: ["+rule+"]\n"...), 0o600)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := agent.New(cfg, agent.Options{Out: &strings.Builder{}, Warn: &strings.Builder{}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Plan(ctx, agent.PlanOptions{AutoRules: cfg.Daemon.AutoApply})
	if err != nil {
		t.Fatal(err)
	}
	if res.AutoActions != 3 {
		t.Fatalf("the auto plan has %d actions, want 3", res.AutoActions)
	}
	f, err := agent.ReadPlan(filepath.Join(res.Dir, agent.AutoDir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveFile(ctx, f, agent.Daemon("retentiond auto_apply"), nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplyFile(ctx, f, agent.ApplyOptions{}); err != nil {
		t.Fatalf("apply of the auto plan: %v", err)
	}
	if left := o.left(t); len(left) != 0 {
		t.Errorf("left %v", left)
	}
}

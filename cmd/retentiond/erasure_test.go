package main

import (
	"encoding/json"
	"github.com/retentiond/retentiond/agent"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

const erasureConfig = `organisation: Erasure Test
state_dir: state
pseudonym_key_file: keys/pseudonym.key
ledger_key_file: keys/ledger.key
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
      - path: "{child.name}/Contracten/**"
        category: contract
      - path: "{child.name}/**"
        category: child-dossier
`

// TestErasureRequest: the parents of a child whose care ended in June
// 2025 ask for erasure. The dossier (C1 would keep it until 2027) is due
// now; the contract stays under the statutory 7 years (C3) until
// 2032-06-30 and is deleted by the plan of that day. The request's plan
// lists that child only, in the requester's language; apply deletes the
// dossier and answers the request; it is completed, by the daemon, only
// when the contract is gone.
func TestErasureRequest(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), erasureConfig)
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Nummer;Naam;Einde\n1;Piet Jansen;30-06-2025\n2;Anna Berg;30-06-2025\n")
	for _, f := range []string{"Jansen, Piet/intake.pdf", "Jansen, Piet/Contracten/contract.pdf", "Berg, Anna/intake.pdf"} {
		writeFile(t, filepath.Join(dir, "data", f), "pdf")
	}
	cfg := filepath.Join(dir, "retentiond.yaml")
	cli := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
		return out
	}
	cli("keygen", "--out", filepath.Join(dir, "keys"))
	cli("request", "open", "--config", cfg, "--subject", "child:1", "--kind", "erase", "--received", "2026-11-20", "--lang", "en")

	pdir := filepath.Join(dir, "plan-req")
	cli("plan", "--config", cfg, "--as-of", "2026-11-23", "--request", "REQ-0001", "--out", pdir)
	var p struct {
		Request string
		Lang    string
		Items   []struct {
			Record, Action, Rule, Due, Reason string
		}
	}
	b, _ := os.ReadFile(filepath.Join(pdir, "plan.json"))
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range p.Items {
		got[it.Record] = it.Action + " " + it.Rule + " " + it.Due
		if strings.HasPrefix(it.Record, "Berg") {
			t.Errorf("the request's plan lists another child's record")
		}
	}
	if p.Request != "REQ-0001" || p.Lang != "en" {
		t.Errorf("plan header: request %q, lang %q", p.Request, p.Lang)
	}
	if got["Jansen, Piet/intake.pdf"] != "delete R2 2026-11-20" || got["Jansen, Piet/Contracten/contract.pdf"] != "hold C3 2032-06-30" {
		t.Errorf("erasure plan: %v", got)
	}
	cli("approve", "--config", cfg, "--plan", pdir, "--by", "Privacy officer")
	out := cli("apply", "--config", cfg, "--plan", pdir)
	if !strings.Contains(out, "REQ-0001 is answered") {
		t.Errorf("apply:\n%s", out)
	}
	for f, want := range map[string]bool{"Jansen, Piet/intake.pdf": false, "Jansen, Piet/Contracten/contract.pdf": true, "Berg, Anna/intake.pdf": true} {
		if _, err := os.Stat(filepath.Join(dir, "data", f)); (err == nil) != want {
			t.Errorf("%s present = %v, want %v", f, err == nil, want)
		}
	}
	// The nightly plans know the open request: on the day the minimum
	// ends, the contract is due.
	out = cli("plan", "--config", cfg, "--as-of", "2032-06-29", "--out", filepath.Join(dir, "p1"))
	if !strings.Contains(out, "1 to delete") || !strings.Contains(out, "1 held") { // Anna's dossier (C1); the contract held
		t.Errorf("plan the day before the minimum ends:\n%s", out)
	}
	out = cli("plan", "--config", cfg, "--as-of", "2032-06-30", "--out", filepath.Join(dir, "p2"))
	if !strings.Contains(out, "2 to delete") { // the contract (R2) and Anna's dossier (C1)
		t.Errorf("plan on the day the minimum ends:\n%s", out)
	}

	// The daemon completes the request once a night's plan finds nothing
	// of the child left; until then it counts what is left.
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	d, err := agent.New(c, agent.Options{Metrics: m, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := rules.ParseDate("2032-06-29")
	d.SettleErasures(filepath.Join(dir, "p1"), before)
	if out = cli("request", "list", "--config", cfg); !strings.Contains(out, "1 record(s) left as of 2032-06-29; the last goes on 2032-06-30") {
		t.Errorf("the night before the minimum ends:\n%s", out)
	}
	asOf, _ := rules.ParseDate("2032-06-30")
	d.SettleErasures(filepath.Join(dir, "p2"), asOf)
	if out = cli("request", "list", "--config", cfg); !strings.Contains(out, "REQ-0001") || !strings.Contains(out, "answered") {
		t.Errorf("the request was completed while the contract is still there:\n%s", out)
	}
	os.Remove(filepath.Join(dir, "data", "Jansen, Piet", "Contracten", "contract.pdf")) // as the night's apply does
	cli("plan", "--config", cfg, "--as-of", "2032-06-30", "--out", filepath.Join(dir, "p3"))
	// An auto_apply plan with the child's items, not yet applied, keeps
	// the request open; applied, it does not.
	p2plan, _ := os.ReadFile(filepath.Join(dir, "p2", "plan.json"))
	writeFile(t, filepath.Join(dir, "p3", agent.AutoDir, "plan.json"), string(p2plan))
	d.SettleErasures(filepath.Join(dir, "p3"), asOf)
	if out = cli("request", "list", "--config", cfg); !strings.Contains(out, "REQ-0001") {
		t.Errorf("the request was closed while an unapplied auto_apply plan holds the child's items")
	}
	writeFile(t, filepath.Join(dir, "p3", agent.AutoDir, agent.AppliedMarker), "x")
	d.SettleErasures(filepath.Join(dir, "p3"), asOf)
	if out = cli("request", "list", "--config", cfg); strings.Contains(out, "REQ-0001") {
		t.Errorf("the request is still active with nothing left:\n%s", out)
	}
	led, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", "entries.jsonl"))
	if !strings.Contains(string(led), `"action":"request-done","outcome":"completed"`) {
		t.Errorf("the ledger does not record the request as completed:\n%s", led)
	}
}

// TestErasureClosedWhenAllDone: a request's plan applied in full, with
// nothing held, completes the request (answered at the same time); one
// whose item was left out at approval leaves it open.
func TestErasureClosedWhenAllDone(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), erasureConfig)
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Nummer;Naam;Einde\n2;Anna Berg;30-06-2025\n")
	writeFile(t, filepath.Join(dir, "data", "Berg, Anna", "intake.pdf"), "pdf")
	cfg := filepath.Join(dir, "retentiond.yaml")
	cli := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
		return out
	}
	cli("keygen", "--out", filepath.Join(dir, "keys"))
	cli("request", "open", "--config", cfg, "--subject", "child:2", "--kind", "erase", "--received", "2026-11-20")
	p1 := filepath.Join(dir, "p1")
	cli("plan", "--config", cfg, "--request", "REQ-0001", "--as-of", "2026-11-23", "--out", p1)
	cli("approve", "--config", cfg, "--plan", p1, "--by", "x", "--exclude", "dossiers:Berg, Anna/intake.pdf")
	if out := cli("apply", "--config", cfg, "--plan", p1); !strings.Contains(out, "stays open") {
		t.Errorf("apply with the only item left out:\n%s", out)
	}
	p2 := filepath.Join(dir, "p2")
	cli("plan", "--config", cfg, "--request", "REQ-0001", "--as-of", "2026-11-24", "--out", p2)
	cli("approve", "--config", cfg, "--plan", p2, "--by", "x")
	if out := cli("apply", "--config", cfg, "--plan", p2); !strings.Contains(out, "carried out and completed") {
		t.Errorf("apply in full:\n%s", out)
	}
	if out := cli("request", "list", "--config", cfg); strings.Contains(out, "REQ-0001") {
		t.Errorf("the request is still open:\n%s", out)
	}
}

// TestApplyJobStalePlan: an approved plan whose layout changed since is
// reported once by the apply job, naming the layout, then left alone.
func TestApplyJobStalePlan(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, strings.Replace(string(b), "state_dir: state\n", "state_dir: state\npseudonym_key_file: keys/pseudonym.key\nledger_key_file: keys/ledger.key\n", 1))
	runCLI(t, "keygen", "--out", filepath.Join(dir, "keys"))
	pdir := filepath.Join(dir, "state", "plans", "20261123-020000")
	if code, out, errs := runCLI(t, "plan", "--config", cfg, "--out", pdir); code != 0 {
		t.Fatal(out, errs)
	}
	if code, out, errs := runCLI(t, "approve", "--config", cfg, "--plan", pdir, "--by", "x"); code != 0 {
		t.Fatal(out, errs)
	}
	b, _ = os.ReadFile(cfg)
	writeFile(t, cfg, strings.Replace(string(b), "category: child-dossier", "category: contract", 1))
	d, err := loadDaemon(cfg, metrics.New(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.NightlyApply(t.Context()); err == nil || !strings.Contains(err.Error(), "config changed") ||
		!strings.Contains(err.Error(), "the layouts of store dossiers changed") {
		t.Fatalf("first apply job: %v, want the changed config reported", err)
	}
	if err := d.NightlyApply(t.Context()); err != nil {
		t.Errorf("second apply job: %v, want the stale plan left alone", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "Jansen, Piet", "intake.pdf")); err != nil {
		t.Errorf("a stale plan's item was deleted")
	}
}

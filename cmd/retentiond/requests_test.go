package main

import (
	"github.com/retentiond/retentiond/agent"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/config"
)

// TestErasureAnsweredNotCompleted: the parents of a child whose care ended
// in June 2025 ask for erasure; the contract stays under the statutory
// 7 years (C3). plan --request, approve and apply delete the dossier and
// answer the request: it is answered, not completed; request list shows
// one record left and the day it goes (2032-06-30); the ledger says
// answered (by the approver's pseudonym), not done; and the deadline
// metrics no longer count it, so no deadline alert fires for the years the
// contract is held.
func TestErasureAnsweredNotCompleted(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), erasureConfig)
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Nummer;Naam;Einde\n1;Piet Jansen;30-06-2025\n")
	for _, f := range []string{"Jansen, Piet/intake.pdf", "Jansen, Piet/Contracten/contract.pdf"} {
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
	cli("request", "open", "--config", cfg, "--subject", "child:1", "--kind", "erase", "--received", "2026-11-20")
	pdir := filepath.Join(dir, "plan-req")
	cli("plan", "--config", cfg, "--as-of", "2026-11-23", "--request", "REQ-0001", "--out", pdir)
	cli("approve", "--config", cfg, "--plan", pdir, "--by", "Privacy officer")
	out := cli("apply", "--config", cfg, "--plan", pdir)
	if !strings.Contains(out, "REQ-0001 is answered: 1 record(s) left as of 2026-11-23; the last goes on 2032-06-30") {
		t.Errorf("apply:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "Jansen, Piet", "intake.pdf")); err == nil {
		t.Error("the dossier is still there")
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "Jansen, Piet", "Contracten", "contract.pdf")); err != nil {
		t.Errorf("the contract held under C3 is gone: %v", err)
	}

	set, err := requests.Open(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := set.Get("REQ-0001")
	if r.Status != requests.StatusAnswered || r.AnsweredAt == nil || r.AnsweredBy != "Privacy officer" || r.ClosedAt != nil {
		t.Errorf("request after apply: status %s, answered %v by %q, closed %v; want answered by the approver, not closed", r.Status, r.AnsweredAt, r.AnsweredBy, r.ClosedAt)
	}
	out = cli("request", "list", "--config", cfg)
	for _, want := range []string{"REQ-0001", "answered ", "by Privacy officer", "1 record(s) left as of 2026-11-23", "the last goes on 2032-06-30"} {
		if !strings.Contains(out, want) {
			t.Errorf("request list lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "OVERDUE") || strings.Contains(out, "day(s) left") {
		t.Errorf("request list counts days for an answered request:\n%s", out)
	}

	led, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", ledger.EntriesFile))
	if !strings.Contains(string(led), `"action":"request-answered"`) || strings.Contains(string(led), `"action":"request-done"`) {
		t.Errorf("ledger: want request-answered and no request-done:\n%s", led)
	}
	for _, pii := range []string{"Privacy officer", "Piet", "Jansen"} {
		if strings.Contains(string(led), pii) {
			t.Errorf("the ledger holds %q", pii)
		}
	}

	// The daemon's metrics: nothing open, one answered erasure request, no
	// deadline (so no deadline alert).
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	d, err := agent.New(c, agent.Options{Metrics: m, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	d.RequestMetrics()
	want := `
# HELP retentiond_subject_requests_open Data-subject requests not yet answered, by kind (erase, access, export).
# TYPE retentiond_subject_requests_open gauge
retentiond_subject_requests_open{kind="access"} 0
retentiond_subject_requests_open{kind="erase"} 0
retentiond_subject_requests_open{kind="export"} 0
# HELP retentiond_subject_requests_answered Data-subject requests answered and not yet completed (such as an erasure waiting for records a statutory minimum keeps), by kind.
# TYPE retentiond_subject_requests_answered gauge
retentiond_subject_requests_answered{kind="access"} 0
retentiond_subject_requests_answered{kind="erase"} 1
retentiond_subject_requests_answered{kind="export"} 0
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_subject_requests_open", "retentiond_subject_requests_answered"); err != nil {
		t.Error(err)
	}
	for _, name := range []string{"retentiond_subject_requests_next_deadline_timestamp_seconds", "retentiond_subject_requests_oldest_open_timestamp_seconds"} {
		if n, err := testutil.GatherAndCount(m.Registry(), name); err != nil || n != 0 {
			t.Errorf("%s: %d series (%v), want none: the answered request has no deadline", name, n, err)
		}
	}

	// A second erasure request for the child is refused while this one is
	// answered; a request answered already cannot be answered again.
	if code, _, errs := runCLI(t, "request", "open", "--config", cfg, "--subject", "child:1", "--kind", "erase"); code == 0 || !strings.Contains(errs, "an answered erase request for this subject exists already: REQ-0001") {
		t.Errorf("a second erasure request: exit %d\n%s", code, errs)
	}
	if code, _, errs := runCLI(t, "request", "answer", "--config", cfg, "--id", "REQ-0001", "--by", "x"); code == 0 || !strings.Contains(errs, "answered already") {
		t.Errorf("answering twice: exit %d\n%s", code, errs)
	}
}

// TestRequestAnswerByHand: request answer records the reply (who, when)
// and takes the request out of the deadline; --by is required; complete
// then closes it, and request list shows it only with --all.
func TestRequestAnswerByHand(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, strings.Replace(string(b), "state_dir: state\n", "state_dir: state\npseudonym_key_file: keys/pseudonym.key\nledger_key_file: keys/ledger.key\n", 1))
	cli := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
		return out
	}
	cli("keygen", "--out", filepath.Join(dir, "keys"))
	cli("request", "open", "--config", cfg, "--subject", "child:1", "--kind", "rectify", "--received", "2026-01-05")
	if out := cli("request", "list", "--config", cfg); !strings.Contains(out, "OVERDUE") && !strings.Contains(out, "day(s) left") {
		t.Errorf("an open request shows no days:\n%s", out)
	}
	if code, _, errs := runCLI(t, "request", "answer", "--config", cfg, "--id", "REQ-0001"); code != 2 || !strings.Contains(errs, "--by") {
		t.Errorf("answer without --by: exit %d\n%s", code, errs)
	}
	if out := cli("request", "answer", "--config", cfg, "--id", "REQ-0001", "--by", "Beheerder"); !strings.Contains(out, "REQ-0001 is answered") {
		t.Errorf("answer:\n%s", out)
	}
	if out := cli("request", "list", "--config", cfg); !strings.Contains(out, "answered ") || !strings.Contains(out, "by Beheerder") || strings.Contains(out, "OVERDUE") {
		t.Errorf("list after answer:\n%s", out)
	}
	if out := cli("request", "complete", "--config", cfg, "--id", "REQ-0001"); !strings.Contains(out, "REQ-0001 is completed") {
		t.Errorf("complete:\n%s", out)
	}
	if out := cli("request", "list", "--config", cfg); strings.Contains(out, "REQ-0001") {
		t.Errorf("a completed request is listed without --all:\n%s", out)
	}
	if out := cli("request", "list", "--config", cfg, "--all"); !strings.Contains(out, "REQ-0001") || !strings.Contains(out, "completed ") {
		t.Errorf("list --all:\n%s", out)
	}
	led, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", ledger.EntriesFile))
	if strings.Count(string(led), `"action":"request-answered"`) != 1 || !strings.Contains(string(led), `"outcome":"completed"`) || strings.Contains(string(led), "Beheerder") {
		t.Errorf("ledger:\n%s", led)
	}
}

// TestDaemonApplyAnswersRequest: a request's plan approved by hand and
// applied by the daemon's apply job answers the request, as apply does;
// the job's metrics then count it answered, with no deadline.
func TestDaemonApplyAnswersRequest(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), erasureConfig)
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Nummer;Naam;Einde\n1;Piet Jansen;30-06-2025\n")
	for _, f := range []string{"Jansen, Piet/intake.pdf", "Jansen, Piet/Contracten/contract.pdf"} {
		writeFile(t, filepath.Join(dir, "data", f), "pdf")
	}
	cfg := filepath.Join(dir, "retentiond.yaml")
	for _, args := range [][]string{
		{"keygen", "--out", filepath.Join(dir, "keys")},
		{"request", "open", "--config", cfg, "--subject", "child:1", "--kind", "erase", "--received", "2026-11-20"},
		{"plan", "--config", cfg, "--request", "REQ-0001", "--out", filepath.Join(dir, "state", "plans", "20261123-020000")},
		{"approve", "--config", cfg, "--plan", filepath.Join(dir, "state", "plans", "20261123-020000"), "--by", "Privacy officer"},
	} {
		if code, out, errs := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
		}
	}
	m := metrics.New()
	d, err := loadDaemon(cfg, m, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.NightlyApply(t.Context()); err != nil {
		t.Fatalf("apply job: %v", err)
	}
	set, err := requests.Open(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := set.Get("REQ-0001"); r.Status != requests.StatusAnswered || r.AnsweredBy != "Privacy officer" || r.Left == nil || r.Left.Records != 1 {
		t.Errorf("after the apply job: status %s by %q, left %+v; want answered by the approver with the contract left", r.Status, r.AnsweredBy, r.Left)
	}
	if n, err := testutil.GatherAndCount(m.Registry(), "retentiond_subject_requests_next_deadline_timestamp_seconds"); err != nil || n != 0 {
		t.Errorf("next deadline: %d series (%v), want none", n, err)
	}
	want := `
# HELP retentiond_subject_requests_answered Data-subject requests answered and not yet completed (such as an erasure waiting for records a statutory minimum keeps), by kind.
# TYPE retentiond_subject_requests_answered gauge
retentiond_subject_requests_answered{kind="access"} 0
retentiond_subject_requests_answered{kind="erase"} 1
retentiond_subject_requests_answered{kind="export"} 0
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "retentiond_subject_requests_answered"); err != nil {
		t.Error(err)
	}
}

// TestPackageAnswersRequest: making an access package answers the open
// request (by --by), so its deadline stops; handing it over is recorded
// with request complete.
func TestPackageAnswersRequest(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, strings.Replace(string(b), "state_dir: state\n", "state_dir: state\npseudonym_key_file: keys/pseudonym.key\nledger_key_file: keys/ledger.key\n", 1))
	cli := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
		return out
	}
	cli("keygen", "--out", filepath.Join(dir, "keys"))
	cli("request", "open", "--config", cfg, "--subject", "child:1", "--kind", "access")
	out := cli("request", "package", "--config", cfg, "--id", "REQ-0001", "--out", filepath.Join(dir, "pkg"), "--by", "Beheerder")
	if !strings.Contains(out, "REQ-0001 is answered") || !strings.Contains(out, "request complete --id REQ-0001") {
		t.Errorf("package:\n%s", out)
	}
	set, err := requests.Open(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := set.Get("REQ-0001"); r.Status != requests.StatusAnswered || r.AnsweredBy != "Beheerder" {
		t.Errorf("after the package: %s by %q, want answered by Beheerder", r.Status, r.AnsweredBy)
	}
	if s := set.Summary(time.UTC); s.Open[requests.Access] != 0 || !s.NextDeadline.IsZero() {
		t.Errorf("the answered access request still counts towards the deadline: %+v", s)
	}
	// A second package (the first was lost) changes nothing.
	if out := cli("request", "package", "--config", cfg, "--id", "REQ-0001", "--out", filepath.Join(dir, "pkg2")); !strings.Contains(out, "REQ-0001 is answered") {
		t.Errorf("second package:\n%s", out)
	}
	cli("request", "complete", "--config", cfg, "--id", "REQ-0001")
	led, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", ledger.EntriesFile))
	for action, n := range map[string]int{"access-package": 2, "request-answered": 1, "request-done": 1} {
		if got := strings.Count(string(led), `"action":"`+action+`"`); got != n {
			t.Errorf("ledger: %d %s, want %d\n%s", got, action, n, led)
		}
	}
}

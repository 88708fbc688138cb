package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/operators"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/export"
)

// TestDemoConverges is the nightly loop on the demo: plan, approve, apply,
// and the next plan as of the same day has nothing left to delete or
// pseudonymise and nothing overdue, and applying again writes no ledger
// entry. One Saamn row's child number is a token already (as an apply
// that pseudonymised the id column leaves it): plan and apply's re-check
// still tie it to its child.
func TestDemoConverges(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	cli := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%s exited %d\n%s\n%s", args[0], code, out, errs)
		}
		return out
	}
	cli("demo", "--dir", dir)
	cfg := filepath.Join(dir, "retentiond.yaml")
	demoPlan, err := plan.Read(filepath.Join(dir, "plan", "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	asOf := demoPlan.AsOf

	// A Saamn child due for pseudonymisation, its number made a token.
	var tied *plan.Item
	for _, it := range demoPlan.Items {
		if it.Store == "saamn-kinderen" && it.Action == rules.Pseudonymise {
			tied = it
			break
		}
	}
	if tied == nil {
		t.Fatal("the demo has no Saamn row to pseudonymise")
	}
	tokeniseSubject(t, dir, tied)

	p1 := filepath.Join(dir, "p1")
	cli("plan", "--config", cfg, "--as-of", asOf, "--out", p1)
	first, err := plan.Read(filepath.Join(p1, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range first.Items {
		if it.Store == tied.Store && it.Record == tied.Record {
			found = true
			if it.Action != rules.Pseudonymise || it.Subject == nil || it.Subject.ID != tied.Subject.ID {
				t.Errorf("the row whose child number is a token: %s of %+v, want pseudonymise of child %s (%s)", it.Action, it.Subject, tied.Subject.ID, it.Reason)
			}
		}
	}
	if !found {
		t.Errorf("the row whose child number is a token is not in the plan")
	}
	if first.Summary.Pseudonymise == 0 || first.Summary.Delete == 0 {
		t.Fatalf("the first plan has %+v: nothing to converge from", first.Summary)
	}
	cli("approve", "--config", cfg, "--plan", p1, "--by", "Test")
	out := cli("apply", "--config", cfg, "--plan", p1)
	if !strings.Contains(out, "       0 skipped") || !strings.Contains(out, "       0 failed") {
		t.Errorf("the first apply skipped or failed items:\n%s", out)
	}
	entries := len(ledgerEntries(t, dir))
	if want := first.Summary.Delete + first.Summary.Pseudonymise; entries != want {
		t.Errorf("%d ledger entries after the first apply, want %d", entries, want)
	}

	// The next night, as of the same day: nothing left to do.
	p2 := filepath.Join(dir, "p2")
	out = cli("plan", "--config", cfg, "--as-of", asOf, "--out", p2)
	second, err := plan.Read(filepath.Join(p2, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range second.Items {
		if it.Action == rules.Delete || it.Action == rules.Pseudonymise {
			t.Errorf("planned again: %s:%s %s %v (%s)", it.Store, it.Record, it.Action, it.Fields, it.Reason)
		}
	}
	overdue := 0
	for _, s := range second.Stores {
		overdue += s.Overdue
	}
	if s := second.Summary; s.Delete != 0 || s.Pseudonymise != 0 || overdue != 0 {
		t.Errorf("the second plan: %d to delete, %d to pseudonymise, %d overdue; want 0:\n%s", s.Delete, s.Pseudonymise, overdue, out)
	}
	if second.Summary.Review > first.Summary.Review {
		t.Errorf("the second plan has %d to review, the first %d: applied rows fell into review", second.Summary.Review, first.Summary.Review)
	}

	// Applying again, the new plan or the old one, writes nothing.
	cli("approve", "--config", cfg, "--plan", p2, "--by", "Test")
	cli("apply", "--config", cfg, "--plan", p2)
	cli("apply", "--config", cfg, "--plan", p1)
	if n := len(ledgerEntries(t, dir)); n != entries {
		t.Errorf("applying again added %d ledger entries", n-entries)
	}
}

// tokeniseSubject replaces the subject column of an export row of the
// demo's saamn-kinderen (a CSV) by the token apply writes for the child's
// number.
func tokeniseSubject(t *testing.T, dir string, it *plan.Item) {
	t.Helper()
	key, err := keys.LoadPseudonymKey(filepath.Join(dir, "keys", "pseudonym.key"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := pseudonym.New(key)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := operators.Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ops.Cell(k, rules.Child, "id", export.Cell{Kind: export.String, S: it.Subject.ID})
	if err != nil {
		t.Fatal(err)
	}
	file, line := splitRow(t, it.Record)
	path := filepath.Join(dir, "exports", "vendors", "saamn", filepath.FromSlash(file))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(b, []byte("\n"))
	sep := []byte(";")
	if !bytes.Contains(lines[0], sep) {
		sep = []byte(",")
	}
	cols := bytes.Split(lines[line-1], sep)
	if string(bytes.TrimPrefix(cols[0], []byte("\ufeff"))) != it.Subject.ID {
		t.Fatalf("%s line %d does not start with the child's number", file, line)
	}
	cols[0] = []byte(tok.S)
	lines[line-1] = bytes.Join(cols, sep)
	if err := os.WriteFile(path, bytes.Join(lines, []byte("\n")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// splitRow reads "FILE#LINE".
func splitRow(t *testing.T, id string) (string, int) {
	t.Helper()
	file, n, ok := strings.Cut(id, "#")
	line := 0
	for _, c := range n {
		if c < '0' || c > '9' {
			ok = false
		}
		line = line*10 + int(c-'0')
	}
	if !ok || line < 2 {
		t.Fatalf("not a CSV row id: %q", id)
	}
	return file, line
}

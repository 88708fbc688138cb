package main

import (
	"github.com/retentiond/retentiond/agent"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/review"
)

// TestReviewResolve: review items resolved with each kind stay settled in
// the next plan; apply's re-check follows the resolutions; explain says
// who resolved a record and when; unresolving brings an item back; the
// ledger records every step without a name, a path or a reason.
func TestReviewResolve(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n2;Sem Bakker;01-01-2025\n3;Sem Bakker;15-03-2019\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, strings.Replace(string(b), "state_dir: state\n", "state_dir: state\npseudonym_key_file: keys/pseudonym.key\nledger_key_file: keys/ledger.key\n", 1))
	for _, f := range []string{"Onbekend Kind/a.pdf", "overzicht.xlsx", "Losse map/b.pdf", "Sem Bakker/c.pdf", "Sem Bakker/d.pdf"} {
		writeFile(t, filepath.Join(dir, "data", f), "x")
	}
	cli := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
		return out
	}
	has := func(what, out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, out)
			}
		}
	}
	cli("keygen", "--out", filepath.Join(dir, "keys"))
	const asOf = "2026-11-23"
	out := cli("plan", "--config", cfg, "--lang", "en", "--as-of", asOf)
	has("first plan", out, "1 to delete", "5 to review")

	out = cli("review", "list", "--config", cfg)
	has("review list", out, "dossiers:Onbekend Kind/a.pdf", "dossiers:overzicht.xlsx", "dossiers:Losse map/b.pdf",
		"dossiers:Sem Bakker/c.pdf", "no layout", "2 people", "5 review item(s)")

	// Refused: an unknown subject (closest matches shown), two kinds, no
	// reason, an unknown store, a record without a layout and no category.
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"dossiers:Onbekend Kind/a.pdf", "--subject", "child:9", "--reason", "r", "--by", "B"}, 2, "not in the registries"},
		{[]string{"dossiers:Onbekend Kind/a.pdf", "--subject", "child:1", "--not-personal", "--reason", "r", "--by", "B"}, 2, "exactly one"},
		{[]string{"dossiers:Onbekend Kind/a.pdf", "--not-personal", "--by", "B"}, 2, "--reason"},
		{[]string{"dossiers:Onbekend Kind/a.pdf", "--not-personal", "--reason", "r"}, 2, "--by"},
		{[]string{"nergens:a.pdf", "--not-personal", "--reason", "r", "--by", "B"}, 2, "no store"},
		{[]string{"dossiers:overzicht.xlsx", "--subject", "child:1", "--reason", "r", "--by", "B"}, 2, "--category"},
		{[]string{"dossiers:Onbekend Kind/a.pdf", "--subject", "child:1", "--category", "recepten", "--reason", "r", "--by", "B"}, 2, "--category"},
		{[]string{"dossiers:Losse map/b.pdf", "--keep-until", "31-02-2099", "--reason", "r", "--by", "B"}, 2, "--keep-until"},
	} {
		code, out, errs := runCLI(t, append([]string{"review", "resolve", "--config", cfg}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.err) {
			t.Errorf("resolve %v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errs, tc.code, tc.err)
		}
		if strings.Contains(errs, "Piet") || strings.Contains(errs, "Onbekend") || strings.Contains(errs, "overzicht") {
			t.Errorf("resolve %v: the error names a person or a path: %s", tc.args, errs)
		}
		if tc.err == "not in the registries" && !strings.Contains(out, "Closest matches") && !strings.Contains(out, "No one in the registries") {
			t.Errorf("an unknown subject shows no closest matches:\n%s", out)
		}
	}

	const secretReason = "Map van Piet, overgezet uit het oude systeem"
	res := func(args ...string) string {
		t.Helper()
		return cli(append([]string{"review", "resolve", "--config", cfg}, args...)...)
	}
	out = res("dossiers:Onbekend Kind/a.pdf", "--subject", "child:1", "--reason", secretReason, "--by", "Beheerder Klaasen")
	has("resolve --subject", out, "R-0001")
	res("--not-personal", "--reason", "een overzicht zonder namen", "--by", "Beheerder Klaasen", "dossiers:overzicht.xlsx")
	res("dossiers:Losse map/b.pdf", "--keep-until", "2099-12-31", "--reason", "navragen", "--by", "Beheerder Klaasen")
	res("dossiers:Sem Bakker/**", "--subject", "child:3", "--reason", "de oudste Sem", "--by", "Beheerder Klaasen")
	res("dossiers:Weg/**", "--not-personal", "--reason", "bestaat niet meer", "--by", "Beheerder Klaasen")
	if fi, err := os.Stat(filepath.Join(dir, "state", review.FileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("resolutions file: %v, %v; want mode 0600", fi, err)
	}

	// The old plan's items show as resolved.
	out = cli("review", "list", "--config", cfg)
	has("review list after resolving", out, "resolved by R-0001", "resolved by R-0004", "5 review item(s), 5 resolved")

	// The next plan: nothing to review; the resolved records are decided.
	out = cli("plan", "--config", cfg, "--lang", "en", "--as-of", asOf)
	has("second plan", out, "4 to delete", "0 to review", "2 kept")
	pdir := latestPlanDir(t, dir)

	out = cli("explain", "--config", cfg, "--as-of", asOf, "dossiers:overzicht.xlsx")
	has("explain", out, "decision: keep", "resolved by Beheerder Klaasen on", "R-0002", "not personal")
	out = cli("explain", "--config", cfg, "--as-of", asOf, "dossiers:Onbekend Kind/a.pdf")
	has("explain", out, "decision: delete", "subject:  child 1", "resolved by Beheerder Klaasen on")

	out = cli("review", "list", "--config", cfg, "--resolutions")
	has("review list --resolutions", out, "R-0001", "settled 1 record(s)", "R-0004", "settled 2 record(s)",
		"R-0005", "matches nothing", secretReason)

	// Undo Sem's resolution after approval: apply's re-check finds Sem's
	// files review again and leaves them; the others go.
	cli("approve", "--config", cfg, "--plan", pdir, "--by", "Directeur")
	out = cli("review", "unresolve", "--config", cfg, "--id", "R-0004", "--by", "Beheerder Klaasen")
	has("unresolve", out, "R-0004")
	out = cli("apply", "--config", cfg, "--plan", pdir)
	has("apply", out, "2 deleted", "2 skipped")
	for f, want := range map[string]bool{"Onbekend Kind/a.pdf": false, "Jansen, Piet/intake.pdf": false, "Sem Bakker/c.pdf": true, "overzicht.xlsx": true} {
		if _, err := os.Stat(filepath.Join(dir, "data", f)); (err == nil) != want {
			t.Errorf("%s: present %v after apply, want %v", f, err == nil, want)
		}
	}
	out = cli("plan", "--config", cfg, "--lang", "en", "--as-of", asOf)
	has("plan after unresolve", out, "0 to delete", "2 to review")

	// After its last day a keep-until resolution lets the item come back.
	out = cli("plan", "--config", cfg, "--lang", "en", "--as-of", "2100-01-01")
	has("plan after keep-until", out, "3 to review")
	out = cli("review", "list", "--config", cfg)
	has("review list after keep-until", out, "dossiers:Losse map/b.pdf", "R-0003 kept it until 2099-12-31")

	// The ledger: every resolution and the undo, by pseudonym only.
	led, err := os.ReadFile(filepath.Join(dir, "state", "ledger", ledger.EntriesFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(led), `"action":"review-resolved"`); n != 5 {
		t.Errorf("%d review-resolved entries, want 5", n)
	}
	if !strings.Contains(string(led), `"action":"review-unresolved"`) || !strings.Contains(string(led), `"rule":"R-0004"`) {
		t.Errorf("the ledger lacks the unresolve of R-0004:\n%s", led)
	}
	for _, s := range []string{"Piet", "Jansen", "Onbekend", "overzicht", "Losse", "Sem", "Bakker", "Weg", "Klaasen", "Beheerder", "oude systeem", "navragen", ".pdf", "child:"} {
		if strings.Contains(string(led), s) {
			t.Errorf("the ledger holds %q", s)
		}
	}
	if v, err := keys.LoadVerifier(filepath.Join(dir, "keys", "ledger.pub")); err != nil {
		t.Fatal(err)
	} else if _, err := ledger.Verify(filepath.Join(dir, "state", "ledger"), v); err != nil {
		t.Fatalf("ledger does not verify: %v", err)
	}
}

// latestPlanDir is the newest plan folder under the org's state dir.
func latestPlanDir(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, "state", "plans"))
	if err != nil || len(ents) == 0 {
		t.Fatalf("no plan folders: %v", err)
	}
	latest := ""
	for _, e := range ents {
		if e.IsDir() && agent.PlanDirLess(latest, e.Name()) {
			latest = e.Name()
		}
	}
	return filepath.Join(dir, "state", "plans", latest)
}

func TestPlanDirLess(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		less bool
	}{
		{"", "20261123-101500", true},
		{"20261123-101500", "20261123-101501", true},
		{"20261123-101500", "20261123-101500-2", true},
		{"20261123-101500-2", "20261123-101500-10", true},
		{"20261123-101500-10", "20261123-101500-2", false},
		{"20261123-101501", "20261123-101500-9", false},
	} {
		if got := agent.PlanDirLess(tt.a, tt.b); got != tt.less {
			t.Errorf("agent.PlanDirLess(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.less)
		}
	}
}

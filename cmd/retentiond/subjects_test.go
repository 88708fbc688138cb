package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/requests"
)

// TestUnknownSubjectsRefused: a request or a hold for a subject the
// registries do not know (a name instead of an id, an id nobody has, the
// README's parent:R1 on an organisation without it) is refused with exit 2
// and the closest matches, and nothing is recorded. A request whose
// subject is not (or no longer) in the registries is never closed as done.
func TestUnknownSubjectsRefused(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n13;Boaz de Vries;\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, strings.Replace(string(b), "state_dir: state\n", "state_dir: state\npseudonym_key_file: keys/pseudonym.key\nledger_key_file: keys/ledger.key\n", 1))
	if code, out, errs := runCLI(t, "keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatalf("keygen: %s %s", out, errs)
	}
	for _, tt := range []struct {
		subject string
		suggest string // a TYPE:ID the output must offer; "" for none
	}{
		{"child:Boaz de Vries", "child:13"},
		{"child:999999", ""},
		{"parent:R1", ""},
		{"child:Piet Janssen", "child:1"},
	} {
		for _, args := range [][]string{
			{"request", "open", "--config", cfg, "--subject", tt.subject, "--kind", "erase"},
			{"hold", "add", "--config", cfg, "--subject", tt.subject, "--reason", "geschil", "--by", "Beheerder"},
		} {
			code, out, errs := runCLI(t, args...)
			if code != 2 {
				t.Errorf("%s %s %s: exit %d, want 2\n%s%s", args[0], args[1], tt.subject, code, out, errs)
				continue
			}
			if !strings.Contains(errs, "not in the registries") {
				t.Errorf("%s %s %s: error does not say why:\n%s", args[0], args[1], tt.subject, errs)
			}
			if tt.suggest != "" && !strings.Contains(out+errs, tt.suggest) {
				t.Errorf("%s %s %s: no suggestion %s:\n%s%s", args[0], args[1], tt.subject, tt.suggest, out, errs)
			}
			// The error itself names no person: the typed text may be a name.
			if i := strings.LastIndex(errs, "retentiond:"); i >= 0 && strings.Contains(errs[i:], "Boaz") {
				t.Errorf("the error repeats a name: %s", errs[i:])
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "requests.json")); err == nil {
		set, err := requests.Open(filepath.Join(dir, "state"))
		if err != nil {
			t.Fatal(err)
		}
		if l := set.List(true); len(l) != 0 {
			t.Errorf("requests were recorded for unknown subjects: %+v", l)
		}
	}
	if led, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", ledger.EntriesFile)); len(led) != 0 {
		t.Errorf("the ledger recorded something:\n%s", led)
	}

	// A known subject is accepted.
	if code, out, errs := runCLI(t, "request", "open", "--config", cfg, "--subject", "child:13", "--kind", "erase"); code != 0 {
		t.Fatalf("request open child:13: %d %s %s", code, out, errs)
	}
	// The subject leaves the registry (or a forged requests.json names an
	// unknown one): the request cannot be closed as done.
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	code, out, errs := runCLI(t, "request", "close", "--config", cfg, "--id", "REQ-0001")
	if code == 0 {
		t.Errorf("request close of a subject not in the registries: exit 0\n%s%s", out, errs)
	}
	led, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", ledger.EntriesFile))
	if strings.Contains(string(led), `"action":"request-done"`) {
		t.Errorf("request-done written for a subject never found:\n%s", led)
	}
	// Refusing stays possible.
	if code, out, errs := runCLI(t, "request", "refuse", "--config", cfg, "--id", "REQ-0001"); code != 0 {
		t.Errorf("request refuse: %d %s %s", code, out, errs)
	}
}

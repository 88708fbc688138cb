package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decisionConfig has a folder store, export stores with operators and an
// organisation's own profile, and an override: every kind of section of
// what decides.
const decisionConfig = `organisation: Decision Test   # shown in reports
state_dir: state
pseudonym_key_file: keys/pseudonym.key
ledger_key_file: keys/ledger.key
overrides:
  C16: {disabled: false, source: "002 parent table"}
registries:
  - name: ouders
    subject: parent
    file: ouders.csv
    columns: {id: Relatienummer, name: Naam, end_of_contract: Einde contract}
  - name: kinderen
    subject: child
    file: kinderen.csv
    columns: {id: Kindnummer, name: Naam, end_of_care: Einde}
profiles:
  - name: eigen-dagboek
    subject: child
    subject_by: name
    subject_column: Naam kind
    category: diary
    date_column: Datum
    fields: {notes: Notitie}
stores:
  - name: kinddossiers
    type: localfs
    root: data
    layout:
      - path: "{child.name}/**"
        category: child-dossier
  - name: kidsadmin-ouders
    type: export
    files: exports/ouders-*.csv
    profile: kidsadmin-parents
    operators: {iban: "mask:4"}
  - name: dagboek
    type: export
    files: exports/dagboek.csv
    profile: eigen-dagboek
`

// decisionOrg writes an organisation whose plan has a file to delete, a
// parent row to pseudonymise and a diary row to delete; it returns the
// config's path.
func decisionOrg(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), decisionConfig)
	writeFile(t, filepath.Join(dir, "ouders.csv"), "Relatienummer;Naam;Einde contract\nR1;Jan Jansen;31-05-2025\n")
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Kindnummer;Naam;Einde\nK1;Piet Jansen;31-05-2020\n")
	writeFile(t, filepath.Join(dir, "data", "Jansen, Piet", "intake.pdf"), "pdf")
	writeFile(t, filepath.Join(dir, "exports", "ouders-2025.csv"),
		"Relatienummer;Naam ouder;BSN;Straat;Postcode;Woonplaats;Geboortedatum;IBAN;E-mail;Telefoon\n"+
			"R1;Jan Jansen;123456782;Dorpsstraat 1;1234 AB;Utrecht;01-02-1980;NL91ABNA0417164300;jan@example.nl;0612345678\n")
	writeFile(t, filepath.Join(dir, "exports", "dagboek.csv"), "Datum;Naam kind;Notitie\n2026-01-10;Piet Jansen;Piet at goed\n")
	if code, out, errs := runCLI(t, "keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatal(out, errs)
	}
	return filepath.Join(dir, "retentiond.yaml")
}

// planned makes a plan of the organisation at cfg and returns its folder.
func planned(t *testing.T, cfg string) string {
	t.Helper()
	pdir := filepath.Join(filepath.Dir(cfg), "plan")
	if code, out, errs := runCLI(t, "plan", "--config", cfg, "--as-of", "2026-11-23", "--out", pdir); code != 0 {
		t.Fatalf("plan: %d\n%s\n%s", code, out, errs)
	}
	return pdir
}

func approved(t *testing.T, cfg, pdir string) {
	t.Helper()
	if code, out, errs := runCLI(t, "approve", "--config", cfg, "--plan", pdir, "--by", "Test"); code != 0 {
		t.Fatalf("approve: %d\n%s\n%s", code, out, errs)
	}
}

// editConfig replaces old (which must be there) by new in the config;
// old "" appends new.
func editConfig(t *testing.T, cfg, old, new string) {
	t.Helper()
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b) + new
	if old != "" {
		if !strings.Contains(string(b), old) {
			t.Fatalf("the config lacks %q", old)
		}
		s = strings.Replace(string(b), old, new, 1)
	}
	writeFile(t, cfg, s)
}

// harmlessEdits change nothing that decides a plan.
var harmlessEdits = [][2]string{
	{"", "# a comment added after the approval\n"},
	{"# shown in reports", "# the organisation's name on every report"},
	{"state_dir: state\n", "state_dir: state\ndaemon:\n  listen: 127.0.0.1:9999\n  plan_schedule: \"30 1 * * *\"\n  apply_schedule: \"0 4 * * 1-5\"\n"},
	{"", "notify:\n  lang: en\n  webhook:\n    url: https://hooks.example.nl/retentiond\n  smtp:\n    host: smtp.example.nl\n    from: a@example.nl\n    to: [b@example.nl]\n    username: a\n    password_file: smtp.pw\n"},
	{"", "apply:\n  max_deletions: 400\n"},
}

// TestApprovalSurvivesHarmlessEdits: a comment, the daemon's schedules and
// listen address, notify settings (an SMTP password file among them) and
// the delete limit do not cancel an approval: the plan is applied. Edited
// before approve, they do not stop the approval either.
func TestApprovalSurvivesHarmlessEdits(t *testing.T) {
	cfg := decisionOrg(t)
	pdir := planned(t, cfg)
	approved(t, cfg, pdir)
	for _, e := range harmlessEdits {
		editConfig(t, cfg, e[0], e[1])
	}
	code, out, errs := runCLI(t, "apply", "--config", cfg, "--plan", pdir)
	if code != 0 || !strings.Contains(out, "3 deleted or pseudonymised") {
		t.Fatalf("apply after harmless edits: %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "data", "Jansen, Piet", "intake.pdf")); err == nil {
		t.Error("the approved deletion was not carried out")
	}

	cfg = decisionOrg(t)
	pdir = planned(t, cfg)
	for _, e := range harmlessEdits {
		editConfig(t, cfg, e[0], e[1])
	}
	approved(t, cfg, pdir)
}

// TestApprovalCancelledByDecisionEdits: an edit of what decides cancels
// the approval; apply refuses, names what changed (never a value), and
// changes nothing. Approve refuses such a plan likewise.
func TestApprovalCancelledByDecisionEdits(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"layout", "category: child-dossier", "category: contract", "the layouts of store kinddossiers changed"},
		{"registry mapping", "end_of_care: Einde}", "end_of_care: Einddatum}", "the columns of registry kinderen changed"},
		{"policy override", "C16: {disabled: false", "C16: {disabled: true", "override C16 changed"},
		{"override added", "overrides:\n", "overrides:\n  C1: {term: 3y}\n", "override C1 was added"},
		{"store root", "root: data\n", "root: dossiers\n", "the root of store kinddossiers changed"},
		{"profile", "date_column: Datum", "date_column: Datum\n    sheet: Blad1", "profile eigen-dagboek changed"},
		{"operators", `operators: {iban: "mask:4"}`, `operators: {iban: redact}`, "the operators of store kidsadmin-ouders changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := decisionOrg(t)
			pdir := planned(t, cfg)
			approved(t, cfg, pdir)
			before, _ := os.ReadFile(filepath.Join(filepath.Dir(cfg), "exports", "ouders-2025.csv"))
			editConfig(t, cfg, tt.old, tt.new)
			code, out, errs := runCLI(t, "apply", "--config", cfg, "--plan", pdir)
			if code == 0 || !strings.Contains(errs, tt.want) || !strings.Contains(errs, "make and approve a new plan") {
				t.Fatalf("apply: exit %d, want a refusal naming %q\n%s\n%s", code, tt.want, out, errs)
			}
			for _, v := range []string{"Einddatum", "redact", "Blad1", "3y"} {
				if strings.Contains(errs, v) {
					t.Errorf("the refusal shows the config's value %q:\n%s", v, errs)
				}
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "data", "Jansen, Piet", "intake.pdf")); err != nil {
				t.Error("a refused plan's item was deleted")
			}
			if after, _ := os.ReadFile(filepath.Join(filepath.Dir(cfg), "exports", "ouders-2025.csv")); string(after) != string(before) {
				t.Error("a refused plan's row was rewritten")
			}
		})
	}
	t.Run("approve", func(t *testing.T) {
		cfg := decisionOrg(t)
		pdir := planned(t, cfg)
		editConfig(t, cfg, "category: child-dossier", "category: contract")
		code, _, errs := runCLI(t, "approve", "--config", cfg, "--plan", pdir, "--by", "Test")
		if code == 0 || !strings.Contains(errs, "the layouts of store kinddossiers changed") {
			t.Fatalf("approve after a layout edit: exit %d\n%s", code, errs)
		}
	})
}

// TestPlanOfEarlierVersion: a plan that records only config_sha256 (made
// before plans recorded what decides) is applied only while the config
// file is byte for byte the one it was made with; otherwise the refusal
// says to make a new plan.
func TestPlanOfEarlierVersion(t *testing.T) {
	for _, edited := range []bool{false, true} {
		cfg := decisionOrg(t)
		pdir := planned(t, cfg)
		p := filepath.Join(pdir, "plan.json")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if m["decision"] == nil || m["config_sha256"] == nil {
			t.Fatalf("the plan lacks decision or config_sha256: %s", b[:min(len(b), 600)])
		}
		delete(m, "decision")
		b, _ = json.Marshal(m)
		writeFile(t, p, string(b))
		approved(t, cfg, pdir)
		if edited {
			editConfig(t, cfg, "", "# a comment\n")
		}
		code, out, errs := runCLI(t, "apply", "--config", cfg, "--plan", pdir)
		switch {
		case !edited && code != 0:
			t.Errorf("an earlier version's plan, config unchanged: exit %d\n%s\n%s", code, out, errs)
		case edited && (code == 0 || !strings.Contains(errs, "earlier version") || !strings.Contains(errs, "make and approve a new plan")):
			t.Errorf("an earlier version's plan, config edited: exit %d\n%s\n%s", code, out, errs)
		}
	}
}

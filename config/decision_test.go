package config

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/rules"
)

// decisionBase is testdata/sample.yaml with an export profile and
// operators, so that every kind of section is there.
func decisionBase(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/sample.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + `    operators: {name: pseudonym, phone: "mask:4"}
  - name: eigen-export
    type: export
    files: exports/eigen/*.csv
    profile: eigen
profiles:
  - name: eigen
    subject: child
    subject_column: Kindnummer
    category: diary
    date_column: Datum
    fields: {name: Naam, notes: Notitie}
`
}

// resolvedPolicy is the config's policy with its overrides, as
// pipeline.Policy resolves it.
func resolvedPolicy(t *testing.T, c *Config) *rules.Policy {
	t.Helper()
	p, err := rules.Load(c.Policy, c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	ov := map[string]rules.Override{}
	for id, o := range c.Overrides {
		ov[id] = rules.Override{Term: o.ParsedTerm, Disabled: o.Disabled, Source: o.Source}
	}
	if p, err = p.WithOverrides(ov); err != nil {
		t.Fatal(err)
	}
	return p
}

func decisionOf(t *testing.T, dir, text string) Decision {
	t.Helper()
	c := mustLoad(t, write(t, dir, "retentiond.yaml", text))
	return c.DecisionDigest(resolvedPolicy(t, c))
}

// TestDecisionChanges: edits that do not decide keep the decision; each
// edit that does changes it, and Changes names the section, never a
// value.
func TestDecisionChanges(t *testing.T) {
	base := decisionBase(t)
	dir := t.TempDir()
	was := decisionOf(t, dir, base)
	tests := []struct {
		name     string
		old, new string // replaced once in base; old "" appends new
		want     []string
	}{
		{"comment", "", "# a comment, added later\n", nil},
		{"inline comment", "# shown in reports", "# the name on every report", nil},
		{"plan schedule", `plan_schedule: "0 2 * * *"`, `plan_schedule: "30 1 * * *"`, nil},
		{"apply schedule", `apply_schedule: "0 3 * * *"`, `apply_schedule: "0 4 * * 1-5"`, nil},
		{"listen address", "listen: 127.0.0.1:9465", "listen: 0.0.0.0:9100", nil},
		{"notify", "", "notify:\n  lang: en\n  webhook:\n    url: https://hooks.example.nl/retentiond\n", nil},
		{"smtp password", "", "notify:\n  smtp:\n    host: smtp.example.nl\n    from: a@example.nl\n    to: [b@example.nl]\n    username: a\n    password_file: /etc/retentiond/smtp.pw\n", nil},
		{"delete limit and plan age", "", "apply:\n  max_deletions: 50\n  plan_max_age: 7d\n", nil},
		{"state terms", "", "state:\n  applied_plans: 30d\n", nil},
		{"graph secret", "client_secret_file: /etc/retentiond/graph.secret", "client_secret_file: /etc/retentiond/graph2.secret", nil},
		{"s3 region and path style", "region: eu-central-1\n", "region: eu-west-1\n", nil},
		{"key order", "    bucket: kidsadmin-backups\n    prefix: daily/\n", "    prefix: daily/\n    bucket: kidsadmin-backups\n", nil},
		{"override source", "C1: {term: 2y}", "C1: {term: 2y, source: besluit directie 2026}", nil},

		{"layout", "category: contract", "category: financial", []string{"the layouts of store dossiers changed"}},
		{"layout order", "      - path: \"{child.name}/Contracten/**\"\n        category: contract\n      - path: \"{child.name}/**\"\n        category: child-dossier\n",
			"      - path: \"{child.name}/**\"\n        category: child-dossier\n      - path: \"{child.name}/Contracten/**\"\n        category: contract\n",
			[]string{"the layouts of store dossiers changed"}},
		{"registry columns", "name: Naam\n      birth_date", "name: Volledige naam\n      birth_date", []string{"the columns of registry kinderen changed"}},
		{"registry file", "file: exports/kinderen.csv", "file: exports/kinderen-2026.csv", []string{"the file of registry kinderen changed"}},
		{"registry sheet", "file: exports/medewerkers.xlsx", "file: exports/medewerkers.xlsx\n    sheet: Actief", []string{"the sheet of registry medewerkers changed"}},
		{"registry delimiter", "file: exports/sollicitanten.csv", "file: exports/sollicitanten.csv\n    delimiter: \",\"", []string{"the delimiter of registry sollicitanten changed"}},
		{"registry limit", "file: exports/medewerkers.xlsx", "file: exports/medewerkers.xlsx\n    max_unzipped_mb: 8", []string{"the size limit (max_unzipped_mb) of registry medewerkers changed"}},
		{"override term", "C1: {term: 2y}", "C1: {term: 3y}", []string{"override C1 changed"}},
		{"override removed", "  C12: {disabled: true}\n", "", []string{"override C12 was removed"}},
		{"store root", "root: data/Archief", "root: data/Archief-oud", []string{"the root of store archief changed"}},
		{"store files", "files: exports/konnect/dagboek-*.csv", "files: exports/konnect/*.csv", []string{"the files (glob) of store konnect-dagboek changed"}},
		{"store bucket", "bucket: kidsadmin-backups", "bucket: kidsadmin-backups-2", []string{"the bucket of store backups changed"}},
		{"store drive", `drive_id: "b!..."`, `drive_id: "b!other"`, []string{"the drive (drive_id) of store onedrive-dossiers changed"}},
		{"permanent delete", "permanent_delete: false", "permanent_delete: true", []string{"the permanent_delete setting of store onedrive-dossiers changed"}},
		{"archives", "root: data/Archief\n", "root: data/Archief\n    archives: false\n", []string{"the archives setting of store archief changed"}},
		{"operators", `phone: "mask:4"`, `phone: redact`, []string{"the operators of store konnect-dagboek changed"}},
		{"store profile", "profile: eigen\n", "profile: konnect-diary\n", []string{"the profile of store eigen-export changed"}},
		{"profile", "subject_column: Kindnummer", "subject_column: Nummer kind", []string{"profile eigen changed"}},
		{"store removed", "  - name: archief\n    type: localfs\n    root: data/Archief\n    layout:\n      - path: \"{end_year}/{child.name}/**\"  # year the contract ended\n        category: child-dossier\n", "",
			[]string{"store archief was removed"}},
		{"timezone", "timezone: Europe/Amsterdam", "timezone: Europe/Brussels", []string{"the timezone changed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := base + tt.new
			if tt.old != "" {
				if !strings.Contains(base, tt.old) {
					t.Fatalf("the base config lacks %q", tt.old)
				}
				text = strings.Replace(base, tt.old, tt.new, 1)
			}
			now := decisionOf(t, dir, text) // the same dir: paths resolve alike
			got := now.Changes(was)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Changes:\n got %q\nwant %q", got, tt.want)
			}
			if same := now.Equal(was); same != (tt.want == nil) {
				t.Errorf("Equal = %v, want %v", same, tt.want == nil)
			}
		})
	}
	// Two edits at once: both named, the policy first.
	two := strings.Replace(strings.Replace(base, "category: contract", "category: financial", 1), "C1: {term: 2y}", "C1: {term: 3y}", 1)
	want := []string{"override C1 changed", "the layouts of store dossiers changed"}
	if got := decisionOf(t, dir, two).Changes(was); !reflect.DeepEqual(got, want) {
		t.Errorf("two edits: Changes\n got %q\nwant %q", got, want)
	}
}

// TestDecisionPolicyFile: a policy file's rule that changes what it
// decides changes the decision and is named; a changed title or basis,
// which only explain, does not.
func TestDecisionPolicyFile(t *testing.T) {
	pol, err := os.ReadFile("../rules/policies/kinderopvang-nl.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := strings.Replace(decisionBase(t), "policy: builtin:kinderopvang-nl", "policy: policy.yaml", 1)
	write(t, dir, "policy.yaml", string(pol))
	was := decisionOf(t, dir, cfg)
	for _, tt := range []struct {
		name, old, new string
		want           []string
	}{
		{"title", "title: {en: child dossier, nl: kinddossier}", "title: {en: the child's dossier, nl: het kinddossier}", nil},
		{"flags", "when: [waiting_list, temporary_deregistration]", "when: [waiting_list]", []string{"rule C2 of the policy changed"}},
		// The config overrides C1's term: the policy's own term for it
		// decides nothing.
		{"overridden term", "trigger: end_of_care\n    term: 2y\n    kind: max\n    source: '000", "trigger: end_of_care\n    term: 1y\n    kind: max\n    source: '000", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(string(pol), tt.old) {
				t.Fatalf("the policy lacks %q", tt.old)
			}
			write(t, dir, "policy.yaml", strings.Replace(string(pol), tt.old, tt.new, 1))
			defer write(t, dir, "policy.yaml", string(pol))
			got := decisionOf(t, dir, cfg).Changes(was)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Changes:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestDecisionRecorded: a decision survives plan.json's JSON; another
// version of the encoding is never the same decision.
func TestDecisionRecorded(t *testing.T) {
	d := decisionOf(t, t.TempDir(), decisionBase(t))
	if d.Version != DecisionVersion || !strings.HasPrefix(d.Digest, "sha256:") || len(d.Sections) < 20 {
		t.Fatalf("decision %d %q with %d sections", d.Version, d.Digest, len(d.Sections))
	}
	for _, want := range []string{"policy.rules.C1", "overrides.C1", "registries.kinderen.columns", "stores.dossiers.layout", "stores.konnect-dagboek.operators", "profiles.eigen"} {
		if d.Sections[want] == "" {
			t.Errorf("no section %s", want)
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Decision
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Equal(d) || back.Changes(d) != nil {
		t.Errorf("read back: %v", back.Changes(d))
	}
	old := back
	old.Version = 0
	if got := d.Changes(old); len(got) != 1 || !strings.Contains(got[0], "another form") {
		t.Errorf("version 0: %q", got)
	}
	forged := back
	forged.Sections = map[string]string{}
	for k, v := range back.Sections {
		forged.Sections[k] = v
	}
	forged.Digest = "sha256:00"
	if d.Equal(forged) || len(d.Changes(forged)) != 1 {
		t.Errorf("a digest that does not match its sections: %q", d.Changes(forged))
	}
}

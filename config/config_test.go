package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/rules"
)

var update = flag.Bool("update", false, "rewrite golden files")

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustLoad(t *testing.T, path string) *Config {
	t.Helper()
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func problems(t *testing.T, err error) []*Error {
	t.Helper()
	var es *Errors
	if !errors.As(err, &es) {
		t.Fatalf("want *Errors, got %T: %v", err, err)
	}
	return es.Errs
}

// TestSample loads the config of DESIGN.md, as users copy it.
func TestSample(t *testing.T) {
	c := mustLoad(t, "testdata/sample.yaml")
	data, _ := os.ReadFile("testdata/sample.yaml")
	sum := sha256.Sum256(data)
	dir, _ := filepath.Abs("testdata")
	checks := []struct {
		name      string
		got, want any
	}{
		{"Organisation", c.Organisation, "Kinderopvang Voorbeeld"},
		{"Location", c.Location.String(), "Europe/Amsterdam"},
		{"SHA256", c.SHA256, hex.EncodeToString(sum[:])},
		{"Dir", c.Dir, dir},
		{"StateDir", c.StateDir, filepath.Join(dir, "state")},
		{"PseudonymKeyFile", c.PseudonymKeyFile, filepath.Join(dir, "keys", "pseudonym.key")},
		{"OverrideIDs", c.OverrideIDs, []string{"C1", "C12"}},
		{"C1 term", *c.Overrides["C1"].ParsedTerm, rules.Term{N: 2, Unit: 'y'}},
		{"C1 line", c.Overrides["C1"].Line, 9},
		{"C12 disabled", *c.Overrides["C12"].Disabled, true},
		{"C12 term", c.Overrides["C12"].ParsedTerm, (*rules.Term)(nil)},
		{"registries", len(c.Registries), 3},
		{"registry file", c.Registries[1].File, filepath.Join(dir, "exports", "medewerkers.xlsx")},
		{"registry columns", c.Registries[2].Columns["consent_until"], "Toestemming tot"},
		{"registry subject", c.Registries[0].SubjectType(), rules.Child},
		{"stores", len(c.Stores), 5},
		{"root", c.Stores[0].Root, filepath.Join(dir, "data", "OneDrive", "Kinddossiers")},
		{"layout subject", c.Stores[1].Layout[0].Subject, rules.Child},
		{"layout line", c.Stores[1].Layout[0].Line, 49},
		{"backup layout subject", c.Stores[3].Layout[0].Subject, rules.SubjectType("")},
		{"backup layout rule", c.Stores[3].Layout[0].Rule, "V4"},
		{"Line(backup layout rule)", c.Line("stores[3].layout[0].rule"), 73},
		{"archives default", c.Stores[0].OpenArchives(), true},
		{"secret file kept absolute", c.Stores[2].ClientSecretFile, "/etc/retentiond/graph.secret"},
		{"drive id", c.Stores[2].DriveID, "b!..."},
		{"s3 path style", c.Stores[3].PathStyle, true},
		{"export files", c.Stores[4].Files, filepath.Join(dir, "exports", "konnect", "dagboek-*.csv")},
		{"Line(stores[3].bucket)", c.Line("stores[3].bucket"), 65},
		{"Line(overrides.C12)", c.Line("overrides.C12"), 10},
		{"Line(absent)", c.Line("overrides.C99"), 0},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	if name, ok := c.BuiltinPolicy(); !ok || name != "kinderopvang-nl" {
		t.Errorf("BuiltinPolicy() = %q, %v", name, ok)
	}
}

func TestDefaults(t *testing.T) {
	dir := t.TempDir()
	c := mustLoad(t, write(t, dir, "retentiond.yaml", "organisation: X\n"))
	checks := []struct{ name, got, want string }{
		{"Timezone", c.Timezone, "Europe/Amsterdam"},
		{"Location", c.Location.String(), "Europe/Amsterdam"},
		{"Policy", c.Policy, "builtin:kinderopvang-nl"},
		{"StateDir", c.StateDir, filepath.Join(dir, "state")},
		{"Listen", c.Daemon.Listen, "127.0.0.1:9465"},
		{"PlanSchedule", c.Daemon.PlanSchedule, "0 2 * * *"},
		{"ApplySchedule", c.Daemon.ApplySchedule, "0 3 * * *"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
}

// TestRelativePaths checks that paths resolve against the config's
// directory, not the working directory, and that absolute paths stay.
func TestRelativePaths(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "etc/retentiond.yaml", `organisation: X
policy: policies/eigen.yaml
state_dir: /var/lib/retentiond
ledger_key_file: ../keys/ledger.key
ledger_verify_key_file: ../keys/ledger.pub
registries:
  - {name: k, subject: child, file: k.xlsx, sheet: Kinderen, columns: {id: Nr}}
stores:
  - name: icloud
    type: icloud
    root: iCloud/Opvang
    archives: false
    layout: [{path: "{child.id}/**", category: child-dossier}]
`)
	c := mustLoad(t, path)
	etc := filepath.Join(dir, "etc")
	checks := []struct{ name, got, want string }{
		{"Policy", c.Policy, filepath.Join(etc, "policies", "eigen.yaml")},
		{"StateDir", c.StateDir, "/var/lib/retentiond"},
		{"LedgerKeyFile", c.LedgerKeyFile, filepath.Join(dir, "keys", "ledger.key")},
		{"LedgerVerifyKeyFile", c.LedgerVerifyKeyFile, filepath.Join(dir, "keys", "ledger.pub")},
		{"registry file", c.Registries[0].File, filepath.Join(etc, "k.xlsx")},
		{"root", c.Stores[0].Root, filepath.Join(etc, "iCloud", "Opvang")},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	if _, ok := c.BuiltinPolicy(); ok {
		t.Error("a policy file was taken for a built-in policy")
	}
	if c.Stores[0].OpenArchives() {
		t.Error("archives: false was not kept")
	}
}

// TestAnchors checks that YAML anchors and merge keys work, so that stores
// can share settings.
func TestAnchors(t *testing.T) {
	c := mustLoad(t, write(t, t.TempDir(), "r.yaml", `organisation: X
stores:
  - &fs
    name: a
    type: localfs
    root: a
    layout: [{path: "**", category: log}]
  - <<: *fs
    name: b
    root: b
`))
	if got := c.Stores[1]; got.Name != "b" || got.Type != "localfs" || len(got.Layout) != 1 || filepath.Base(got.Root) != "b" {
		t.Errorf("merged store = %+v", got)
	}
}

func TestGoldenErrors(t *testing.T) {
	_, err := Load("testdata/many-errors.yaml")
	if err == nil {
		t.Fatal("no error")
	}
	for _, e := range problems(t, err) {
		if e.Fix == "" || e.Key == "" {
			t.Errorf("problem without key or fix: %v", e)
		}
	}
	got := err.Error() + "\n"
	golden := "testdata/many-errors.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("errors differ from %s (rerun with -update if intended):\n%s", golden, got)
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{File: "retentiond.yaml", Line: 14, Column: 5, Key: "stores[1].type",
		Msg: `"lokaal" is not a store type`, Fix: "use one of localfs, icloud, onedrive, s3, export"}
	want := `retentiond.yaml:14:5: stores[1].type: "lokaal" is not a store type; fix: use one of localfs, icloud, onedrive, s3, export`
	if e.Error() != want {
		t.Errorf("got  %s\nwant %s", e.Error(), want)
	}
	if got := (&Error{File: "r.yaml", Msg: "m"}).Error(); got != "r.yaml: m" {
		t.Errorf("placeless error = %q", got)
	}
}

func TestErrorAt(t *testing.T) {
	c := mustLoad(t, "testdata/sample.yaml")
	e := c.ErrorAt("overrides.C12", "C12 is not a rule of the policy", "remove it")
	if e.Line != 10 || e.Column != 3 || e.File != "testdata/sample.yaml" {
		t.Errorf("ErrorAt = %+v", e)
	}
}

// TestNoSecretsInErrors: a secret pasted under a wrong key must not be
// echoed into logs through the error.
func TestNoSecretsInErrors(t *testing.T) {
	_, err := Load(write(t, t.TempDir(), "r.yaml", `organisation: X
stores:
  - name: graph
    type: onedrive
    tenant_id: t
    client_id: c
    client_secret: Zq8~s3cr3t-value
    clientsecretfile: Zq8~s3cr3t-value
    drive_id: d
    layout: [{path: "**", category: log}]
`))
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("error missing or leaks the secret: %v", err)
	}
}

func TestApplySettings(t *testing.T) {
	dir := t.TempDir()
	write := func(extra string) string {
		p := filepath.Join(dir, "c.yaml")
		os.WriteFile(p, []byte("organisation: X\n"+extra), 0o644)
		return p
	}
	c, err := Load(write(""))
	if err != nil {
		t.Fatal(err)
	}
	if c.Apply.MaxDeletions != DefaultMaxDeletions || c.Apply.ParsedPlanMaxAge.String() != DefaultPlanMaxAge {
		t.Errorf("defaults: %+v", c.Apply)
	}
	c, err = Load(write("apply:\n  max_deletions: 20\n  plan_max_age: 2w\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Apply.MaxDeletions != 20 || c.Apply.ParsedPlanMaxAge.String() != "2w" {
		t.Errorf("set: %+v", c.Apply)
	}
	for _, bad := range []string{"apply:\n  max_deletions: -1\n", "apply:\n  plan_max_age: soon\n", "apply:\n  max_delete: 3\n"} {
		_, err := Load(write(bad))
		if err == nil || !strings.Contains(err.Error(), "c.yaml:3:") && !strings.Contains(err.Error(), "c.yaml:2:") {
			t.Errorf("%q: error %v, want one placed on its line", bad, err)
		}
	}
}

func TestProfiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	good := `organisation: X
profiles:
  - name: mijn-dagboek
    subject: child
    subject_column: Kindnummer
    category: diary
    date_column: Datum
    fields: {name: Naam, notes: Tekst}
`
	os.WriteFile(p, []byte(good), 0o644)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Profiles) != 1 || c.Profiles[0].SubjectBy != "id" || c.Profiles[0].Fields["notes"] != "Tekst" || c.Profiles[0].Line != 3 {
		t.Errorf("profiles = %+v", c.Profiles)
	}
	bad := strings.NewReplacer("subject: child", "subject: kind", "category: diary", "category: dagboek", "notes: Tekst", "notitie: Tekst").Replace(good)
	os.WriteFile(p, []byte(bad), 0o644)
	_, err = Load(p)
	for _, want := range []string{"c.yaml:4:", "profiles[0].subject", "c.yaml:6:", "profiles[0].category", "profiles[0].fields.notitie"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

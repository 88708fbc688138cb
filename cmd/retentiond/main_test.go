package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestDemo is the README's first command: the demo builds, plans, and its
// report gives every item a reason.
func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, errs := runCLI(t, "demo", "--dir", dir)
	if code != 0 {
		t.Fatalf("demo exited %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "report.html") || !strings.Contains(out, "to delete") {
		t.Errorf("demo output lacks the summary:\n%s", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "plan", "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Items []struct {
			Action, Reason, Record, Store string
			Rule                          string
		}
		Summary map[string]int
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, it := range p.Items {
		actions[it.Action]++
		if it.Reason == "" {
			t.Errorf("%s:%s (%s) has no reason", it.Store, it.Record, it.Action)
		}
	}
	for _, a := range []string{"delete", "review", "hold"} {
		if actions[a] == 0 {
			t.Errorf("the demo plan has no %s item: the demo should show every kind of decision", a)
		}
	}
	for _, name := range []string{"plan.json", "plan.csv", "report.html"} {
		fi, err := os.Stat(filepath.Join(dir, "plan", name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", name, fi.Mode().Perm())
		}
	}
	// Running the demo again into its own folder rebuilds it.
	if code, _, errs := runCLI(t, "demo", "--dir", dir, "--lang", "en"); code != 0 {
		t.Fatalf("second demo run exited %d: %s", code, errs)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const miniConfig = `organisation: Test
state_dir: state
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
      - path: "{child.name}/**"
        category: child-dossier
`

func miniOrg(t *testing.T, registry string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), miniConfig)
	writeFile(t, filepath.Join(dir, "kinderen.csv"), registry)
	writeFile(t, filepath.Join(dir, "data", "Jansen, Piet", "intake.pdf"), "pdf")
	return dir
}

func TestExitCodes(t *testing.T) {
	good := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	badReg := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;31-02-2020\n")
	badCfg := t.TempDir()
	writeFile(t, filepath.Join(badCfg, "retentiond.yaml"), strings.Replace(miniConfig, "type: localfs", "type: lokaal", 1))
	missingRoot := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	os.RemoveAll(filepath.Join(missingRoot, "data"))

	tests := []struct {
		name    string
		args    []string
		code    int
		errHas  string
		outHas  string
		planned bool
	}{
		{"no command", nil, 2, "usage", "", false},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command", "", false},
		{"plan without config", []string{"plan"}, 2, "--config is required", "", false},
		{"bad flag", []string{"plan", "--nope"}, 2, "flag provided but not defined", "", false},
		{"bad as-of", []string{"plan", "--config", filepath.Join(good, "retentiond.yaml"), "--as-of", "31-02-2026"}, 2, "--as-of", "", false},
		{"bad lang", []string{"plan", "--config", filepath.Join(good, "retentiond.yaml"), "--lang", "de"}, 2, "--lang", "", false},
		{"bad config", []string{"plan", "--config", filepath.Join(badCfg, "retentiond.yaml")}, 2, "retentiond.yaml:10:5: stores[0].type", "", false},
		{"validate bad config", []string{"validate", "--config", filepath.Join(badCfg, "retentiond.yaml")}, 2, "stores[0].type", "", false},
		{"bad registry", []string{"plan", "--config", filepath.Join(badReg, "retentiond.yaml"), "--out", filepath.Join(badReg, "out")}, 1, "row 2", "", false},
		{"missing root", []string{"plan", "--config", filepath.Join(missingRoot, "retentiond.yaml"), "--out", filepath.Join(missingRoot, "out")}, 1, "could not be listed", "LISTING FAILED", true},
		{"good plan", []string{"plan", "--config", filepath.Join(good, "retentiond.yaml"), "--as-of", "2026-11-23", "--out", filepath.Join(good, "out")}, 0, "", "1 to delete", true},
		{"validate good", []string{"validate", "--config", filepath.Join(good, "retentiond.yaml")}, 0, "", "OK", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errs)
			}
			if !strings.Contains(errs, tt.errHas) {
				t.Errorf("stderr lacks %q:\n%s", tt.errHas, errs)
			}
			if !strings.Contains(out, tt.outHas) {
				t.Errorf("stdout lacks %q:\n%s", tt.outHas, out)
			}
			for _, a := range tt.args {
				if strings.HasSuffix(a, "/out") {
					_, err := os.Stat(filepath.Join(a, "plan.json"))
					if planned := err == nil; planned != tt.planned {
						t.Errorf("plan.json written = %v, want %v", planned, tt.planned)
					}
				}
			}
			if strings.Contains(errs, "Piet") || strings.Contains(errs, "Jansen") {
				t.Errorf("an error names a person:\n%s", errs)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	code, out, errs := runCLI(t, "explain", "--config", filepath.Join(dir, "retentiond.yaml"), "--as-of", "2022-03-14", "dossiers:Jansen, Piet/intake.pdf")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"decision: keep (due 2022-03-15) by rule C1", "rules considered:", "C1"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q:\n%s", want, out)
		}
	}
}

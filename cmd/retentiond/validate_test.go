package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateAsRunDoes: validate, plan and run read the config the same
// way, so what the daemon would refuse at start-up (a webhook format it
// does not know, a CA file it cannot read, stores that overlap) validate
// refuses too, and plan does not plan on it.
func TestValidateAsRunDoes(t *testing.T) {
	registry := "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n"
	tests := []struct {
		name, add string
		errHas    string
	}{
		{"webhook format", "notify:\n  webhook:\n    url: https://hooks.example.nl/retentiond\n    format: generic\n", "notify.webhook.format"},
		{"webhook CA file", "notify:\n  webhook:\n    url: https://hooks.example.nl/retentiond\n    ca_file: missing-ca.pem\n", "notify.webhook.ca_file"},
		{"auto_apply rule", "daemon:\n  auto_apply: [C999]\n", "daemon.auto_apply[0]"},
		{"nested store", "  - name: alles\n    type: localfs\n    root: .\n    layout: [{path: '**', category: log}]\n", "stores[1].root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := miniOrg(t, registry)
			cfg := filepath.Join(dir, "retentiond.yaml")
			text := miniConfig
			if strings.HasPrefix(tt.add, "  -") {
				text += tt.add
			} else {
				text = strings.Replace(text, "registries:", tt.add+"registries:", 1)
			}
			writeFile(t, cfg, text)
			code, out, errs := runCLI(t, "validate", "--config", cfg)
			if code != 2 || !strings.Contains(errs, tt.errHas) {
				t.Errorf("validate exited %d, want 2 naming %s\nstdout: %s\nstderr: %s", code, tt.errHas, out, errs)
			}
			if tt.name == "webhook CA file" || tt.name == "auto_apply rule" {
				return // checked when the daemon starts, not by plan
			}
			outDir := filepath.Join(t.TempDir(), "out")
			code, _, errs = runCLI(t, "plan", "--config", cfg, "--out", outDir)
			if code != 2 || !strings.Contains(errs, tt.errHas) {
				t.Errorf("plan exited %d, want 2 naming %s\nstderr: %s", code, tt.errHas, errs)
			}
			if _, err := os.Stat(filepath.Join(outDir, "plan.json")); err == nil {
				t.Error("plan.json written for a config that does not validate")
			}
		})
	}
}

// TestPlanOutInsideStore: a plan names everyone it plans for; written into
// a store's folder it would land in a child's dossier and be listed (and
// shared) as a record. plan refuses such an --out and writes nothing.
func TestPlanOutInsideStore(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	if err := os.Symlink(filepath.Join(dir, "data"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{
		filepath.Join(dir, "data", "Jansen, Piet"),
		filepath.Join(dir, "data"),
		filepath.Join(dir, "link", "plan"),
	} {
		code, _, errs := runCLI(t, "plan", "--config", cfg, "--out", out, "--as-of", "2026-11-23")
		if code != 2 || !strings.Contains(errs, `store "dossiers"`) || !strings.Contains(errs, "--out") {
			t.Errorf("--out %s: exit %d, want 2 naming the store\n%s", out, code, errs)
		}
		if _, err := os.Stat(filepath.Join(out, "plan.json")); err == nil {
			t.Errorf("--out %s: plan.json written inside the store", out)
		}
	}
	// Next to the store is fine.
	if code, _, errs := runCLI(t, "plan", "--config", cfg, "--out", filepath.Join(dir, "data-plan"), "--as-of", "2026-11-23"); code != 0 {
		t.Errorf("--out next to the store: exit %d\n%s", code, errs)
	}
}

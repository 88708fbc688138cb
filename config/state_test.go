package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStateTerms: the state: section's terms have defaults, take any term
// written as the policy writes them, and a bad one is an error placed on
// its line and naming its key.
func TestStateTerms(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	load := func(extra string) (*Config, error) {
		if err := os.WriteFile(p, []byte("organisation: X\n"+extra), 0o644); err != nil {
			t.Fatal(err)
		}
		return Load(p)
	}
	tests := []struct {
		name, extra                 string
		unapproved, applied, access string
	}{
		{"defaults", "", "30d", "90d", "30d"},
		{"empty section", "state:\n", "30d", "90d", "30d"},
		{"set", "state:\n  unapproved_plans: 2w\n  applied_plans: 1y\n  access_packages: 0d\n", "2w", "1y", "0d"},
		{"one set", "state:\n  applied_plans: 6m\n", "30d", "6m", "30d"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(tc.extra)
			if err != nil {
				t.Fatal(err)
			}
			s := c.State
			got := []string{s.ParsedUnapprovedPlans.String(), s.ParsedAppliedPlans.String(), s.ParsedAccessPackages.String()}
			want := []string{tc.unapproved, tc.applied, tc.access}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("terms %v, want %v", got, want)
			}
		})
	}
	bad := []struct {
		name, extra, key, line string
	}{
		{"not a term", "state:\n  unapproved_plans: soon\n", "state.unapproved_plans", "c.yaml:3:"},
		{"negative", "state:\n  applied_plans: -3d\n", "state.applied_plans", "c.yaml:3:"},
		{"no unit", "state:\n  access_packages: 30\n", "state.access_packages", "c.yaml:3:"},
		{"unknown key", "state:\n  plans: 30d\n", "state.plans", "c.yaml:3:"},
		{"not a mapping", "state: 30d\n", "state", "c.yaml:2:"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(tc.extra)
			if err == nil {
				t.Fatal("loaded")
			}
			ps := problems(t, err)
			if len(ps) != 1 || ps[0].Key != tc.key || ps[0].Fix == "" || !strings.Contains(err.Error(), tc.line) {
				t.Errorf("got %v, want one problem at %s about %s", err, tc.line, tc.key)
			}
		})
	}
}

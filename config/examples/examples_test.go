package examples_test

import (
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// org is one example: its folder, the seed its policy comes from, its name
// as the config gives it, and the rules its config overrides.
type org struct {
	slug, seed, name string
	overrides        []string
}

var orgs = []org{
	{slug: "leefkind", seed: "000", name: "Leef Kind"},
	{slug: "spot4kids", seed: "001", name: "Spot4kids"},
	{slug: "dekangoeroe", seed: "002", name: "Kinderdagverblijf De Kangoeroe", overrides: []string{"C12"}},
	{slug: "academie", seed: "003", name: "Kinderopvang Academie", overrides: []string{"V5"}},
	{slug: "enjoy", seed: "004", name: "Enjoy! Kinderopvang B.V.", overrides: []string{"C21"}},
}

func loadConfig(t *testing.T, slug string) *config.Config {
	t.Helper()
	cfg, err := config.Load(filepath.Join(slug, "retentiond.yaml"))
	if err != nil {
		t.Fatalf("%s: %v", slug, err)
	}
	return cfg
}

// policyOf is the example's own policy: the built-in one with the
// example's overrides, as plan and apply build it.
func policyOf(t *testing.T, slug string) *rules.Policy {
	t.Helper()
	p, err := pipeline.Policy(loadConfig(t, slug))
	if err != nil {
		t.Fatalf("%s: %v", slug, err)
	}
	return p
}

// openStores opens the example's stores and closes them when the test ends.
func openStores(t *testing.T, cfg *config.Config) []plan.Store {
	t.Helper()
	stores, err := pipeline.Stores(t.Context(), cfg)
	t.Cleanup(func() {
		for _, s := range stores {
			if c, ok := s.Store.(io.Closer); ok {
				c.Close()
			}
		}
	})
	if err != nil {
		t.Fatalf("%s: stores: %v", cfg.Path, err)
	}
	return stores
}

func TestExamplesLoad(t *testing.T) {
	for _, o := range orgs {
		t.Run(o.slug, func(t *testing.T) {
			cfg := loadConfig(t, o.slug)
			if cfg.Organisation != o.name {
				t.Errorf("organisation = %q, want %q", cfg.Organisation, o.name)
			}
			if want := filepath.Join(cfg.Dir, "state"); cfg.StateDir != want {
				t.Errorf("state_dir = %s, want %s (relative, next to the config)", cfg.StateDir, want)
			}
			if _, err := pipeline.Policy(cfg); err != nil {
				t.Errorf("policy: %v", err)
			}
			for i, sc := range cfg.Stores {
				// Only these two can be opened today; see the comments in
				// the configs for where OneDrive, S3 and exports go later.
				if sc.Type != config.TypeLocalFS && sc.Type != config.TypeICloud {
					t.Errorf("stores[%d] (%s): type %s; the examples use localfs and icloud only", i, sc.Name, sc.Type)
				}
				if !strings.HasPrefix(sc.Root, cfg.Dir+string(filepath.Separator)) {
					t.Errorf("stores[%d] (%s): root %s is not inside the example's folder", i, sc.Name, sc.Root)
				}
			}
			for _, st := range openStores(t, cfg) {
				if st.OpenErr != nil {
					t.Errorf("store %s: %v", st.Name, st.OpenErr)
				}
			}
			_, n, err := pipeline.Subjects(cfg)
			if err != nil {
				t.Fatalf("registries: %v", err)
			}
			if n == 0 {
				t.Error("the registries hold no people")
			}
		})
	}
}

func TestOverridesCiteSeed(t *testing.T) {
	builtin, err := rules.Load(config.DefaultPolicy, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		t.Run(o.slug, func(t *testing.T) {
			cfg := loadConfig(t, o.slug)
			if !slices.Equal(cfg.OverrideIDs, o.overrides) {
				t.Errorf("overrides %v, want %v (update this table and the README together)", cfg.OverrideIDs, o.overrides)
			}
			p := policyOf(t, o.slug)
			for _, id := range cfg.OverrideIDs {
				ov := cfg.Overrides[id]
				if !strings.HasPrefix(ov.Source, o.seed+" ") {
					t.Errorf("overrides.%s: source %q does not start with the organisation's seed number %s", id, ov.Source, o.seed)
				}
				before, _ := builtin.Rule(id)
				after, _ := p.Rule(id)
				if after.OverrideSource != ov.Source {
					t.Errorf("overrides.%s: the policy's rule cites %q, want the override's source", id, after.OverrideSource)
				}
				// An override restating the built-in rule would claim in
				// every report that the organisation changed it.
				if before.Disabled == after.Disabled && termString(before.Term) == termString(after.Term) {
					t.Errorf("overrides.%s changes nothing in the built-in rule", id)
				}
			}
		})
	}
}

func termString(t *rules.Term) string {
	if t == nil {
		return ""
	}
	return t.String()
}

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/config"
)

// loadConfig writes files into a temporary folder and loads the config
// among them, which must pass config.Load.
func loadConfig(t *testing.T, files map[string]string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(filepath.Join(dir, "retentiond.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// backupConfig is a config whose one store has a backup layout entry with
// the given category and rule, the rule on line 9.
func backupConfig(category, rule string) string {
	return fmt.Sprintf(`organisation: X
stores:
  - name: backups
    type: s3
    bucket: kidsadmin
    layout:
      - path: "{date}.tar.gz"
        category: %s
        rule: %s
`, category, rule)
}

func TestLayoutRule(t *testing.T) {
	cases := []struct {
		name, category, rule string
		want                 []string // substrings of the error; none: no error
	}{
		{"rotation rule", "backup", "V4", nil},
		{"other rotation rule", "backup", "V2", nil},
		{"no such rule", "backup", "V99", []string{"retentiond.yaml:9:", "stores[0].layout[0].rule", "the policy kinderopvang-nl has no rule V99", "fix: name one of its backup rotation rules: V2, V4"}},
		{"not a rotation rule", "backup", "C1", []string{"retentiond.yaml:9:", "stores[0].layout[0].rule", "rule C1 is not a backup rotation rule", "V2, V4"}},
		{"other category", "log", "V4", []string{"retentiond.yaml:9:", "rotates backups of category backup, not log", "fix: set this entry's category to backup"}},
	}
	for _, c := range cases {
		cfg := loadConfig(t, map[string]string{"retentiond.yaml": backupConfig(c.category, c.rule)})
		_, err := Policy(cfg)
		if len(c.want) == 0 {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrConfig) {
			t.Errorf("%s: error %v, want a config error", c.name, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

func TestRotationTermsChecked(t *testing.T) {
	policy := `name: own
rules:
  - id: V4
    title: {en: backup, nl: back-up}
    categories: [backup]
    trigger: backup_date
    rotation: {daily: 2y, monthly: 1y}
    kind: max
`
	cfg := loadConfig(t, map[string]string{
		"retentiond.yaml": "organisation: X\npolicy: own.yaml\n",
		"own.yaml":        policy,
	})
	_, err := Policy(cfg)
	for _, w := range []string{"own.yaml line 7", "rules[0].rotation (rule V4)", "monthly (1y) is shorter than daily (2y)"} {
		if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), w) {
			t.Errorf("Policy: %v, want a config error containing %q", err, w)
		}
	}
}

func TestStoresPassLayoutRule(t *testing.T) {
	cfg := loadConfig(t, map[string]string{"retentiond.yaml": `organisation: X
stores:
  - name: backups
    type: localfs
    root: backups
    layout:
      - {path: "kidsadmin/{date}.tar.gz", category: backup, rule: V4}
      - {path: "{date}.tar.gz", category: backup}
`})
	// The root is a folder beside the config: a root holding the config
	// (and the state dir) is refused.
	if err := os.MkdirAll(filepath.Join(cfg.Dir, "backups"), 0o700); err != nil {
		t.Fatal(err)
	}
	stores, err := Stores(context.Background(), cfg)
	if err != nil || len(stores) != 1 || stores[0].Classifier == nil {
		t.Fatalf("Stores: %+v, %v", stores, err)
	}
	for path, want := range map[string]string{"kidsadmin/2024-01-31.tar.gz": "V4", "2024-01-31.tar.gz": ""} {
		m, ok := stores[0].Classifier.Match(path)
		if !ok || m.Rule != want {
			t.Errorf("Match(%s) = %+v, %v; want rule %q", path, m, ok, want)
		}
	}
}

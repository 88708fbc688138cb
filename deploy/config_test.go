package deploy_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/retentiond/retentiond/config"
)

// loadConfig loads a sample config with the config package, so the
// samples follow the config contract the daemon reads.
func loadConfig(t *testing.T, path string) *config.Config {
	t.Helper()
	c, err := config.Load(path)
	if err != nil {
		t.Fatalf("%s does not load: %v", path, err)
	}
	return c
}

func TestSystemdConfigLoads(t *testing.T) {
	c := loadConfig(t, "systemd/config.yaml")
	if c.StateDir != "/var/lib/retentiond" {
		t.Errorf("state_dir %s, want the unit's StateDirectory /var/lib/retentiond", c.StateDir)
	}
	for _, f := range []string{c.PseudonymKeyFile, c.LedgerKeyFile} {
		if filepath.Dir(f) != "/run/credentials/retentiond.service" {
			t.Errorf("key file %s is not where LoadCredential= puts it", f)
		}
	}
	if c.Daemon.Listen != "127.0.0.1:9465" {
		t.Errorf("daemon.listen %s, want 127.0.0.1:9465", c.Daemon.Listen)
	}
}

// configMapConfig returns the text of the config the Kubernetes
// ConfigMap carries and the config loaded from it.
func configMapConfig(t *testing.T) (string, *config.Config) {
	t.Helper()
	var text string
	for _, d := range manifests(t) {
		if d["kind"] == "ConfigMap" {
			data, _ := d["data"].(map[string]any)
			if s, _ := data["config.yaml"].(string); s != "" {
				text = s // not the other ConfigMaps (retentiond-ledger-pub)
			}
		}
	}
	if text == "" {
		t.Fatal("no ConfigMap with data config.yaml")
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return text, loadConfig(t, path)
}

// TestConfigMapConfigLoads loads the config the Kubernetes ConfigMap
// carries.
func TestConfigMapConfigLoads(t *testing.T) {
	_, c := configMapConfig(t)
	if c.StateDir != "/var/lib/retentiond" {
		t.Errorf("state_dir %s, want the volume at /var/lib/retentiond", c.StateDir)
	}
	if c.Daemon.Listen != ":9465" {
		t.Errorf("daemon.listen %s, want :9465 (the probes and the Service reach the pod's address)", c.Daemon.Listen)
	}
}

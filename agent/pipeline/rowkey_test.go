package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/config"
)

// TestExportStoresGetTheKey: export stores carry the pseudonym key, to tie
// rows whose subject column was pseudonymised; before keygen they plan
// without it, and a key file that cannot be read fails them, naming the
// setting.
func TestExportStoresGetTheKey(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "exports"), 0o700)
	cfgText := "organisation: X\npseudonym_key_file: keys/pseudonym.key\nstores:\n" +
		"  - name: dagboek\n    type: export\n    files: exports/*.csv\n    profile: konnect-diary\n"
	path := filepath.Join(dir, "retentiond.yaml")
	if err := os.WriteFile(path, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	open := func() (hasKey bool, openErr error) {
		t.Helper()
		cfg, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		stores, err := Stores(context.Background(), cfg)
		if err != nil || len(stores) != 1 || stores[0].Rows == nil {
			t.Fatalf("stores: %v", err)
		}
		return stores[0].Rows.Pseudonyms != nil, stores[0].OpenErr
	}
	if has, err := open(); has || err != nil {
		t.Errorf("before keygen: key %v, %v; want none and the store open", has, err)
	}
	if _, err := keys.Generate(filepath.Join(dir, "keys"), "test"); err != nil {
		t.Fatal(err)
	}
	if has, err := open(); !has || err != nil {
		t.Errorf("after keygen: key %v, %v; want the key", has, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys", "pseudonym.key"), []byte("not hex\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if has, err := open(); has || err == nil || !strings.Contains(err.Error(), "pseudonym_key_file") {
		t.Errorf("a bad key: key %v, %v; want the store failed naming pseudonym_key_file", has, err)
	}
}

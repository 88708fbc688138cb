package deploy_test

import (
	"path"
	"regexp"
	"slices"
	"testing"
)

// TestSystemdShipsLedgerVerifyKey: the systemd config names the ledger's
// verifier key (ledger_verify_key_file) where LoadCredential= puts it,
// and the unit loads it from the keys keygen made, so that the nightly
// ledger verification runs and the daemon is ready.
func TestSystemdShipsLedgerVerifyKey(t *testing.T) {
	c := loadConfig(t, "systemd/config.yaml")
	if c.LedgerVerifyKeyFile != "/run/credentials/retentiond.service/ledger.pub" {
		t.Errorf("ledger_verify_key_file %q, want /run/credentials/retentiond.service/ledger.pub", c.LedgerVerifyKeyFile)
	}
	d := unitDirectives(t, "systemd/retentiond.service")
	if !slices.Contains(d["LoadCredential"], "ledger.pub:/etc/retentiond/keys/ledger.pub") {
		t.Errorf("LoadCredential=%v lacks ledger.pub:/etc/retentiond/keys/ledger.pub", d["LoadCredential"])
	}
}

// TestKubernetesShipsLedgerVerifyKey: the ConfigMap's config names the
// ledger's verifier key, and the Deployment mounts a volume there whose
// ConfigMap or Secret has it under that name.
func TestKubernetesShipsLedgerVerifyKey(t *testing.T) {
	_, c := configMapConfig(t)
	if c.LedgerVerifyKeyFile == "" {
		t.Fatal("the ConfigMap's config sets no ledger_verify_key_file: the nightly ledger verification cannot run")
	}
	ms := manifests(t)
	checkVerifyKeyMounted(t, ms, c.LedgerVerifyKeyFile)
}

// checkVerifyKeyMounted checks that the Deployment of ms mounts file,
// from a ConfigMap or Secret of ms that holds it, in the retentiond
// container (not only in the init container).
func checkVerifyKeyMounted(t *testing.T, ms []manifest, file string) {
	t.Helper()
	d := byKind(t, ms, "Deployment")
	spec := get(d, "spec", "template", "spec")
	dir, base := path.Dir(file), path.Base(file)
	var volume string
	for _, m := range list(spec, "containers", 0, "volumeMounts") {
		if str(m, "mountPath") == dir && str(m, "subPath") == "" {
			volume = str(m, "name")
		}
		if str(m, "mountPath") == file {
			volume, base = str(m, "name"), str(m, "subPath")
		}
	}
	if volume == "" {
		t.Fatalf("the retentiond container mounts nothing at %s", dir)
	}
	for _, v := range list(spec, "volumes") {
		if str(v, "name") != volume {
			continue
		}
		kind, name := "ConfigMap", str(v, "configMap", "name")
		if name == "" {
			kind, name = "Secret", str(v, "secret", "secretName")
		}
		if name == "" {
			t.Fatalf("volume %s at %s is neither a ConfigMap nor a Secret", volume, dir)
		}
		src := byName(t, ms, kind, name)
		if get(src, "data", base) == nil && get(src, "stringData", base) == nil {
			t.Errorf("%s %s holds no %s", kind, name, base)
		}
		return
	}
	t.Fatalf("no volume %s", volume)
}

var verifyKeyRe = regexp.MustCompile(`^[A-Za-z0-9./_-]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$`)

// verifyKeyText checks that a shipped ledger.pub has the form keygen
// writes (NAME+HASH+KEY), so that it is no placeholder left in a file a
// real deployment applies.
func verifyKeyText(t *testing.T, where, text string) {
	t.Helper()
	if !verifyKeyRe.MatchString(text) {
		t.Errorf("%s: %q is not a ledger verifier key (NAME+HASH+KEY, the ledger.pub of retentiond keygen)", where, text)
	}
}

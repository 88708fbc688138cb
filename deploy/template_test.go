package deploy_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestTemplateUnit: retentiond@.service runs one organisation per
// instance, with everything of the instance named by %i (config, state
// dir, keys, user), and otherwise the hardening of retentiond.service.
func TestTemplateUnit(t *testing.T) {
	plain := unitDirectives(t, "systemd/retentiond.service")
	tmpl := unitDirectives(t, "systemd/retentiond@.service")
	want := map[string]string{
		"ExecStart":        "/usr/local/bin/retentiond run --config /etc/retentiond/%i.yaml",
		"EnvironmentFile":  "-/etc/retentiond/%i.env",
		"StateDirectory":   "retentiond/%i",
		"WorkingDirectory": "/var/lib/retentiond/%i",
		"User":             "retentiond-%i",
	}
	for k, v := range want {
		if got := tmpl[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s=%v, want %q", k, got, v)
		}
	}
	for _, c := range []string{"pseudonym.key", "ledger.key", "ledger.pub"} {
		if !slices.Contains(tmpl["LoadCredential"], c+":/etc/retentiond/keys/%i/"+c) {
			t.Errorf("LoadCredential=%v lacks the instance's %s", tmpl["LoadCredential"], c)
		}
	}
	// Every other directive as in the plain unit.
	for k, v := range plain {
		if _, own := want[k]; own || k == "LoadCredential" || k == "Description" {
			continue
		}
		if !slices.Equal(tmpl[k], v) {
			t.Errorf("%s=%v in the template, %v in retentiond.service", k, tmpl[k], v)
		}
	}
	for k := range tmpl {
		if _, ok := plain[k]; !ok && want[k] == "" {
			t.Errorf("%s is in the template only", k)
		}
	}
}

var instCredRe = regexp.MustCompile(`/run/credentials/retentiond@([a-z0-9-]+)\.service/([A-Za-z0-9._-]+)`)

// TestInstanceConfig: the example config of an instance loads, keeps its
// state in the instance's state dir, reads credentials the template
// loads for that instance, and listens on ports of its own (not those
// of config.yaml, which another instance or retentiond.service uses).
func TestInstanceConfig(t *testing.T) {
	const inst = "kdv-zonnebloem"
	c := loadConfig(t, "systemd/instance.example.yaml")
	if c.StateDir != "/var/lib/retentiond/"+inst {
		t.Errorf("state_dir %s, want /var/lib/retentiond/%s (StateDirectory=retentiond/%%i)", c.StateDir, inst)
	}
	text, err := os.ReadFile("systemd/instance.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	loaded := map[string]bool{}
	for _, v := range unitDirectives(t, "systemd/retentiond@.service")["LoadCredential"] {
		name, _, _ := strings.Cut(v, ":")
		loaded[name] = true
	}
	refs := instCredRe.FindAllStringSubmatch(string(text), -1)
	if len(refs) < 3 {
		t.Fatalf("%d credentials in the instance config, want at least the three keys", len(refs))
	}
	for _, m := range refs {
		if m[1] != inst {
			t.Errorf("credential of instance %s in the config of %s", m[1], inst)
		}
		if !loaded[m[2]] {
			t.Errorf("the config reads credential %s, which the template does not load", m[2])
		}
	}
	for _, f := range []string{c.PseudonymKeyFile, c.LedgerKeyFile, c.LedgerVerifyKeyFile} {
		if !strings.HasPrefix(f, "/run/credentials/retentiond@"+inst+".service/") {
			t.Errorf("key file %q is not among the instance's credentials", f)
		}
	}
	single := loadConfig(t, "systemd/config.yaml")
	for _, p := range []struct{ key, inst, single string }{
		{"daemon.listen", c.Daemon.Listen, single.Daemon.Listen},
		{"console.listen", c.Console.Listen, single.Console.Listen},
	} {
		if listenPort(t, p.key, p.inst) == listenPort(t, p.key, p.single) {
			t.Errorf("%s %s: the same port as config.yaml's; each organisation needs its own", p.key, p.inst)
		}
	}
	if c.Daemon.Listen == c.Console.Listen {
		t.Error("daemon.listen and console.listen are the same address")
	}
}

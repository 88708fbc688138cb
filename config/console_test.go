package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConsoleSection: the console: section has safe defaults (loopback,
// Dutch, 30 minutes idle, no four eyes) and each bad value is an error
// naming its key.
func TestConsoleSection(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	load := func(extra string) (*Config, error) {
		if err := os.WriteFile(p, []byte("organisation: X\n"+extra), 0o644); err != nil {
			t.Fatal(err)
		}
		return Load(p)
	}
	c, err := load("")
	if err != nil {
		t.Fatal(err)
	}
	k := c.Console
	if k.Listen != "127.0.0.1:9466" || k.PublicURL != "http://127.0.0.1:9466/" || k.Lang != "nl" || k.ParsedIdleTimeout != 30*time.Minute || k.FourEyesOver != 0 || !k.Enabled() {
		t.Errorf("defaults: %+v", k)
	}
	c, err = load("console:\n  listen: off\n  public_url: https://retentie.example.nl/\n  four_eyes_over: 500\n  oidc:\n    issuer: https://login.example.nl\n    client_id: abc\n  roles:\n    - role: approver\n      emails: [a@example.nl]\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Console.Enabled() || c.Console.FourEyesOver != 500 || c.Console.OIDC.GroupsClaim != "groups" || len(c.Console.OIDC.Scopes) != 2 {
		t.Errorf("set: %+v %+v", c.Console, c.Console.OIDC)
	}
	bad := []struct{ name, extra, key string }{
		{"listen", "console:\n  listen: nowhere\n", "console.listen"},
		{"same as daemon", "daemon:\n  listen: 127.0.0.1:9000\nconsole:\n  listen: 127.0.0.1:9000\n", "console.listen"},
		{"public url", "console:\n  public_url: ftp://x\n", "console.public_url"},
		{"lang", "console:\n  lang: de\n", "console.lang"},
		{"tls pair", "console:\n  tls_cert_file: c.pem\n", "console.tls_cert_file"},
		{"idle", "console:\n  idle_timeout: 5s\n", "console.idle_timeout"},
		{"four eyes", "console:\n  four_eyes_over: -1\n", "console.four_eyes_over"},
		{"issuer http", "console:\n  oidc:\n    issuer: http://idp.example.nl\n    client_id: a\n", "console.oidc.issuer"},
		{"client id", "console:\n  oidc:\n    issuer: https://idp.example.nl\n", "console.oidc.client_id"},
		{"role", "console:\n  roles:\n    - role: admin\n      emails: [a@b.nl]\n", "console.roles[0].role"},
		{"nobody", "console:\n  roles:\n    - role: viewer\n", "console.roles[0]"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(tc.extra)
			if err == nil || !strings.Contains(err.Error(), tc.key+":") {
				t.Fatalf("want an error naming %s, got %v", tc.key, err)
			}
		})
	}
}

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRedisKeyPrefixDefault: the lock keys carry the organisation, so two
// organisations on one Redis never share a key; key_prefix overrides it.
func TestRedisKeyPrefixDefault(t *testing.T) {
	tests := []struct{ org, extra, want string }{
		{"Kinderopvang 't Zonnetje", "", "retentiond:kinderopvang-t-zonnetje:"},
		{"Crèche Éénhoorn B.V.", "", "retentiond:creche-eenhoorn-b-v:"},
		{"  KDV  De--Boomhut  ", "", "retentiond:kdv-de-boomhut:"},
		{"X", "    key_prefix: 'rd:x:'\n", "rd:x:"},
	}
	for _, tt := range tests {
		t.Run(tt.org, func(t *testing.T) {
			dir := t.TempDir()
			path := write(t, dir, "retentiond.yaml", "organisation: \""+tt.org+"\"\ndaemon:\n  redis:\n    address: 127.0.0.1:6379\n"+tt.extra)
			c := mustLoad(t, path)
			if got := c.Daemon.Redis.KeyPrefix; got != tt.want {
				t.Errorf("key_prefix = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRedisTLSAndUser: tls: {} turns TLS on with the system roots; its
// files are made absolute like every other path.
func TestRedisTLSAndUser(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "retentiond.yaml", `organisation: X
daemon:
  redis:
    address: redis.internal:6380
    username: retentiond-x
    password_file: secrets/redis
    tls:
      ca_file: certs/redis-ca.pem
      server_name: redis.internal
      cert_file: certs/client.pem
      key_file: certs/client-key.pem
`)
	r := mustLoad(t, path).Daemon.Redis
	if r.Username != "retentiond-x" || r.TLS == nil || r.TLS.ServerName != "redis.internal" {
		t.Fatalf("redis %+v tls %+v", r, r.TLS)
	}
	for key, got := range map[string]string{"password_file": r.PasswordFile, "ca_file": r.TLS.CAFile, "cert_file": r.TLS.CertFile, "key_file": r.TLS.KeyFile} {
		if !filepath.IsAbs(got) || !strings.HasPrefix(got, dir) {
			t.Errorf("%s = %q, want absolute under %s", key, got, dir)
		}
	}
	path = write(t, dir, "plain-tls.yaml", "organisation: X\ndaemon:\n  redis:\n    address: redis.internal:6380\n    tls: {}\n")
	if r := mustLoad(t, path).Daemon.Redis; r.TLS == nil {
		t.Error("tls: {} left TLS off")
	}
	path = write(t, dir, "no-tls.yaml", "organisation: X\ndaemon:\n  redis:\n    address: redis.internal:6380\n")
	if r := mustLoad(t, path).Daemon.Redis; r.TLS != nil {
		t.Error("TLS on without tls:")
	}
}

// TestBadRedisConfigs: each problem named at its file, line and key.
func TestBadRedisConfigs(t *testing.T) {
	tests := []struct {
		name, yaml string
		key        string
		line       int
		msg        string
	}{
		{"prefix with a space", "organisation: X\ndaemon:\n  redis:\n    address: r:6379\n    key_prefix: 'org a:'\n", "daemon.redis.key_prefix", 5, "white space"},
		{"prefix empty", "organisation: X\ndaemon:\n  redis:\n    address: r:6379\n    key_prefix: ''\n", "daemon.redis.key_prefix", 5, "empty"},
		{"prefix of no letters", "organisation: '***'\ndaemon:\n  redis:\n    address: r:6379\n", "daemon.redis.key_prefix", 3, "no letters or digits"},
		{"username with a space", "organisation: X\ndaemon:\n  redis:\n    address: r:6379\n    username: 'org a'\n", "daemon.redis.username", 5, "white space"},
		{"cert without key", "organisation: X\ndaemon:\n  redis:\n    address: r:6379\n    tls:\n      cert_file: c.pem\n", "daemon.redis.tls.cert_file", 6, "go together"},
		{"tls unknown key", "organisation: X\ndaemon:\n  redis:\n    address: r:6379\n    tls:\n      insecure_skip_verify: true\n", "daemon.redis.tls.insecure_skip_verify", 6, "unknown key"},
		{"tls not a mapping", "organisation: X\ndaemon:\n  redis:\n    address: r:6379\n    tls: true\n", "daemon.redis.tls", 5, "mapping"},
		{"db out of range", "organisation: X\ndaemon:\n  redis:\n    address: r:6379\n    db: -1\n", "daemon.redis.db", 5, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "retentiond.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			ps := problems(t, err)
			if len(ps) != 1 {
				t.Fatalf("want 1 problem, got %d:\n%v", len(ps), err)
			}
			p := ps[0]
			if p.Key != tt.key || p.Line != tt.line || !strings.Contains(p.Msg, tt.msg) || p.Fix == "" || p.File != path {
				t.Errorf("got %s\nwant key %q line %d msg containing %q and a fix", p, tt.key, tt.line, tt.msg)
			}
		})
	}
}

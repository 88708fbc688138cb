package daemon_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/retentiond/retentiond/agent/daemon"
)

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and
// returns a pool that trusts it.
func selfSigned(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "retentiond test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("web.crt", "CERTIFICATE", der)
	write("web.key", "EC PRIVATE KEY", kder)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// webConfig writes an exporter-toolkit web config with TLS and a basic
// auth user prometheus (password "scrape-secret", as a bcrypt hash).
func webConfig(t *testing.T) (path string, pool *x509.CertPool) {
	t.Helper()
	dir := t.TempDir()
	pool = selfSigned(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte("scrape-secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "web-config.yml")
	text := "tls_server_config:\n  cert_file: web.crt\n  key_file: web.key\n" +
		"basic_auth_users:\n  prometheus: " + string(hash) + "\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, pool
}

// TestServerWebConfig: with a web config file the daemon serves /metrics,
// /healthz and /readyz over TLS only, to the basic auth user only, as
// node_exporter does with the same file.
func TestServerWebConfig(t *testing.T) {
	cfg, pool := webConfig(t)
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "retentiond_up 1\n") })
	s, err := daemon.NewServer(daemon.ServerOptions{Addr: "127.0.0.1:0", Metrics: metrics, WebConfigFile: cfg})
	if err != nil {
		t.Fatal(err)
	}
	s.Serve()
	t.Cleanup(func() { _ = s.Shutdown(t.Context()) })
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	base := "https://" + s.Addr().String()
	get := func(path, user, pass string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for path, want := range map[string]string{"/metrics": "retentiond_up 1\n", "/healthz": "ok\n", "/readyz": "ready\n"} {
		if code, body := get(path, "prometheus", "scrape-secret"); code != 200 || body != want {
			t.Errorf("GET %s with the password: %d %q, want 200 %q", path, code, body, want)
		}
		if code, body := get(path, "", ""); code != http.StatusUnauthorized || strings.Contains(body, "retentiond_up") {
			t.Errorf("GET %s without a password: %d %q, want 401", path, code, body)
		}
		if code, _ := get(path, "prometheus", "wrong"); code != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong password: %d, want 401", path, code)
		}
	}
	// Plain HTTP gets no metrics.
	resp, err := http.Get("http://" + s.Addr().String() + "/metrics")
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 || strings.Contains(string(b), "retentiond_up") {
			t.Errorf("plain HTTP /metrics: %d %q", resp.StatusCode, b)
		}
	}
}

// TestServerBadWebConfig: a web config that cannot be used is refused
// when the server is made, naming the file, rather than found at the
// first scrape.
func TestServerBadWebConfig(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, text, want string
	}{
		{"password not a bcrypt hash", "basic_auth_users:\n  prometheus: plaintext\n", "bcrypt"},
		{"certificate missing", "tls_server_config:\n  cert_file: nope.crt\n  key_file: nope.key\n", "nope.crt"},
		{"unknown key", "tls_server_confg:\n  cert_file: web.crt\n", "tls_server_confg"},
		{"no such file", "", "no-such-web-config.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "no-such-web-config.yml")
			if tt.text != "" {
				path = filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".yml")
				if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			s, err := daemon.NewServer(daemon.ServerOptions{Addr: "127.0.0.1:0", WebConfigFile: path})
			if err == nil {
				_ = s.Shutdown(t.Context())
				t.Fatal("NewServer took a bad web config")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want the file %s and %q", err, path, tt.want)
			}
		})
	}
}

package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
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
)

// testWebConfig writes an exporter-toolkit web config into dir: TLS with
// a self-signed certificate for 127.0.0.1 and the basic auth user
// prometheus with password pass (a bcrypt hash in the file). It returns
// the file and a pool that trusts the certificate.
func testWebConfig(t *testing.T, dir, pass string) (string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "retentiond"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	writeFile(t, filepath.Join(dir, "web.crt"), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(t, filepath.Join(dir, "web.key"), string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})))
	hash, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "web-config.yml")
	writeFile(t, path, "tls_server_config:\n  cert_file: web.crt\n  key_file: web.key\nbasic_auth_users:\n  prometheus: "+string(hash)+"\n")
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return path, pool
}

// TestRunWebConfig: `retentiond run --web.config.file` serves /metrics,
// /healthz and /readyz over TLS to the basic auth user only.
func TestRunWebConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	addr := freeAddr(t)
	cfg := daemonDemo(t, dir, fmt.Sprintf("daemon:\n  listen: %s\n  plan_schedule: \"0 2 * * *\"\n  apply_schedule: \"0 3 * * *\"\n", addr))
	wc, pool := testWebConfig(t, t.TempDir(), "scrape-secret")
	d := &daemonProc{done: make(chan int, 1), addr: addr}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	t.Cleanup(func() { d.stop(t) })
	go func() { d.done <- run(ctx, []string{"run", "--config", cfg, "--web.config.file", wc}, &d.out, &d.errs) }()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	get := func(path, pass string) (int, string, error) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://"+addr+path, nil)
		if pass != "" {
			req.SetBasicAuth("prometheus", pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		code, body, err := get("/readyz", "scrape-secret")
		if err == nil && code == 200 {
			break
		}
		select {
		case c := <-d.done:
			d.done <- c
			t.Fatalf("retentiond run ended with %d:\n%s", c, d.errs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready over TLS: %d %q %v\n%s", code, body, err, d.errs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, body, err := get("/metrics", "scrape-secret"); err != nil || code != 200 || !strings.Contains(body, "# TYPE retentiond_") {
		t.Errorf("/metrics with the password: %d %v", code, err)
	}
	for _, p := range []string{"/metrics", "/healthz", "/readyz"} {
		if code, _, err := get(p, ""); err != nil || code != http.StatusUnauthorized {
			t.Errorf("%s without a password: %d %v, want 401", p, code, err)
		}
		if code, _, err := get(p, "wrong"); err != nil || code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong password: %d %v, want 401", p, code, err)
		}
	}
	if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 || strings.Contains(string(b), "retentiond_") {
			t.Errorf("plain HTTP /metrics: %d", resp.StatusCode)
		}
	}
}

// TestRunBadWebConfig: a web config that cannot be used stops start-up
// with exit 2 and one error naming the file and what is wrong.
func TestRunBadWebConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	cfg := daemonDemo(t, dir, fmt.Sprintf("daemon:\n  listen: %s\n", freeAddr(t)))
	bad := filepath.Join(t.TempDir(), "web-config.yml")
	writeFile(t, bad, "basic_auth_users:\n  prometheus: not-a-bcrypt-hash\n")
	code, _, errs := runCLI(t, "run", "--config", cfg, "--web.config.file", bad)
	if code != 2 || !strings.Contains(errs, bad) || !strings.Contains(errs, "bcrypt") {
		t.Fatalf("exit %d, stderr:\n%s\nwant 2 and an error naming %s and bcrypt", code, errs, bad)
	}
	if strings.Contains(errs, "not-a-bcrypt-hash") {
		t.Errorf("the error shows the password entry:\n%s", errs)
	}
	if n := strings.Count(errs, bad); n != 1 {
		t.Errorf("the error is printed %d times:\n%s", n, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "plans")); err == nil {
		t.Error("a plan was made although start-up failed")
	}
}

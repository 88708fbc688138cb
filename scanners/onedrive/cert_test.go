package onedrive

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/scanners/onedrive/graphtest"
)

// testCert makes a self-signed certificate and returns it with its PEM
// (certificate and PKCS#8 key blocks).
func testCert(t *testing.T) (*x509.Certificate, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "retentiond"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	k8, _ := x509.MarshalPKCS8PrivateKey(key)
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k8})...)
	return cert, out
}

func TestCertificateCredential(t *testing.T) {
	registered, certPEM := testCert(t)
	_, otherPEM := testCert(t)
	srv := graphtest.NewServer(t, graphtest.Options{ClientID: "retentiond-app", ClientCertificate: registered})
	srv.AddFile("", "a.txt", []byte("a"), time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC))
	cfg := Config{TenantID: srv.TenantID(), ClientID: "retentiond-app", DriveID: srv.DefaultDrive(),
		Endpoint: srv.GraphURL(), AuthorityHost: srv.AuthorityHost(), Transport: srv.Client().Transport}

	for _, tc := range []struct {
		name    string
		set     func(*Config)
		wantErr error
		wantMsg string
	}{
		{"registered certificate", func(c *Config) { c.Certificate = certPEM }, nil, ""},
		{"another certificate", func(c *Config) { c.Certificate = otherPEM }, nil, "signing in to Entra ID failed (HTTP 401, invalid_client, AADSTS700027)"},
		{"a secret where a certificate is registered", func(c *Config) { c.ClientSecret = "not-the-cert" }, nil, "AADSTS7000215"},
		{"not a certificate", func(c *Config) { c.Certificate = []byte("-----BEGIN NOTHING-----\n") }, nil, "client_certificate_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			tc.set(&c)
			s, err := Open(t.Context(), c)
			if tc.wantErr == nil && tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if recs := collect(t, s); len(recs) != 1 {
					t.Errorf("listed %d records, want 1", len(recs))
				}
				return
			}
			if err == nil {
				t.Fatal("Open succeeded, want an error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("Open: %v, want %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("Open: %v, want it to mention %s", err, tc.wantMsg)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") || strings.Contains(err.Error(), "not-the-cert") {
				t.Errorf("error repeats the credential: %v", err)
			}
		})
	}
	if err := (Config{TenantID: "t", ClientID: "c", DriveID: "d", ClientSecret: "s", Certificate: certPEM}).Validate(); err == nil || !strings.Contains(err.Error(), "only one") {
		t.Errorf("Validate with a secret and a certificate: %v", err)
	}
}

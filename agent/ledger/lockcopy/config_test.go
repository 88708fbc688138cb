package lockcopy

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
)

func TestValidate(t *testing.T) {
	good := Config{Bucket: "ledger-copies", Prefix: "org/ledger/", RetainDays: DefaultRetainDays}
	if err := good.Validate(); err != nil {
		t.Fatalf("Validate of a good config: %v", err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, []byte("x"), 0o600)
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string // "" for valid
	}{
		{"endpoint", func(c *Config) { c.Endpoint = "https://s3.example.nl"; c.PathStyle = true; c.CAFile = ca }, ""},
		{"no prefix", func(c *Config) { c.Prefix = "" }, ""},
		{"no bucket", func(c *Config) { c.Bucket = "" }, "ledger_copy.bucket is empty"},
		{"bucket url", func(c *Config) { c.Bucket = "s3://b/x" }, "ledger_copy.bucket must be the bare"},
		{"bucket name", func(c *Config) { c.Bucket = "b!" }, "ledger_copy.bucket is not a valid"},
		{"prefix slash", func(c *Config) { c.Prefix = "/org/" }, "ledger_copy.prefix must not start"},
		{"prefix end", func(c *Config) { c.Prefix = "org" }, "ledger_copy.prefix must end"},
		{"prefix dots", func(c *Config) { c.Prefix = "org/../x/" }, "ledger_copy.prefix must not hold empty"},
		{"region", func(c *Config) { c.Region = "EU West" }, "ledger_copy.region"},
		{"endpoint path", func(c *Config) { c.Endpoint = "https://user:pw@s3.example.nl/x" }, "ledger_copy.endpoint is not"},
		{"no days", func(c *Config) { c.RetainDays = 0 }, "ledger_copy.retain_days must be set"},
		{"too many days", func(c *Config) { c.RetainDays = 255500 }, "ledger_copy.retain_days is 255500"},
		{"ca file", func(c *Config) { c.CAFile = ca + ".missing" }, "ledger_copy.ca_file"},
		{"half key", func(c *Config) { c.AccessKeyID = "AKIA" }, "ledger_copy.access_key_id and secret_access_key"},
		{"token alone", func(c *Config) { c.SessionToken = "tok" }, "ledger_copy.session_token"},
		{"profile and key", func(c *Config) { c.Profile = "p"; c.AccessKeyID = "AKIA"; c.SecretAccessKey = "secret" }, "ledger_copy.profile"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate: %v; want an error containing %q", err, tc.want)
			case err != nil && (strings.Contains(err.Error(), "secret") && c.SecretAccessKey != "" || strings.Contains(err.Error(), "pw@")):
				t.Errorf("Validate repeats a secret: %v", err)
			}
		})
	}
}

// TestCAFile reaches the gateway through a TLS proxy whose certificate
// only CAFile vouches for, with AWS_CA_BUNDLE pointing elsewhere.
func TestCAFile(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	target, _ := url.Parse(srv.Endpoint)
	proxy := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	defer proxy.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: proxy.Certificate().Raw}), 0o600)
	// httptest's servers share one certificate: make another.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other CA"}, NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "bundle.pem")
	os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	t.Setenv("AWS_CA_BUNDLE", bundle)

	cfg := testConfig(srv, bucket, "")
	cfg.Endpoint = proxy.URL
	if _, err := Open(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Open without ca_file: %v, want a certificate error", err)
	}
	cfg.CAFile = ca
	c, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open with ca_file: %v", err)
	}
	s, v := newKey(t)
	d := newLedger(t, s, 3)
	if up, err := c.Upload(t.Context(), d); err != nil || len(up.Objects) != 2 {
		t.Fatalf("Upload through TLS: %+v, %v", up, err)
	}
	if r, err := c.Verify(t.Context(), d, v); err != nil || !r.OK() {
		t.Errorf("Verify through TLS: %v, %v", r, err)
	}

	os.WriteFile(ca, []byte("not a certificate"), 0o600)
	if _, err := Open(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "ledger_copy.ca_file") {
		t.Errorf("Open with a bad ca_file: %v", err)
	}
}

// TestLastCheckpoint cuts a checkpoints file at every byte, as an
// interrupted write can: the last complete checkpoint is found, never a
// cut one.
func TestLastCheckpoint(t *testing.T) {
	s, _ := newKey(t)
	dir := newLedger(t, s, 2)
	grow(t, dir, s, 2, 5, "")
	data, err := os.ReadFile(filepath.Join(dir, ledger.CheckpointsFile))
	if err != nil {
		t.Fatal(err)
	}
	second := bytes.Index(data, []byte("checkpoint 2\n"))
	full, err := lastCheckpoint(data)
	if err != nil || full == nil {
		t.Fatalf("lastCheckpoint: %v, %v", full, err)
	}
	// The same, the second checkpoint signed twice: a cut between its
	// signature lines leaves a note that looks whole.
	s2, _ := newKey(t)
	twice, err := note.Sign(&note.Note{Text: string(noteText(full.msg))}, s, s2)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("one signature", func(t *testing.T) { checkCuts(t, data, second) })
	t.Run("two signatures", func(t *testing.T) {
		checkCuts(t, append(append(data[:second:second], "checkpoint 2\n"...), twice...), second)
	})
	for _, bad := range []string{
		"garbage\n",
		"checkpoint 1\nname\n1\nAAAA\n\nnot a signature\n",
		"checkpoint 1\nname\n1\n\n— name AAAA\ncheckpoint 2\n",
	} {
		if _, err := lastCheckpoint([]byte(bad)); err == nil {
			t.Errorf("lastCheckpoint(%q): no error", bad)
		}
	}
}

// checkCuts checks lastCheckpoint on every prefix of data, a checkpoints
// file of two checkpoints (sizes 2 and 5), the second from byte second.
// A cut right after a signature line leaves a complete note, as the
// ledger sees it too; a cut inside one does not.
func checkCuts(t *testing.T, data []byte, second int) {
	sigStart := second + bytes.Index(data[second:], []byte("\n\n— ")) + 2
	firstSigEnd := sigStart + bytes.IndexByte(data[sigStart:], '\n') + 1
	for n := 0; n <= len(data); n++ {
		cp, err := lastCheckpoint(data[:n])
		if err != nil {
			t.Fatalf("cut at %d: %v", n, err)
		}
		var want int64
		switch {
		case n == len(data) || n == firstSigEnd:
			want = 5
		case n >= second:
			want = 2
		}
		if got := int64(0); cp != nil && cp.tree.N != want || cp == nil && want != 0 {
			if cp != nil {
				got = cp.tree.N
			}
			t.Fatalf("cut at %d of %d: checkpoint of size %d, want %d", n, len(data), got, want)
		}
		if cp != nil && !bytes.Contains(data[:n], cp.msg) {
			t.Fatalf("cut at %d: note %q is not in the file as it is", n, cp.msg)
		}
	}
}

package keys

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadSignerVerifier(t *testing.T) {
	// Keys until one whose base64 holds a "+", as the text's separator.
	var dir, pub string
	for i := 0; i < 200; i++ {
		dir, pub = generate(t)
		if b, _ := os.ReadFile(filepath.Join(dir, LedgerKeyFile)); strings.Count(string(b), "+") > 4 {
			break
		}
	}
	s, v, err := LoadSignerVerifier(filepath.Join(dir, LedgerKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseVerifier(pub)
	if err != nil {
		t.Fatal(err)
	}
	if v.Name() != want.Name() || v.KeyHash() != want.KeyHash() {
		t.Fatalf("derived verifier %s+%08x, ledger.pub %s+%08x", v.Name(), v.KeyHash(), want.Name(), want.KeyHash())
	}
	msg := []byte("approval")
	sig, err := s.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Verify(msg, sig) || !want.Verify(msg, sig) {
		t.Error("a signature of the key does not verify with its derived verifier")
	}
	sig[0] ^= 1
	if v.Verify(msg, sig) {
		t.Error("a changed signature verifies")
	}
	if _, _, err := LoadSignerVerifier(filepath.Join(dir, LedgerPubFile)); err == nil {
		t.Error("the public key file was taken for the signing key")
	}
}

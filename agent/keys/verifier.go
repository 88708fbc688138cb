package keys

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// LoadSignerVerifier reads a ledger signing key file as LoadSigner does,
// and returns with the signer its verifier, derived from the private key
// itself. Checks made by the program that holds the private key (an
// approval's signature) use it rather than a ledger.pub beside the key,
// which whoever can write that folder could replace with their own.
func LoadSignerVerifier(path string) (note.Signer, note.Verifier, error) {
	s, err := LoadSigner(path)
	if err != nil {
		return nil, nil, err
	}
	b, err := readSecret(path)
	if err != nil {
		return nil, nil, err
	}
	bad := fmt.Errorf("key file %s is not a valid Ed25519 ledger signing key (damaged or edited?): create new keys with `retentiond keygen`", path)
	// PRIVATE+KEY+<name>+<hash>+<base64 of algorithm byte and seed>
	f := strings.SplitN(strings.TrimSpace(string(b)), "+", 5) // base64 may hold "+"
	if len(f) != 5 {
		return nil, nil, bad
	}
	key, err := base64.StdEncoding.DecodeString(f[4])
	if err != nil || len(key) != 1+ed25519.SeedSize || key[0] != 1 {
		return nil, nil, bad
	}
	pub := ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(f[2], pub)
	if err != nil {
		return nil, nil, bad
	}
	v, err := note.NewVerifier(vkey)
	if err != nil || v.KeyHash() != s.KeyHash() || v.Name() != s.Name() {
		return nil, nil, bad
	}
	return s, v, nil
}

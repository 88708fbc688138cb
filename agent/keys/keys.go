// Package keys creates and loads retentiond's secret keys: the pseudonym
// key (HMAC, see agent/pseudonym) and the ledger signing key with its
// public verifier key (Ed25519 in golang.org/x/mod/sumdb/note's text form,
// see agent/ledger).
//
// Secret key files must be readable by their owner only; loading one with
// group or other permission bits fails rather than trusting a key that may
// have leaked. Errors name the file and the fix, never key material.
package keys

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/text/unicode/norm"

	"github.com/retentiond/retentiond/agent/pseudonym"
)

// File names Generate writes into its directory.
const (
	PseudonymKeyFile = "pseudonym.key"
	LedgerKeyFile    = "ledger.key"
	LedgerPubFile    = "ledger.pub"
)

// DefaultName is the key name Generate uses when given "".
const DefaultName = "retentiond-ledger"

// pseudonymKeySize is the size of a generated pseudonym key.
const pseudonymKeySize = 32

// maxKeyFile bounds what a load reads: key files are a line of text.
const maxKeyFile = 4 << 10

// NameFor returns a key name for an organisation: "retentiond/" and a
// slug of lower-case ASCII letters, digits and "-" ("Kinderopvang 't
// Zonnetje" becomes "retentiond/kinderopvang-t-zonnetje"), or DefaultName
// if the organisation name has no letters or digits. Note key names must
// not contain spaces or "+"; the slug has neither. The same string serves
// as the ledger's log name.
func NameFor(organisation string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(organisation) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // accents, after NFKD split off their letter
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		default:
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return DefaultName
	}
	return "retentiond/" + b.String()
}

// Generate creates dir (mode 0700) and writes PseudonymKeyFile (32 random
// bytes, hex), LedgerKeyFile (a note signer key named name, or DefaultName
// if name is "") and LedgerPubFile (its verifier key), each mode 0600. It
// refuses to overwrite: if any of the three exists it writes nothing, and
// files created by a failed call are removed again. It returns the
// verifier key text.
func Generate(dir string, name string) (pub string, err error) {
	if name == "" {
		name = DefaultName
	}
	if !validName(name) {
		return "", fmt.Errorf("key name %q: must be non-empty, without spaces or '+' (keys.NameFor makes one from the organisation name)", name)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("key directory: %w", err)
	}
	files := []string{LedgerKeyFile, LedgerPubFile, PseudonymKeyFile}
	for _, f := range files {
		p := filepath.Join(dir, f)
		if _, err := os.Lstat(p); err == nil {
			return "", fmt.Errorf("%s already exists: keygen never overwrites a key (every pseudonym and signature depends on it); move it away first if you really mean to replace it", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("key file %s: %w", p, err)
		}
	}

	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", fmt.Errorf("generating the ledger key: %w", err)
	}
	pk := make([]byte, pseudonymKeySize)
	if _, err := io.ReadFull(rand.Reader, pk); err != nil {
		return "", fmt.Errorf("generating the pseudonym key: %w", err)
	}
	contents := map[string]string{
		LedgerKeyFile:    skey + "\n",
		LedgerPubFile:    vkey + "\n",
		PseudonymKeyFile: hex.EncodeToString(pk) + "\n",
	}

	var created []string
	defer func() {
		if err != nil {
			for _, p := range created {
				os.Remove(p)
			}
		}
	}()
	for _, f := range files {
		p := filepath.Join(dir, f)
		made, err := writeNew(p, contents[f])
		if made {
			created = append(created, p)
		}
		if err != nil {
			return "", err
		}
	}
	if d, err := os.Open(dir); err == nil {
		// Make the new names durable; a failure here loses nothing written.
		d.Sync()
		d.Close()
	}
	return vkey, nil
}

// writeNew creates p with O_EXCL (so that a file appearing since the
// check is never overwritten), writes s and syncs. made reports whether
// it created the file, so that a failed Generate removes only its own.
func writeNew(p, s string) (made bool, err error) {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, fmt.Errorf("%s already exists: keygen never overwrites a key; move it away first", p)
		}
		return false, fmt.Errorf("key file %s: %w", p, err)
	}
	_, err = f.WriteString(s)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return true, fmt.Errorf("writing key file %s: %w", p, err)
	}
	return true, nil
}

// validName applies note's rule for key names.
func validName(name string) bool {
	return name != "" && !strings.ContainsRune(name, '+') && strings.IndexFunc(name, unicode.IsSpace) < 0
}

// readSecret reads a private key file after checking that only its owner
// can read it.
func readSecret(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, statError(path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("key file %s is not a regular file", path)
	}
	// Windows reports 0666 for every file; its ACLs are not mode bits.
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("key file %s has mode %04o: it must be readable by its owner only (chmod 600 %s)", path, perm, path)
	}
	return readSmall(path)
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, statError(path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", path, err)
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("key file %s is larger than %d bytes: not a key file", path, maxKeyFile)
	}
	return bytes.TrimSpace(b), nil
}

func statError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("key file %s does not exist: create the keys with `retentiond keygen --out DIR`", path)
	}
	return fmt.Errorf("key file %s: %w", path, err)
}

// LoadPseudonymKey reads a pseudonym key file: hex text of at least 32
// bytes, as Generate writes it.
func LoadPseudonymKey(path string) ([]byte, error) {
	b, err := readSecret(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(b, []byte("PRIVATE+KEY+")) {
		return nil, fmt.Errorf("key file %s holds a ledger signing key, not a pseudonym key: point pseudonym_key_file at %s", path, PseudonymKeyFile)
	}
	key := make([]byte, hex.DecodedLen(len(b)))
	// The hex error would quote the offending byte of the key: not wrapped.
	n, err := hex.Decode(key, b)
	key = key[:n]
	if err != nil || n == 0 {
		return nil, fmt.Errorf("key file %s is not a pseudonym key: expected one line of hex digits, as `retentiond keygen` writes", path)
	}
	if len(key) < pseudonym.MinKeySize {
		return nil, fmt.Errorf("key file %s holds a %d-byte key: at least %d bytes are needed (`retentiond keygen` makes one; every pseudonym changes with the key)", path, len(key), pseudonym.MinKeySize)
	}
	return key, nil
}

// LoadSigner reads a ledger signing key file (note's "PRIVATE+KEY+..."
// form) as Generate writes it.
func LoadSigner(path string) (note.Signer, error) {
	b, err := readSecret(path)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, []byte("PRIVATE+KEY+")) {
		if _, err := note.NewVerifier(string(b)); err == nil {
			return nil, fmt.Errorf("key file %s holds the public verifier key: ledger_key_file must name the private %s", path, LedgerKeyFile)
		}
		return nil, fmt.Errorf("key file %s is not a ledger signing key: expected one line starting PRIVATE+KEY+, as `retentiond keygen` writes", path)
	}
	s, err := note.NewSigner(string(b))
	if err != nil {
		return nil, fmt.Errorf("key file %s is not a valid ledger signing key (damaged or edited?): create new keys with `retentiond keygen`", path)
	}
	return s, nil
}

// LoadVerifier reads a verifier key file (LedgerPubFile). Verifier keys
// are public, so the file's mode is not checked.
func LoadVerifier(path string) (note.Verifier, error) {
	b, err := readSmall(path)
	if err != nil {
		return nil, err
	}
	v, err := ParseVerifier(string(b))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return v, nil
}

// ParseVerifier parses a verifier key given as text ("name+hash+key", the
// content of LedgerPubFile), so that an auditor can pass it on the command
// line.
func ParseVerifier(text string) (note.Verifier, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "PRIVATE+KEY+") {
		return nil, errors.New("this is the private ledger signing key, not the verifier key: give the content of " + LedgerPubFile + " (and keep the private key secret)")
	}
	v, err := note.NewVerifier(text)
	if err != nil {
		return nil, errors.New("not a ledger verifier key: expected NAME+HASH+KEY, the content of " + LedgerPubFile)
	}
	return v, nil
}

// VerifierFromArg loads a verifier from a command-line argument that is
// either a path to a verifier key file or the key text itself. A file
// that exists wins.
func VerifierFromArg(arg string) (note.Verifier, error) {
	if _, err := os.Stat(arg); err == nil {
		return LoadVerifier(arg)
	}
	v, err := ParseVerifier(arg)
	if err != nil {
		if strings.HasPrefix(strings.TrimSpace(arg), "PRIVATE+KEY+") {
			return nil, err // do not echo a private key
		}
		return nil, fmt.Errorf("%s: no such file, and not a verifier key text either (%v)", arg, err)
	}
	return v, nil
}

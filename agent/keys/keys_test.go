package keys

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func generate(t *testing.T) (dir, pub string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "keys")
	pub, err := Generate(dir, "retentiond/test")
	if err != nil {
		t.Fatal(err)
	}
	return dir, pub
}

func TestGenerateAndLoad(t *testing.T) {
	dir, pub := generate(t)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("key directory mode %04o, want 0700", fi.Mode().Perm())
	}
	for _, f := range []string{PseudonymKeyFile, LedgerKeyFile, LedgerPubFile} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %04o, want 0600", f, fi.Mode().Perm())
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, LedgerPubFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != pub+"\n" {
		t.Errorf("%s holds %q, Generate returned %q", LedgerPubFile, b, pub)
	}

	s, err := LoadSigner(filepath.Join(dir, LedgerKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	v, err := LoadVerifier(filepath.Join(dir, LedgerPubFile))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "retentiond/test" || v.Name() != s.Name() || v.KeyHash() != s.KeyHash() {
		t.Fatalf("signer %s+%08x and verifier %s+%08x do not pair", s.Name(), s.KeyHash(), v.Name(), v.KeyHash())
	}
	msg, err := note.Sign(&note.Note{Text: "hello\n"}, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		t.Fatalf("a note signed with ledger.key does not verify with ledger.pub: %v", err)
	}

	k, err := LoadPseudonymKey(filepath.Join(dir, PseudonymKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(k) != 32 || bytes.Equal(k, make([]byte, 32)) {
		t.Fatalf("pseudonym key is %d bytes: %x", len(k), k)
	}

	// A second organisation gets other keys.
	dir2, pub2 := generate(t)
	k2, err := LoadPseudonymKey(filepath.Join(dir2, PseudonymKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if pub2 == pub || bytes.Equal(k, k2) {
		t.Fatal("two Generate calls made the same keys")
	}
}

func TestGenerateDefaultAndBadName(t *testing.T) {
	pub, err := Generate(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pub, DefaultName+"+") {
		t.Errorf("Generate with no name: key %q is not named %s", pub, DefaultName)
	}
	for _, name := range []string{"Kinderopvang Voorbeeld", "a+b"} {
		dir := t.TempDir()
		if _, err := Generate(dir, name); err == nil || !strings.Contains(err.Error(), "NameFor") {
			t.Errorf("Generate(%q): err = %v, want a bad-name error", name, err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("Generate(%q) failed but wrote %d files", name, len(ents))
		}
	}
}

func TestGenerateRefusesOverwrite(t *testing.T) {
	for _, existing := range []string{LedgerKeyFile, LedgerPubFile, PseudonymKeyFile} {
		t.Run(existing, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, existing)
			if err := os.WriteFile(p, []byte("old\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Generate(dir, "")
			if err == nil {
				t.Fatal("Generate overwrote an existing key file")
			}
			if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "move it away") {
				t.Errorf("error %q does not name %s and the fix", err, p)
			}
			if b, _ := os.ReadFile(p); string(b) != "old\n" {
				t.Errorf("%s was changed to %q", existing, b)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				t.Errorf("Generate refused but left %d files behind", len(ents))
			}
		})
	}
}

func TestLoosePermissionsRefused(t *testing.T) {
	dir, _ := generate(t)
	load := map[string]func(string) error{
		PseudonymKeyFile: func(p string) error { _, err := LoadPseudonymKey(p); return err },
		LedgerKeyFile:    func(p string) error { _, err := LoadSigner(p); return err },
	}
	for f, fn := range load {
		for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
			p := filepath.Join(dir, f)
			if err := os.Chmod(p, mode); err != nil {
				t.Fatal(err)
			}
			err := fn(p)
			want := "key file " + p + " has mode " + octal(mode) + ": it must be readable by its owner only (chmod 600 " + p + ")"
			if err == nil || err.Error() != want {
				t.Errorf("%s mode %s: err = %v, want %q", f, octal(mode), err, want)
			}
		}
		os.Chmod(filepath.Join(dir, f), 0o600)
		if err := fn(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s back at 0600: %v", f, err)
		}
	}
	// The verifier key is public.
	p := filepath.Join(dir, LedgerPubFile)
	os.Chmod(p, 0o644)
	if _, err := LoadVerifier(p); err != nil {
		t.Errorf("LoadVerifier refused a 0644 public key: %v", err)
	}
}

func octal(m os.FileMode) string {
	const digits = "01234567"
	p := m.Perm()
	return string([]byte{'0', digits[p>>6&7], digits[p>>3&7], digits[p&7]})
}

func TestWrongContents(t *testing.T) {
	dir, pub := generate(t)
	skey, err := os.ReadFile(filepath.Join(dir, LedgerKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	secretHex := strings.Repeat("ab", 31) // a 31-byte key
	tests := []struct {
		name, content string
		load          string // which loader
		want          string
	}{
		{"pseudonym: signing key", string(skey), "pseudonym", "holds a ledger signing key, not a pseudonym key"},
		{"pseudonym: not hex", "zz" + strings.Repeat("ab", 32) + "\n", "pseudonym", "expected one line of hex digits"},
		{"pseudonym: odd hex", strings.Repeat("a", 65), "pseudonym", "expected one line of hex digits"},
		{"pseudonym: empty", "\n", "pseudonym", "expected one line of hex digits"},
		{"pseudonym: short", secretHex + "\n", "pseudonym", "holds a 31-byte key: at least 32 bytes are needed"},
		{"pseudonym: too large", strings.Repeat("ab", 5000), "pseudonym", "not a key file"},
		{"signer: public key", pub + "\n", "signer", "holds the public verifier key"},
		{"signer: garbage", "hello\n", "signer", "expected one line starting PRIVATE+KEY+"},
		{"signer: damaged", damage(string(skey)), "signer", "not a valid ledger signing key"},
		{"verifier: private key", string(skey), "verifier", "private ledger signing key, not the verifier key"},
		{"verifier: garbage", "retentiond+zz\n", "verifier", "expected NAME+HASH+KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "k")
			if err := os.WriteFile(p, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			var err error
			switch tt.load {
			case "pseudonym":
				_, err = LoadPseudonymKey(p)
			case "signer":
				_, err = LoadSigner(p)
			case "verifier":
				_, err = LoadVerifier(p)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("err = %v, want it to name %s and say %q", err, p, tt.want)
			}
			for _, secret := range []string{strings.TrimSpace(string(skey))[12:], secretHex, "zzabab"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error shows key material: %v", err)
				}
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "absent.key")
	for _, fn := range []func(string) error{
		func(p string) error { _, err := LoadPseudonymKey(p); return err },
		func(p string) error { _, err := LoadSigner(p); return err },
		func(p string) error { _, err := LoadVerifier(p); return err },
	} {
		if err := fn(p); err == nil || !strings.Contains(err.Error(), p+" does not exist: create the keys with `retentiond keygen") {
			t.Errorf("err = %v", err)
		}
	}
}

func TestVerifierFromArg(t *testing.T) {
	dir, pub := generate(t)
	for _, arg := range []string{filepath.Join(dir, LedgerPubFile), pub, " " + pub + "\n"} {
		v, err := VerifierFromArg(arg)
		if err != nil {
			t.Fatalf("VerifierFromArg(%q): %v", arg, err)
		}
		if v.Name() != "retentiond/test" {
			t.Errorf("verifier name %q", v.Name())
		}
	}
	if _, err := VerifierFromArg(filepath.Join(dir, "nope.pub")); err == nil || !strings.Contains(err.Error(), "no such file, and not a verifier key") {
		t.Errorf("missing file: err = %v", err)
	}
	skey, _ := os.ReadFile(filepath.Join(dir, LedgerKeyFile))
	_, err := VerifierFromArg(string(skey))
	if err == nil || strings.Contains(err.Error(), strings.TrimSpace(string(skey))[12:]) {
		t.Errorf("private key as argument: err = %v", err)
	}
}

func TestNameFor(t *testing.T) {
	tests := []struct{ org, want string }{
		{"Kinderopvang Voorbeeld", "retentiond/kinderopvang-voorbeeld"},
		{"Kinderopvang 't Zonnetje B.V.", "retentiond/kinderopvang-t-zonnetje-b-v"},
		{"  Crèche Éénhoorn + Co  ", "retentiond/creche-eenhoorn-co"},
		{"BSO De Ĳsvogel", "retentiond/bso-de-ijsvogel"},
		{"", DefaultName},
		{"!!!", DefaultName},
	}
	for _, tt := range tests {
		got := NameFor(tt.org)
		if got != tt.want {
			t.Errorf("NameFor(%q) = %q, want %q", tt.org, got, tt.want)
		}
		if !validName(got) {
			t.Errorf("NameFor(%q) = %q is not a valid key name", tt.org, got)
		}
	}
}

func TestPseudonymKeyUpperHex(t *testing.T) {
	p := filepath.Join(t.TempDir(), "k")
	key := bytes.Repeat([]byte{0xAB}, 32)
	os.WriteFile(p, []byte(strings.ToUpper(hex.EncodeToString(key))+"\r\n"), 0o600)
	got, err := LoadPseudonymKey(p)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("got %x, %v", got, err)
	}
}

// damage changes one character of the key data at the end of a key text.
func damage(k string) string {
	k = strings.TrimSpace(k)
	i := len(k) - 5
	c := byte('A')
	if k[i] == 'A' {
		c = 'B'
	}
	return k[:i] + string(c) + k[i+1:] + "\n"
}

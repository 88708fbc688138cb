package auth

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/keys"
)

// TestUsersSealed: with a pseudonym key, users.json's accounts are
// sealed, so that whoever can write the state dir but has not the key
// cannot give themselves a role: an account edited to approver, or one
// added by hand, is refused with an error naming the file and the key.
func TestUsersSealed(t *testing.T) {
	state := t.TempDir()
	kdir := filepath.Join(t.TempDir(), "keys")
	if _, err := keys.Generate(kdir, keys.NameFor("test")); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(kdir, "pseudonym.key")
	u, err := OpenUsersKeyed(state, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	for _, name := range []string{"vera", "anna"} {
		if err := u.Add(name, []string{"viewer"}, []byte("lang-genoeg-wachtwoord"), false, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, err := u.Authenticate("vera", []byte("lang-genoeg-wachtwoord")); err != nil || !ok {
		t.Fatalf("a sealed account does not sign in: %v %v", ok, err)
	}
	orig, err := os.ReadFile(u.Path())
	if err != nil {
		t.Fatal(err)
	}
	for name, forge := range map[string]func([]byte) []byte{
		"role raised": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"viewer"`), []byte(`"approver"`), 1)
		},
		"seal removed": func(b []byte) []byte {
			var d usersDoc
			if err := json.Unmarshal(b, &d); err != nil {
				t.Fatal(err)
			}
			d.Users[1].Seal = ""
			out, _ := json.Marshal(d)
			return out
		},
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(u.Path(), forge(orig), 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := u.Authenticate("vera", []byte("lang-genoeg-wachtwoord"))
			if err == nil || !strings.Contains(err.Error(), u.Path()) || !strings.Contains(err.Error(), ".seal") {
				t.Fatalf("a forged users.json was taken: %v", err)
			}
			if strings.Contains(err.Error(), "vera") || strings.Contains(err.Error(), "anna") {
				t.Errorf("the error names an account: %v", err)
			}
		})
	}
}

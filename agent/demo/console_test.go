package demo

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/console/auth"
)

func TestAddConsoleAccount(t *testing.T) {
	state := t.TempDir() + "/state"
	pw1, err := AddConsoleAccount(state, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pw2, err := AddConsoleAccount(state, "", time.Now()) // a second demo run replaces it
	if err != nil {
		t.Fatal(err)
	}
	if pw1 == pw2 || len(pw2) != 16 || strings.Trim(pw2, passwordAlphabet) != "" {
		t.Errorf("passwords %q, %q: want two different random 16-character passwords", pw1, pw2)
	}
	users, err := auth.OpenUsers(state)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := users.Authenticate(ConsoleAccount, []byte(pw1)); ok {
		t.Error("the first run's password still works")
	}
	a, ok, err := users.Authenticate(ConsoleAccount, []byte(pw2))
	if err != nil || !ok {
		t.Fatalf("the printed password does not sign in: %v", err)
	}
	if got := strings.Join(a.Roles, ","); got != "reviewer,approver,privacy-officer" {
		t.Errorf("roles %s", got)
	}
	if b, _ := os.ReadFile(users.Path()); strings.Contains(string(b), pw2) {
		t.Error("users.json holds the password")
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/console/auth"
)

// TestConsoleUserCommands: console user add, list and remove manage the
// console's local accounts in the state dir; the password comes from
// standard input with --password-stdin (never from a flag), is stored
// only as a hash, and bad input is a usage error.
func TestConsoleUserCommands(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	state := filepath.Join(dir, "state")
	const pw = "een lang genoeg wachtwoord"
	cli := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		old := consoleStdin
		consoleStdin = strings.NewReader(stdin)
		defer func() { consoleStdin = old }()
		return runCLI(t, append([]string{"console", "user"}, args...)...)
	}
	if code, out, errs := cli(pw+"\n", "add", "beheerder", "--role", "approver", "--role", "reviewer", "--config", cfg, "--password-stdin"); code != 0 || !strings.Contains(out, "beheerder") {
		t.Fatalf("add: exit %d\n%s\n%s", code, out, errs)
	}
	// The name may also come after the flags; roles may be a comma list.
	if code, out, errs := cli("nog een wachtwoord!\r\n", "add", "--config", cfg, "--role", "viewer,privacy-officer", "--password-stdin", "els"); code != 0 {
		t.Fatalf("add with the name last: exit %d\n%s\n%s", code, out, errs)
	}
	users, err := auth.OpenUsers(state)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok, err := users.Authenticate("beheerder", []byte(pw)); err != nil || !ok || strings.Join(a.Roles, ",") != "reviewer,approver" {
		t.Fatalf("the added account does not sign in with its password: %v %v %v", a.Roles, ok, err)
	}
	if _, ok, _ := users.Authenticate("els", []byte("nog een wachtwoord!")); !ok {
		t.Error("the password read from a CRLF line does not sign in")
	}
	if fi, err := os.Stat(users.Path()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("users.json: %v, mode %v", err, fi.Mode().Perm())
	}
	code, out, _ := cli("", "list", "--config", cfg)
	if code != 0 || !strings.Contains(out, "beheerder\treviewer,approver\t") || !strings.Contains(out, "els\tviewer,privacy-officer\t") || strings.Contains(out, "argon2") {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	for _, c := range []struct {
		name, stdin string
		args        []string
		errHas      string
	}{
		{"exists", pw, []string{"add", "beheerder", "--role", "viewer", "--config", cfg, "--password-stdin"}, "--replace"},
		{"no role", pw, []string{"add", "piet", "--config", cfg, "--password-stdin"}, "--role"},
		{"bad role", pw, []string{"add", "piet", "--role", "admin", "--config", cfg, "--password-stdin"}, "not a role"},
		{"short password", "kort", []string{"add", "piet", "--role", "viewer", "--config", cfg, "--password-stdin"}, "shorter than"},
		{"not a terminal", pw, []string{"add", "piet", "--role", "viewer", "--config", cfg}, "--password-stdin"},
		{"bad name", pw, []string{"add", "../piet", "--role", "viewer", "--config", cfg, "--password-stdin"}, "account name"},
		{"no name", pw, []string{"add", "--role", "viewer", "--config", cfg, "--password-stdin"}, "NAME"},
		{"no config", pw, []string{"add", "piet", "--role", "viewer", "--password-stdin"}, "--config"},
		{"unknown", "", []string{"remove", "piet", "--config", cfg}, "no account piet"},
		{"subcommand", "", []string{"rename", "piet", "--config", cfg}, "unknown console user subcommand"},
	} {
		code, out, errs := cli(c.stdin, c.args...)
		if code != 2 || !strings.Contains(errs, c.errHas) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q\n%s", c.name, code, errs, c.errHas, out)
		}
		if strings.Contains(errs, pw) {
			t.Errorf("%s: the message repeats the password", c.name)
		}
	}
	if _, ok, _ := users.Lookup("piet"); ok {
		t.Error("a refused add created the account")
	}
	if code, _, errs := cli("ander wachtwoord 2\n", "add", "beheerder", "--role", "viewer", "--replace", "--config", cfg, "--password-stdin"); code != 0 {
		t.Fatalf("add --replace: exit %d %s", code, errs)
	}
	if _, ok, _ := users.Authenticate("beheerder", []byte(pw)); ok {
		t.Error("the old password works after --replace")
	}
	if code, out, errs := cli("", "remove", "els", "--config", cfg); code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("remove: exit %d\n%s\n%s", code, out, errs)
	}
	if _, ok, _ := users.Lookup("els"); ok {
		t.Error("remove left the account")
	}
}

// TestDemoPrintsConsoleSignIn: the demo makes a console account and
// prints how to sign in, with a password that works.
func TestDemoPrintsConsoleSignIn(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, errs := runCLI(t, "demo", "--dir", dir)
	if code != 0 {
		t.Fatalf("demo exited %d\n%s\n%s", code, out, errs)
	}
	_, rest, ok := strings.Cut(out, "sign in as beheerder with the password ")
	if !ok || !strings.Contains(out, "retentiond run --config ") || !strings.Contains(out, "http://127.0.0.1:9466/") {
		t.Fatalf("the demo does not tell how to sign in to the console:\n%s", out)
	}
	password, _, _ := strings.Cut(rest, "\n")
	users, err := auth.OpenUsers(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	a, ok, err := users.Authenticate("beheerder", []byte(password))
	if err != nil || !ok {
		t.Fatalf("the printed password %q does not sign in: %v", password, err)
	}
	if got := strings.Join(a.Roles, ","); got != "reviewer,approver,privacy-officer" {
		t.Errorf("the demo account's roles: %s", got)
	}
}

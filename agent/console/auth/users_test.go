package auth

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func openTestUsers(t *testing.T) *Users {
	t.Helper()
	u, err := OpenUsers(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUsersAddAuthenticate(t *testing.T) {
	u := openTestUsers(t)
	now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	if err := u.Add("beheerder", []string{"reviewer", "approver", "reviewer"}, []byte("correct horse battery"), false, now); err != nil {
		t.Fatal(err)
	}
	a, ok, err := u.Authenticate("Beheerder", []byte("correct horse battery"))
	if err != nil || !ok {
		t.Fatalf("right password: ok %v, err %v", ok, err)
	}
	if a.Name != "beheerder" || strings.Join(a.Roles, ",") != "reviewer,approver" {
		t.Errorf("account %q roles %v, want beheerder with reviewer,approver once each", a.Name, a.Roles)
	}
	if len(a.Hash.Key) != 0 {
		t.Error("Authenticate returned the hash's key")
	}
	for _, c := range []struct{ name, pw string }{
		{"beheerder", "correct horse batterY"},
		{"beheerder", ""},
		{"niemand", "correct horse battery"},
	} {
		if _, ok, err := u.Authenticate(c.name, []byte(c.pw)); ok || err != nil {
			t.Errorf("Authenticate(%q, %q): ok %v, err %v; want refused without error", c.name, c.pw, ok, err)
		}
	}
	// The file holds a hash, never the password, and is 0600.
	b, err := os.ReadFile(u.Path())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "correct horse") || !strings.Contains(string(b), `"argon2id"`) {
		t.Errorf("users.json holds the password or no argon2id hash:\n%s", b)
	}
	fi, err := os.Stat(u.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("users.json mode %v, want 0600", fi.Mode().Perm())
	}
	if fi, err := os.Stat(filepath.Dir(u.Path())); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("console dir: %v %v, want mode 0700", fi.Mode().Perm(), err)
	}
}

// A temporary copy a killed writer left beside users.json is removed by
// the next change.
func TestUsersStaleTempRemoved(t *testing.T) {
	u := openTestUsers(t)
	if err := u.Add("els", []string{"viewer"}, []byte("wachtwoord-van-els"), false, time.Now()); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(filepath.Dir(u.Path()), ".users.json.123456")
	other := filepath.Join(filepath.Dir(u.Path()), ".users.json.bak")
	for _, p := range []string{stale, other} {
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := u.Remove("els"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("the stale temporary copy is still there")
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file not of the temporary form was removed: %v", err)
	}
}

func TestUsersSaltsDiffer(t *testing.T) {
	u := openTestUsers(t)
	now := time.Now()
	for _, n := range []string{"an", "bo"} {
		if err := u.Add(n, []string{"viewer"}, []byte("hetzelfde wachtwoord"), false, now); err != nil {
			t.Fatal(err)
		}
	}
	d, err := u.load()
	if err != nil {
		t.Fatal(err)
	}
	if string(d.Users[0].Hash.Salt) == string(d.Users[1].Hash.Salt) || string(d.Users[0].Hash.Key) == string(d.Users[1].Hash.Key) {
		t.Error("two accounts with one password share salt or key")
	}
}

func TestUsersAddRemoveList(t *testing.T) {
	u := openTestUsers(t)
	now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	if err := u.Add("els", []string{"viewer"}, []byte("wachtwoord-van-els"), false, now); err != nil {
		t.Fatal(err)
	}
	if err := u.Add("ELS", []string{"approver"}, []byte("ander-wachtwoord"), false, now); err == nil {
		t.Error("a second account differing only in case was added")
	}
	if err := u.Add("els", []string{"approver"}, []byte("ander-wachtwoord"), true, now.Add(time.Hour)); err != nil {
		t.Fatalf("replace: %v", err)
	}
	if _, ok, _ := u.Authenticate("els", []byte("wachtwoord-van-els")); ok {
		t.Error("the old password still works after replace")
	}
	list, err := u.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Roles[0] != "approver" || !list[0].Created.Equal(now) || len(list[0].Hash.Key) != 0 {
		t.Errorf("list = %+v, want els as approver since %v, no hash", list, now)
	}
	if err := u.Remove("Els"); err != nil {
		t.Fatal(err)
	}
	if err := u.Remove("els"); !errors.Is(err, ErrNoAccount) {
		t.Errorf("removing a removed account: %v, want ErrNoAccount", err)
	}
	if list, _ := u.List(); len(list) != 0 {
		t.Errorf("after remove: %v", list)
	}
}

func TestUsersRefuseBadInput(t *testing.T) {
	u := openTestUsers(t)
	now := time.Now()
	for _, c := range []struct {
		name  string
		roles []string
		pw    string
	}{
		{"", []string{"viewer"}, "lang genoeg wachtwoord"},
		{"../etc", []string{"viewer"}, "lang genoeg wachtwoord"},
		{"a b", []string{"viewer"}, "lang genoeg wachtwoord"},
		{"els", nil, "lang genoeg wachtwoord"},
		{"els", []string{"admin"}, "lang genoeg wachtwoord"},
		{"els", []string{"viewer"}, "kort"},
		{"els", []string{"viewer"}, strings.Repeat("x", 2000)},
	} {
		if err := u.Add(c.name, c.roles, []byte(c.pw), false, now); err == nil {
			t.Errorf("Add(%q, %v, %d-byte password) accepted", c.name, c.roles, len(c.pw))
		}
	}
	if _, err := os.Stat(u.Path()); err == nil {
		t.Error("refused additions wrote users.json")
	}
}

// A users.json that is cut short, garbled or forged is an error naming
// the file (and the key), never a crash, never a sign-in, never the
// file's values in the message.
func TestUsersFileForgedOrGarbled(t *testing.T) {
	good := func(t *testing.T) (*Users, string) {
		u := openTestUsers(t)
		if err := u.Add("geheimenaam", []string{"approver"}, []byte("correct horse battery"), false, time.Now()); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(u.Path())
		if err != nil {
			t.Fatal(err)
		}
		return u, string(b)
	}
	saltRe := regexp.MustCompile(`"salt": "[^"]*"`)
	for _, c := range []struct {
		name, want string
		edit       func(s string) string
	}{
		{"cut short", "ends too early", func(s string) string { return s[:len(s)/2] }},
		{"not json", "not valid JSON at line 1", func(string) string { return "geheimenaam:x\n" }},
		{"empty", "empty", func(string) string { return "\n" }},
		{"unknown key", "not part of the format", func(s string) string { return strings.Replace(s, `"roles"`, `"rollen"`, 1) }},
		{"bad role", "users[0].roles[0]: not a role", func(s string) string { return strings.Replace(s, `"approver"`, `"god"`, 1) }},
		{"bad name", "users[0].name", func(s string) string { return strings.Replace(s, `"geheimenaam"`, `"../geheimenaam"`, 1) }},
		{"md5", "users[0].password: algorithm", func(s string) string { return strings.Replace(s, `"argon2id"`, `"md5"`, 1) }},
		{"terabyte", "users[0].password: memory_kib", func(s string) string { return strings.Replace(s, `"memory_kib": 19456`, `"memory_kib": 4000000000`, 1) }},
		{"short salt", "users[0].password: salt", func(s string) string {
			return saltRe.ReplaceAllString(s, `"salt": "`+base64.StdEncoding.EncodeToString([]byte("x"))+`"`)
		}},
		{"salt not base64", "not valid JSON", func(s string) string { return saltRe.ReplaceAllString(s, `"salt": "!!!"`) }},
		{"version", "version", func(s string) string { return strings.Replace(s, `"version": 1`, `"version": 9`, 1) }},
		{"wrong type", `key "users.roles" has the wrong type`, func(s string) string {
			return strings.Replace(s, `[`+"\n"+`        "approver"`+"\n"+`      ]`, `"approver"`, 1)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, s := good(t)
			forged := c.edit(s)
			if forged == s {
				t.Fatal("the edit changed nothing")
			}
			if err := os.WriteFile(u.Path(), []byte(forged), 0o600); err != nil {
				t.Fatal(err)
			}
			_, ok, err := u.Authenticate("geheimenaam", []byte("correct horse battery"))
			if err == nil || ok {
				t.Fatalf("Authenticate on a %s users.json: ok %v, err %v", c.name, ok, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, u.Path()) || !strings.Contains(msg, c.want) {
				t.Errorf("error %q: want the file %s and %q", msg, u.Path(), c.want)
			}
			if strings.Contains(strings.ReplaceAll(msg, u.Path(), ""), "geheimenaam") {
				t.Errorf("error %q repeats the account name", msg)
			}
			if _, err := u.List(); err == nil {
				t.Error("List read the bad file")
			}
			if err := u.Add("nieuw", []string{"viewer"}, []byte("correct horse battery"), false, time.Now()); err == nil {
				t.Error("Add wrote over the bad file")
			}
			if b, _ := os.ReadFile(u.Path()); string(b) != forged {
				t.Error("the bad file was changed")
			}
		})
	}
}

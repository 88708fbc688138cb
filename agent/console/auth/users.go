package auth

import (
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/holds/statefile"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/config"
)

// Local accounts live in STATE_DIR/console/users.json, mode 0600, written
// atomically under a lock beside it (package statefile). The file holds
// names, roles and argon2id hashes; never a password. The console reads
// it at every sign-in, so `retentiond console user add` takes effect
// without a restart.

// usersVersion is the format version of users.json.
const usersVersion = 1

// UsersFile returns the path of the local accounts file under stateDir.
func UsersFile(stateDir string) string {
	return filepath.Join(stateDir, "console", "users.json")
}

// Account is a local account.
type Account struct {
	Name    string    `json:"name"`
	Roles   []string  `json:"roles"`
	Hash    Hash      `json:"password"`
	Created time.Time `json:"created"`
	// Seal is the keyed MAC (pseudonym key) of everything above, when
	// the config has a pseudonym_key_file: an account written or changed
	// by anyone without the key (a hand-edited or forged users.json,
	// giving someone the approver role) is refused.
	Seal string `json:"seal,omitempty"`
}

// sealDomain separates the accounts' seals from every other keyed value.
const sealDomain = "console-account"

// seal is the keyed MAC of a's name, roles, hash and creation time.
func (a Account) seal(k *pseudonym.Keyed) string {
	h, _ := json.Marshal(a.Hash)
	return k.Of(sealDomain, strings.Join([]string{a.Name, strings.Join(a.Roles, ","), string(h), a.Created.UTC().Format(time.RFC3339)}, "\x00"))
}

type usersDoc struct {
	Version int       `json:"version"`
	Users   []Account `json:"users"`
}

// Users is the local accounts file of a state dir.
type Users struct {
	path string
	key  *pseudonym.Keyed // nil: accounts are not sealed
}

// ErrNoAccount is returned (wrapped) when an account to change does not
// exist.
var ErrNoAccount = errors.New("no such account")

// nameRe is what an account name may be: a letter or digit, then up to
// 63 letters, digits, dots, dashes, underscores or @.
var nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// OpenUsers returns the local accounts of stateDir, which must exist. The
// file itself may not exist yet (no accounts).
func OpenUsers(stateDir string) (*Users, error) {
	if err := statefile.CheckDir(stateDir); err != nil {
		return nil, err
	}
	return &Users{path: UsersFile(stateDir)}, nil
}

// OpenUsersFor returns the local accounts of cfg's state dir, sealed
// with cfg's pseudonym key when it names one (every deployment that can
// apply does): use it wherever a config is at hand.
func OpenUsersFor(cfg *config.Config) (*Users, error) {
	return OpenUsersKeyed(cfg.StateDir, cfg.PseudonymKeyFile)
}

// OpenUsersKeyed is OpenUsers with the accounts sealed with the
// pseudonym key in keyFile ("" for none).
func OpenUsersKeyed(stateDir, keyFile string) (*Users, error) {
	u, err := OpenUsers(stateDir)
	if err != nil || keyFile == "" {
		return u, err
	}
	key, err := keys.LoadPseudonymKey(keyFile)
	if err != nil {
		return nil, err
	}
	if u.key, err = pseudonym.New(key); err != nil {
		return nil, err
	}
	return u, nil
}

// Path is the file's path.
func (u *Users) Path() string { return u.path }

// CheckName says what is wrong with an account name, or nil.
func CheckName(name string) error {
	if !nameRe.MatchString(name) {
		return errors.New("an account name is 1 to 64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit")
	}
	return nil
}

// normRoles checks roles against the console's roles and returns them
// without duplicates, in the order of config.Roles.
func normRoles(roles []string) ([]string, error) {
	if len(roles) == 0 {
		return nil, errors.New("no role given: give at least one of " + strings.Join(config.Roles, ", "))
	}
	for _, r := range roles {
		if !slices.Contains(config.Roles, r) {
			return nil, fmt.Errorf("%q is not a role: use %s", r, strings.Join(config.Roles, ", "))
		}
	}
	var out []string
	for _, r := range config.Roles {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// decode reads users.json's content. Errors name the file and the
// position or key, never a value (a name, a hash).
func (u *Users) decode(b []byte) (*usersDoc, error) {
	var d usersDoc
	if b == nil {
		return &usersDoc{Version: usersVersion}, nil
	}
	if err := statefile.Decode(b, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", u.path, err)
	}
	if d.Version != usersVersion {
		return nil, fmt.Errorf("%s: version is not %d (written by another retentiond?)", u.path, usersVersion)
	}
	seen := map[string]bool{}
	for i, a := range d.Users {
		at := fmt.Sprintf("%s: users[%d]", u.path, i)
		if CheckName(a.Name) != nil {
			return nil, fmt.Errorf("%s.name: not a valid account name (edited by hand?)", at)
		}
		if seen[strings.ToLower(a.Name)] {
			return nil, fmt.Errorf("%s.name: the same name as an earlier account (edited by hand?)", at)
		}
		seen[strings.ToLower(a.Name)] = true
		if len(a.Roles) == 0 {
			return nil, fmt.Errorf("%s.roles: empty", at)
		}
		for j, r := range a.Roles {
			if !slices.Contains(config.Roles, r) {
				return nil, fmt.Errorf("%s.roles[%d]: not a role", at, j)
			}
		}
		if err := a.Hash.valid(); err != nil {
			return nil, fmt.Errorf("%s.password: %v", at, err)
		}
		if u.key != nil && !hmac.Equal([]byte(a.Seal), []byte(a.seal(u.key))) {
			return nil, fmt.Errorf("%s.seal: does not match the account (written or changed without the pseudonym key?): remove it and add it again with `retentiond console user add`", at)
		}
	}
	return &d, nil
}

func (u *Users) load() (*usersDoc, error) {
	b, err := statefile.Read(u.path)
	if err != nil {
		return nil, err
	}
	return u.decode(b)
}

// update changes the file under its lock. A temporary copy an earlier
// writer left when it was killed (names and hashes) is removed first.
func (u *Users) update(fn func(d *usersDoc) error) error {
	if err := os.MkdirAll(filepath.Dir(u.path), 0o700); err != nil {
		return err
	}
	if _, err := statefile.SweepTemps(u.path); err != nil {
		return err
	}
	return statefile.Update(u.path, func(cur []byte) ([]byte, error) {
		d, err := u.decode(cur)
		if err != nil {
			return nil, err
		}
		if err := fn(d); err != nil {
			return nil, err
		}
		slices.SortFunc(d.Users, func(a, b Account) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
		for i := range d.Users {
			d.Users[i].Seal = ""
			if u.key != nil {
				d.Users[i].Seal = d.Users[i].seal(u.key)
			}
		}
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	})
}

// find returns the index of name (compared case-insensitively), or -1.
func (d *usersDoc) find(name string) int {
	return slices.IndexFunc(d.Users, func(a Account) bool { return strings.EqualFold(a.Name, name) })
}

// Add adds an account with roles and a password (argon2id-hashed here).
// An existing account of that name (in any case) is an error unless
// replace is set; then its roles and password are replaced.
func (u *Users) Add(name string, roles []string, password []byte, replace bool, now time.Time) error {
	if err := CheckName(name); err != nil {
		return err
	}
	roles, err := normRoles(roles)
	if err != nil {
		return err
	}
	if err := CheckPassword(password); err != nil {
		return err
	}
	h, err := NewHash(password)
	if err != nil {
		return err
	}
	return u.update(func(d *usersDoc) error {
		a := Account{Name: name, Roles: roles, Hash: h, Created: now.UTC().Truncate(time.Second)}
		i := d.find(name)
		switch {
		case i < 0:
			d.Users = append(d.Users, a)
		case !replace:
			return errors.New("an account of that name exists: remove it first, or give --replace to set its roles and password")
		default:
			a.Created = d.Users[i].Created
			d.Users[i] = a
		}
		return nil
	})
}

// Remove removes the account name.
func (u *Users) Remove(name string) error {
	return u.update(func(d *usersDoc) error {
		i := d.find(name)
		if i < 0 {
			return ErrNoAccount
		}
		d.Users = slices.Delete(d.Users, i, i+1)
		return nil
	})
}

// List returns the accounts sorted by name, without their hashes.
func (u *Users) List() ([]Account, error) {
	d, err := u.load()
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(d.Users))
	for i, a := range d.Users {
		a.Hash = Hash{}
		out[i] = a
	}
	return out, nil
}

// Authenticate returns the account (of its hash only the salt) if name
// and password match one. A
// wrong name and a wrong password take the same time and give the same
// answer (ok false, no error); err is for an unreadable or invalid file.
func (u *Users) Authenticate(name string, password []byte) (a Account, ok bool, err error) {
	d, err := u.load()
	if err != nil {
		return Account{}, false, err
	}
	i := d.find(name)
	if i < 0 || CheckName(name) != nil {
		dummyHash().Matches(password)
		return Account{}, false, nil
	}
	a = d.Users[i]
	if !a.Hash.Matches(password) {
		return Account{}, false, nil
	}
	a.Hash = Hash{Salt: a.Hash.Salt}
	return a, true, nil
}

// Lookup returns the account name (compared case-insensitively) and
// whether it exists. Of its hash only the salt is kept: a new password
// has a new salt, which ends the sessions signed in with the old one.
func (u *Users) Lookup(name string) (Account, bool, error) {
	d, err := u.load()
	if err != nil {
		return Account{}, false, err
	}
	i := d.find(name)
	if i < 0 {
		return Account{}, false, nil
	}
	a := d.Users[i]
	a.Hash = Hash{Salt: a.Hash.Salt}
	return a, true, nil
}

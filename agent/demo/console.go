package demo

import (
	"crypto/rand"
	"fmt"
	"os"
	"time"

	"github.com/retentiond/retentiond/agent/console/auth"
	cfgpkg "github.com/retentiond/retentiond/config"
)

// ConsoleAccount is the name of the demo's local console account.
const ConsoleAccount = "beheerder"

// ConsoleURL is where `retentiond run` serves the demo's console (its
// config leaves console: at the defaults).
func ConsoleURL() string { return "http://" + cfgpkg.DefaultConsoleListen + "/" }

// ConsoleRoles are the demo account's roles: it may do everything the
// console offers (a viewer's rights come with any role).
var ConsoleRoles = []string{cfgpkg.RoleReviewer, cfgpkg.RoleApprover, cfgpkg.RolePrivacyOfficer}

// passwordAlphabet leaves out characters that are easily mistaken for
// one another (0/O, 1/l/I).
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// AddConsoleAccount gives the demo in stateDir a local console account,
// ConsoleAccount with ConsoleRoles, under a new random password, and
// returns the password: print it once (the account is sealed with the
// pseudonym key in pseudonymKeyFile, as the console checks it), since only its hash is kept. An
// account left by an earlier demo is replaced.
func AddConsoleAccount(stateDir, pseudonymKeyFile string, now time.Time) (password string, err error) {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	users, err := auth.OpenUsersKeyed(stateDir, pseudonymKeyFile)
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	password = randomPassword(16)
	if err := users.Add(ConsoleAccount, ConsoleRoles, []byte(password), true, now); err != nil {
		return "", fmt.Errorf("demo: console account: %w", err)
	}
	return password, nil
}

// randomPassword returns n characters of passwordAlphabet, uniformly.
func randomPassword(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = passwordAlphabet[randIndex(len(passwordAlphabet))]
	}
	return string(b)
}

// randIndex returns a uniform random number below n (n < 256), by
// rejection so that no character is likelier than another.
func randIndex(n int) int {
	limit := 256 - 256%n
	var c [1]byte
	for {
		if _, err := rand.Read(c[:]); err != nil {
			panic("demo: no randomness: " + err.Error())
		}
		if int(c[0]) < limit {
			return int(c[0]) % n
		}
	}
}

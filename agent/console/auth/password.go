package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for new passwords: OWASP's recommendation for
// argon2id (19 MiB, two passes, one thread), which a small office server
// affords per sign-in. Each hash stores its own parameters, so raising
// them later leaves existing passwords working.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordLen is the shortest password a local account accepts.
const MinPasswordLen = 10

// maxPasswordLen bounds what is hashed (a megabyte password would only
// cost the server time).
const maxPasswordLen = 1024

// Hash is a password's argon2id hash with the parameters it was made with.
type Hash struct {
	Algorithm string `json:"algorithm"` // "argon2id"
	Time      uint32 `json:"time"`
	Memory    uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"` // base64 in JSON
	Key       []byte `json:"key"`
}

// CheckPassword says what is wrong with a new password, or nil.
func CheckPassword(pw []byte) error {
	switch {
	case !utf8.Valid(pw):
		return errors.New("the password is not valid UTF-8 text")
	case utf8.RuneCount(pw) < MinPasswordLen:
		return fmt.Errorf("the password is shorter than %d characters", MinPasswordLen)
	case len(pw) > maxPasswordLen:
		return fmt.Errorf("the password is longer than %d bytes", maxPasswordLen)
	}
	return nil
}

// NewHash hashes pw with argon2id and a random salt.
func NewHash(pw []byte) (Hash, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return Hash{}, err
	}
	return Hash{
		Algorithm: "argon2id",
		Time:      argonTime,
		Memory:    argonMemory,
		Threads:   argonThreads,
		Salt:      salt,
		Key:       argon2.IDKey(pw, salt, argonTime, argonMemory, argonThreads, argonKeyLen),
	}, nil
}

// valid reports whether h's parameters are ones this package makes or
// could reasonably read (a users.json edited to ask for a terabyte of
// memory is refused, not obeyed).
func (h Hash) valid() error {
	switch {
	case h.Algorithm != "argon2id":
		return errors.New("algorithm is not argon2id")
	case h.Time < 1 || h.Time > 16:
		return errors.New("time is not between 1 and 16")
	case h.Memory < 8*1024 || h.Memory > 1024*1024:
		return errors.New("memory_kib is not between 8192 and 1048576")
	case h.Threads < 1 || h.Threads > 16:
		return errors.New("threads is not between 1 and 16")
	case len(h.Salt) < 16 || len(h.Salt) > 64:
		return errors.New("salt is not 16 to 64 bytes")
	case len(h.Key) < 16 || len(h.Key) > 64:
		return errors.New("key is not 16 to 64 bytes")
	}
	return nil
}

// Matches reports whether pw is the password h was made from, comparing
// in constant time. An invalid hash matches nothing.
func (h Hash) Matches(pw []byte) bool {
	if h.valid() != nil || len(pw) > maxPasswordLen {
		return false
	}
	k := argon2.IDKey(pw, h.Salt, h.Time, h.Memory, h.Threads, uint32(len(h.Key)))
	return subtle.ConstantTimeCompare(k, h.Key) == 1
}

// dummyHash is checked against when the name is unknown, so that a wrong
// name costs as much time as a wrong password.
// It is made on first use, not at start-up.
var dummyHash = sync.OnceValue(func() Hash {
	h, err := NewHash([]byte("no account has this password"))
	if err != nil {
		// Without randomness the salt is all zeros; the hash still
		// costs the same to check and no account uses it.
		h = Hash{Algorithm: "argon2id", Time: argonTime, Memory: argonMemory, Threads: argonThreads, Salt: make([]byte, argonSaltLen)}
		h.Key = argon2.IDKey([]byte("no account has this password"), h.Salt, h.Time, h.Memory, h.Threads, argonKeyLen)
	}
	return h
})

package config

import (
	"fmt"
	"net"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Redis is the server the daemon's replicas share their job locks on
// (daemon.redis).
type Redis struct {
	Address string `yaml:"address"` // host:port
	// Username is the ACL user (Redis 6 and later); "" is the default
	// user.
	Username     string `yaml:"username"`
	PasswordFile string `yaml:"password_file"` // absolute after Load; "" for none
	DB           int    `yaml:"db"`
	// KeyPrefix starts every lock key. Load sets it, when the file does
	// not, to DefaultKeyPrefix of the organisation, so that organisations
	// sharing a Redis never share a lock.
	KeyPrefix string `yaml:"key_prefix"`
	// TLS, when present (tls: {} at least), makes the daemon speak TLS to
	// Redis; nil means plain TCP.
	TLS *RedisTLS `yaml:"tls"`
}

// RedisTLS is daemon.redis.tls: the server's certificate is checked
// against the system's roots plus CAFile, for ServerName.
type RedisTLS struct {
	CAFile     string `yaml:"ca_file"`     // absolute after Load; extra CAs to trust
	ServerName string `yaml:"server_name"` // "" means the address's host
	CertFile   string `yaml:"cert_file"`   // absolute after Load; client certificate
	KeyFile    string `yaml:"key_file"`    // absolute after Load; its key
}

// DefaultKeyPrefix is the lock key prefix of an organisation:
// "retentiond:" and a slug of its name ("Kinderopvang 't Zonnetje" gives
// "retentiond:kinderopvang-t-zonnetje:"). It is "" when the name has no
// letters or digits to make a slug of.
func DefaultKeyPrefix(organisation string) string {
	s := Slug(organisation)
	if s == "" {
		return ""
	}
	return "retentiond:" + s + ":"
}

// Slug is name in lower case with accents removed, every run of other
// characters than a-z and 0-9 made one '-', and no '-' at either end.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// an accent of the letter before it
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}

// maxKeyPrefix bounds daemon.redis.key_prefix.
const maxKeyPrefix = 100

// redis checks daemon.redis.
func (k checker) redis() {
	r := k.c.Daemon.Redis
	if r == nil {
		return
	}
	if _, port, err := net.SplitHostPort(r.Address); err != nil || !validPort(port) {
		k.add("daemon.redis.address", fmt.Sprintf("%q is not a host:port address", r.Address), "write the Redis server's address, such as 127.0.0.1:6379")
	}
	if strings.ContainsFunc(r.Username, unicode.IsSpace) {
		k.add("daemon.redis.username", "holds white space", "write the ACL user's name as Redis knows it, such as retentiond-zonnetje")
	}
	if r.DB < 0 {
		k.add("daemon.redis.db", fmt.Sprintf("%d is out of range", r.DB), "give the database number, 0 or more (0 is the default)")
	}
	const fixPrefix = "write a prefix such as retentiond:zonnetje: (its own per organisation on a shared Redis), or leave key_prefix out for retentiond: and a slug of organisation"
	switch p := r.KeyPrefix; {
	case !k.has("daemon.redis.key_prefix") && p == "":
		k.missing("daemon.redis", "key_prefix", "cannot be made from organisation, which has no letters or digits", fixPrefix)
	case p == "":
		k.add("daemon.redis.key_prefix", "is empty", fixPrefix)
	case strings.ContainsFunc(p, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }):
		k.add("daemon.redis.key_prefix", "holds white space or control characters", fixPrefix)
	case len(p) > maxKeyPrefix:
		k.add("daemon.redis.key_prefix", fmt.Sprintf("is longer than %d bytes", maxKeyPrefix), fixPrefix)
	}
	if t := r.TLS; t != nil && (t.CertFile == "") != (t.KeyFile == "") {
		key := "daemon.redis.tls.cert_file"
		if t.CertFile == "" {
			key = "daemon.redis.tls.key_file"
		}
		k.add(key, "cert_file and key_file go together", "give both, for a Redis that asks for a client certificate, or neither")
	}
}

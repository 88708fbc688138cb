package redislock

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// ClientConfig is how the daemon reaches its Redis (the config's
// daemon.redis section).
type ClientConfig struct {
	// Address is host:port.
	Address string
	// Username is the ACL user (Redis 6 and later); "" logs in as the
	// default user (with Password alone, as AUTH password).
	Username string
	Password string
	DB       int
	// TLS, when set, speaks TLS to the server; nil means plain TCP.
	TLS *TLSConfig
}

// TLSConfig is daemon.redis.tls. The server's certificate is checked
// against the system's roots plus CAFile, for ServerName.
type TLSConfig struct {
	// CAFile is a PEM bundle of CAs trusted besides the system's, such as
	// a private CA that signed the Redis server's certificate.
	CAFile string
	// ServerName is the name the server's certificate must carry;
	// "" means the host of Address.
	ServerName string
	// CertFile and KeyFile are a client certificate and its key in PEM,
	// for a server that asks for one (tls-auth-clients yes, the
	// default of a self-managed Redis with TLS).
	CertFile, KeyFile string
}

// ConfigError is a setting of ClientConfig that cannot be used, such as a
// CA file that cannot be read. Key is the setting as the config names it
// under daemon.redis (tls.ca_file, tls.cert_file, address).
type ConfigError struct {
	Key string
	Err error
}

func (e *ConfigError) Error() string { return e.Key + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Timeouts of a client: a lock that cannot be taken in a few seconds is a
// lock error, not a wait through the night.
const (
	dialTimeout = 5 * time.Second
	ioTimeout   = 3 * time.Second
)

// NewClient returns a client for c. It reads the TLS files at once, so a
// missing or bad file is an error at start-up that names the setting
// (tls.ca_file, tls.cert_file). It does not connect.
func NewClient(c ClientConfig) (*redis.Client, error) {
	o := &redis.Options{
		Addr: c.Address, Username: c.Username, Password: c.Password, DB: c.DB,
		DialTimeout: dialTimeout, ReadTimeout: ioTimeout, WriteTimeout: ioTimeout,
		// One try per operation: redsync and the next firing retry.
		MaxRetries: -1,
		// Redis before 8 does not know the handshake and go-redis would
		// log its fallback on every connection.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
	if c.TLS != nil {
		tc, err := tlsConfig(c.Address, c.TLS)
		if err != nil {
			return nil, err
		}
		o.TLSConfig = tc
	}
	return redis.NewClient(o), nil
}

func tlsConfig(addr string, t *TLSConfig) (*tls.Config, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if t.CAFile != "" {
		b, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, &ConfigError{"tls.ca_file", err}
		}
		if !roots.AppendCertsFromPEM(b) {
			return nil, &ConfigError{"tls.ca_file", fmt.Errorf("%s: no PEM certificate in it", t.CAFile)}
		}
	}
	name := t.ServerName
	if name == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, &ConfigError{"address", err}
		}
		name = host
	}
	tc := &tls.Config{RootCAs: roots, ServerName: name, MinVersion: tls.VersionTLS12}
	if (t.CertFile == "") != (t.KeyFile == "") {
		return nil, &ConfigError{"tls.cert_file", errors.New("tls.cert_file and tls.key_file go together")}
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, &ConfigError{"tls.cert_file", err}
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

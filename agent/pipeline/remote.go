package pipeline

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/scanners"
)

// Opener opens a store of a type whose SDK is too heavy for every
// package to link (onedrive, s3). stateDir is the store's own folder in
// the state dir (mode 0700), for delta tokens and indexes.
type Opener func(ctx context.Context, sc config.Store, stateDir string) (scanners.Store, error)

var (
	openersMu sync.RWMutex
	openers   = map[string]Opener{}
)

// Register makes stores of type typ available. Packages that wrap a
// remote store register it in init, and the commands import them, so
// that tests of other packages do not compile the Graph or AWS SDK.
func Register(typ string, open Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	openers[typ] = open
}

func opener(typ string) Opener {
	openersMu.RLock()
	defer openersMu.RUnlock()
	return openers[typ]
}

// StoreStateDir is the folder a store keeps its own state in, created
// with mode 0700: its name is the store's, which config limits to
// lower-case letters, digits and -.
func StoreStateDir(cfg *config.Config, store string) (string, error) {
	dir := filepath.Join(cfg.StateDir, "stores", store)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("state dir of store %s: %w", store, err)
	}
	return dir, nil
}

// ReadSecret reads a credential from a file or an environment variable,
// as a store's config names them (key is the config key, for errors).
// A file that others may read is refused, as key files are. Neither the
// value nor the file's content ever appears in an error.
func ReadSecret(key, file, env string) (string, error) {
	if env != "" {
		v := strings.TrimSpace(os.Getenv(env))
		if v == "" {
			return "", fmt.Errorf("%s: the environment variable %s is empty or not set; fix: set it in the service's environment file", key, env)
		}
		return v, nil
	}
	b, err := ReadSecretFile(key, file)
	return strings.TrimSpace(string(b)), err
}

// ReadSecretFile reads a secret file (a client secret, a certificate
// with its key), refusing one that group or others may read.
func ReadSecretFile(key, file string) ([]byte, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: %s may be read by others (mode %04o); fix: chmod 600 it", key, file, fi.Mode().Perm())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil, fmt.Errorf("%s: %s is empty", key, file)
	}
	return b, nil
}

// CATransport returns an HTTP transport that trusts only the authorities
// in caFile (PEM), or nil when caFile is empty (the SDK's default).
func CATransport(caFile string) (http.RoundTripper, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file: %s holds no PEM certificate; fix: give the CA certificate in PEM form", caFile)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return t, nil
}

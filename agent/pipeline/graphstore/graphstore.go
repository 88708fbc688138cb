// Package graphstore makes `type: onedrive` stores available to the
// pipeline. It is a package of its own so that only the programs that
// import it (the retentiond command) compile the Graph SDK: import it for
// its side effect.
//
//	import _ "github.com/retentiond/retentiond/agent/pipeline/graphstore"
package graphstore

import (
	"context"
	"os"

	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/onedrive"
)

func init() {
	pipeline.Register(config.TypeOneDrive, Open)
}

// Open opens a onedrive store as the config describes it: the secret or
// certificate is read from its file or environment variable now, and
// the drive is looked up (one request) so that a wrong id or a missing
// permission shows before a scan.
func Open(ctx context.Context, sc config.Store, stateDir string) (scanners.Store, error) {
	cfg, err := Config(sc, stateDir)
	if err != nil {
		return nil, err
	}
	return onedrive.Open(ctx, cfg)
}

// Config turns a store's config into the onedrive store's, reading its
// credential.
func Config(sc config.Store, stateDir string) (onedrive.Config, error) {
	cfg := onedrive.Config{
		TenantID: sc.TenantID, ClientID: sc.ClientID,
		DriveID: sc.DriveID, User: sc.User, Site: sc.Site, Library: sc.Library,
		Endpoint: sc.Endpoint, AuthorityHost: sc.AuthorityHost,
		PermanentDelete: sc.PermanentDelete, RequestsPerMinute: sc.RequestsPerMinute,
		StateDir: stateDir,
	}
	var err error
	if sc.ClientCertificateFile != "" {
		if cfg.Certificate, err = pipeline.ReadSecretFile("client_certificate_file", sc.ClientCertificateFile); err != nil {
			return cfg, err
		}
		if sc.ClientCertificatePasswordEnv != "" {
			cfg.CertificatePassword = os.Getenv(sc.ClientCertificatePasswordEnv)
		}
	} else {
		key := "client_secret_file"
		if sc.ClientSecretEnv != "" {
			key = "client_secret_env"
		}
		if cfg.ClientSecret, err = pipeline.ReadSecret(key, sc.ClientSecretFile, sc.ClientSecretEnv); err != nil {
			return cfg, err
		}
	}
	if cfg.Transport, err = pipeline.CATransport(sc.CAFile); err != nil {
		return cfg, err
	}
	return cfg, nil
}

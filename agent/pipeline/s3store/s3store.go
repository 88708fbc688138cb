// Package s3store makes `type: s3` stores available to the pipeline. It
// is a package of its own so that only the programs that import it (the
// retentiond command) compile the AWS SDK: import it for its side effect.
//
//	import _ "github.com/retentiond/retentiond/agent/pipeline/s3store"
package s3store

import (
	"context"

	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/s3"
)

func init() {
	pipeline.Register(config.TypeS3, Open)
}

// Open opens an s3 store as the config describes it; the secret key is
// read from its file or environment variable now, and the bucket is
// checked (one request).
func Open(ctx context.Context, sc config.Store, _ string) (scanners.Store, error) {
	cfg, err := Config(sc)
	if err != nil {
		return nil, err
	}
	return s3.Open(ctx, cfg)
}

// Config turns a store's config into the s3 store's, reading its secret.
func Config(sc config.Store) (s3.Config, error) {
	cfg := s3.Config{Bucket: sc.Bucket, Prefix: sc.Prefix, Region: sc.Region, Endpoint: sc.Endpoint,
		PathStyle: sc.PathStyle, Profile: sc.AWSProfile, AccessKeyID: sc.AccessKeyID}
	var err error
	if sc.AccessKeyID != "" {
		key := "secret_access_key_file"
		if sc.SecretAccessKeyEnv != "" {
			key = "secret_access_key_env"
		}
		if cfg.SecretAccessKey, err = pipeline.ReadSecret(key, sc.SecretAccessKeyFile, sc.SecretAccessKeyEnv); err != nil {
			return cfg, err
		}
	}
	if cfg.Transport, err = pipeline.CATransport(sc.CAFile); err != nil {
		return cfg, err
	}
	return cfg, nil
}

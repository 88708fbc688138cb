package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/ledger/lockcopy"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/config"
)

// ledgerCopier opens the config's ledger_copy bucket; nil when the
// config has none.
func ledgerCopier(ctx context.Context, cfg *config.Config) (*lockcopy.Copier, error) {
	l := cfg.LedgerCopy
	if l == nil {
		return nil, nil
	}
	lc := lockcopy.Config{Bucket: l.Bucket, Prefix: l.Prefix, Region: l.Region, Endpoint: l.Endpoint, PathStyle: l.PathStyle,
		RetainDays: l.RetainDays, CAFile: l.CAFile, Profile: l.AWSProfile, AccessKeyID: l.AccessKeyID}
	if lc.RetainDays == 0 {
		lc.RetainDays = lockcopy.DefaultRetainDays
	}
	if l.AccessKeyID != "" {
		key := "ledger_copy.secret_access_key_file"
		if l.SecretAccessKeyEnv != "" {
			key = "ledger_copy.secret_access_key_env"
		}
		s, err := pipeline.ReadSecret(key, l.SecretAccessKeyFile, l.SecretAccessKeyEnv)
		if err != nil {
			return nil, err
		}
		lc.SecretAccessKey = s
	}
	c, err := lockcopy.Open(ctx, lc)
	if err != nil {
		return nil, fmt.Errorf("ledger_copy: %w", err)
	}
	return c, nil
}

// copyLedger ships the ledger's new lines and latest checkpoint to the
// Object Lock bucket, if the config names one. A failure is returned:
// the deletions stand (they are in the local ledger), and the next run
// copies what this one could not.
func copyLedger(ctx context.Context, cfg *config.Config, w io.Writer) error {
	c, err := ledgerCopier(ctx, cfg)
	if err != nil || c == nil {
		return err
	}
	up, err := c.Upload(ctx, filepath.Join(cfg.StateDir, "ledger"))
	if err != nil {
		return fmt.Errorf("copying the ledger to the Object Lock bucket: %w", err)
	}
	fmt.Fprintf(w, "Ledger copied to bucket %s: %d new line(s), %d in all, checkpoint of size %d (compliance lock)\n",
		cfg.LedgerCopy.Bucket, up.Lines, up.Copied, up.Checkpoint)
	return nil
}

// verifyCopies checks the local ledger against its copies in the Object
// Lock bucket.
func verifyCopies(ctx context.Context, cfg *config.Config, dir string, v note.Verifier, w io.Writer) error {
	c, err := ledgerCopier(ctx, cfg)
	if err != nil {
		return err
	}
	if c == nil {
		return fmt.Errorf("%s sets no ledger_copy: there are no copies to check against", cfg.Path)
	}
	rep, err := c.Verify(ctx, dir, v)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, rep.String())
	if err := rep.Err(); err != nil {
		return fmt.Errorf("the ledger DIFFERS from its Object Lock copies: %w", err)
	}
	return nil
}

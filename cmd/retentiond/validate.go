package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/retentiond/retentiond/agent/notify"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/config"
)

// runValidate checks a config, its policy overrides, its layouts and its
// registries, without listing any store.
func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", stderr)
	path := fs.String("config", "", "config file (required)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *path == "" {
		return usageErr("--config is required")
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	pol, err := pipeline.Policy(cfg)
	if err != nil {
		return configErr(err)
	}
	// What `run` refuses at start-up, validate refuses too: auto_apply
	// rules the policy lacks, and notify files (CA, secrets) that cannot
	// be read. config.Load already checked the notify settings themselves.
	for i, id := range cfg.Daemon.AutoApply {
		if _, ok := pol.Rule(id); !ok {
			return &exitError{code: 2, err: fmt.Errorf("%s:%d: daemon.auto_apply[%d]: the policy has no rule %s", cfg.Path, cfg.Line("daemon.auto_apply"), i, id)}
		}
	}
	if nc, ok := cfg.Notify.NotifyConfig(); ok {
		if _, err := notify.New(nc); err != nil {
			return &exitError{code: 2, err: fmt.Errorf("%s: notify: %w", cfg.Path, err)}
		}
	}
	stores, err := pipeline.Stores(ctx, cfg)
	if err != nil {
		return configErr(err)
	}
	_, n, err := pipeline.Subjects(cfg)
	if err != nil {
		return fmt.Errorf("registries:\n%w", err)
	}
	for _, s := range stores {
		if s.OpenErr != nil {
			return &exitError{code: 2, err: fmt.Errorf("store %s: %v", s.Name, s.OpenErr)}
		}
	}
	fmt.Fprintf(stdout, "%s: OK — policy %s with %d override(s), %d registries (%d people), %d stores\n",
		*path, pol.Name(), len(cfg.Overrides), len(cfg.Registries), n, len(cfg.Stores))
	return nil
}

// configErr marks an error of the config's policy, stores or registries
// settings as a usage error (exit 2).
func configErr(err error) error {
	if errors.Is(err, pipeline.ErrConfig) {
		return &exitError{code: 2, err: err}
	}
	return err
}

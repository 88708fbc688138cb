package main

import (
	"context"
	"fmt"
	"io"
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
	svc, err := loadService(*path, stdout, stderr)
	if err != nil {
		return err
	}
	v, err := svc.Validate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: OK — policy %s with %d override(s), %d registries (%d people), %d stores\n",
		*path, v.Policy, v.Overrides, v.Registries, v.People, v.Stores)
	return nil
}

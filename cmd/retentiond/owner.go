package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/retentiond/retentiond/agent/statefs"
	"github.com/retentiond/retentiond/config"
)

// keepStateOwner gives what a command run as root wrote to the state dir
// to the state dir's owner and group (statefs.KeepOwner): under the
// shipped unit the service runs as its own user and must read the
// approvals, holds, requests, plans and ledger an administrator wrote as
// root. The daemon itself (run) is left out: it writes as its owner.
func keepStateOwner(command string, args []string, stderr io.Writer) {
	if os.Geteuid() != 0 || command == "run" {
		return
	}
	path := configFlag(args)
	if path == "" {
		return
	}
	cfg, err := config.Load(path)
	if err != nil {
		return // the command said so already
	}
	if _, err := statefs.KeepOwner(cfg.StateDir); err != nil {
		fmt.Fprintf(stderr, "retentiond %s: %v\n", command, err)
	}
}

// configFlag returns the value of a --config flag in args, as the flag
// package reads it (-config or --config, with = or as the next
// argument), or "".
func configFlag(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

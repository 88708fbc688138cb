package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"golang.org/x/mod/module"
)

// version is the release's version, set by the release build with
// -ldflags "-X main.version=v1.2.3"; "dev" otherwise.
var version = "dev"

// runVersion is `retentiond version` (and `retentiond --version`).
func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parse(newFlags("version", stderr), args, false); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionLine(version, info))
	return nil
}

// versionLine says the version, the VCS revision the binary was built
// from (with ", modified" if the tree had uncommitted changes) and the
// Go version, as the Go toolchain stamped them in info (nil: none). A
// version of "dev" gives way to a release's version the toolchain
// stamped (go install …@v1.2.3, or a build at a tag), not to the
// pseudo-version it makes up for an untagged commit (the revision says
// that one).
func versionLine(v string, info *debug.BuildInfo) string {
	if info == nil {
		return fmt.Sprintf("retentiond %s (revision unknown)", v)
	}
	if mv := info.Main.Version; v == "dev" && mv != "" && mv != "(devel)" && !module.IsPseudoVersion(strings.TrimSuffix(mv, "+dirty")) {
		v = mv
	}
	rev, modified := "unknown", ""
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && s.Value != "":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			modified = ", modified"
		}
	}
	return fmt.Sprintf("retentiond %s (revision %s%s; %s)", v, rev, modified, info.GoVersion)
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/retentiond/retentiond/agent/console/auth"
	"github.com/retentiond/retentiond/config"
)

// consoleStdin is where `console user add --password-stdin` reads the
// password (a variable for tests).
var consoleStdin io.Reader = os.Stdin

// runConsole is `retentiond console user add|list|remove`: the console's
// local accounts, for a machine without an identity provider. The logic
// is in package agent/console/auth; this parses flags and prints.
func runConsole(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if _, err := pickSubcommand("console", args); err != nil {
		return err
	}
	args = args[1:]
	sub, err := pickSubcommand("console user", args)
	if err != nil {
		return err
	}
	args = args[1:]
	fs := newFlags("console user "+sub, stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	var roles roleFlags
	var pwStdin, replace *bool
	switch sub {
	case "add":
		fs.Var(&roles, "role", "a role: viewer, reviewer, approver or privacy-officer (repeat for more)")
		pwStdin = fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of the terminal")
		replace = fs.Bool("replace", false, "if the account exists, set its roles and password anew")
	}
	// NAME may come before the flags (console user add NAME --role …)
	// or after them.
	var name string
	if sub != "list" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := parse(fs, args, sub != "list" && name == ""); err != nil {
		return err
	}
	if sub != "list" {
		if name == "" {
			if fs.NArg() != 1 {
				return usageErr("console user %s needs one account NAME", sub)
			}
			name = fs.Arg(0)
		}
		if err := auth.CheckName(name); err != nil {
			return usageErr("%v", err)
		}
	}
	if *cfgPath == "" {
		return usageErr("--config is required")
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if sub == "add" {
		if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
			return err
		}
	}
	users, err := auth.OpenUsersFor(cfg)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		list, err := users.List()
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, "no local accounts (add one with `retentiond console user add NAME --role ROLE --config F`)")
		}
		for _, a := range list {
			fmt.Fprintf(stdout, "%s\t%s\tsince %s\n", a.Name, strings.Join(a.Roles, ","), a.Created.Format(time.DateOnly))
		}
		return nil
	case "remove":
		if err := users.Remove(name); err != nil {
			if errors.Is(err, auth.ErrNoAccount) {
				return &exitError{code: 2, err: fmt.Errorf("%s has no account %s (see `retentiond console user list`)", users.Path(), name)}
			}
			return err
		}
		fmt.Fprintf(stdout, "removed account %s; its open sessions end at their next request\n", name)
		return nil
	}
	if len(roles) == 0 {
		return usageErr("give at least one --role: %s", strings.Join(config.Roles, ", "))
	}
	pw, err := readNewPassword(*pwStdin, stderr)
	if err != nil {
		return err
	}
	if err := auth.CheckPassword(pw); err != nil {
		return usageErr("%v", err)
	}
	if err := users.Add(name, roles, pw, *replace, time.Now()); err != nil {
		return &exitError{code: 2, err: err}
	}
	fmt.Fprintf(stdout, "account %s can sign in to the console with roles %s\n", name, strings.Join(roles, ", "))
	return nil
}

// readNewPassword reads a new password: from stdin's first line with
// --password-stdin, else from the terminal twice without echo.
func readNewPassword(fromStdin bool, stderr io.Writer) ([]byte, error) {
	if fromStdin {
		line, err := bufio.NewReader(consoleStdin).ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return bytes.TrimRight(line, "\r\n"), nil
	}
	f, ok := consoleStdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, usageErr("standard input is not a terminal: give --password-stdin and the password on standard input")
	}
	fmt.Fprint(stderr, "Password: ")
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stderr)
	if err != nil {
		return nil, err
	}
	fmt.Fprint(stderr, "Password again: ")
	again, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stderr)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(pw, again) {
		return nil, usageErr("the passwords differ")
	}
	return pw, nil
}

// roleFlags collects repeated --role flags (a comma list is split too).
type roleFlags []string

func (r *roleFlags) String() string { return strings.Join(*r, ",") }

func (r *roleFlags) Set(v string) error {
	for p := range strings.SplitSeq(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*r = append(*r, p)
		}
	}
	return nil
}

var _ flag.Value = (*roleFlags)(nil)

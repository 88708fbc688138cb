// Command retentiond finds personal data in an organisation's stores,
// decides per record what its retention policy and the law say, writes a
// dry-run plan for an administrator to review, and (in later subcommands)
// carries out approved plans with a signed ledger.
//
// Exit codes: 0 success, 1 failure, 2 bad usage or bad config.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/retentiond/retentiond/agent"
	_ "github.com/retentiond/retentiond/agent/pipeline/graphstore" // type: onedrive
	_ "github.com/retentiond/retentiond/agent/pipeline/s3store"    // type: s3
	"github.com/retentiond/retentiond/config"
)

// exitError carries an exit code with a message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr is a bad-usage or bad-config error (exit code 2).
func usageErr(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"demo", "build a made-up organisation and plan on it", runDemo},
		{"plan", "scan the stores and write a dry-run plan (changes nothing)", runPlan},
		{"validate", "check a config and its registries without scanning", runValidate},
		{"explain", "show why a record gets its decision", runExplain},
		{"keygen", "create the pseudonymisation and ledger keys", runKeygen},
		{"approve", "record that a person approved a plan", runApprove},
		{"reject", "record that a person rejected a plan: nothing of it is applied", runReject},
		{"apply", "carry out an approved plan (re-checking every item)", runApply},
		{"hold", "legal holds: add, list, release", runHold},
		{"review", "settle review items: list, resolve, unresolve", runReview},
		{"request", "data-subject requests and their deadlines: open, list, answer, package, complete, refuse", runRequest},
		{"console", "the review console's local accounts: user add, list, remove", runConsole},
		{"run", "run as a service: scheduled plans, approved applies, metrics", runDaemon},
		{"verify", "check the ledger's entries and signatures; prove a record's deletion", runVerify},
		{"prune", "remove old plans and access packages by the state: terms (the daemon does so nightly)", runPrune},
		{"version", "print the version, the revision it was built from and the Go version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch {
	case args[0] == "help" && len(args) > 1:
		// help CMD [SUB…] is CMD [SUB…] --help.
		return run(ctx, append(append([]string{}, args[1:]...), "--help"), stdout, stderr)
	case isHelp(args[0]):
		usage(stdout)
		return 0
	case args[0] == "--version" || args[0] == "-version":
		args = append([]string{"version"}, args[1:]...)
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		var help *helpRequest
		if errors.As(err, &help) {
			fmt.Fprint(stdout, help.text)
			return 0
		}
		keepStateOwner(c.name, args[1:], stderr)
		if err == nil || errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "retentiond %s: %v\n", c.name, err)
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		var ie *agent.InputError
		if errors.As(err, &ie) {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stderr, "retentiond: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// parse parses flags; a bad flag is a usage error (exit 2) that points
// to --help, and --help (or -h) is the command's usage (*helpRequest).
// Positional arguments are refused unless allowed.
func parse(fs *flag.FlagSet, args []string, positional bool) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return helpOf(fs)
		}
		return &exitError{code: 2, err: fmt.Errorf("%w (see %s --help)", err, fs.Name())}
	}
	if !positional && fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// loadService loads the config at path and makes the service the
// command calls: what it says as it goes goes to stdout, its warnings to
// stderr. A config that cannot be loaded is a usage error (exit 2).
func loadService(path string, stdout, stderr io.Writer) (*agent.Service, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return newService(cfg, path, stdout, stderr)
}

// newService is the service of a loaded config for a command.
func newService(cfg *config.Config, path string, stdout, stderr io.Writer) (*agent.Service, error) {
	return agent.New(cfg, agent.Options{Out: stdout, Warn: stderr, ConfigPath: path})
}

// printUnknownSubject shows the closest matches of a subject the
// registries do not have (the terminal is the administrator's: ids and
// names may be shown; the error itself names no one).
func printUnknownSubject(w io.Writer, err error) {
	var ue *agent.UnknownSubjectError
	if !errors.As(err, &ue) {
		return
	}
	if len(ue.Near) == 0 {
		fmt.Fprintln(w, "No one in the registries comes close.")
		return
	}
	fmt.Fprintln(w, "Closest matches in the registries:")
	for _, s := range ue.Near {
		fmt.Fprintf(w, "  %s:%s  %s  (%s)\n", s.Type, s.ID, s.Name, s.Source)
	}
}

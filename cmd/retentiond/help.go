package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// subcommand is one subcommand of a command that takes one.
type subcommand struct{ name, summary string }

// subcommands are the subcommands of the commands that take one, by the
// command's path ("console user").
var subcommands = map[string][]subcommand{
	"hold": {
		{"add", "put a legal hold on a person's records or on a path of a store"},
		{"list", "list the legal holds"},
		{"release", "end a legal hold"},
	},
	"review": {
		{"list", "list a plan's review items, or the resolutions"},
		{"resolve", "settle a review item: whose it is, not personal, or keep it until a day"},
		{"unresolve", "undo a resolution"},
	},
	"request": {
		{"open", "record a data-subject request and count its deadline"},
		{"list", "list the requests and their deadlines"},
		{"answer", "record that the person was answered"},
		{"package", "make the access package of an access or export request"},
		{"complete", "record that a request is carried out"},
		{"close", "complete's older name"},
		{"refuse", "record that a request is refused"},
	},
	"console": {
		{"user", "the console's local accounts: add, list, remove"},
	},
	"console user": {
		{"add", "add a local account (or set its roles and password anew)"},
		{"list", "list the local accounts"},
		{"remove", "remove a local account"},
	},
}

// helpRequest is the help a person asked for (--help, -h or help): run
// prints it on stdout and exits 0.
type helpRequest struct{ text string }

func (h *helpRequest) Error() string { return "help requested" }

// Is makes a help request flag.ErrHelp for errors.Is.
func (h *helpRequest) Is(target error) bool { return target == flag.ErrHelp }

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// summaryOf is what the command or subcommand at path ("hold add") does.
func summaryOf(path string) string {
	parent, name := "", path
	if i := strings.LastIndex(path, " "); i >= 0 {
		parent, name = path[:i], path[i+1:]
	}
	if parent == "" {
		for _, c := range commands() {
			if c.name == name {
				return c.summary
			}
		}
	}
	for _, s := range subcommands[parent] {
		if s.name == name {
			return s.summary
		}
	}
	return ""
}

// pickSubcommand returns the subcommand args begin with, for the command
// at path: its help if they ask for it, a usage error if there is none
// or it is unknown.
func pickSubcommand(path string, args []string) (string, error) {
	subs := subcommands[path]
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	list := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	if len(names) == 1 {
		list = names[0]
	}
	switch {
	case len(args) == 0:
		return "", usageErr("%s needs a subcommand: %s (see retentiond %s --help)", path, list, path)
	case isHelp(args[0]):
		return "", groupHelp(path)
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.name, nil
		}
	}
	return "", usageErr("unknown %s subcommand %q: use %s (see retentiond %s --help)", path, args[0], list, path)
}

// groupHelp is the help of the command at path, which takes a
// subcommand.
func groupHelp(path string) *helpRequest {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: retentiond %s SUBCOMMAND [flags]\n\n%s\n\nsubcommands:\n", path, summaryOf(path))
	for _, s := range subcommands[path] {
		fmt.Fprintf(&b, "  %-9s %s\n", s.name, s.summary)
	}
	fmt.Fprintf(&b, "\nRun 'retentiond %s SUBCOMMAND --help' for a subcommand's flags.\n", path)
	return &helpRequest{b.String()}
}

// newFlags makes the flag set of the command at path ("hold add"). The
// flag package prints nothing: a bad flag's error is printed once, by
// run, and --help is the command's usage on stdout (parse). (stderr is
// not used: the commands' calls keep their shape.)
func newFlags(path string, _ io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("retentiond "+path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	setSynopsis(fs, "")
	return fs
}

// setSynopsis sets the usage line --help shows for fs ("" is
// "retentiond PATH [flags]"), above the command's summary and its flags.
func setSynopsis(fs *flag.FlagSet, synopsis string) {
	fs.Usage = func() {
		w := fs.Output()
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		s := synopsis
		switch {
		case s == "" && n > 0:
			s = fs.Name() + " [flags]"
		case s == "":
			s = fs.Name()
		}
		fmt.Fprintf(w, "usage: %s\n", s)
		if sum := summaryOf(strings.TrimPrefix(fs.Name(), "retentiond ")); sum != "" {
			fmt.Fprintf(w, "\n%s\n", sum)
		}
		if n > 0 {
			fmt.Fprintln(w, "\nflags:")
			fs.PrintDefaults()
		}
	}
}

// helpOf is fs's usage, as --help asked for it.
func helpOf(fs *flag.FlagSet) *helpRequest {
	var b strings.Builder
	fs.SetOutput(&b)
	fs.Usage()
	fs.SetOutput(io.Discard)
	return &helpRequest{b.String()}
}

// usage is the top level's help.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: retentiond COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun 'retentiond COMMAND --help' (or 'retentiond help COMMAND') for a command's flags,\n"+
		"'retentiond --version' for the version. Dates are YYYY-MM-DD or DD-MM-YYYY.\n"+
		"Exit codes: 0 success, 1 failure, 2 bad usage or a bad config.\n")
}

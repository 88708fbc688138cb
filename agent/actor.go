package agent

import "strings"

// Actor is who asked for an operation: a person at the console or the
// command line, or the daemon. Every state change says who did it.
type Actor struct {
	// Name is shown to the organisation (approval files, holds, the
	// console); the ledger gets a keyed pseudonym of it only, never the
	// name in clear.
	Name string
	// Via is how the operation was asked for: ViaCLI, ViaConsole or
	// ViaDaemon.
	Via string
	// Account is the console account: "local:NAME" or "oidc:ISSUER#SUB";
	// "" for the command line and the daemon.
	Account string
}

// The ways an operation can be asked for (Actor.Via).
const (
	ViaCLI     = "cli"
	ViaConsole = "console"
	ViaDaemon  = "daemon"
)

// CLI is the actor of a command run by name (its --by flag).
func CLI(name string) Actor { return Actor{Name: name, Via: ViaCLI} }

// Daemon is the actor of the daemon's own jobs, named for what it does.
func Daemon(name string) Actor { return Actor{Name: name, Via: ViaDaemon} }

// String is the actor's name as the organisation sees it.
func (a Actor) String() string { return strings.TrimSpace(a.Name) }

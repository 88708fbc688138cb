package agent

import (
	"strings"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/pseudonym"
)

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

// ledgerBy is what a ledger entry's reason says of who acted: "; by " and
// the keyed pseudonym of the actor's name (as approvals name their
// approver), and how they acted. Empty for an actor without a name.
func ledgerBy(k *pseudonym.Keyed, a Actor) string {
	if a.String() == "" || k == nil {
		return ""
	}
	return "; by " + approval.ApproverPseudonym(k, a.String()) + via(a)
}

// stampBy adds ledgerBy to a reason that does not name the actor yet (a
// request's answer names who answered already).
func stampBy(reason string, k *pseudonym.Keyed, a Actor) string {
	if a.String() == "" || k == nil {
		return reason
	}
	if p := approval.ApproverPseudonym(k, a.String()); strings.Contains(reason, p) {
		return reason + via(a)
	}
	return reason + ledgerBy(k, a)
}

// via says how the actor acted, for a ledger entry's reason.
func via(a Actor) string {
	if a.Via == "" {
		return ""
	}
	return " via " + a.Via
}

package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/demo"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/rules"
)

// runDemo builds the made-up organisation and plans on it: the first thing
// a new user runs, with no cloud account and nothing at risk.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	dir := fs.String("dir", "retentiond-demo", "directory to build the demo organisation in")
	lang := fs.String("lang", "nl", "language of the report: nl or en")
	seed := fs.Uint64("seed", 1, "seed of the made-up data")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	asOf := rules.DateIn(time.Now(), amsterdam())
	cfgPath, err := demo.Generate(*dir, asOf, *seed)
	if err != nil {
		return err
	}
	// The demo's own keys, so that approve, apply and verify work on it
	// straight away. A real organisation runs keygen once and keeps them.
	if _, err := keys.Generate(filepath.Join(*dir, "keys"), keys.NameFor("demo")); err != nil {
		return err
	}
	// A console account, printed once below (only its hash is kept).
	password, err := demo.AddConsoleAccount(filepath.Join(*dir, "state"), filepath.Join(*dir, "keys", "pseudonym.key"), time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Built a made-up organisation in %s (config: %s).\n", *dir, cfgPath)
	res, err := makePlan(ctx, cfgPath, "", agent.PlanOptions{Out: filepath.Join(*dir, "plan"), Lang: *lang}, isTerminal(stderr), stdout, stderr)
	if err != nil {
		return err
	}
	printSummary(stdout, res)
	pdir := filepath.Join(*dir, "plan")
	fmt.Fprintf(stdout, "\nOpen the report in a browser. To review and approve in the console, start the\n"+
		"service (it makes the night's plan at once, in %[5]s):\n"+
		"  retentiond run --config %[1]s\n"+
		"then open %[6]s and sign in as %[7]s with the password %[8]s\n"+
		"(shown only now; `retentiond console user add %[7]s --replace --role reviewer --role approver --role privacy-officer --config %[1]s` sets another).\n"+
		"\nOr carry this plan out from a shell (as scripts do):\n"+
		"  retentiond approve --config %[1]s --plan %[2]s --by \"Your Name\"\n"+
		"  retentiond apply   --config %[1]s --plan %[2]s\n"+
		"  retentiond verify  --ledger %[3]s --key %[4]s\n",
		cfgPath, pdir, filepath.Join(*dir, "state", "ledger"), filepath.Join(*dir, "keys", "ledger.pub"),
		filepath.Join(*dir, "state", "plans"), demo.ConsoleURL(), demo.ConsoleAccount, password)
	return nil
}

func amsterdam() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}

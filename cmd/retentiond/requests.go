package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/rules"
)

// runRequest is `retentiond request open|list|answer|complete|refuse|package`:
// data-subject requests, their deadlines and their states (R1–R4; see
// agent/requests). close is complete's older name.
func runRequest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if _, err := pickSubcommand("request", args); err != nil {
		return err
	}
	fs := newFlags("request "+args[0], stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	var subject, kind, received, lang, term, id, outDir, by *string
	var all *bool
	switch args[0] {
	case "open":
		subject = fs.String("subject", "", "whose request: TYPE:ID, such as parent:R1 (required)")
		kind = fs.String("kind", "", "erase, access, export, rectify or restrict (required)")
		received = fs.String("received", "", "the day it was received, YYYY-MM-DD or DD-MM-YYYY (default today)")
		lang = fs.String("lang", "nl", "the language to answer in: nl or en")
		term = fs.String("term", "4w", "the term to answer in")
	case "answer":
		id = fs.String("id", "", "the request's id, such as REQ-0002 (required)")
		by = fs.String("by", "", "who answered the person (required)")
	case "complete", "close", "refuse":
		id = fs.String("id", "", "the request's id, such as REQ-0002 (required)")
		by = fs.String("by", "", "who answered, if the request is still open (recommended)")
	case "package":
		id = fs.String("id", "", "the access or export request's id, such as REQ-0002 (required)")
		outDir = fs.String("out", "", "a new folder for the package (default STATE_DIR/packages/ID)")
		by = fs.String("by", "", "who makes the package: an open request is answered by it (recommended)")
	case "list":
		all = fs.Bool("all", false, "also list completed and refused requests")
	}
	if err := parse(fs, args[1:], false); err != nil {
		return err
	}
	switch {
	case *cfgPath == "":
		return usageErr("--config is required")
	case id != nil && strings.TrimSpace(*id) == "":
		return usageErr("--id is required, such as REQ-0002 (see retentiond request list)")
	case args[0] == "answer" && strings.TrimSpace(*by) == "":
		return usageErr("--by is required: say who answered the person")
	}
	var receivedOn rules.Date
	if received != nil && *received != "" {
		d, err := dateFlag("--received", *received)
		if err != nil {
			return err
		}
		receivedOn = d
	}
	svc, err := loadService(*cfgPath, stdout, stderr)
	if err != nil {
		return err
	}
	cfg := svc.Config()
	// The requests file is read before anything else, as it always was:
	// one that cannot be read is said first.
	if _, err := svc.Requests(false); err != nil {
		return err
	}
	today := rules.DateIn(time.Now(), cfg.Location)
	switch args[0] {
	case "list":
		rs, err := svc.Requests(*all)
		if err != nil {
			return err
		}
		for _, r := range rs {
			fmt.Fprintf(stdout, "%s  %-8s %s:%s  received %s  deadline %s  %s\n", r.ID, r.Kind, r.Subject.Type, r.Subject.ID,
				r.Received, r.Deadline, r.StatusLine(today, cfg.Location))
		}
		return nil
	case "open":
		ref, err := holds.ParseSubjectRef(*subject)
		if err != nil {
			return usageErr("--subject: %v", err)
		}
		t, err := rules.ParseTerm(*term)
		if err != nil {
			return usageErr("--term: %v", err)
		}
		in := agent.RequestInput{Subject: ref, Kind: *kind, Lang: *lang, Term: t, Received: today}
		if !receivedOn.IsZero() {
			in.Received = receivedOn
		}
		r, err := svc.OpenRequest(ctx, in, agent.CLI(""))
		if err != nil {
			printUnknownSubject(stdout, err)
			return err
		}
		fmt.Fprintf(stdout, "Opened %s (%s), received %s: answer by %s (%d days left).\n", r.ID, r.Kind, r.Received, r.Deadline, requests.DaysLeft(r, today))
		return nil
	case "package":
		p := newProgress(stderr, "request package", "records listed", isTerminal(stderr))
		pkg, err := svc.AccessPackageWith(ctx, *id, agent.CLI(*by), agent.PackageOptions{Out: *outDir, Progress: func(done, total int) {
			if total >= 0 {
				p.phase("records copied")
			}
			p.set(done, total)
		}})
		p.done()
		if pkg != nil {
			fmt.Fprintf(stdout, "Package for %s in %s: %d record(s); open index.html.\n", pkg.Request, pkg.Dir, pkg.Records)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is %s; once the package is handed over, run retentiond request complete --id %s.\n", pkg.Request, pkg.Change.Request.Status, pkg.Request)
		return nil
	case "answer":
		c, err := svc.AnswerRequest(ctx, *id, agent.CLI(*by))
		if err != nil {
			return err
		}
		r := c.Request
		fmt.Fprintf(stdout, "%s is answered; the ledger records it, and its deadline no longer counts.\n", r.ID)
		if r.Kind == requests.Erase {
			fmt.Fprintln(stdout, "Every nightly plan deletes what is left of the person when its term ends, and the daemon completes the request when nothing is left.")
		}
		return nil
	default: // complete, close, refuse
		var c requests.Change
		if args[0] == "refuse" {
			c, err = svc.RefuseRequest(ctx, *id, agent.CLI(*by))
		} else {
			c, err = svc.CompleteRequest(ctx, *id, agent.CLI(*by))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is %s; the ledger records it.\n", c.Request.ID, c.Request.Status)
		return nil
	}
}

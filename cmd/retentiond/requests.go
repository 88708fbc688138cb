package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// runRequest is `retentiond request open|list|answer|complete|refuse|package`:
// data-subject requests, their deadlines and their states (R1–R4; see
// agent/requests). close is complete's older name.
func runRequest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const subcommands = "open, list, answer, package, complete or refuse"
	if len(args) == 0 {
		return usageErr("request needs a subcommand: %s", subcommands)
	}
	fs := newFlags("request "+args[0], stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	var subject, kind, received, lang, term, id, outDir, by *string
	var all *bool
	switch args[0] {
	case "open":
		subject = fs.String("subject", "", "whose request: TYPE:ID, such as parent:R1 (required)")
		kind = fs.String("kind", "", "erase, access, export, rectify or restrict (required)")
		received = fs.String("received", "", "the day it was received, YYYY-MM-DD (default today)")
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
	default:
		return usageErr("unknown request subcommand %q: use %s", args[0], subcommands)
	}
	cfg, err := stateConfig(fs, args[1:], cfgPath)
	if err != nil {
		return err
	}
	set, err := requests.Open(cfg.StateDir)
	if err != nil {
		return err
	}
	now := time.Now().In(cfg.Location)
	today := rules.DateIn(now, cfg.Location)
	switch args[0] {
	case "list":
		for _, r := range set.List(!*all) {
			fmt.Fprintf(stdout, "%s  %-8s %s:%s  received %s  deadline %s  %s\n", r.ID, r.Kind, r.Subject.Type, r.Subject.ID,
				r.Received, r.Deadline, r.StatusLine(today, cfg.Location))
		}
		return nil
	case "open":
		ref, err := holds.ParseSubjectRef(*subject)
		if err != nil {
			return usageErr("--subject: %v", err)
		}
		if err := knownSubject(cfg, ref, stdout); err != nil {
			return &exitError{code: 2, err: err}
		}
		t, err := rules.ParseTerm(*term)
		if err != nil {
			return usageErr("--term: %v", err)
		}
		r := requests.Request{Subject: ref, Kind: *kind, Received: today, Lang: *lang}
		if *received != "" {
			if r.Received, err = rules.ParseDate(*received); err != nil {
				return usageErr("--received: %v", err)
			}
		}
		if r, err = set.OpenRequest(r, t, now); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Opened %s (%s), received %s: answer by %s (%d days left).\n", r.ID, r.Kind, r.Received, r.Deadline, requests.DaysLeft(r, today))
		return nil
	case "package":
		r, ok := set.Get(*id)
		switch {
		case !ok:
			return usageErr("--id: no request %q; see retentiond request list", *id)
		case r.Kind != requests.Access && r.Kind != requests.Export:
			return usageErr("--id: %s is an %s request; packages answer access and export requests", r.ID, r.Kind)
		}
		dir := *outDir
		if dir == "" {
			dir = filepath.Join(cfg.StateDir, "packages", r.ID)
		}
		if err := accessPackage(ctx, cfg, r, dir, stdout); err != nil {
			return err
		}
		c, err := set.AnswerPackage(r.ID, *by, now)
		if err == nil && c.Changed() {
			err = recordChange(cfg, c, "")
		}
		if err != nil {
			return fmt.Errorf("the package was made, but %s could not be marked answered: %w", r.ID, err)
		}
		fmt.Fprintf(stdout, "%s is %s; once the package is handed over, run retentiond request complete --id %s.\n", r.ID, c.Request.Status, r.ID)
		return nil
	case "answer":
		c, err := set.Answer(*id, *by, now)
		if err != nil {
			return err
		}
		if err := recordChange(cfg, c, ""); err != nil {
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
			c, err = set.Refuse(*id, *by, now)
			if err == nil {
				err = recordChange(cfg, c, "")
			}
		} else {
			c, err = completeRequest(cfg, set, *id, *by, "")
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is %s; the ledger records it.\n", c.Request.ID, c.Request.Status)
		return nil
	}
}

// completeRequest completes a request and records it in the ledger; plan,
// if set, is the digest of the plan that carried it out. A request whose
// subject is not in the registries is never completed (issue 12): a plan
// for an id nobody has finds nothing, which is not "nothing left".
func completeRequest(cfg *config.Config, set *requests.Set, id, by, plan string) (requests.Change, error) {
	if r, ok := set.Get(id); ok && !r.IsClosed() {
		if err := knownSubject(cfg, r.Subject, nil); err != nil {
			return requests.Change{}, &exitError{code: 1, err: fmt.Errorf("%s cannot be completed: %w", r.ID, requests.ErrUnknownSubject)}
		}
	}
	c, err := set.Complete(id, by, time.Now().In(cfg.Location))
	if err != nil {
		return c, err
	}
	return c, recordChange(cfg, c, plan)
}

// recordChange writes a request's change of status to the ledger (keyed
// pseudonyms only, see requests.Change.LedgerEntries); plan, if set, is
// the digest of the plan that carried it out.
func recordChange(cfg *config.Config, c requests.Change, plan string) error {
	if !c.Changed() {
		return nil
	}
	err := ledgerEvents(cfg, func(k *pseudonym.Keyed) ([]ledger.Entry, error) { return c.LedgerEntries(k, plan) })
	if err != nil {
		return fmt.Errorf("%s is %s, but the ledger could not record it: %w", c.Request.ID, c.Request.Status, err)
	}
	return nil
}

// knownTo returns a check that a subject is in the config's registries
// (knownSubject), for requests.Set's Settle and AfterApply. A registry
// that cannot be read knows no one: nothing is completed on it.
func knownTo(cfg *config.Config) func(requests.SubjectRef) bool {
	return func(ref requests.SubjectRef) bool { return knownSubject(cfg, ref, nil) == nil }
}

// isUnknownSubject reports whether err is a request left as it was
// because its subject is not in the registries.
func isUnknownSubject(err error) bool { return errors.Is(err, requests.ErrUnknownSubject) }

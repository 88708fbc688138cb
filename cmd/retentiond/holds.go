package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// runHold is `retentiond hold add|list|release`: legal holds, which make
// every plan hold the records they cover and stop apply from acting on
// them. Adding and releasing are recorded in the ledger.
func runHold(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErr("hold needs a subcommand: add, list or release")
	}
	fs := newFlags("hold "+args[0], stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	var subject, store, path, reason, until, by, id *string
	var all *bool
	switch args[0] {
	case "add":
		subject = fs.String("subject", "", "hold everything of one person: TYPE:ID, such as child:1234")
		store = fs.String("store", "", "with --path: hold records of this store")
		path = fs.String("path", "", "with --store: a glob of paths in the store (* and **)")
		reason = fs.String("reason", "", "why (required; kept in the state dir only, never in logs or the ledger)")
		until = fs.String("until", "", "last day of the hold, YYYY-MM-DD (default: until released)")
		by = fs.String("by", "", "who adds the hold (required)")
	case "release":
		id = fs.String("id", "", "the hold's id, such as H-0003 (required)")
		by = fs.String("by", "", "who releases it (required)")
	case "list":
		all = fs.Bool("all", false, "also list released holds")
	default:
		return usageErr("unknown hold subcommand %q: use add, list or release", args[0])
	}
	cfg, err := stateConfig(fs, args[1:], cfgPath)
	if err != nil {
		return err
	}
	set, err := holds.Open(cfg.StateDir)
	if err != nil {
		return err
	}
	now := time.Now().In(cfg.Location)
	switch args[0] {
	case "list":
		for _, h := range set.List(*all) {
			fmt.Fprintln(stdout, holdLine(h))
		}
		return nil
	case "add":
		h := holds.Hold{Reason: *reason, AddedBy: *by}
		switch {
		case *subject != "" && (*store != "" || *path != ""), *subject == "" && (*store == "" || *path == ""):
			return usageErr("give --subject TYPE:ID, or --store and --path")
		case *subject != "":
			ref, err := holds.ParseSubjectRef(*subject)
			if err != nil {
				return usageErr("--subject: %v", err)
			}
			if err := knownSubject(cfg, ref, stdout); err != nil {
				return &exitError{code: 2, err: err}
			}
			h.Subject = &ref
		default:
			if !storeExists(cfg, *store) {
				return usageErr("--store: the config has no store %q", *store)
			}
			h.Store, h.PathGlob = *store, *path
		}
		if *until != "" {
			if h.Until, err = rules.ParseDate(*until); err != nil {
				return usageErr("--until: %v", err)
			}
		}
		if h, err = set.Add(h, now); err != nil {
			return err
		}
		if err := ledgerEvent(cfg, func(k *pseudonym.Keyed) (ledger.Entry, error) {
			return holds.LedgerEntry(h, k, ledger.ActionHoldAdded)
		}); err != nil {
			return fmt.Errorf("hold %s was added, but the ledger could not record it: %w", h.ID, err)
		}
		fmt.Fprintf(stdout, "Added %s. Every plan holds what it covers, and apply checks it before acting.\n", holdLine(h))
		return nil
	default: // release
		h, err := set.Release(*id, *by, now)
		if err != nil {
			return err
		}
		if err := ledgerEvent(cfg, func(k *pseudonym.Keyed) (ledger.Entry, error) {
			return holds.LedgerEntry(h, k, ledger.ActionHoldReleased)
		}); err != nil {
			return fmt.Errorf("hold %s was released, but the ledger could not record it: %w", h.ID, err)
		}
		fmt.Fprintf(stdout, "Released %s. The next plan decides its records by their rules again.\n", h.ID)
		return nil
	}
}

// stateConfig parses a subcommand's flags, loads the config and makes
// sure its state dir exists.
func stateConfig(fs *flag.FlagSet, args []string, cfgPath *string) (*config.Config, error) {
	if err := parse(fs, args, false); err != nil {
		return nil, err
	}
	if *cfgPath == "" {
		return nil, usageErr("--config is required")
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return cfg, os.MkdirAll(cfg.StateDir, 0o700)
}

// holdLine describes a hold for the administrator (the terminal is
// theirs: the subject and path may be shown; the reason is too).
func holdLine(h holds.Hold) string {
	what := ""
	if h.Subject != nil {
		what = string(h.Subject.Type) + ":" + h.Subject.ID
	} else {
		what = h.Store + ":" + h.PathGlob
	}
	until := "until released"
	if !h.Until.IsZero() {
		until = "until " + h.Until.String()
	}
	if h.Released() {
		until = "released " + h.ReleasedAt.Format("2006-01-02") + " by " + h.ReleasedBy
	}
	return fmt.Sprintf("%s  %s  %s  (added %s by %s: %s)", h.ID, what, until, h.AddedAt.Format("2006-01-02"), h.AddedBy, h.Reason)
}

func storeExists(cfg *config.Config, name string) bool {
	for _, s := range cfg.Stores {
		if s.Name == name {
			return true
		}
	}
	return false
}

// runRequest is `retentiond request open|list|close|refuse`: data-subject
// requests and their deadlines (R1–R4).
func runRequest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErr("request needs a subcommand: open, list, package, close or refuse")
	}
	fs := newFlags("request "+args[0], stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	var subject, kind, received, lang, term, id, outDir *string
	var all *bool
	switch args[0] {
	case "open":
		subject = fs.String("subject", "", "whose request: TYPE:ID, such as parent:R1 (required)")
		kind = fs.String("kind", "", "erase, access, export, rectify or restrict (required)")
		received = fs.String("received", "", "the day it was received, YYYY-MM-DD (default today)")
		lang = fs.String("lang", "nl", "the language to answer in: nl or en")
		term = fs.String("term", "4w", "the term to answer in")
	case "close", "refuse":
		id = fs.String("id", "", "the request's id, such as REQ-0002 (required)")
	case "package":
		id = fs.String("id", "", "the access or export request's id, such as REQ-0002 (required)")
		outDir = fs.String("out", "", "a new folder for the package (default STATE_DIR/packages/ID)")
	case "list":
		all = fs.Bool("all", false, "also list closed requests")
	default:
		return usageErr("unknown request subcommand %q: use open, list, package, close or refuse", args[0])
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
			left := ""
			if r.IsOpen() {
				if n := requests.DaysLeft(r, today); n >= 0 {
					left = fmt.Sprintf("%d day(s) left", n)
				} else {
					left = fmt.Sprintf("OVERDUE by %d day(s)", -n)
				}
			} else {
				left = r.Status
			}
			fmt.Fprintf(stdout, "%s  %-8s %s:%s  received %s  deadline %s  %s\n", r.ID, r.Kind, r.Subject.Type, r.Subject.ID, r.Received, r.Deadline, left)
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
		return accessPackage(ctx, cfg, r, dir, stdout)
	default: // close, refuse
		r, err := closeRequest(cfg, set, *id, args[0] == "refuse", "")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is %s; the ledger records it.\n", r.ID, r.Status)
		return nil
	}
}

// ledgerEvent appends one entry, made with the pseudonym key, to the
// ledger and signs a checkpoint.
func ledgerEvent(cfg *config.Config, entry func(*pseudonym.Keyed) (ledger.Entry, error)) error {
	k, err := loadPseudonyms(cfg)
	if err != nil {
		return err
	}
	if cfg.LedgerKeyFile == "" {
		return fmt.Errorf("the config sets no ledger_key_file")
	}
	signer, err := keys.LoadSigner(cfg.LedgerKeyFile)
	if err != nil {
		return err
	}
	e, err := entry(k)
	if err != nil {
		return err
	}
	l, err := ledger.Open(filepath.Join(cfg.StateDir, "ledger"), keys.NameFor(cfg.Organisation), ledger.WithSigner(signer))
	if err != nil {
		return err
	}
	defer l.Close()
	if _, err := l.Append(e); err != nil {
		return err
	}
	_, err = l.Checkpoint(signer)
	return err
}

// closeRequest closes (or refuses) a request and records it in the
// ledger; plan, if set, is the digest of the plan that carried it out.
func closeRequest(cfg *config.Config, set *requests.Set, id string, refuse bool, plan string) (requests.Request, error) {
	now := time.Now().In(cfg.Location)
	close := set.Close
	if refuse {
		close = set.Refuse
	} else if r, ok := set.Get(id); ok {
		// A request is done only when its subject was found: a plan for an
		// id nobody has finds nothing, which is not "nothing left".
		if err := knownSubject(cfg, r.Subject, nil); err != nil {
			return r, &exitError{code: 1, err: fmt.Errorf("%s cannot be closed as done: its subject is not in the registries, so no plan could find their records; fix the registry, or refuse the request", r.ID)}
		}
	}
	r, err := close(id, now)
	if err != nil {
		return r, err
	}
	if err := ledgerEvent(cfg, func(k *pseudonym.Keyed) (ledger.Entry, error) {
		e, err := requests.LedgerEntry(r, k)
		e.Plan = plan
		return e, err
	}); err != nil {
		return r, fmt.Errorf("%s was closed, but the ledger could not record it: %w", r.ID, err)
	}
	return r, nil
}

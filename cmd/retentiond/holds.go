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

// ledgerEvent appends one entry, made with the pseudonym key, to the
// ledger and signs a checkpoint.
func ledgerEvent(cfg *config.Config, entry func(*pseudonym.Keyed) (ledger.Entry, error)) error {
	return ledgerEvents(cfg, func(k *pseudonym.Keyed) ([]ledger.Entry, error) {
		e, err := entry(k)
		return []ledger.Entry{e}, err
	})
}

// ledgerEvents appends entries, made with the pseudonym key, to the
// ledger and signs a checkpoint.
func ledgerEvents(cfg *config.Config, entries func(*pseudonym.Keyed) ([]ledger.Entry, error)) error {
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
	es, err := entries(k)
	if err != nil {
		return err
	}
	l, err := ledger.Open(filepath.Join(cfg.StateDir, "ledger"), keys.NameFor(cfg.Organisation), ledger.WithSigner(signer))
	if err != nil {
		return err
	}
	defer l.Close()
	for _, e := range es {
		if _, err := l.Append(e); err != nil {
			return err
		}
	}
	_, err = l.Checkpoint(signer)
	return err
}

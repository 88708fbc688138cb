package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/rules"
)

// runHold is `retentiond hold add|list|release`: legal holds, which make
// every plan hold the records they cover and stop apply from acting on
// them. Adding and releasing are recorded in the ledger.
func runHold(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if _, err := pickSubcommand("hold", args); err != nil {
		return err
	}
	fs := newFlags("hold "+args[0], stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	var subject, store, path, reason, untilFlag, by, id *string
	var err error
	var all *bool
	switch args[0] {
	case "add":
		subject = fs.String("subject", "", "hold everything of one person: TYPE:ID, such as child:1234")
		store = fs.String("store", "", "with --path: hold records of this store")
		path = fs.String("path", "", "with --store: a glob of paths in the store (* and **)")
		reason = fs.String("reason", "", "why (required; kept in the state dir only, never in logs or the ledger)")
		untilFlag = fs.String("until", "", "last day of the hold, YYYY-MM-DD or DD-MM-YYYY (default: until released)")
		by = fs.String("by", "", "who adds the hold (required)")
	case "release":
		id = fs.String("id", "", "the hold's id, such as H-0003 (required)")
		by = fs.String("by", "", "who releases it (required)")
	case "list":
		all = fs.Bool("all", false, "also list released holds")
	}
	if err := parse(fs, args[1:], false); err != nil {
		return err
	}
	switch {
	case *cfgPath == "":
		return usageErr("--config is required")
	case by != nil && strings.TrimSpace(*by) == "":
		return usageErr("--by is required: say who you are")
	case reason != nil && strings.TrimSpace(*reason) == "":
		return usageErr("--reason is required: say why the data is held (kept in the state dir only)")
	case id != nil && *id == "":
		return usageErr("--id is required, such as H-0003 (see retentiond hold list)")
	}
	var until rules.Date
	if untilFlag != nil && *untilFlag != "" {
		if until, err = dateFlag("--until", *untilFlag); err != nil {
			return err
		}
	}
	svc, err := loadService(*cfgPath, stdout, stderr)
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		hs, err := svc.Holds(*all)
		if err != nil {
			return err
		}
		for _, h := range hs {
			fmt.Fprintln(stdout, holdLine(h))
		}
		return nil
	case "add":
		in := agent.HoldInput{Reason: *reason, Until: until}
		switch {
		case *subject != "" && (*store != "" || *path != ""), *subject == "" && (*store == "" || *path == ""):
			return usageErr("give --subject TYPE:ID, or --store and --path")
		case *subject != "":
			ref, err := holds.ParseSubjectRef(*subject)
			if err != nil {
				return usageErr("--subject: %v", err)
			}
			in.Subject = &ref
		default:
			in.Store, in.PathGlob = *store, *path
		}
		h, err := svc.AddHold(ctx, in, agent.CLI(*by))
		if err != nil {
			printUnknownSubject(stdout, err)
			return err
		}
		fmt.Fprintf(stdout, "Added %s. Every plan holds what it covers, and apply checks it before acting.\n", holdLine(h))
		return nil
	default: // release
		h, err := svc.ReleaseHold(ctx, *id, agent.CLI(*by))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Released %s. The next plan decides its records by their rules again.\n", h.ID)
		return nil
	}
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

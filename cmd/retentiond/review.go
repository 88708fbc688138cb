package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/rules"
)

// runReview is `retentiond review list|resolve|unresolve`: a person's
// decisions on the review items of a plan, which every later plan, apply's
// re-check and explain follow (agent/review). Resolving and undoing are
// recorded in the ledger.
func runReview(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if _, err := pickSubcommand("review", args); err != nil {
		return err
	}
	fs := newFlags("review "+args[0], stderr)
	cfgPath := fs.String("config", "", "config file (required)")
	var planDir, subject, category, keepUntil, reason, by, id *string
	var showRes, all, notPersonal *bool
	switch args[0] {
	case "list":
		planDir = fs.String("plan", "", "the plan (folder or plan.json) to list (default: the latest in the state dir)")
		showRes = fs.Bool("resolutions", false, "list the resolutions instead, with what each settled in the plan")
		all = fs.Bool("all", false, "with --resolutions: also those undone")
	case "resolve":
		subject = fs.String("subject", "", "the record belongs to this subject: TYPE:ID, such as child:1234")
		category = fs.String("category", "", "with --subject: the kind of record, when no layout matches it (such as child-dossier)")
		notPersonal = fs.Bool("not-personal", false, "the record holds no personal data: keep it, and stop asking")
		keepUntil = fs.String("keep-until", "", "keep it through this day, YYYY-MM-DD or DD-MM-YYYY, then review it again")
		reason = fs.String("reason", "", "why (required; kept in the state dir only, never in logs or the ledger)")
		by = fs.String("by", "", "who decides (required)")
		setSynopsis(fs, "retentiond review resolve --config F STORE:RECORD|STORE:FOLDER/** (--subject TYPE:ID [--category C] | --not-personal | --keep-until DATE) --reason TEXT --by NAME")
	case "unresolve":
		id = fs.String("id", "", "the resolution's id, such as R-0003 (required)")
		by = fs.String("by", "", "who undoes it (required)")
	}
	targets, err := parseAnywhere(fs, args[1:])
	if err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageErr("--config is required")
	}
	if args[0] != "resolve" && len(targets) > 0 {
		return usageErr("review %s takes no STORE:RECORD argument", args[0])
	}
	svc, err := loadService(*cfgPath, stdout, stderr)
	if err != nil {
		return err
	}
	cfg := svc.Config()
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return err
	}
	switch args[0] {
	case "list":
		m, err := svc.ResolutionMatcher()
		if err != nil {
			return err
		}
		f, err := reviewPlan(svc, *planDir, *showRes)
		if err != nil {
			return err
		}
		if *showRes {
			rs, err := svc.Resolutions(*all)
			if err != nil {
				return err
			}
			listResolutions(stdout, rs, f, cfg.Location)
			return nil
		}
		listReviewItems(stdout, f, m, cfg.Location)
		return nil
	case "resolve":
		if len(targets) != 1 {
			return usageErr("give one STORE:RECORD (or STORE:FOLDER/**), as review list shows it")
		}
		r, err := resolutionFlags(svc, targets[0], *subject, *category, *notPersonal, *keepUntil, *reason, *by)
		if err != nil {
			return err
		}
		if r, err = svc.Resolve(ctx, r, agent.CLI(*by)); err != nil {
			printUnknownSubject(stdout, err)
			return err
		}
		fmt.Fprintf(stdout, "Resolved %s as %s (%s). The next plans decide it so; undo with:\n  retentiond review unresolve --config %s --id %s --by NAME\n",
			r.Target(), r.ID, agent.ResolutionWhat(r), *cfgPath, r.ID)
		return nil
	default: // unresolve
		if *id == "" || *by == "" {
			return usageErr("--id and --by are required")
		}
		r, err := svc.Unresolve(ctx, *id, agent.CLI(*by))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Undid %s: what it settled is review again in the next plan.\n", r.ID)
		return nil
	}
}

// parseAnywhere parses flags that may come before or after the
// positional arguments (`review resolve STORE:RECORD --not-personal …`),
// and returns the positional ones.
func parseAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args, true); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// resolutionFlags turns resolve's target and flags into a resolution,
// checking them as the command always did, in its order: the target
// (store and path), then the flags; the service checks the subject and
// category against the registries and layouts. Errors never repeat the
// record's path or the subject's id.
func resolutionFlags(svc *agent.Service, target, subject, category string, notPersonal bool, keepUntil, reason, by string) (review.Resolution, error) {
	store, path, ok := strings.Cut(target, ":")
	if !ok || store == "" {
		return review.Resolution{}, usageErr("the record is STORE:RECORD or STORE:FOLDER/**, as review list shows it")
	}
	if err := svc.CheckTarget(store, path); err != nil {
		return review.Resolution{}, err
	}
	kinds := 0
	for _, set := range []bool{subject != "", notPersonal, keepUntil != ""} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds != 1:
		return review.Resolution{}, usageErr("give exactly one of --subject TYPE:ID, --not-personal or --keep-until DATE")
	case strings.TrimSpace(reason) == "":
		return review.Resolution{}, usageErr("--reason is required: say why (kept in the state dir only)")
	case strings.TrimSpace(by) == "":
		return review.Resolution{}, usageErr("--by is required: say who decides")
	case category != "" && subject == "":
		return review.Resolution{}, usageErr("--category goes with --subject")
	}
	r := review.Resolution{Store: store, Path: path, Reason: reason, Category: rules.Category(category)}
	switch {
	case notPersonal:
		r.Kind = review.KindNotPersonal
	case keepUntil != "":
		r.Kind = review.KindKeepUntil
		d, err := dateFlag("--keep-until", keepUntil)
		if err != nil {
			return r, err
		}
		r.Until = d
	default:
		r.Kind = review.KindSubject
		ref, err := holds.ParseSubjectRef(subject)
		if err != nil {
			return r, usageErr("--subject: %v", err)
		}
		r.Subject = &ref
	}
	return r, nil
}

// reviewPlan reads the plan to list: dir, or the latest full plan of the
// state dir (not one answering a request). With optional, having no plan
// yet is no error.
func reviewPlan(svc *agent.Service, dir string, optional bool) (*plan.File, error) {
	if dir != "" {
		return agent.ReadPlan(dir)
	}
	f, err := svc.LatestPlan()
	if err == nil && f == nil && !optional {
		return nil, fmt.Errorf("no plan in %s yet: run retentiond plan first, or give --plan", filepath.Join(svc.Config().StateDir, "plans"))
	}
	return f, err
}

// listReviewItems prints the plan's review items (the terminal is the
// administrator's: records and subjects are shown), marking those a
// resolution settles from the next plan on.
func listReviewItems(w io.Writer, f *plan.File, m *review.Matcher, loc *time.Location) {
	var lines []string
	n, settled := 0, 0
	for _, it := range f.Items {
		if it.Action != rules.Review {
			continue
		}
		n++
		s := "  " + it.Store + ":" + it.Record + "\n"
		if it.Subject != nil {
			s += fmt.Sprintf("      subject: %s:%s (%s)\n", it.Subject.Type, it.Subject.ID, it.Subject.Name)
		}
		s += "      " + it.Reason + "\n"
		if r, ok := m.Match(it.Store, it.Record); ok && r.ID != it.Resolved {
			settled++
			s += fmt.Sprintf("      resolved by %s (%s), by %s on %s: the next plan decides it so\n",
				r.ID, agent.ResolutionWhat(r), r.By, r.At.In(loc).Format("2006-01-02"))
		}
		lines = append(lines, s)
	}
	fmt.Fprintf(w, "Plan %s (as of %s): %d review item(s), %d resolved since\n", filepath.Base(filepath.Dir(f.Path)), f.AsOf, n, settled)
	for _, s := range lines {
		fmt.Fprint(w, s)
	}
	if n > settled {
		fmt.Fprintln(w, "Settle one with: retentiond review resolve --config F STORE:RECORD (--subject TYPE:ID | --not-personal | --keep-until DATE) --reason TEXT --by NAME")
	}
}

// listResolutions prints the resolutions, each with what it settled in
// the plan f (nil: no plan yet).
func listResolutions(w io.Writer, rs []review.Resolution, f *plan.File, loc *time.Location) {
	var made time.Time
	if f != nil {
		made, _ = time.Parse(time.RFC3339, f.CreatedAt)
	}
	for _, r := range rs {
		fmt.Fprintf(w, "%s  %s  %s  by %s on %s: %s\n", r.ID, r.Target(), agent.ResolutionWhat(r), r.By, r.At.In(loc).Format("2006-01-02"), r.Reason)
		var note string
		switch {
		case !r.Active():
			note = fmt.Sprintf("undone by %s on %s", r.UndoneBy, r.UndoneAt.In(loc).Format("2006-01-02"))
		case f == nil || r.At.After(made):
			note = "made after the latest plan: the next plan follows it"
		default:
			used := 0
			for _, s := range f.Stores {
				used += s.Resolved[r.ID]
			}
			if used > 0 {
				note = fmt.Sprintf("settled %d record(s) in the plan as of %s", used, f.AsOf)
			} else {
				note = fmt.Sprintf("matches nothing in the plan as of %s (harmless; tidy up with review unresolve --id %s)", f.AsOf, r.ID)
			}
		}
		fmt.Fprintf(w, "        %s\n", note)
	}
}

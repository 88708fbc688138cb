// Command stategrowth measures how the state dir grows night by night, to
// size the state volume (deploy/README.md, "Sizing the state volume"). It
// builds the demo organisation and runs the daemon's nightly jobs on it
// over simulated days with the daemon's clock: the plan job
// (Service.NightlyPlan, with auto_apply for the diary, C10) at 02:00, a
// person approving the night's plan (Service.Approve), and the apply job
// (Service.NightlyApply) at 03:00. After each night it prints the state
// dir's size, apparent and allocated on disk, for the plans, the ledger
// and the rest. It is a measurement, not a test: run it by hand and
// quote its figures.
//
//	go run ./bench/stategrowth [-nights 30] [-dir DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/demo"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

func main() {
	nights := flag.Int("nights", 30, "simulated nights")
	dir := flag.String("dir", "", "where to build the demo (default a temporary directory, removed afterwards)")
	flag.Parse()
	log.SetFlags(0)
	if *dir == "" {
		d, err := os.MkdirTemp("", "retentiond-stategrowth-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = filepath.Join(d, "demo")
	}
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		log.Fatal(err)
	}
	start := rules.DateIn(time.Now(), loc)
	cfgPath, err := demo.Generate(*dir, start, 11)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := keys.Generate(filepath.Join(*dir, "keys"), keys.NameFor("demo")); err != nil {
		log.Fatal(err)
	}
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		log.Fatal(err)
	}
	daemon := "\ndaemon:\n  auto_apply: [C10]\n"
	if err := os.WriteFile(cfgPath, append(b, daemon...), 0o600); err != nil {
		log.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		log.Fatal(err)
	}
	var now time.Time
	svc, err := agent.ForDaemon(cfg, agent.Options{Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }, ConfigPath: cfgPath})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	at := func(d rules.Date, hour int) time.Time {
		return time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, loc)
	}
	fmt.Println("night  as_of       items  delete  pseud.  plans_B  ledger_B  other_B  total_B  on_disk_B  night_on_disk_B")
	var prev int64
	for n := 1; n <= *nights; n++ {
		day := start.AddDays(n - 1)
		now = at(day, 2)
		if err := svc.NightlyPlan(ctx); err != nil {
			log.Fatalf("night %d: plan: %v", n, err)
		}
		ps, err := svc.Plans()
		if err != nil || len(ps) == 0 {
			log.Fatalf("night %d: no plan: %v", n, err)
		}
		p := ps[0]
		if p.Summary.Delete+p.Summary.Pseudonymise > 0 {
			if _, err := svc.Approve(ctx, p.ID, agent.CLI("Beheerder"), nil, ""); err != nil {
				log.Fatalf("night %d: approve: %v", n, err)
			}
		}
		now = at(day, 3)
		if err := svc.NightlyApply(ctx); err != nil {
			log.Fatalf("night %d: apply: %v", n, err)
		}
		s := measure(cfg.StateDir)
		sum := p.Summary
		items := sum.Delete + sum.Pseudonymise + sum.Review + sum.Hold + sum.Keep
		fmt.Printf("%5d  %s  %5d  %6d  %6d  %7d  %8d  %7d  %7d  %9d  %15d\n", n, day, items, sum.Delete, sum.Pseudonymise,
			s.plans, s.ledger, s.other, s.plans+s.ledger+s.other, s.disk, s.disk-prev)
		prev = s.disk
	}
}

// size is a state dir's bytes: apparent, by part, and allocated on disk.
type size struct{ plans, ledger, other, disk int64 }

func measure(root string) size {
	var s size
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			s.disk += st.Blocks * 512
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case strings.HasPrefix(rel, "plans"+string(filepath.Separator)):
			s.plans += info.Size()
		case strings.HasPrefix(rel, "ledger"):
			s.ledger += info.Size()
		default:
			s.other += info.Size()
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	return s
}

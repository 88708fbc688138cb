// Command bench measures a plan over a large local tree against find(1)
// walking the same tree: wall time and peak memory (max RSS) of each, and
// their ratio. It is a benchmark, not a test: run it by hand or with
// `make bench`, and quote its figures.
//
//	go run ./bench [-n 1000000] [-due 25] [-dir DIR] [-keep] [-runs 3]
//	go run ./bench -n 200000 -due 5,25,55 -dir /tmp/bench200k -keep
//	go run ./bench -n 200000 -due 55 -dir /tmp/bench200k -keep -cpuprofile cpu.out
//
// The tree imitates a childcare organisation's dossier folder: one folder
// per child (Achternaam, Voornaam, in letters as names are) with twenty
// documents in four sub-folders. -due says what percentage of the
// children in the registry left care long enough ago that their dossiers
// are due: about 55 is the first plan of a ten-year backlog, which writes
// an item for half the files, about 5 a quiet night, 25 the bench's
// long-standing case. Several, comma-separated, are measured one after
// another on the same tree (a registry and a config each).
//
// With -cpuprofile (and -memprofile) the plan also runs once in this
// process, after the timed runs, under the profiler.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/bench/internal/run"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

func main() {
	n := flag.Int("n", 1_000_000, "number of files in the tree")
	dues := flag.String("due", "25", "percentage of the children whose dossiers are due: 55 a first plan on a ten-year backlog, 5 a quiet night; several comma-separated")
	dir := flag.String("dir", "", "where to build the tree (default a temporary directory)")
	keep := flag.Bool("keep", false, "keep the tree afterwards (and reuse it if it exists)")
	runs := flag.Int("runs", 3, "timed runs of each command; the median is reported (0: none, to profile only)")
	cpuprofile := flag.String("cpuprofile", "", "also plan once in this process and write its CPU profile here")
	memprofile := flag.String("memprofile", "", "also plan once in this process and write its allocation profile here")
	binFlag := flag.String("bin", "", "the retentiond binary to measure (default: built from this tree), to compare builds")
	flag.Parse()
	log.SetFlags(0)
	var ratios []int
	for _, s := range strings.Split(*dues, ",") {
		d, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || d < 0 || d > 100 {
			log.Fatalf("-due %q: a percentage from 0 to 100, or several comma-separated", s)
		}
		ratios = append(ratios, d)
	}

	if *dir == "" {
		d, err := os.MkdirTemp("", "retentiond-bench-")
		if err != nil {
			log.Fatal(err)
		}
		*dir = d
	}
	if !*keep {
		defer os.RemoveAll(*dir)
	}
	if !haveTree(*dir, *n) {
		start := time.Now()
		if err := os.RemoveAll(filepath.Join(*dir, "data")); err != nil {
			log.Fatal(err)
		}
		if err := generate(*dir, *n); err != nil {
			log.Fatal(err)
		}
		log.Printf("built a tree of %d files in %s", *n, time.Since(start).Round(time.Millisecond))
	}
	bin := *binFlag
	if bin == "" {
		bin = filepath.Join(*dir, "retentiond")
		build := exec.Command("go", "build", "-o", bin, "./cmd/retentiond")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			log.Fatalf("go build (run from the repository root): %v", err)
		}
	}
	root := filepath.Join(*dir, "data")
	findCmd := []string{"find", root, "-printf", "%p %s %T@\n"}
	fmt.Printf("files:            %d   (%s, %d CPUs, median of %d runs)\n", *n, time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), *runs)
	for _, due := range ratios {
		cfg, err := registry(*dir, *n, due)
		if err != nil {
			log.Fatal(err)
		}
		out := filepath.Join(*dir, fmt.Sprintf("plan-%d", due))
		planCmd := []string{bin, "plan", "--config", cfg, "--as-of", asOf, "--out", out}
		stderr := filepath.Join(*dir, fmt.Sprintf("plan-%d.stderr", due))

		// One untimed run of each first, so that both meet a warm cache.
		run.Measure("", findCmd...)
		run.MeasureQuiet("", stderr, planCmd...)
		if *runs > 0 {
			measure(*runs, *n, due, out, findCmd, planCmd, stderr)
		}
		if *cpuprofile != "" || *memprofile != "" {
			if err := profile(cfg, out, due, *cpuprofile, *memprofile); err != nil {
				log.Fatal(err)
			}
		}
	}
}

// measure times runs runs of find and of the plan, one after the other,
// and prints their medians and the ratio.
func measure(runs, n, due int, out string, findCmd, planCmd []string, stderr string) {
	var find, plan []run.Result
	for i := 0; i < runs; i++ {
		find = append(find, run.MeasureQuiet("", "", findCmd...))
		plan = append(plan, run.MeasureQuiet("", stderr, planCmd...))
	}
	f, p := summarise(find), summarise(plan)
	items, err := countItems(filepath.Join(out, "plan.csv"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("due %d%% of children: %d items in the plan (%.0f%% of the files)\n", due, items, 100*float64(items)/float64(n))
	fmt.Printf("  find -printf:     %8.2f s   peak RSS %6.1f MB   cpu %5.2f s\n", f.Wall.Seconds(), mb(f.RSS), f.CPU.Seconds())
	fmt.Printf("  retentiond plan:  %8.2f s   peak RSS %6.1f MB   cpu %5.2f s\n", p.Wall.Seconds(), mb(p.RSS), p.CPU.Seconds())
	fmt.Printf("  ratio plan/find:  %8.2f     (target <= 1.5; peak RSS target <= 300 MB at 1M files)\n", p.Wall.Seconds()/f.Wall.Seconds())
	fmt.Printf("  per run (find/plan s): %s\n", pairs(find, plan))
}

// summarise gives the median wall and CPU times of rs and their highest
// peak RSS.
func summarise(rs []run.Result) run.Result {
	var wall, cpu []time.Duration
	var out run.Result
	for _, r := range rs {
		wall, cpu = append(wall, r.Wall), append(cpu, r.CPU)
		out.RSS = max(out.RSS, r.RSS)
	}
	out.Wall, out.CPU = median(wall), median(cpu)
	return out
}

// pairs lists the wall times of each run of find and the plan that
// followed it.
func pairs(find, plan []run.Result) string {
	var s []string
	for i := range find {
		s = append(s, fmt.Sprintf("%.2f/%.2f", find[i].Wall.Seconds(), plan[i].Wall.Seconds()))
	}
	return strings.Join(s, " ")
}

// profile plans once in this process with the config cfg into out, under
// the CPU profiler if cpu is set, then writes the allocation profile to
// mem if set. With several ratios, each profile file's name gets the
// ratio before its extension.
func profile(cfg, out string, due int, cpu, mem string) error {
	name := func(f string) string {
		if f == "" || !strings.Contains(flag.Lookup("due").Value.String(), ",") {
			return f
		}
		ext := filepath.Ext(f)
		return fmt.Sprintf("%s-%d%s", strings.TrimSuffix(f, ext), due, ext)
	}
	c, err := config.Load(cfg)
	if err != nil {
		return err
	}
	svc, err := agent.New(c, agent.Options{})
	if err != nil {
		return err
	}
	d, err := rules.ParseDate(asOf)
	if err != nil {
		return err
	}
	if mem != "" {
		runtime.MemProfileRate = 4096
	}
	if cpu != "" {
		f, err := os.Create(name(cpu))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	start := time.Now()
	_, err = svc.Plan(context.Background(), agent.PlanOptions{AsOf: d, Out: out})
	if cpu != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	fmt.Printf("  in process:       %8.2f s   (profiled)\n", time.Since(start).Seconds())
	if mem != "" {
		f, err := os.Create(name(mem))
		if err != nil {
			return err
		}
		defer f.Close()
		return pprof.Lookup("allocs").WriteTo(f, 0)
	}
	return nil
}

// countItems counts the rows of a plan.csv after its header.
func countItems(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strings.Count(string(b), "\n") - 1, nil
}

func median(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// Command bench measures a plan over a large local tree against find(1)
// walking the same tree: wall time and peak memory (max RSS) of each, and
// their ratio. It is a benchmark, not a test: run it by hand or with
// `make bench`, and quote its figures.
//
//	go run ./bench [-n 1000000] [-dir DIR] [-keep] [-runs 3]
//
// The tree imitates a childcare organisation's dossier folder: one folder
// per child (Achternaam, Voornaam) with twenty documents in four
// sub-folders, and a registry of the children in which a quarter have left
// care long enough ago that their dossiers are due.
package main

import (
	"flag"
	"fmt"
	"github.com/retentiond/retentiond/bench/internal/run"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"
)

func main() {
	n := flag.Int("n", 1_000_000, "number of files in the tree")
	dir := flag.String("dir", "", "where to build the tree (default a temporary directory)")
	keep := flag.Bool("keep", false, "keep the tree afterwards (and reuse it if it exists)")
	runs := flag.Int("runs", 3, "timed runs of each command; the median is reported")
	flag.Parse()
	log.SetFlags(0)

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
	cfg := filepath.Join(*dir, "retentiond.yaml")
	if _, err := os.Stat(cfg); err != nil {
		start := time.Now()
		if err := generate(*dir, *n); err != nil {
			log.Fatal(err)
		}
		log.Printf("built a tree of %d files in %s", *n, time.Since(start).Round(time.Millisecond))
	}
	bin := filepath.Join(*dir, "retentiond")
	build := exec.Command("go", "build", "-o", bin, "./cmd/retentiond")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		log.Fatalf("go build (run from the repository root): %v", err)
	}
	root := filepath.Join(*dir, "data")
	findCmd := []string{"find", root, "-printf", "%p %s %T@\n"}
	planCmd := []string{bin, "plan", "--config", cfg, "--as-of", asOf, "--out", filepath.Join(*dir, "plan")}

	// One untimed run of each first, so that both meet a warm cache.
	run.Measure("", findCmd...)
	run.Measure("", planCmd...)
	var fw, pw []time.Duration
	var frss, prss int64
	for i := 0; i < *runs; i++ {
		w, r := run.Measure("", findCmd...)
		fw, frss = append(fw, w), max(frss, r)
		w, r = run.Measure("", planCmd...)
		pw, prss = append(pw, w), max(prss, r)
	}
	f, p := median(fw), median(pw)
	fmt.Printf("files:            %d\n", *n)
	fmt.Printf("find -printf:     %8.2f s   peak RSS %6.1f MB\n", f.Seconds(), mb(frss))
	fmt.Printf("retentiond plan:  %8.2f s   peak RSS %6.1f MB\n", p.Seconds(), mb(prss))
	fmt.Printf("ratio plan/find:  %8.2f     (target <= 1.5; peak RSS target <= 300 MB at 1M files)\n", p.Seconds()/f.Seconds())
	fmt.Printf("median of %d runs; %d CPUs\n", *runs, numCPU())
}

func median(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

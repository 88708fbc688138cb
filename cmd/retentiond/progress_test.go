package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProgressNotTerminal: off a terminal (a log, a pipe), the long
// operations write a line per thousand items to stderr: counts only,
// never a person's name, a record's path or a store's name.
func TestProgressNotTerminal(t *testing.T) {
	// 1000 due dossiers: plan lists 1000 records, apply handles 1000.
	dir, _ := approvedOrg(t, 1000)
	cfg := filepath.Join(dir, "retentiond.yaml")
	code, out, errs := runCLI(t, "plan", "--config", cfg, "--out", filepath.Join(dir, "plan2"))
	if code != 0 {
		t.Fatalf("plan: %d\n%s\n%s", code, out, errs)
	}
	checkProgress(t, "plan", errs, []string{"retentiond plan: 1000 records listed\n"})

	code, out, errs = runCLI(t, "apply", "--config", cfg, "--plan", filepath.Join(dir, "plan"))
	if code != 0 {
		t.Fatalf("apply: %d\n%s\n%s", code, out, errs)
	}
	checkProgress(t, "apply", errs, []string{"retentiond apply: 1000 of 1000 items handled\n"})

	// A package of 2100 records of one child.
	dir, cfg = keyedOrg(t)
	for i := range 2100 {
		writeFile(t, filepath.Join(dir, "data", "Jansen, Piet", fmt.Sprintf("verslag-%04d.txt", i)), "x")
	}
	if code, out, errs := runCLI(t, "request", "open", "--config", cfg, "--subject", "child:1", "--kind", "access"); code != 0 {
		t.Fatalf("request open: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "request", "package", "--config", cfg, "--id", "REQ-0001", "--by", "Beheerder")
	if code != 0 {
		t.Fatalf("request package: %d\n%s\n%s", code, out, errs)
	}
	checkProgress(t, "request package", errs, []string{
		"retentiond request package: 1000 records listed\n",
		"retentiond request package: 2000 records listed\n",
		"retentiond request package: 1000 of 2101 records copied\n",
		"retentiond request package: 2000 of 2101 records copied\n",
	})
}

func checkProgress(t *testing.T, what, stderr string, want []string) {
	t.Helper()
	for _, w := range want {
		if strings.Count(stderr, w) != 1 {
			t.Errorf("%s: stderr has not once %q:\n%s", what, w, stderr)
		}
	}
	for _, never := range []string{"Kind", "Testpersoon", "Piet", "Jansen", "dossier", "verslag", "\r", "\033"} {
		if strings.Contains(stderr, never) {
			t.Errorf("%s: stderr has %q:\n%s", what, never, stderr)
		}
	}
}

// TestProgressBar: on a terminal, a long operation draws a bar on stderr
// as it goes (at most ten times a second), and clears it when done;
// nothing is logged per thousand.
func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, "apply", "items handled", true)
	for i := 1; i <= 1000; i++ {
		p.set(i, 2000)
	}
	time.Sleep(150 * time.Millisecond)
	p.set(1500, 2000)
	p.done()
	out := buf.String()
	for _, want := range []string{"apply: items handled", "75%", "(1500/2000)", "\r"} {
		if !strings.Contains(out, want) {
			t.Errorf("the bar lacks %q: %q", want, out)
		}
	}
	if n := strings.Count(out, "/2000)"); n > 3 {
		t.Errorf("the bar was drawn %d times in 150 ms", n)
	}
	if !strings.HasSuffix(out, "\r") || strings.Contains(out[strings.LastIndex(out[:len(out)-1], "\r"):], "%") {
		t.Errorf("the bar is not cleared at the end: %q", out)
	}
	if strings.Contains(out, "\n") {
		t.Errorf("a terminal gets log lines: %q", out)
	}
	// A count without a total (records listed) spins with the count.
	buf.Reset()
	p = newProgress(&buf, "plan", "records listed", true)
	for _, n := range []int{1, 1500, 1600} {
		p.set(n, -1)
		time.Sleep(150 * time.Millisecond)
	}
	p.done()
	if out := buf.String(); !strings.Contains(out, "(1500/-)") || !strings.Contains(out, "plan: records listed") {
		t.Errorf("the spinner: %q", out)
	}
}

package main

import (
	"context"
	"encoding/json"
	"github.com/retentiond/retentiond/agent"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/retentiond/retentiond/agent/flock"
)

// TestStaleTempFilesRemoved: a rewrite killed mid-way leaves a temporary
// copy of an export beside it (a dotfile the scanner skips, holding every
// BSN). The next run removes the program's own stale temporaries, and
// nothing else: not other dotfiles, not a symbolic link with such a name.
func TestStaleTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), exportConfig)
	writeFile(t, filepath.Join(dir, "ouders.csv"), "Relatienummer;Naam;Einde contract\nR1;Karin de Vries;31-05-2025\n")
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Kindnummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	writeFile(t, filepath.Join(dir, "exports", "ouders-2026.csv"),
		"Relatienummer;Naam ouder;BSN;Straat;Postcode;Woonplaats;Geboortedatum;IBAN;E-mail;Telefoon\n"+
			"R1;Karin de Vries;123456782;Dorpsstraat 1;1234 AB;Utrecht;01-02-1980;NL91ABNA0417164300;k@example.nl;0612345678\n")
	writeFile(t, filepath.Join(dir, "exports", "dagboek.csv"), "Datum;Naam kind;Notitie\n")
	stale := filepath.Join(dir, "exports", ".ouders-2026.csv.0123456789ab.retentiond-tmp")
	writeFile(t, stale, "Relatienummer;Naam;BSN\nR1;Karin de Vries;111222333\n")
	other := filepath.Join(dir, "exports", ".ouders-2026.csv.notours")
	writeFile(t, other, "x")
	target := filepath.Join(dir, "elsewhere.txt")
	writeFile(t, target, "keep me")
	link := filepath.Join(dir, "exports", ".dagboek.csv.abcdefabcdef.retentiond-tmp")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCLI(t, "keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatalf("keygen: %s %s", out, errs)
	}
	code, out, errs := runCLI(t, "plan", "--config", filepath.Join(dir, "retentiond.yaml"), "--as-of", "2026-11-23", "--out", filepath.Join(dir, "plan"))
	if code != 0 {
		t.Fatalf("plan: %d %s %s", code, out, errs)
	}
	if _, err := os.Lstat(stale); !os.IsNotExist(err) {
		t.Logf("plan output:\n%s\n%s", out, errs)
		t.Errorf("the stale temporary copy is still there (%v)", err)
	}
	if _, err := os.Lstat(other); err != nil {
		t.Errorf("a dotfile that is not ours was removed: %v", err)
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("the link's target was removed: %v", err)
	}
	if strings.Contains(out+errs, "Karin") {
		t.Errorf("output names a person:\n%s%s", out, errs)
	}
}

// TestPlanLeavesNoPartialFiles: a plan that fails half-way (here it is
// cancelled) leaves no plan.json.partial or any other plan file; stale
// partial files of an earlier crashed plan are removed by the next one.
func TestPlanLeavesNoPartialFiles(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	crashed := filepath.Join(dir, "state", "plans", "20260101-020000")
	writeFile(t, filepath.Join(crashed, "plan.json.partial"), `{"items": [{"record": "Jansen, Piet/intake.pdf"`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := makePlan(ctx, cfg, "2026-11-23", agent.PlanOptions{Lang: "nl"}, false, io.Discard, os.Stderr)
	if err == nil {
		t.Fatalf("a cancelled plan succeeded: %+v", res)
	}
	var left []string
	filepath.WalkDir(filepath.Join(dir, "state"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != agent.ApplyLockFile {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("files left behind after a failed plan: %v", left)
	}
}

// TestConcurrentPlansGetTheirOwnFolders: plans started in the same second
// never share a folder; every one that exits 0 has a valid plan.json.
func TestConcurrentPlansGetTheirOwnFolders(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	const n = 6
	var wg sync.WaitGroup
	dirs := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := makePlan(context.Background(), cfg, "2026-11-23", agent.PlanOptions{Lang: "nl"}, false, io.Discard, io.Discard)
			errs[i] = err
			if err == nil {
				dirs[i] = res.Dir
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("plan %d: %v", i, errs[i])
			continue
		}
		if seen[dirs[i]] {
			t.Errorf("two plans wrote into %s", dirs[i])
		}
		seen[dirs[i]] = true
		b, err := os.ReadFile(filepath.Join(dirs[i], "plan.json"))
		var v map[string]any
		if err != nil || json.Unmarshal(b, &v) != nil {
			t.Errorf("plan %d in %s: invalid plan.json (%v)", i, dirs[i], err)
		}
	}
	// Two runs into the same --out at once: one is refused, never a mix.
	out := filepath.Join(dir, "same")
	var codes [2]int
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, _ = runCLI(t, "plan", "--config", cfg, "--as-of", "2026-11-23", "--out", out)
		}()
	}
	wg.Wait()
	b, err := os.ReadFile(filepath.Join(out, "plan.json"))
	var v map[string]any
	if err != nil || json.Unmarshal(b, &v) != nil {
		t.Errorf("--out shared by two runs: invalid plan.json (codes %v, %v)", codes, err)
	}
}

// TestStaleZipTempsAfterKilledApply: a zip rewrite killed before its
// rename leaves its temporary copy somewhere in a folder store. The
// marker a killed apply leaves makes the next run walk the store and
// remove it (and only then, so that nightly plans stay one pass).
func TestStaleZipTempsAfterKilledApply(t *testing.T) {
	dir := miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	cfg := filepath.Join(dir, "retentiond.yaml")
	stale := filepath.Join(dir, "data", "Jansen, Piet", ".scans.zip.0123456789ab.retentiond-tmp")
	writeFile(t, stale, "PK")
	writeFile(t, filepath.Join(dir, "state", agent.ApplyMarkerFile), "")
	staleState := filepath.Join(dir, "state", ".requests.json.123456789")
	writeFile(t, staleState, `{"requests":[{"notes":["Piet Jansen"]}]}`)
	if code, out, errs := runCLI(t, "plan", "--config", cfg, "--as-of", "2026-11-23", "--out", filepath.Join(dir, "plan")); code != 0 {
		t.Fatalf("plan: %d %s %s", code, out, errs)
	}
	if _, err := os.Lstat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale zip copy is still there (%v)", err)
	}
	if _, err := os.Lstat(staleState); !os.IsNotExist(err) {
		t.Errorf("the stale copy of requests.json is still there (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "state", agent.ApplyMarkerFile)); !os.IsNotExist(err) {
		t.Errorf("the marker was not removed after a clean sweep (%v)", err)
	}
}

// TestOneApplyAtATime: while one apply holds the state dir's apply lock,
// a second is refused before it acts, and deletes nothing.
func TestOneApplyAtATime(t *testing.T) {
	dir, files := approvedOrg(t, 2)
	l, err := flock.Try(filepath.Join(dir, "state", agent.ApplyLockFile))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "apply", "--config", filepath.Join(dir, "retentiond.yaml"), "--plan", filepath.Join(dir, "plan"))
	if code == 0 || !strings.Contains(errs, "another apply is running") {
		t.Errorf("apply beside a running apply: exit %d\n%s%s", code, out, errs)
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("deleted while another apply ran: %v", err)
		}
	}
	l.Unlock()
	if code, out, errs := runCLI(t, "apply", "--config", filepath.Join(dir, "retentiond.yaml"), "--plan", filepath.Join(dir, "plan")); code != 0 {
		t.Fatalf("apply after the other finished: %d\n%s%s", code, out, errs)
	}
	for _, f := range files {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("not deleted: %v", err)
		}
	}
}

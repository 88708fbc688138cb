package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/apply"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
)

// TestMain lets the tests run this binary as retentiond itself, so that a
// test can kill a real apply process at any point.
func TestMain(m *testing.M) {
	if os.Getenv("RETENTIOND_TEST_MAIN") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	// S3 tests share one in-process versitygw, started by the first
	// that needs it.
	os.Exit(s3test.Run(m))
}

// child process: retentiond args..., with extra environment.
func retentiond(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "RETENTIOND_TEST_MAIN=1"), env...)
	return cmd
}

const killConfig = `organisation: Crash Test
state_dir: state
pseudonym_key_file: keys/pseudonym.key
ledger_key_file: keys/ledger.key
ledger_verify_key_file: keys/ledger.pub
apply:
  max_deletions: 1000
registries:
  - name: kinderen
    subject: child
    file: kinderen.csv
    columns: {id: Nummer, name: Naam, end_of_care: Einde}
stores:
  - name: dossiers
    type: localfs
    root: data
    layout:
      - path: "{child.id} {child.name}/**"
        category: child-dossier
`

// approvedOrg builds an organisation of n due dossiers, plans and approves.
func approvedOrg(t *testing.T, n int) (dir string, files []string) {
	t.Helper()
	dir = t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), killConfig)
	var reg strings.Builder
	reg.WriteString("Nummer;Naam;Einde\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&reg, "%d;Kind%d Testpersoon;31-01-2020\n", i, i)
		f := filepath.Join(dir, "data", fmt.Sprintf("%d Kind%d Testpersoon", i, i), "dossier.pdf")
		writeFile(t, f, fmt.Sprintf("dossier %d", i))
		files = append(files, f)
	}
	writeFile(t, filepath.Join(dir, "kinderen.csv"), reg.String())
	if _, err := keys.Generate(filepath.Join(dir, "keys"), "crash-test"); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "retentiond.yaml")
	if code, _, errs := runCLI(t, "plan", "--config", cfg, "--out", filepath.Join(dir, "plan")); code != 0 {
		t.Fatalf("plan: %s", errs)
	}
	if code, _, errs := runCLI(t, "approve", "--config", cfg, "--plan", filepath.Join(dir, "plan"), "--by", "Test"); code != 0 {
		t.Fatalf("approve: %s", errs)
	}
	return dir, files
}

// ledgerEntries reads the entries of entries.jsonl that record an act
// on a record: not the approvals.
func ledgerEntries(t *testing.T, dir string) []ledger.Entry {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "state", "ledger", "entries.jsonl"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []ledger.Entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e ledger.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			continue // a torn last line, repaired by the next Open
		}
		if e.Action == ledger.ActionApproved {
			continue
		}
		out = append(out, e)
	}
	return out
}

// checkInvariants: no record acted on twice, no deletion missing from the
// ledger beyond the one in flight when the process died, and the ledger
// verifies.
func checkInvariants(t *testing.T, dir string, files []string, inFlight int, when string) (deleted int) {
	t.Helper()
	entries := ledgerEntries(t, dir)
	seen := map[string]int{}
	for _, e := range entries {
		seen[e.Record]++
		if seen[e.Record] > 1 {
			t.Fatalf("%s: record %s is in the ledger twice", when, e.Record)
		}
		if e.Outcome != apply.Done {
			t.Fatalf("%s: outcome %s (%s): an item was acted on twice or went wrong", when, e.Outcome, e.Reason)
		}
	}
	for _, f := range files {
		if _, err := os.Stat(f); os.IsNotExist(err) {
			deleted++
		}
	}
	if unlogged := deleted - len(entries); unlogged < 0 || unlogged > inFlight {
		t.Fatalf("%s: %d files deleted, %d ledger entries", when, deleted, len(entries))
	}
	v, err := keys.LoadVerifier(filepath.Join(dir, "keys", "ledger.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "ledger", "checkpoints")); err == nil {
		if _, err := ledger.Verify(filepath.Join(dir, "state", "ledger"), v); err != nil {
			t.Fatalf("%s: the ledger does not verify: %v", when, err)
		}
	}
	return deleted
}

// TestKillApply kills apply at many points, with SIGKILL at journalled
// crash points and at random moments, reruns it, and checks after each
// step that no item was acted on twice and every deletion is logged.
func TestKillApply(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	const n = 300
	dir, files := approvedOrg(t, n)
	args := []string{"apply", "--config", filepath.Join(dir, "retentiond.yaml"), "--plan", filepath.Join(dir, "plan")}
	crashes := []string{"intent:1", "delete:1", "ledger:1", "outcome:1", "intent:7", "delete:13", "ledger:29",
		"outcome:31", "delete:2", "ledger:2", "intent:40", "delete:55"}
	rng := rand.New(rand.NewPCG(7, 11))
	for i, c := range crashes {
		cmd := retentiond(t, []string{apply.CrashEnv + "=" + c}, args...)
		out, err := cmd.CombinedOutput()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if err == nil || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("crash %s: want the process killed, got %v\n%s", c, err, out)
		}
		checkInvariants(t, dir, files, 1, "after crash "+c)
		// Every few crashes, also a kill at a random moment.
		if i%3 == 2 {
			cmd := retentiond(t, nil, args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(20+rng.IntN(120)) * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			checkInvariants(t, dir, files, 1, fmt.Sprintf("after a random kill (%d)", i))
		}
	}
	out, err := retentiond(t, nil, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("final apply: %v\n%s", err, out)
	}
	if deleted := checkInvariants(t, dir, files, 0, "after the final run"); deleted != n {
		t.Fatalf("%d of %d files deleted after the final run\n%s", deleted, n, out)
	}
	if len(ledgerEntries(t, dir)) != n {
		t.Fatalf("ledger has %d entries, want %d", len(ledgerEntries(t, dir)), n)
	}
	// And once more: nothing left to do, nothing changes.
	before, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", "entries.jsonl"))
	out, err = retentiond(t, nil, args...).CombinedOutput()
	after, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", "entries.jsonl"))
	if err != nil || !bytes.Equal(before, after) || !strings.Contains(string(out), "0 deleted") {
		t.Fatalf("a further apply changed something (%v):\n%s", err, out)
	}
}

// TestNoPersonalDataOutsidePlanFiles runs the demo through plan, approve,
// apply and verify and greps everything written outside the plan and
// report files — ledger, journal, approvals, and all output — for every
// name and date of birth in the demo's registries.
func TestNoPersonalDataOutsidePlanFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	var logs bytes.Buffer
	step := func(args ...string) {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		logs.WriteString(out)
		logs.WriteString(errs)
		if code != 0 {
			t.Fatalf("%v exited %d:\n%s\n%s", args, code, out, errs)
		}
	}
	step("demo", "--dir", dir)
	cfg := filepath.Join(dir, "retentiond.yaml")
	step("approve", "--config", cfg, "--plan", filepath.Join(dir, "plan"), "--by", "Beheerder")
	step("apply", "--config", cfg, "--plan", filepath.Join(dir, "plan"))
	step("verify", "--ledger", filepath.Join(dir, "state", "ledger"), "--key", filepath.Join(dir, "keys", "ledger.pub"))

	secrets := demoSecrets(t, dir)
	if len(secrets) < 500 {
		t.Fatalf("only %d names and dates found in the demo registries", len(secrets))
	}
	var written []string
	filepath.WalkDir(filepath.Join(dir, "state"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			written = append(written, p)
		}
		return nil
	})
	if len(written) < 4 {
		t.Fatalf("state holds only %v", written)
	}
	hay := map[string]string{"command output": logs.String()}
	for _, p := range written {
		b, _ := os.ReadFile(p)
		hay[p] = string(b)
	}
	for where, text := range hay {
		low := strings.ToLower(text)
		for _, s := range secrets {
			if strings.Contains(low, strings.ToLower(s)) {
				t.Errorf("%s contains %q from the registries", where, s)
			}
		}
	}
}

// demoSecrets returns every person's name, surname and date of birth from
// the demo's CSV registries, as the files write them.
func demoSecrets(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, name := range []string{"kinderen.csv", "ouders.csv", "sollicitanten.csv", "stagiaires.csv", "vrijwilligers.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, "exports", name))
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.TrimPrefix(b, []byte("\ufeff"))
		r := csv.NewReader(bytes.NewReader(b))
		r.Comma = ';'
		if !bytes.Contains(b[:bytes.IndexByte(b, '\n')], []byte(";")) {
			r.Comma = ','
		}
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for c, h := range rows[0] {
			if !strings.Contains(strings.ToLower(h), "naam") && !strings.Contains(strings.ToLower(h), "geboortedatum") {
				continue
			}
			for _, row := range rows[1:] {
				if v := strings.TrimSpace(row[c]); v != "" {
					out = append(out, v)
					if f := strings.Fields(v); len(f) > 1 && len(f[len(f)-1]) > 3 {
						out = append(out, f[0]+" "+f[len(f)-1])
					}
				}
			}
		}
	}
	return out
}

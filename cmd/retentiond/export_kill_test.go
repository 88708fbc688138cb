package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/apply"
	"github.com/retentiond/retentiond/agent/keys"
)

const exportKillConfig = `organisation: Export Crash Test
state_dir: state
pseudonym_key_file: %[1]s/pseudonym.key
ledger_key_file: %[1]s/ledger.key
apply:
  max_deletions: 1000
overrides:
  C16: {disabled: false}
  C18: {disabled: false}
  C19: {disabled: false}
registries:
  - name: ouders
    subject: parent
    file: ouders.csv
    columns: {id: Relatienummer, name: Naam, end_of_contract: Einde contract}
  - name: kinderen
    subject: child
    file: kinderen.csv
    columns: {id: Kindnummer, name: Naam, end_of_care: Einde}
stores:
  - name: kidsadmin-ouders
    type: export
    files: exports/ouders-*.csv
    profile: kidsadmin-parents
    operators: {iban: "mask:4", email: pseudonym}
  - name: konnect-dagboek
    type: export
    files: exports/dagboek.csv
    profile: konnect-diary
`

// exportFiles are the exports of an exportKillOrg, in the order apply
// rewrites them.
var exportFiles = []string{"ouders-a.csv", "ouders-b.csv", "dagboek.csv"}

// exportKillOrg builds an organisation with three export files whose rows
// are due to be deleted or pseudonymised (dates relative to today, as
// apply re-checks as of today), plans and approves. It returns the folder
// and the number of rows the plan acts on.
func exportKillOrg(t *testing.T, keyDir string) (string, int) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), fmt.Sprintf(exportKillConfig, keyDir))
	today := time.Now()
	nl := func(years, months int) string { return today.AddDate(years, months, 0).Format("02-01-2006") }
	iso := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	var reg, kids strings.Builder
	reg.WriteString("Relatienummer;Naam;Einde contract\n")
	kids.WriteString("Kindnummer;Naam;Einde\nK1;Piet Jansen;\nK2;Sara de Vries;\n")
	for f, file := range exportFiles[:2] {
		var b strings.Builder
		b.WriteString("Relatienummer;Naam ouder;BSN;Straat;Postcode;Woonplaats;Geboortedatum;IBAN;E-mail;Telefoon\n")
		for i := 1; i <= 6; i++ {
			id := fmt.Sprintf("R%d%d", f+1, i)
			end := []string{nl(0, -18), nl(-8, 0), ""}[i%3] // pseudonymise, delete, keep
			fmt.Fprintf(&reg, "%s;Ouder %s;%s\n", id, id, end)
			fmt.Fprintf(&b, "%s;Ouder %s;123456782;Dorpsstraat %d;1234 AB;Utrecht;01-02-1980;NL91ABNA0417164300;%s@example.nl;0612345678\n", id, id, i, strings.ToLower(id))
		}
		writeFile(t, filepath.Join(dir, "exports", file), b.String())
	}
	writeFile(t, filepath.Join(dir, "exports", "dagboek.csv"), "Datum;Naam kind;Notitie\n"+
		iso(-120)+";Piet Jansen;oud\n"+iso(-3)+";Piet Jansen;nieuw\n"+iso(-200)+";Sara de Vries;ouder\n"+iso(-95)+";Sara de Vries;\"twee\nregels\"\n")
	writeFile(t, filepath.Join(dir, "ouders.csv"), reg.String())
	writeFile(t, filepath.Join(dir, "kinderen.csv"), kids.String())
	cfg := filepath.Join(dir, "retentiond.yaml")
	if code, _, errs := runCLI(t, "plan", "--config", cfg, "--out", filepath.Join(dir, "plan")); code != 0 {
		t.Fatalf("plan: %s", errs)
	}
	if code, _, errs := runCLI(t, "approve", "--config", cfg, "--plan", filepath.Join(dir, "plan"), "--by", "Test"); code != 0 {
		t.Fatalf("approve: %s", errs)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "plan", "plan.json"))
	var p struct{ Items []struct{ Action string } }
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, it := range p.Items {
		if it.Action == "delete" || it.Action == "pseudonymise" {
			n++
		}
	}
	return dir, n
}

func readExports(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range exportFiles {
		b, err := os.ReadFile(filepath.Join(dir, "exports", f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	return out
}

// TestKillExportRewrite kills apply (SIGKILL, in a child process) in each
// window of an export file's rewrite — before it, after the journal's
// prepared line but before the rename, after the rename but before the
// ledger, between ledger and journal — then runs it again. After each
// kill every file is its old or its new content, never half; after the
// rerun every row is in the ledger exactly once, done, the files are
// what an uninterrupted apply makes, and a further apply changes nothing.
func TestKillExportRewrite(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	keyDir := t.TempDir()
	if _, err := keys.Generate(keyDir, "crash-test"); err != nil {
		t.Fatal(err)
	}
	ref, acted := exportKillOrg(t, keyDir)
	if acted < 8 {
		t.Fatalf("the plan acts on %d rows; the org should give more", acted)
	}
	refArgs := []string{"apply", "--config", filepath.Join(ref, "retentiond.yaml"), "--plan", filepath.Join(ref, "plan")}
	before := readExports(t, ref)
	if code, out, errs := runCLI(t, refArgs...); code != 0 {
		t.Fatalf("apply without a crash: %s %s", out, errs)
	}
	want := readExports(t, ref)
	for _, f := range exportFiles {
		if bytes.Equal(before[f], want[f]) {
			t.Fatalf("%s: apply did not change it", f)
		}
	}
	for _, tc := range []struct {
		crash    string
		prepared bool // undo the rename after the kill: the state a kill between the prepared line and the rename leaves
	}{
		{"intent:1", false}, {"delete:1", true}, {"delete:1", false}, {"ledger:1", false}, {"outcome:1", false},
		{"ledger:5", false}, {"delete:2", true}, {"delete:3", false}, {"intent:3", false}, {"outcome:9", false},
	} {
		name := tc.crash
		if tc.prepared {
			name += "-before-rename"
		}
		t.Run(name, func(t *testing.T) {
			dir, n := exportKillOrg(t, keyDir)
			if n != acted {
				t.Fatalf("%d rows to act on, the reference has %d", n, acted)
			}
			old := readExports(t, dir)
			args := []string{"apply", "--config", filepath.Join(dir, "retentiond.yaml"), "--plan", filepath.Join(dir, "plan")}
			cmd := retentiond(t, []string{apply.CrashEnv + "=" + tc.crash}, args...)
			out, err := cmd.CombinedOutput()
			ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if err == nil || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("want the process killed, got %v\n%s", err, out)
			}
			now := readExports(t, dir)
			for _, f := range exportFiles {
				if !bytes.Equal(now[f], old[f]) && !bytes.Equal(now[f], want[f]) {
					t.Fatalf("%s after the kill is neither the old nor the new content:\n%s", f, now[f])
				}
			}
			checkExportLedger(t, dir, -1)
			if tc.prepared {
				undoRename(t, dir, old)
			}
			if out, err := retentiond(t, nil, args...).CombinedOutput(); err != nil {
				t.Fatalf("apply after the kill: %v\n%s", err, out)
			}
			for f, b := range readExports(t, dir) {
				if !bytes.Equal(b, want[f]) {
					t.Errorf("%s after the rerun:\n%s\nwant:\n%s", f, b, want[f])
				}
			}
			checkExportLedger(t, dir, acted)
			led := filepath.Join(dir, "state", "ledger", "entries.jsonl")
			ledBefore, _ := os.ReadFile(led)
			code, out2, errs := runCLI(t, args...)
			ledAfter, _ := os.ReadFile(led)
			if code != 0 || !bytes.Equal(ledBefore, ledAfter) || !strings.Contains(out2, fmt.Sprintf("%d handled by an earlier run", acted)) {
				t.Errorf("a further apply (exit %d) changed the ledger or did not find every row done:\n%s%s", code, out2, errs)
			}
			for f, b := range readExports(t, dir) {
				if !bytes.Equal(b, want[f]) {
					t.Errorf("%s changed on a further apply", f)
				}
			}
		})
	}
}

// undoRename brings back the state of a kill after the journal's prepared
// line and before the rename: the last file rewritten gets its old
// content and modification time back (its version is then the plan's),
// and the new content lies beside it as the temporary file the rename
// never moved.
func undoRename(t *testing.T, dir string, old map[string][]byte) {
	t.Helper()
	journal, _ := filepath.Glob(filepath.Join(dir, "state", "journal", "*.jsonl"))
	if len(journal) != 1 {
		t.Fatalf("journals: %v", journal)
	}
	b, _ := os.ReadFile(journal[0])
	if !bytes.Contains(b, []byte(`"phase":"prepared"`)) {
		t.Fatalf("the journal has no prepared line:\n%s", b)
	}
	var last string
	for _, f := range exportFiles {
		if b, _ := os.ReadFile(filepath.Join(dir, "exports", f)); !bytes.Equal(b, old[f]) {
			last = f
		}
	}
	if last == "" {
		t.Fatal("no file was rewritten before the kill")
	}
	path := filepath.Join(dir, "exports", last)
	if err := os.Rename(path, filepath.Join(dir, "exports", "."+last+".0123456789ab.retentiond-tmp")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(old[last]))
	// exportKillOrg wrote the files a moment before the plan; any
	// modification time the file had then will do, as long as it is the
	// one the plan recorded.
	mtime := planModTime(t, dir, last)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// planModTime returns the modification time the plan recorded for file
// (from its version, "s<size>-m<unix nanoseconds>").
func planModTime(t *testing.T, dir, file string) time.Time {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(dir, "plan", "plan.json"))
	var p struct {
		Items []struct{ File, Version string }
	}
	json.Unmarshal(b, &p)
	for _, it := range p.Items {
		if it.File != file {
			continue
		}
		_, m, ok := strings.Cut(it.Version, "-m")
		var ns int64
		if _, err := fmt.Sscan(m, &ns); ok && err == nil {
			return time.Unix(0, ns)
		}
	}
	t.Fatalf("the plan has no version of %s", file)
	return time.Time{}
}

// checkExportLedger checks that no row is in the ledger twice and that
// every entry is done; with want >= 0, that there are want entries.
func checkExportLedger(t *testing.T, dir string, want int) {
	t.Helper()
	entries := ledgerEntries(t, dir)
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.Record] {
			t.Fatalf("record %s is in the ledger twice", e.Record)
		}
		seen[e.Record] = true
		if e.Outcome != apply.Done {
			t.Fatalf("outcome %s (%s): a row was skipped or acted on twice", e.Outcome, e.Reason)
		}
	}
	if want >= 0 && len(entries) != want {
		t.Fatalf("the ledger has %d entries, want %d (one per row acted on)", len(entries), want)
	}
}

// TestKillExportThenEdit kills apply after it journalled its intents and
// before it rewrote anything; then someone pastes rows at the top of one
// export, shifting every row below. The rerun must leave that file as the
// person left it (its rows' numbers no longer name the planned rows), log
// its rows as skipped, and finish the other files.
func TestKillExportThenEdit(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	keyDir := t.TempDir()
	if _, err := keys.Generate(keyDir, "crash-test"); err != nil {
		t.Fatal(err)
	}
	ref, acted := exportKillOrg(t, keyDir)
	if code, out, errs := runCLI(t, "apply", "--config", filepath.Join(ref, "retentiond.yaml"), "--plan", filepath.Join(ref, "plan")); code != 0 {
		t.Fatalf("apply without a crash: %s %s", out, errs)
	}
	want := readExports(t, ref)

	dir, _ := exportKillOrg(t, keyDir)
	args := []string{"apply", "--config", filepath.Join(dir, "retentiond.yaml"), "--plan", filepath.Join(dir, "plan")}
	cmd := retentiond(t, []string{apply.CrashEnv + "=intent:1"}, args...)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("want the process killed:\n%s", out)
	}
	path := filepath.Join(dir, "exports", "ouders-a.csv")
	b, _ := os.ReadFile(path)
	// The first three rows pasted again at the top: every planned row
	// number now names a row that is due in the same way, so only the
	// file's version tells that the plan no longer holds for it.
	lines := strings.SplitAfter(string(b), "\n")
	edited := lines[0] + strings.Join(lines[1:4], "") + strings.Join(lines[1:], "")
	writeFile(t, path, edited)
	if out, err := retentiond(t, nil, args...).CombinedOutput(); err != nil {
		t.Fatalf("apply after the kill and the edit: %v\n%s", err, out)
	}
	got := readExports(t, dir)
	if string(got["ouders-a.csv"]) != edited {
		t.Errorf("the edited export was rewritten:\n%s", got["ouders-a.csv"])
	}
	for _, f := range exportFiles[1:] {
		if !bytes.Equal(got[f], want[f]) {
			t.Errorf("%s:\n%s\nwant:\n%s", f, got[f], want[f])
		}
	}
	outcomes := map[string]int{}
	seen := map[string]bool{}
	for _, e := range ledgerEntries(t, dir) {
		if seen[e.Record] {
			t.Errorf("record %s is in the ledger twice", e.Record)
		}
		seen[e.Record] = true
		outcomes[e.Outcome]++
	}
	if outcomes[apply.Skipped] != 4 || outcomes[apply.Done] != acted-4 || len(seen) != acted {
		t.Errorf("ledger outcomes %v; want the 4 rows of the edited file skipped and %d done", outcomes, acted-4)
	}
}

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/apply"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/metrics"
)

// forgeLine returns a copy of the ledger's last line whose record
// pseudonym is another: valid, canonical, never written by retentiond.
func forgeLine(t *testing.T, entries string) []byte {
	t.Helper()
	b, err := os.ReadFile(entries)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	line := bytes.Clone(lines[len(lines)-1])
	i := bytes.Index(line, []byte(`"record":"`)) + len(`"record":"`)
	line[i] = "0123456789abcdef"[(strings.IndexByte("0123456789abcdef", line[i])+1)%16]
	return append(line, '\n')
}

// TestHandAppendedLedgerLine: a "done" line appended to entries.jsonl by
// hand makes verify fail, and the next apply refuses to go on (it never
// signs the line, so it never reaches the Object Lock copies).
func TestHandAppendedLedgerLine(t *testing.T) {
	dir, _ := approvedOrg(t, 3)
	cfg := filepath.Join(dir, "retentiond.yaml")
	pdir := filepath.Join(dir, "plan")
	ldir := filepath.Join(dir, "state", "ledger")
	pub := filepath.Join(dir, "keys", "ledger.pub")
	if code, out, errs := runCLI(t, "apply", "--config", cfg, "--plan", pdir); code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errs)
	}
	entries := filepath.Join(ldir, "entries.jsonl")
	f, _ := os.OpenFile(entries, os.O_WRONLY|os.O_APPEND, 0)
	f.Write(forgeLine(t, entries))
	f.Close()
	all, _ := os.ReadFile(entries)
	n := bytes.Count(all, []byte("\n")) // the forged line

	for _, args := range [][]string{{}, {"--allow-unsigned-tail"}} {
		code, out, errs := runCLI(t, append([]string{"verify", "--ledger", ldir, "--key", pub}, args...)...)
		if code == 0 || !strings.Contains(errs, fmt.Sprintf("line %d", n)) {
			t.Errorf("verify %v of a ledger with a hand-appended line: exit %d\n%s\n%s", args, code, out, errs)
		}
	}
	cps, _ := os.ReadFile(filepath.Join(ldir, "checkpoints"))
	code, out, errs := runCLI(t, "apply", "--config", cfg, "--plan", pdir)
	if code != 1 || !strings.Contains(errs, "not written by retentiond") {
		t.Errorf("apply over a hand-appended line: exit %d\n%s\n%s", code, out, errs)
	}
	if after, _ := os.ReadFile(filepath.Join(ldir, "checkpoints")); !bytes.Equal(cps, after) {
		t.Error("apply signed a checkpoint over the hand-appended line")
	}
}

// TestVerifyUnsignedTail: entries an apply wrote before it was killed are
// not signed yet: verify says so and fails, unless told that an apply is
// still writing them; the next apply signs them.
func TestVerifyUnsignedTail(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a real process")
	}
	dir, _ := approvedOrg(t, 3)
	args := []string{"apply", "--config", filepath.Join(dir, "retentiond.yaml"), "--plan", filepath.Join(dir, "plan")}
	cmd := retentiond(t, []string{apply.CrashEnv + "=ledger:2"}, args...)
	if err := cmd.Run(); err == nil {
		t.Fatal("apply was not killed")
	}
	verify := []string{"verify", "--ledger", filepath.Join(dir, "state", "ledger"), "--key", filepath.Join(dir, "keys", "ledger.pub")}
	if code, out, errs := runCLI(t, verify...); code != 1 || !strings.Contains(errs, "not signed yet") {
		t.Errorf("verify of an unsigned tail: exit %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs := runCLI(t, append(verify, "--allow-unsigned-tail")...); code != 0 || !strings.Contains(out, "not yet signed: 2") {
		t.Errorf("verify --allow-unsigned-tail: exit %d\n%s\n%s", code, out, errs)
	}
	if out, err := retentiond(t, nil, args...).CombinedOutput(); err != nil {
		t.Fatalf("apply after the kill: %v\n%s", err, out)
	}
	if code, out, errs := runCLI(t, verify...); code != 0 {
		t.Errorf("verify after the next apply: exit %d\n%s\n%s", code, out, errs)
	}
}

// truncateLedger cuts the ledger in ldir back to its first n entries and
// k checkpoints: a consistent, validly signed earlier state.
func truncateLedger(t *testing.T, ldir string, n, k int) {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(ldir, "entries.jsonl"))
	cut := 0
	for range n {
		cut += bytes.IndexByte(b[cut:], '\n') + 1
	}
	os.WriteFile(filepath.Join(ldir, "entries.jsonl"), b[:cut], 0o600)
	hashes := 0
	for i := 1; i <= n; i++ { // tlog.StoredHashCount
		hashes++
		for j := i; j%2 == 0; j /= 2 {
			hashes++
		}
	}
	h, _ := os.ReadFile(filepath.Join(ldir, "hashes"))
	os.WriteFile(filepath.Join(ldir, "hashes"), h[:32*hashes], 0o600)
	c, _ := os.ReadFile(filepath.Join(ldir, "checkpoints"))
	if i := bytes.Index(c, fmt.Appendf(nil, "checkpoint %d\n", k+1)); i >= 0 || k == 0 {
		os.WriteFile(filepath.Join(ldir, "checkpoints"), c[:max(i, 0)], 0o600)
	}
}

// TestLedgerRollback: cutting the ledger back to an earlier checkpoint,
// or emptying it, fails verify and the daemon's nightly verification.
func TestLedgerRollback(t *testing.T) {
	dir, _ := approvedOrg(t, 4)
	cfg := filepath.Join(dir, "retentiond.yaml")
	ldir := filepath.Join(dir, "state", "ledger")
	pub := filepath.Join(dir, "keys", "ledger.pub")
	if code, out, errs := runCLI(t, "apply", "--config", cfg, "--plan", filepath.Join(dir, "plan")); code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errs)
	}
	b, _ := os.ReadFile(filepath.Join(ldir, "entries.jsonl"))
	first := bytes.Count(b, []byte("\n")) // the approval and the apply's entries
	if code, out, errs := runCLI(t, "hold", "add", "--config", cfg, "--subject", "child:1", "--reason", "test", "--by", "x"); code != 0 {
		t.Fatalf("hold add: exit %d\n%s\n%s", code, out, errs)
	}
	all, err := os.ReadFile(filepath.Join(ldir, "entries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	total := bytes.Count(all, []byte("\n"))
	saved := t.TempDir()
	os.CopyFS(saved, os.DirFS(ldir))

	var logs bytes.Buffer
	d, err := loadDaemon(cfg, metrics.New(), slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := d.VerifyLedger(t.Context()); err != nil || !st.OK {
		t.Fatalf("nightly verification of a good ledger: %+v, %v; log: %s", st, err, logs.String())
	}
	for _, tc := range []struct {
		name string
		n, k int
	}{
		{"back to the apply's checkpoint", first, -1},
		{"emptied", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.RemoveAll(ldir)
			os.CopyFS(ldir, os.DirFS(saved))
			k := tc.k
			if k < 0 {
				c, _ := os.ReadFile(filepath.Join(ldir, "checkpoints"))
				k = bytes.Count(c, []byte("checkpoint ")) - 1
			}
			truncateLedger(t, ldir, tc.n, k)
			code, out, errs := runCLI(t, "verify", "--ledger", ldir, "--key", pub)
			if code == 0 || !strings.Contains(errs, "high-water mark") || !strings.Contains(errs, fmt.Sprint(total)) || !strings.Contains(errs, fmt.Sprintf("%d entries", tc.n)) {
				t.Errorf("verify of a rolled-back ledger: exit %d\n%s\n%s", code, out, errs)
			}
			if st, err := d.VerifyLedger(t.Context()); err != nil || st.OK || !strings.Contains(st.Problem, "high-water mark") {
				t.Errorf("the nightly verification passed a rolled-back ledger: %+v, %v", st, err)
			}
		})
	}

	// A copy of the ledger elsewhere is verified with --head.
	os.RemoveAll(ldir)
	os.CopyFS(ldir, os.DirFS(saved))
	elsewhere := filepath.Join(t.TempDir(), "copy")
	os.CopyFS(elsewhere, os.DirFS(ldir))
	if code, _, errs := runCLI(t, "verify", "--ledger", elsewhere, "--key", pub); code == 0 || !strings.Contains(errs, "high-water mark") {
		t.Errorf("verify of a copy without its mark: exit %d, %s", code, errs)
	}
	if code, out, errs := runCLI(t, "verify", "--ledger", elsewhere, "--key", pub, "--head", filepath.Join(dir, "state", "ledger-head"),
		"--config", cfg, "--record", "dossiers:1 Kind1 Testpersoon/dossier.pdf"); code != 0 || !strings.Contains(out, "inclusion proof") {
		t.Errorf("verify --head --record: exit %d\n%s\n%s", code, out, errs)
	}
}

// forgedApprovalOrg makes a plan that approve refuses as expired (made a
// month ago) and writes an approval for it by hand, as the old format
// had it.
func forgedApprovalOrg(t *testing.T, pdir string) (dir string, files []string) {
	t.Helper()
	dir = t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), killConfig)
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Nummer;Naam;Einde\n1;Kind1 Testpersoon;31-01-2020\n2;Kind2 Testpersoon;31-01-2020\n")
	for i := 1; i <= 2; i++ {
		f := filepath.Join(dir, "data", fmt.Sprintf("%d Kind%d Testpersoon", i, i), "dossier.pdf")
		writeFile(t, f, "dossier")
		files = append(files, f)
	}
	cfg := filepath.Join(dir, "retentiond.yaml")
	if code, _, errs := runCLI(t, "keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatal(errs)
	}
	pdir = filepath.Join(dir, pdir)
	if code, _, errs := runCLI(t, "plan", "--config", cfg, "--out", pdir); code != 0 {
		t.Fatalf("plan: %s", errs)
	}
	pj := filepath.Join(pdir, "plan.json")
	var p map[string]any
	b, _ := os.ReadFile(pj)
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	old := time.Now().AddDate(0, -1, 0).Format(time.RFC3339)
	b = bytes.Replace(b, []byte(`"created_at": "`+p["created_at"].(string)+`"`), []byte(`"created_at": "`+old+`"`), 1)
	os.WriteFile(pj, b, 0o600)
	if code, _, errs := runCLI(t, "approve", "--config", cfg, "--plan", pdir, "--by", "x"); code == 0 || !strings.Contains(errs, "expired") {
		t.Fatalf("approve of a month-old plan: exit %d, %s", code, errs)
	}
	sum := sha256.Sum256(b)
	digest := hex.EncodeToString(sum[:])
	forged := fmt.Sprintf(`{"plan":"sha256:%s","organisation":"Crash Test","as_of":"%s","plan_created_at":"%s","approved_by":"Mallory","approved_at":"%s","expires_at":"2099-01-01T00:00:00Z","actions":2,"excluded":[]}`,
		digest, p["as_of"], old, time.Now().UTC().Format(time.RFC3339))
	writeFile(t, filepath.Join(dir, "state", "approvals", digest+".json"), forged)
	return dir, files
}

// TestForgedApprovalRefused: an approval written by hand into
// STATE_DIR/approvals/ for a plan approve refused as expired is refused
// by apply and by the daemon's apply job; nothing is deleted.
func TestForgedApprovalRefused(t *testing.T) {
	dir, files := forgedApprovalOrg(t, "plan")
	cfg := filepath.Join(dir, "retentiond.yaml")
	code, out, errs := runCLI(t, "apply", "--config", cfg, "--plan", filepath.Join(dir, "plan"))
	if code != 1 || !strings.Contains(errs, "approval") {
		t.Errorf("apply with a forged approval: exit %d\n%s\n%s", code, out, errs)
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("apply with a forged approval deleted %s", f)
		}
	}

	dir, files = forgedApprovalOrg(t, filepath.Join("state", "plans", "20261123-020000"))
	cfg = filepath.Join(dir, "retentiond.yaml")
	d, err := loadDaemon(cfg, metrics.New(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.NightlyApply(t.Context()); err == nil || !strings.Contains(err.Error(), "approval") {
		t.Errorf("apply job with a forged approval: %v", err)
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("the apply job deleted %s on a forged approval", f)
		}
	}
}

// TestNightlyVerificationKeyFromSigner: someone who rewrites the ledger
// under a key of their own and puts its public key in ledger.pub (the
// config's ledger_verify_key_file) does not pass the daemon's nightly
// verification, which refuses a verifier that is not ledger.key's, nor
// its readiness.
func TestNightlyVerificationKeyFromSigner(t *testing.T) {
	dir, _ := approvedOrg(t, 2)
	cfg := filepath.Join(dir, "retentiond.yaml")
	if code, out, errs := runCLI(t, "apply", "--config", cfg, "--plan", filepath.Join(dir, "plan")); code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errs)
	}
	ldir := filepath.Join(dir, "state", "ledger")
	var entries []ledger.Entry
	b, _ := os.ReadFile(filepath.Join(ldir, "entries.jsonl"))
	for _, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
		var e ledger.Entry
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	// The same entries, signed with another key.
	other := filepath.Join(t.TempDir(), "keys")
	if _, err := keys.Generate(other, "crash-test"); err != nil {
		t.Fatal(err)
	}
	s, err := keys.LoadSigner(filepath.Join(other, "ledger.key"))
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(ldir)
	os.Remove(ledger.HeadPath(ldir))
	l, err := ledger.Open(ldir, keys.NameFor("Crash Test"), ledger.WithSigner(s))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	l.Checkpoint(s)
	l.Close()
	var logs bytes.Buffer
	d, err := loadDaemon(cfg, metrics.New(), slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	// With the organisation's own ledger.pub the re-signed ledger fails.
	if st, err := d.VerifyLedger(t.Context()); err != nil || st.OK || !strings.Contains(st.Problem, "not signed by key") {
		t.Errorf("the nightly verification passed a ledger signed with another key: %+v, %v; log: %s", st, err, logs.String())
	}
	pub, _ := os.ReadFile(filepath.Join(other, "ledger.pub"))
	os.WriteFile(filepath.Join(dir, "keys", "ledger.pub"), pub, 0o600)
	if st, err := d.VerifyLedger(t.Context()); err == nil || !strings.Contains(err.Error(), "is not the verifier of ledger_key_file") {
		t.Errorf("the nightly verification took a ledger.pub that is not ledger.key's: %+v, %v; log: %s", st, err, logs.String())
	}
	if err := d.Ready(); err == nil {
		t.Error("the daemon is ready with a ledger.pub that is not ledger.key's")
	}
}

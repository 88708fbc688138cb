package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
)

const s3Config = `organisation: S3 Test
state_dir: state
pseudonym_key_file: keys/pseudonym.key
ledger_key_file: keys/ledger.key
apply: {max_deletions: 2000}
ledger_copy:
  bucket: %s
  region: %s
  endpoint: %s
  path_style: true
  retain_days: 30
  access_key_id: %s
  secret_access_key_file: keys/s3.secret
registries:
  - name: kinderen
    subject: child
    file: kinderen.csv
    columns: {id: Nummer, name: Naam, end_of_care: Einde}
stores:
  - name: backups
    type: s3
    bucket: %s
    region: %s
    endpoint: %s
    path_style: true
    access_key_id: %s
    secret_access_key_file: keys/s3.secret
    layout:
      - path: "kidsadmin/daily/{date}.tar.gz"
        category: backup
        rule: V4
`

// TestS3BackupsEndToEnd: three years of Kidsadmin's daily backups in a
// versioned bucket with Object Lock on a real S3 server (versitygw). The
// plan decides them as V4 says (dailies for a year, then the newest of
// each month); a due backup under a legal hold is held, not deleted;
// apply removes every version of the others in batches; verify passes.
func TestS3BackupsEndToEnd(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	asOf := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	var dates []time.Time
	for d := asOf.AddDate(-3, 0, 0); d.Before(asOf); d = d.AddDate(0, 0, 1) {
		dates = append(dates, d)
		key := "kidsadmin/daily/" + d.Format("2006-01-02") + ".tar.gz"
		srv.Put(t, bucket, key, []byte("backup "+d.Format("2006-01-02")))
		if d.Day() == 10 && d.Month() == time.March && d.Year() == 2024 {
			srv.Put(t, bucket, key, []byte("second version")) // versions go too
		}
	}
	held := "kidsadmin/daily/2024-02-10.tar.gz"
	vs := srv.ListVersions(t, bucket, held)
	srv.SetLegalHold(t, bucket, held, vs[0].VersionID, true)

	// Expected, worked out here: kept if less than a year old, or the
	// last day of its month and less than seven years old.
	wantDelete := 0
	for _, d := range dates {
		lastOfMonth := d.AddDate(0, 0, 1).Day() == 1 || d.Equal(dates[len(dates)-1])
		if !d.AddDate(1, 0, 0).After(asOf) && !lastOfMonth {
			wantDelete++
		}
	}
	wantDelete-- // the held one

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Nummer;Naam;Einde\n1;Piet Jansen;\n")
	if code, _, errs := runCLI(t, "keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatal(errs)
	}
	writeFile(t, filepath.Join(dir, "keys", "s3.secret"), srv.SecretKey)
	os.Chmod(filepath.Join(dir, "keys", "s3.secret"), 0o600)
	cfg := filepath.Join(dir, "retentiond.yaml")
	ledgerBucket := srv.LockBucket(t)
	writeFile(t, cfg, fmt.Sprintf(s3Config, ledgerBucket, srv.Region, srv.Endpoint, srv.AccessKey, bucket, srv.Region, srv.Endpoint, srv.AccessKey))

	pdir := filepath.Join(dir, "plan")
	code, out, errs := runCLI(t, "plan", "--config", cfg, "--as-of", "2026-11-23", "--out", pdir, "--all")
	if code != 0 {
		t.Fatalf("plan: %d\n%s\n%s", code, out, errs)
	}
	var p struct {
		Items []struct {
			Record, Action, Rule, Due string
			Locked                    bool
		}
		Summary struct{ Delete, Hold, Keep int }
	}
	b, _ := os.ReadFile(filepath.Join(pdir, "plan.json"))
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if p.Summary.Delete != wantDelete || p.Summary.Delete+p.Summary.Hold+p.Summary.Keep != len(dates) {
		t.Errorf("plan: %+v for %d backups; want %d to delete", p.Summary, len(dates), wantDelete)
	}
	for _, it := range p.Items {
		if it.Record == held && (it.Action != string(rules.Hold) || !it.Locked) {
			t.Errorf("the backup under a legal hold: %+v, want hold (locked)", it)
		}
		if it.Rule != "V4" {
			t.Errorf("%s decided under %q, want V4", it.Record, it.Rule)
		}
	}
	if code, out, errs := runCLI(t, "approve", "--config", cfg, "--plan", pdir, "--by", "Beheerder"); code != 0 {
		t.Fatalf("approve: %s %s", out, errs)
	}
	if code, out, errs := runCLI(t, "apply", "--config", cfg, "--plan", pdir); code != 0 || !strings.Contains(out, "0 failed") ||
		!strings.Contains(out, "Ledger copied to bucket") {
		t.Fatalf("apply: %d\n%s\n%s", code, out, errs)
	}
	left := map[string]int{}
	for _, v := range srv.ListVersions(t, bucket, "kidsadmin/") {
		left[v.Key]++
	}
	if len(left) != len(dates)-wantDelete {
		t.Errorf("%d keys left with versions, want %d", len(left), len(dates)-wantDelete)
	}
	if left[held] == 0 {
		t.Error("the backup under a legal hold was deleted")
	}
	if n := left["kidsadmin/daily/2024-03-10.tar.gz"]; n != 0 {
		t.Errorf("a due backup with two versions has %d left", n)
	}
	led := filepath.Join(dir, "state", "ledger")
	verify := []string{"verify", "--ledger", led, "--key", filepath.Join(dir, "keys", "ledger.pub"), "--config", cfg, "--copies"}
	if code, out, errs := runCLI(t, verify...); code != 0 {
		t.Fatalf("verify: %s %s", out, errs)
	}
	// Someone rewrites an entry of the local ledger: the copies, which
	// nobody can change, show it.
	entries := filepath.Join(led, "entries.jsonl")
	b, _ = os.ReadFile(entries)
	os.WriteFile(entries, []byte(strings.Replace(string(b), `"outcome":"done"`, `"outcome":"gone"`, 1)), 0o600)
	code, out, errs = runCLI(t, verify...)
	if code == 0 || !strings.Contains(out+errs, "DIFFERS from its Object Lock copies") || !strings.Contains(out, "changed") {
		t.Fatalf("verify of a rewritten ledger: exit %d\n%s\n%s", code, out, errs)
	}
}

//go:build unix

package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCommandsAsRootKeepStateOwner: under the shipped unit the state dir
// belongs to the service's (dynamic) user and an administrator runs the
// commands as root. Every file and folder those commands write there —
// the plan folder, the approval, holds.json, requests.json, their lock
// files, the ledger, the journal — belongs to the state dir's owner and
// group afterwards, so that the service can read it; modes stay 0600
// (files) and 0700 (folders).
func TestCommandsAsRootKeepStateOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the test runs commands as root on a state dir of another user")
	}
	const uid, gid = 61234, 61235
	dir := filepath.Join(t.TempDir(), "demo")
	cli := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%s exited %d\n%s\n%s", strings.Join(args[:2], " "), code, out, errs)
		}
		return out
	}
	cli("demo", "--dir", dir)
	cfg := filepath.Join(dir, "retentiond.yaml")
	state := filepath.Join(dir, "state")
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := filepath.WalkDir(state, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	}); err != nil {
		t.Fatal(err)
	}
	ouders, err := os.ReadFile(filepath.Join(dir, "exports", "ouders.csv"))
	if err != nil {
		t.Fatal(err)
	}
	parentID, _, _ := strings.Cut(strings.Split(string(ouders), "\n")[1], ",")

	cli("plan", "--config", cfg)
	plans, _ := filepath.Glob(filepath.Join(state, "plans", "*", "plan.json"))
	if len(plans) != 1 {
		t.Fatalf("%d plans in the state dir, want 1", len(plans))
	}
	cli("approve", "--config", cfg, "--plan", filepath.Dir(plans[0]), "--by", "Beheerder")
	cli("hold", "add", "--config", cfg, "--subject", "parent:"+parentID, "--reason", "geschil", "--by", "Beheerder")
	cli("request", "open", "--config", cfg, "--subject", "parent:"+parentID, "--kind", "access")
	cli("apply", "--config", cfg, "--plan", filepath.Dir(plans[0]))

	kinds := map[string]bool{}
	if err := filepath.WalkDir(state, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		rel, _ := filepath.Rel(state, p)
		if int(st.Uid) != uid || int(st.Gid) != gid {
			t.Errorf("%s belongs to %d:%d, want the state dir's owner %d:%d", rel, st.Uid, st.Gid, uid, gid)
		}
		if fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v: readable by others", rel, fi.Mode().Perm())
		}
		kinds[strings.SplitN(rel, string(filepath.Separator), 2)[0]] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"approvals", "holds.json", "holds.json.lock", "requests.json", "ledger", "ledger-head", "plans", "journal"} {
		if !kinds[k] {
			t.Errorf("the commands wrote no %s: the test does not cover it", k)
		}
	}
}

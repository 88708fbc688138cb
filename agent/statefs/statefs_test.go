//go:build unix

package statefs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/retentiond/retentiond/agent/metrics"
)

// serviceUID and serviceGID stand for the dynamic user systemd gives the
// service.
const serviceUID, serviceGID = 61234, 61235

func owner(t *testing.T, path string) (int, int) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid)
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the test gives files to another user")
	}
}

// TestKeepOwnerGivesRootFilesToTheStateDirOwner: run as root on a state
// dir that belongs to the service's user, what a command wrote (files and
// the folders it made, at any depth) goes to that user and group, with
// its mode unchanged; files of other users and symbolic links are left
// alone, and nothing outside the state dir is touched.
func TestKeepOwnerGivesRootFilesToTheStateDirOwner(t *testing.T) {
	needRoot(t)
	root := t.TempDir()
	dir := filepath.Join(root, "state")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, serviceUID, serviceGID); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(root, "outside.txt")
	write(t, outside, "x")
	written := []string{
		filepath.Join(dir, "holds.json"),
		filepath.Join(dir, "holds.json.lock"),
		filepath.Join(dir, "approvals", "ab12.json"),
		filepath.Join(dir, "ledger", "entries.jsonl"),
		filepath.Join(dir, "plans", "20260302-020000", "auto", "plan.json"),
	}
	for _, p := range written {
		write(t, p, "{}")
	}
	other := filepath.Join(dir, "requests.json")
	write(t, other, "{}")
	if err := os.Chown(other, 4321, 4321); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}

	n, err := KeepOwner(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The five files and the folders approvals, ledger, plans, the plan
	// folder and auto.
	if n != len(written)+5 {
		t.Errorf("KeepOwner changed %d, want %d", n, len(written)+5)
	}
	for _, p := range append(written, filepath.Join(dir, "plans", "20260302-020000", "auto"), filepath.Join(dir, "approvals")) {
		if u, g := owner(t, p); u != serviceUID || g != serviceGID {
			t.Errorf("%s: owner %d:%d, want %d:%d", p, u, g, serviceUID, serviceGID)
		}
	}
	if fi, _ := os.Stat(written[2]); fi.Mode().Perm() != 0o600 {
		t.Errorf("the approval's mode is %v, want 0600 still", fi.Mode().Perm())
	}
	if u, _ := owner(t, other); u != 4321 {
		t.Errorf("another user's file went to %d", u)
	}
	if u, _ := owner(t, link); u != 0 {
		t.Errorf("the symbolic link itself went to %d", u)
	}
	if u, _ := owner(t, outside); u != 0 {
		t.Errorf("a file outside the state dir, reached by a link, went to %d", u)
	}
}

// TestKeepOwnerLeavesARootStateDir: a state dir that root owns (a daemon
// run as root) is left as it is.
func TestKeepOwnerLeavesARootStateDir(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "holds.json"), "{}")
	if n, err := KeepOwner(dir); err != nil || n != 0 {
		t.Errorf("KeepOwner on root's own state dir: %d, %v; want 0, nil", n, err)
	}
}

// TestCheckWriter: root and the state dir's owner may write; another
// user is refused with a message that says whose the state dir is and
// what to do, so that no approval is written that the service cannot
// read.
func TestCheckWriter(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chown(dir, serviceUID, serviceGID); err != nil && os.Geteuid() == 0 {
		t.Fatal(err)
	}
	uid, _ := owner(t, dir)
	for _, tc := range []struct {
		euid int
		ok   bool
	}{{0, true}, {uid, true}, {uid + 1, false}} {
		err := checkWriter(dir, tc.euid)
		if (err == nil) != tc.ok {
			t.Errorf("euid %d: %v, want ok=%v", tc.euid, err, tc.ok)
		}
		if err != nil && (!strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "could not read")) {
			t.Errorf("euid %d: the refusal %q does not name the state dir and the problem", tc.euid, err)
		}
	}
}

// TestCheck finds each kind of state file the daemon cannot read (here a
// folder where a file belongs, as root reads every file) and nothing in
// a healthy state dir; a missing file is no problem.
func TestCheck(t *testing.T) {
	healthy := t.TempDir()
	write(t, filepath.Join(healthy, "holds.json"), "{}")
	write(t, filepath.Join(healthy, "approvals", "ab.json"), "{}")
	write(t, filepath.Join(healthy, "plans", "20260302-020000", "plan.json"), "{}")
	write(t, filepath.Join(healthy, "plans", "20260302-020000", "auto", "plan.json"), "{}")
	write(t, filepath.Join(healthy, "ledger", "entries.jsonl"), "{}")
	if p := Check(healthy); len(p) != 0 {
		t.Errorf("a healthy state dir: %v", p)
	}
	if p := Check(t.TempDir()); len(p) != 0 {
		t.Errorf("an empty state dir: %v", p)
	}

	for _, tc := range []struct {
		kind Kind
		path string
	}{
		{Holds, "holds.json"},
		{Requests, "requests.json"},
		{Resolutions, "resolutions.json"},
		{Approvals, "approvals/ab.json"},
		{Plans, "plans/20260302-020000/plan.json"},
		{Plans, "plans/20260302-020000/auto/plan.json"},
		{Ledger, "ledger/entries.jsonl"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, tc.path), 0o700); err != nil {
				t.Fatal(err)
			}
			got := Check(dir)
			if len(got) != 1 || got[0].Kind != tc.kind || got[0].Path != filepath.Join(dir, tc.path) {
				t.Fatalf("Check = %v, want one %s problem at %s", got, tc.kind, tc.path)
			}
			if !errors.Is(got[0], syscall.EISDIR) {
				t.Errorf("the problem %v does not keep its cause", got[0])
			}
		})
	}
}

// TestKindsAreMetricLabels: every kind is a label value the metric shows
// from the start.
func TestKindsAreMetricLabels(t *testing.T) {
	var kinds []string
	for _, k := range Kinds {
		kinds = append(kinds, string(k))
	}
	if !slices.Equal(kinds, metrics.StateFiles) {
		t.Errorf("statefs kinds %v, metrics state files %v", kinds, metrics.StateFiles)
	}
}

// TestKeepOwnerNeverLeavesTheStateDir: a folder of the state dir swapped
// for a symbolic link to a folder outside it while the walk is under way
// (the service's user owns the state dir and can do that) does not lead
// the walk out: root's files out there keep their owner.
func TestKeepOwnerNeverLeavesTheStateDir(t *testing.T) {
	needRoot(t)
	base := t.TempDir()
	dir := filepath.Join(base, "state")
	outside := filepath.Join(base, "etc")
	secret := filepath.Join(outside, "shadow")
	write(t, secret, "root's")
	plan := filepath.Join(dir, "plans", "20260302-020000")
	write(t, filepath.Join(plan, "plan.json"), "{}")
	if err := os.Chown(dir, serviceUID, serviceGID); err != nil {
		t.Fatal(err)
	}
	visitHook = func(name string) {
		if name != "20260302-020000" {
			return
		}
		if err := os.RemoveAll(plan); err != nil {
			t.Error(err)
		}
		if err := os.Symlink(outside, plan); err != nil {
			t.Error(err)
		}
	}
	defer func() { visitHook = nil }()
	KeepOwner(dir) // an error is fine: the folder changed under it
	if u, _ := owner(t, secret); u != 0 {
		t.Errorf("a file outside the state dir, reached through a folder swapped for a link, went to user %d", u)
	}
	if u, _ := owner(t, outside); u != 0 {
		t.Errorf("the folder outside the state dir went to user %d", u)
	}
}

// TestKeepOwnerErrorNamesNoPath: paths in the state dir can name a person
// (an access package holds the person's files under their own names), so
// a failure of the walk is told by count and cause, never by path.
func TestKeepOwnerErrorNamesNoPath(t *testing.T) {
	needRoot(t)
	dir := filepath.Join(t.TempDir(), "state")
	person := filepath.Join(dir, "packages", "REQ-0001", "files", "dossiers", "2022", "Tess Mulder")
	write(t, filepath.Join(person, "intake.pdf"), "x")
	if err := os.Chown(dir, serviceUID, serviceGID); err != nil {
		t.Fatal(err)
	}
	visitHook = func(name string) {
		if name == "Tess Mulder" {
			os.RemoveAll(person) // gone before the walk reads it
		}
	}
	defer func() { visitHook = nil }()
	_, err := KeepOwner(dir)
	if err == nil {
		t.Fatal("KeepOwner: no error for a folder that could not be read")
	}
	if strings.Contains(err.Error(), "Tess") || strings.Contains(err.Error(), "dossiers") {
		t.Errorf("the error names a path in the state dir: %v", err)
	}
}

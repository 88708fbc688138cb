package ledger

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/retentiond/retentiond/agent/pseudonym"
)

const testName = "retentiond/test-opvang"

func newKey(t testing.TB, name string) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

var testPseudonyms, _ = pseudonym.New(bytes.Repeat([]byte{9}, 32))

// entry returns the i'th test entry: deterministic, varied, valid.
func entry(i int) Entry {
	actions := []string{ActionDelete, ActionDelete, ActionPseudonymise, ActionHoldAdded}
	outcomes := []string{OutcomeDone, OutcomeDone, OutcomeGone, OutcomeSkipped}
	e := Entry{
		Time:     time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Second + time.Duration(i)*1234567),
		Plan:     fmt.Sprintf("sha256:%x", sha256.Sum256([]byte("plan"))),
		Store:    "dossiers",
		Record:   testPseudonyms.Record("dossiers", fmt.Sprintf("child %d/intake.pdf", i)),
		Subject:  testPseudonyms.Subject("child", fmt.Sprint(1000+i)),
		Category: "child-dossier",
		Rule:     "C1",
		Action:   actions[i%len(actions)],
		Outcome:  outcomes[i%len(outcomes)],
		Reason:   "2 years after end of care",
	}
	if i%5 == 4 {
		e.Subject = ""
		e.Reason = "version changed since the plan"
	}
	return e
}

// build makes a ledger in a new directory with n entries, signing a
// checkpoint with s after each size in at. Entries after the last
// checkpoint are as a run killed before its checkpoint leaves them.
func build(t testing.TB, s note.Signer, n int, at ...int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ledger")
	l, err := Open(dir, testName, WithSigner(s))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range n {
		if _, err := l.Append(entry(i)); err != nil {
			t.Fatal(err)
		}
		for _, a := range at {
			if a == i+1 {
				if _, err := l.Checkpoint(s); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return dir
}

// treeOf computes the tree of lines independently of the package: with
// tlog.StoredHashes over an in-memory list.
func treeOf(t testing.TB, lines [][]byte) (tlog.Tree, []byte) {
	t.Helper()
	var stored memHashes
	for i, line := range lines {
		hs, err := tlog.StoredHashes(int64(i), line, stored)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hs...)
	}
	h, err := tlog.TreeHash(int64(len(lines)), stored)
	if err != nil {
		t.Fatal(err)
	}
	return tlog.Tree{N: int64(len(lines)), Hash: h}, hashBytes(stored)
}

func readLines(t testing.TB, dir string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, EntriesFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i := range lines {
		lines[i] = bytes.TrimSuffix(lines[i], []byte("\n"))
	}
	return lines
}

func TestRoundTrip(t *testing.T) {
	s, v := newKey(t, "retentiond-ledger")
	dir := build(t, s, 25, 10, 20, 25)

	r, err := Verify(dir, v)
	if err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, dir)
	want, wantHashes := treeOf(t, lines)
	if r.Entries != 25 || r.Checkpoints != 3 || r.Latest != want || r.Unsigned != 0 || r.Name != testName {
		t.Errorf("report: entries %d checkpoints %d latest %+v unsigned %d name %q; want 25 3 %+v 0 %q",
			r.Entries, r.Checkpoints, r.Latest, r.Unsigned, r.Name, want, testName)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, HashesFile)); !bytes.Equal(got, wantHashes) {
		t.Errorf("hashes file differs from tlog.StoredHashes over the lines")
	}
	wantActions := map[string]int64{}
	for i := range 25 {
		wantActions[entry(i).Action]++
		// Each line is the canonical JSON of its entry, in UTC.
		e := entry(i)
		e.Time = e.Time.UTC()
		canon, _ := json.Marshal(e)
		if !bytes.Equal(lines[i], canon) {
			t.Errorf("line %d = %s, want %s", i+1, lines[i], canon)
		}
	}
	if fmt.Sprint(r.Actions) != fmt.Sprint(wantActions) {
		t.Errorf("actions %v, want %v", r.Actions, wantActions)
	}
	if !r.First.Equal(entry(0).Time) || !r.Last.Equal(entry(24).Time) {
		t.Errorf("time range %v – %v", r.First, r.Last)
	}

	fi, _ := os.Stat(dir)
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("ledger directory mode %04o", fi.Mode().Perm())
	}
	for _, f := range []string{EntriesFile, HashesFile, CheckpointsFile, LockFile} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v", f, fi.Mode(), err)
		}
	}

	cps, _ := os.ReadFile(filepath.Join(dir, CheckpointsFile))
	if !bytes.HasPrefix(cps, []byte("checkpoint 1\n"+testName+"\n10\n")) || bytes.Count(cps, []byte("\n— retentiond-ledger ")) != 3 {
		t.Errorf("checkpoints file:\n%s", cps)
	}
}

func TestLocalTime(t *testing.T) {
	s, v := newKey(t, "k")
	dir := filepath.Join(t.TempDir(), "l")
	l, err := Open(dir, testName)
	if err != nil {
		t.Fatal(err)
	}
	e := entry(0)
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Skip("no time zone data")
	}
	e.Time = time.Date(2026, 11, 23, 4, 0, 0, 500, ams)
	l.Append(e)
	l.Checkpoint(s)
	l.Close()
	if _, err := Verify(dir, v); err != nil {
		t.Fatal(err)
	}
	if line := readLines(t, dir)[0]; !bytes.Contains(line, []byte(`"time":"2026-11-23T03:00:00.0000005Z"`)) {
		t.Errorf("time not written in UTC with nanoseconds: %s", line)
	}
}

func TestReopenAndContinue(t *testing.T) {
	s, v := newKey(t, "k")
	dir := build(t, s, 7, 7)
	l, err := Open(dir, "") // the name comes from the checkpoints
	if err != nil {
		t.Fatal(err)
	}
	if l.Size() != 7 || l.Name() != testName || l.Recovered() != nil {
		t.Fatalf("reopened: size %d name %q recovered %v", l.Size(), l.Name(), l.Recovered())
	}
	for i := 7; i < 12; i++ {
		n, err := l.Append(entry(i))
		if err != nil || n != int64(i) {
			t.Fatalf("Append = %d, %v; want %d", n, err, i)
		}
	}
	tree, err := l.Checkpoint(s)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	r, err := Verify(dir, v)
	if err != nil {
		t.Fatal(err)
	}
	if r.Entries != 12 || r.Checkpoints != 2 || r.Latest != tree {
		t.Fatalf("report %+v", r)
	}
	// Reopening must give the same tree as writing in one go.
	if want, _ := treeOf(t, readLines(t, build(t, s, 12))); tree != want {
		t.Fatalf("tree after reopen %v, in one go %v", tree, want)
	}
}

func TestName(t *testing.T) {
	s, _ := newKey(t, "k")
	dir := build(t, s, 2, 2)
	if _, err := Open(dir, "retentiond/other"); err == nil || !strings.Contains(err.Error(), `started under the log name "retentiond/test-opvang", not "retentiond/other"`) {
		t.Errorf("other name: %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "new"), ""); err == nil || !strings.Contains(err.Error(), "needs a log name") {
		t.Errorf("new ledger without a name: %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "new"), "has space"); err == nil {
		t.Error("a name with a space was accepted")
	}
}

func TestCheckpointOnlyWhenNeeded(t *testing.T) {
	s, _ := newKey(t, "k")
	s2, _ := newKey(t, "k2")
	dir := filepath.Join(t.TempDir(), "l")
	l, err := Open(dir, testName)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if tree, err := l.Checkpoint(s); err != nil || tree.N != 0 {
		t.Fatalf("empty ledger: %v %v", tree, err)
	}
	l.Append(entry(0))
	l.Checkpoint(s)
	l.Checkpoint(s)
	count := func() int {
		b, _ := os.ReadFile(filepath.Join(dir, CheckpointsFile))
		return bytes.Count(b, []byte("\ncheckpoint ")) + bytes.Count(b[:min(len(b), 11)], []byte("checkpoint "))
	}
	if count() != 1 {
		t.Fatalf("%d checkpoints after signing the same tree twice", count())
	}
	l.Checkpoint(s2) // another key signs the same tree: written
	if count() != 2 {
		t.Fatalf("%d checkpoints after a second key signed", count())
	}
}

func TestAppendRefusesBadEntries(t *testing.T) {
	s, _ := newKey(t, "k")
	dir := build(t, s, 3)
	l, err := Open(dir, testName)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	before, _ := os.ReadFile(filepath.Join(dir, EntriesFile))
	path := "Jansen, Piet/intake.pdf"
	tests := []struct {
		name string
		edit func(*Entry)
		want string
	}{
		{"record is a path", func(e *Entry) { e.Record = path }, "record: not a keyed pseudonym"},
		{"subject is an id", func(e *Entry) { e.Subject = "child:1234" }, "subject: not a keyed pseudonym"},
		{"upper-case pseudonym", func(e *Entry) { e.Record = strings.ToUpper(e.Record) }, "record: not a keyed pseudonym"},
		{"no time", func(e *Entry) { e.Time = time.Time{} }, "time: missing"},
		{"no action", func(e *Entry) { e.Action = "" }, "action: missing"},
		{"no outcome", func(e *Entry) { e.Outcome = "" }, "outcome: missing"},
		{"store with a space", func(e *Entry) { e.Store = "Jansen Piet" }, "store: not a code"},
		{"plan not a digest", func(e *Entry) { e.Plan = "plan.json" }, "plan: not a plan digest"},
		{"reason two lines", func(e *Entry) { e.Reason = "a\nb" }, "reason: must be one line"},
		{"reason too long", func(e *Entry) { e.Reason = strings.Repeat("x", 301) }, "reason: must be one line"},
	}
	for _, tt := range tests {
		e := entry(9)
		tt.edit(&e)
		_, err := l.Append(e)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "Jansen") || strings.Contains(err.Error(), "1234") {
			t.Errorf("%s: error shows the value: %v", tt.name, err)
		}
	}
	after, _ := os.ReadFile(filepath.Join(dir, EntriesFile))
	if !bytes.Equal(before, after) || l.Size() != 3 {
		t.Error("a refused entry changed the ledger")
	}
	// The ledger is still usable.
	if _, err := l.Append(entry(3)); err != nil {
		t.Fatal(err)
	}
}

func TestLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "l")
	l, err := Open(dir, testName)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, testName)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("held by another retentiond (process %d)", os.Getpid())) {
		t.Fatalf("second Open: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := l.Append(entry(0)); err == nil {
		t.Fatal("Append after Close succeeded")
	}
	l2, err := Open(dir, testName)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	l2.Close()
}

// TestFrontier checks the O(log n) tree state against tlog's own
// functions over a full list, for every size up to 70.
func TestFrontier(t *testing.T) {
	var f frontier
	var stored memHashes
	for n := int64(0); n <= 70; n++ {
		want, err := tlog.TreeHash(n, stored)
		if err != nil {
			t.Fatal(err)
		}
		if f.hash() != want {
			t.Fatalf("size %d: frontier hash %v, tlog %v", n, f.hash(), want)
		}
		data := []byte(fmt.Sprint("record ", n))
		wantHs, err := tlog.StoredHashes(n, data, stored)
		if err != nil {
			t.Fatal(err)
		}
		hs, next, err := f.next(tlog.RecordHash(data))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(hashBytes(hs), hashBytes(wantHs)) {
			t.Fatalf("record %d: stored hashes differ from tlog.StoredHashes", n)
		}
		if f.n != n {
			t.Fatal("next changed the frontier it was called on")
		}
		stored = append(stored, hs...)
		f = next
	}
}

func BenchmarkAppend(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "l")
	l, err := Open(dir, testName)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := entry(1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.Append(e); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

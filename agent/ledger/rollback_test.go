package ledger

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// rollBack cuts the ledger in dir back to its first n entries and its
// first k checkpoints, as someone would who wants an earlier, validly
// signed state: every file consistent, every signature good.
func rollBack(t *testing.T, dir string, n, k int) {
	t.Helper()
	editLines(t, dir, func(l [][]byte) [][]byte { return l[:n] })
	editFile(t, dir, HashesFile, func(b []byte) []byte { return b[:tlog.StoredHashCount(int64(n))*tlog.HashSize] })
	editFile(t, dir, CheckpointsFile, func(b []byte) []byte {
		if k == 0 {
			return nil
		}
		if i := bytes.Index(b, []byte("checkpoint "+string(rune('0'+k+1))+"\n")); i >= 0 {
			return b[:i]
		}
		return b
	})
}

// TestRollbackDetected: a ledger cut back to an earlier checkpoint, or
// emptied, is consistent in itself; the signed high-water mark outside
// the ledger folder shows that it once was longer.
func TestRollbackDetected(t *testing.T) {
	s, v := newKey(t, "k")
	for _, tc := range []struct {
		name string
		n, k int
		want string
	}{
		{"back to checkpoint 1", 8, 1, "8 entries"},
		{"emptied", 0, 0, "0 entries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := build(t, s, 20, 8, 20)
			rollBack(t, dir, tc.n, tc.k)
			_, err := Verify(dir, v)
			if err == nil {
				t.Fatal("Verify passed a rolled-back ledger")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "20") || !strings.Contains(err.Error(), "high-water mark") {
				t.Errorf("Verify: %v\nwant it to name both sizes (%s, 20) and the high-water mark", err, tc.want)
			}
			l, err := Open(dir, testName)
			if err == nil {
				l.Close()
				t.Fatal("Open continued a rolled-back ledger")
			}
			if !strings.Contains(err.Error(), "high-water mark") {
				t.Errorf("Open: %v", err)
			}
		})
	}
}

// TestRollbackAndRewrite: a ledger cut back and then grown again with
// other entries does not extend the mark.
func TestRollbackAndRewrite(t *testing.T) {
	s, v := newKey(t, "k")
	dir := build(t, s, 12, 12)
	head, err := os.ReadFile(filepath.Clean(dir) + "-head")
	if err != nil {
		t.Fatalf("no high-water mark next to the ledger: %v", err)
	}
	os.RemoveAll(dir)
	os.Remove(filepath.Clean(dir) + "-head")
	// Another history of 14 entries, properly signed with the same key;
	// the old mark put back.
	l, err := Open(dir, testName)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 14 {
		e := entry(i)
		e.Reason = "another history"
		l.Append(e)
	}
	l.Checkpoint(s)
	l.Close()
	os.WriteFile(filepath.Clean(dir)+"-head", head, 0o600)
	if _, err := Verify(dir, v); err == nil || !strings.Contains(err.Error(), "do not match the high-water mark") {
		t.Errorf("Verify: %v", err)
	}
}

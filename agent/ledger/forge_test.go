package ledger

import (
	"bytes"
	"golang.org/x/mod/sumdb/tlog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// appendByHand writes a valid, canonical entry line at the end of
// entries.jsonl as someone with write access to the file could: no
// stored hashes, no intent, no checkpoint.
func appendByHand(t *testing.T, dir string, e Entry) {
	t.Helper()
	line, err := marshalEntry(e)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, EntriesFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		t.Fatal(err)
	}
}

// TestHandAppendedLineRefused: a line nobody's Append wrote is not taken
// for an interrupted write. Open refuses to continue the ledger (so no
// checkpoint can sign it), Verify fails, and nothing is changed.
func TestHandAppendedLineRefused(t *testing.T) {
	s, v := newKey(t, "k")
	for _, tc := range []struct {
		name string
		dir  func() string
		want string
	}{
		{"after a signed ledger", func() string { return build(t, s, 6, 6) }, "entries.jsonl line 7"},
		{"after an interrupted run's own tail", func() string { return build(t, s, 6, 4) }, "entries.jsonl line 7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir()
			forged := entry(40)
			forged.Outcome = OutcomeDone
			appendByHand(t, dir, forged)
			before := readState(t, dir)

			l, err := Open(dir, testName)
			if err == nil {
				l.Checkpoint(s)
				l.Close()
				t.Fatal("Open continued a ledger with a hand-appended line")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "not written by retentiond") {
				t.Errorf("Open: %v\nwant it to name %q and say it was not written by retentiond", err, tc.want)
			}
			if got := readState(t, dir); !bytes.Equal(got.entries, before.entries) || !bytes.Equal(got.hashes, before.hashes) || !bytes.Equal(got.cps, before.cps) {
				t.Error("a refused Open changed the files")
			}
			if _, err := Verify(dir, v); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Verify: %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

// TestInterruptedTailIsSigned: entries an Append wrote before a crash
// (no checkpoint yet) are finished by the next run: Open continues, the
// checkpoint signs them, Verify passes.
func TestInterruptedTailIsSigned(t *testing.T) {
	s, v := newKey(t, "k")
	dir := build(t, s, 9, 5) // 4 entries appended, then "killed" before the checkpoint
	r, err := Verify(dir, v)
	if err != nil {
		t.Fatalf("Verify of a tail being written: %v", err)
	}
	if r.Unsigned != 4 {
		t.Errorf("unsigned %d, want 4", r.Unsigned)
	}
	l, err := Open(dir, testName, WithSigner(s))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(entry(9)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Checkpoint(s); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if r, err := Verify(dir, v); err != nil || r.Unsigned != 0 || r.Entries != 10 {
		t.Fatalf("after the next run: %v %+v", err, r)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, IntentsFile)); len(b) != 0 {
		t.Errorf("intents left after the checkpoint: %d bytes", len(b))
	}
}

// TestForgedIntentRefused: an intent must be signed with the ledger's
// key; one made up for a hand-appended line does not pass.
func TestForgedIntentRefused(t *testing.T) {
	s, v := newKey(t, "k")
	other, _ := newKey(t, "k")
	dir := build(t, s, 6, 6)
	forged := entry(40)
	line, _ := marshalEntry(forged)
	appendByHand(t, dir, forged)
	// An intent signed by another key, then one with a garbled signature.
	for _, signer := range []func([]byte) []byte{
		func(msg []byte) []byte { sig, _ := other.Sign(msg); return sig },
		func(msg []byte) []byte { sig, _ := s.Sign(msg); sig[3] ^= 1; return sig },
	} {
		in := intent{index: 6, hash: tlog.RecordHash(line)}
		in.sig = signer(in.message())
		if err := os.WriteFile(filepath.Join(dir, IntentsFile), in.appendTo(nil), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Verify(dir, v); err == nil || !strings.Contains(err.Error(), "entries.jsonl line 7") {
			t.Errorf("Verify: %v", err)
		}
		l, err := Open(dir, testName, WithSigner(s))
		if err == nil {
			l.Close()
			t.Fatal("Open with the signer accepted a forged intent")
		}
		// Without the signer Open cannot check the signature, but the
		// checkpoint does, before it signs anything.
		l, err = Open(dir, testName)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Checkpoint(s); err == nil || !strings.Contains(err.Error(), "entries.jsonl line 7") {
			t.Errorf("Checkpoint signed a line with a forged intent: %v", err)
		}
		l.Close()
		if _, err := Verify(dir, v); err == nil {
			t.Error("the forged line verifies after the checkpoint")
		}
	}
}

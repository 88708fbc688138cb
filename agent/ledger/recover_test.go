package ledger

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// crashState is the files of a ledger as a crash may leave them: the
// ledger's entries, hashes and checkpoints, its intents and its
// high-water mark (nil: no such file).
type crashState struct{ entries, hashes, cps, intents, head []byte }

func (c crashState) write(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ledger")
	os.MkdirAll(dir, 0o700)
	for name, b := range map[string][]byte{EntriesFile: c.entries, HashesFile: c.hashes, CheckpointsFile: c.cps, IntentsFile: c.intents} {
		if b == nil && (name == HashesFile || name == IntentsFile) {
			continue // a missing hashes file
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if c.head != nil {
		if err := os.WriteFile(HeadPath(dir), c.head, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readState(t *testing.T, dir string) crashState {
	t.Helper()
	var c crashState
	for _, f := range []struct {
		path string
		dst  *[]byte
	}{
		{filepath.Join(dir, EntriesFile), &c.entries}, {filepath.Join(dir, HashesFile), &c.hashes},
		{filepath.Join(dir, CheckpointsFile), &c.cps}, {filepath.Join(dir, IntentsFile), &c.intents}, {HeadPath(dir), &c.head},
	} {
		b, err := os.ReadFile(f.path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		*f.dst = b
	}
	return c
}

// crashFixture returns a ledger of 9 signed entries, and the bytes the
// next Append (of entry 9) and the next Checkpoint write: the intent,
// the line and its hashes; the new high-water mark and the checkpoint.
func crashFixture(t *testing.T, s note.Signer) (base crashState, in, line, hashes, head, block []byte) {
	t.Helper()
	base = readState(t, build(t, s, 9, 9))
	appended := readState(t, build(t, s, 10, 9))
	after := readState(t, build(t, s, 10, 9, 10))
	in = appended.intents
	line = after.entries[len(base.entries):]
	hashes = after.hashes[len(base.hashes):]
	head = after.head
	block = after.cps[len(base.cps):]
	if len(line) == 0 || line[len(line)-1] != '\n' || len(hashes) != 2*32 || !bytes.HasPrefix(block, []byte("checkpoint 2\n")) ||
		len(base.intents) != 0 || len(after.intents) != 0 || !bytes.HasPrefix(in, []byte("9 ")) || bytes.Equal(head, base.head) {
		t.Fatalf("fixture: intent %q, line %q, %d hash bytes, block %q", in, line, len(hashes), block)
	}
	return base, in, line, hashes, head, block
}

// TestCrashRecovery opens the ledger at every point an Append or a
// Checkpoint can be cut by a crash, and checks that Open repairs it to a
// ledger that verifies, and that acknowledged data (complete lines) is
// kept.
func TestCrashRecovery(t *testing.T) {
	s, v := newKey(t, "k")
	base, in, line, hashes, head, block := crashFixture(t, s)
	type tc struct {
		name      string
		state     crashState
		size      int64
		recovered string
		notes     string // what Verify says before the repair
		want      crashState
		after     string // what Verify notes after the repair
	}
	var tests []tc
	full := crashState{append(bytes.Clone(base.entries), line...), append(bytes.Clone(base.hashes), hashes...), base.cps, in, base.head}
	for _, k := range cuts(1, len(line)) {
		tests = append(tests, tc{"line cut", crashState{append(bytes.Clone(base.entries), line[:k]...), base.hashes, base.cps, in, base.head},
			9, "entries.jsonl: removed an incomplete last line", "an incomplete last line after line 9", base, ""})
	}
	for _, j := range cuts(0, len(hashes)) {
		tests = append(tests, tc{"hashes cut", crashState{full.entries, append(bytes.Clone(base.hashes), hashes[:j]...), base.cps, in, base.head},
			10, "hashes: restored the stored hashes of entries.jsonl lines 10–10", "stored hashes of entries.jsonl lines 10–10 are missing", full, ""})
	}
	tests = append(tests,
		tc{"hashes garbage", crashState{full.entries, append(bytes.Clone(base.hashes), make([]byte, len(hashes))...), base.cps, in, base.head},
			10, "hashes: restored the stored hashes of entries.jsonl lines 10–10", "", full, ""},
		tc{"hashes file missing", crashState{full.entries, nil, base.cps, in, base.head},
			10, "hashes: restored the stored hashes of entries.jsonl lines 1–10", "stored hashes of entries.jsonl lines 1–10 are missing", full, ""},
	)
	// The mark is written before the checkpoint: a cut checkpoint comes
	// with the new mark.
	for _, k := range cuts(1, len(block)) {
		tests = append(tests, tc{"checkpoint cut", crashState{full.entries, full.hashes, append(bytes.Clone(base.cps), block[:k]...), in, head},
			10, "checkpoints: removed an incomplete checkpoint", "an incomplete checkpoint at the end", full,
			"the high-water mark (size 10) is ahead of the latest checkpoint (size 9)"})
	}
	for i, tt := range tests {
		dir := tt.state.write(t)
		r, err := Verify(dir, v)
		switch {
		case tt.name == "hashes garbage":
			// Garbage is an error to Verify: it cannot tell garbage from
			// tampering. Open can, since only the last line's hashes can
			// be unsynced.
			if err == nil {
				t.Errorf("%s: Verify accepted garbage hashes", tt.name)
			}
		case err != nil:
			t.Errorf("%s: Verify before repair: %v", tt.name, err)
		case !strings.Contains(strings.Join(r.Notes, "\n"), tt.notes):
			t.Errorf("%s: Verify notes %q, want %q", tt.name, r.Notes, tt.notes)
		}
		l, err := Open(dir, testName)
		if err != nil {
			t.Fatalf("%s: Open: %v", tt.name, err)
		}
		if l.Size() != tt.size || len(l.Recovered()) != 1 || !strings.Contains(l.Recovered()[0], tt.recovered) {
			t.Fatalf("%s: size %d, recovered %q; want %d, %q", tt.name, l.Size(), l.Recovered(), tt.size, tt.recovered)
		}
		l.Close()
		if got := readState(t, dir); !bytes.Equal(got.entries, tt.want.entries) || !bytes.Equal(got.hashes, tt.want.hashes) || !bytes.Equal(got.cps, tt.want.cps) {
			t.Fatalf("%s: files after repair differ from the ledger without the crash", tt.name)
		}
		if r, err := Verify(dir, v); err != nil || (tt.after == "") != (len(r.Notes) == 0) || !strings.Contains(strings.Join(r.Notes, "\n"), tt.after) {
			t.Fatalf("%s: Verify after repair: %v %v", tt.name, err, r)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, IntentsFile)); tt.size == 9 && len(got) != 0 || tt.size == 10 && !bytes.Equal(got, in) {
			t.Fatalf("%s: intents after repair %q", tt.name, got)
		}
		if i%4 != 0 {
			continue // the rest is slow (fsync) and the same for all cuts
		}
		// The repaired ledger takes the next entry.
		l, err = Open(dir, testName)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Append(entry(20)); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Checkpoint(s); err != nil {
			t.Fatal(err)
		}
		l.Close()
		if _, err := Verify(dir, v); err != nil {
			t.Fatalf("%s: after repair and another append: %v", tt.name, err)
		}
	}
}

// cuts returns the cut positions in [from, to) worth trying: every one near
// either end, and every seventh in between (each costs a few fsyncs;
// TestParseCheckpointsCut tries every position without I/O).
func cuts(from, to int) []int {
	var out []int
	for k := from; k < to; k++ {
		if k < from+16 || k >= to-16 || k%7 == 0 {
			out = append(out, k)
		}
	}
	return out
}

// TestOpenRefusesDamage checks that Open does not continue (or "repair")
// a ledger whose damage is not the trace of a crash.
func TestOpenRefusesDamage(t *testing.T) {
	s, _ := newKey(t, "k")
	base, in, line, _, _, _ := crashFixture(t, s)
	flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 1; return b }
	lines := bytes.SplitAfter(base.entries, []byte("\n"))
	changed := bytes.Join(append(append([][]byte{}, lines[:4]...), append([][]byte{append(flipRecord(lines[4][:len(lines[4])-1]), '\n')}, lines[5:]...)...), nil)
	_, rehashed := treeOf(t, bytes.Split(bytes.TrimSuffix(changed, []byte("\n")), []byte("\n")))
	garbageLast := crashState{append(bytes.Clone(base.entries), line...), append(bytes.Clone(base.hashes), make([]byte, 64)...), base.cps, in, base.head}
	notJSON := []byte("{\"time\":1}\n")
	tests := []struct {
		name  string
		state crashState
		want  string
	}{
		{"hash changed in the middle", crashState{base.entries, flip(base.hashes, 3*32), base.cps, nil, base.head},
			"hashes does not agree with entries.jsonl at line 3"},
		{"entry changed", crashState{changed, base.hashes, base.cps, nil, base.head},
			"hashes does not agree with entries.jsonl at line 5"},
		{"entry changed, hashes rewritten", crashState{changed, rehashed, base.cps, nil, base.head},
			"the first 9 entries of entries.jsonl do not match checkpoint 1"},
		{"entries truncated", crashState{bytes.Join(lines[:5], nil), base.hashes[:tlog.StoredHashCount(5)*32], base.cps, nil, base.head},
			"entries.jsonl has 5 entries but checkpoint 1 covers 9"},
		{"more hashes than entries", crashState{base.entries, append(bytes.Clone(base.hashes), make([]byte, 32)...), base.cps, nil, base.head},
			"hashes holds more hashes than the 9 entries of entries.jsonl need"},
		{"garbage hashes before a cut line", crashState{append(garbageLast.entries, line[:10]...), garbageLast.hashes, base.cps, in, base.head},
			"hashes does not agree with entries.jsonl at line 10"},
		{"unhashed line is not an entry", crashState{append(bytes.Clone(base.entries), notJSON...), base.hashes, base.cps, nil, base.head},
			"entries.jsonl line 10: not valid JSON; its hashes cannot be restored"},
		{"checkpoints garbled", crashState{base.entries, base.hashes, append([]byte("x\n"), base.cps...), nil, base.head},
			`checkpoints line 1: expected "checkpoint 1"`},
		// Found by FuzzParseCheckpoints: a block without signatures was
		// taken for a whole checkpoint when another header followed.
		{"checkpoint without signature before another", crashState{base.entries, base.hashes,
			append(bytes.Clone(base.cps[:bytes.Index(base.cps, []byte("\n— "))+1]), "checkpoint 2\n"...), nil, base.head},
			"checkpoints line 6: checkpoint 1 has no signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.state.write(t)
			l, err := Open(dir, testName)
			if err == nil {
				l.Close()
				t.Fatal("Open accepted a damaged ledger")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open: %v\nwant %q", err, tt.want)
			}
			if got := readState(t, dir); !bytes.Equal(got.entries, tt.state.entries) || !bytes.Equal(got.hashes, tt.state.hashes) || !bytes.Equal(got.cps, tt.state.cps) {
				t.Fatal("a refused Open changed the files")
			}
			// The lock is released on failure.
			if _, err := Open(dir, testName); err != nil && strings.Contains(err.Error(), "in use") {
				t.Fatal("a failed Open kept the lock")
			}
		})
	}
}

// TestParseCheckpointsCut cuts a two-checkpoint file at every byte and
// checks the complete prefix is exactly the whole blocks before the cut.
func TestParseCheckpointsCut(t *testing.T) {
	s, _ := newKey(t, "k")
	data := readState(t, build(t, s, 3, 1, 3)).cps
	end1 := int64(bytes.Index(data, []byte("checkpoint 2\n")))
	for k := 0; k <= len(data); k++ {
		cps, complete, err := parseCheckpoints(data[:k])
		if err != nil {
			t.Fatalf("cut at %d: %v", k, err)
		}
		want, wantN := int64(0), 0
		switch {
		case k == len(data):
			want, wantN = int64(len(data)), 2
		case int64(k) >= end1:
			want, wantN = end1, 1
		}
		if complete != want || len(cps) != wantN {
			t.Fatalf("cut at %d: complete %d with %d checkpoints, want %d with %d", k, complete, len(cps), want, wantN)
		}
	}
}

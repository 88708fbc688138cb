package ledger

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// tamperLedger is the ledger every tamper test starts from: 23 entries,
// checkpoint 1 at size 8, checkpoint 2 at size 20, lines 21–23 unsigned.
func tamperLedger(t *testing.T, s note.Signer) string {
	return build(t, s, 23, 8, 20)
}

func editFile(t *testing.T, dir, name string, fn func([]byte) []byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, fn(b), 0o600); err != nil {
		t.Fatal(err)
	}
}

// editLines rewrites entries.jsonl through fn over its lines (without
// newlines).
func editLines(t *testing.T, dir string, fn func([][]byte) [][]byte) {
	t.Helper()
	lines := fn(readLines(t, dir))
	var b bytes.Buffer
	for _, l := range lines {
		b.Write(l)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(dir, EntriesFile), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// flipRecord changes one hex digit of the record pseudonym in line i
// (from 1): still valid, canonical JSON, so only the hash tells.
func flipRecord(line []byte) []byte {
	i := bytes.Index(line, []byte(`"record":"`)) + len(`"record":"`) + 5
	out := append([]byte(nil), line...)
	if out[i] == 'a' {
		out[i] = 'b'
	} else {
		out[i] = 'a'
	}
	return out
}

func TestTamper(t *testing.T) {
	s, v := newKey(t, "retentiond-ledger")
	other, _ := newKey(t, "retentiond-ledger")
	key := fmt.Sprintf("retentiond-ledger+%08x", v.KeyHash())
	otherKey := fmt.Sprintf("retentiond-ledger+%08x", other.KeyHash())

	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		want   string
	}{
		{"flip a byte in a line under checkpoint 1", func(t *testing.T, dir string) {
			editLines(t, dir, func(l [][]byte) [][]byte { l[4] = flipRecord(l[4]); return l })
		}, "entries.jsonl line 5: does not match checkpoint 1 (size 8)"},
		{"flip a byte in a line under checkpoint 2", func(t *testing.T, dir string) {
			editLines(t, dir, func(l [][]byte) [][]byte { l[11] = flipRecord(l[11]); return l })
		}, "entries.jsonl line 12: does not match checkpoint 2 (size 20)"},
		{"flip a byte in an unsigned line", func(t *testing.T, dir string) {
			editLines(t, dir, func(l [][]byte) [][]byte { l[21] = flipRecord(l[21]); return l })
		}, "hashes: stored hash 39 (the hash of entries.jsonl line 22) does not agree with entries.jsonl"},
		{"drop a line", func(t *testing.T, dir string) {
			editLines(t, dir, func(l [][]byte) [][]byte { return append(l[:11:11], l[12:]...) })
		}, "entries.jsonl line 12: does not match checkpoint 2 (size 20)"},
		{"swap two lines", func(t *testing.T, dir string) {
			editLines(t, dir, func(l [][]byte) [][]byte { l[2], l[3] = l[3], l[2]; return l })
		}, "entries.jsonl line 3: does not match checkpoint 1 (size 8)"},
		{"insert a line", func(t *testing.T, dir string) {
			editLines(t, dir, func(l [][]byte) [][]byte {
				return append(l[:9:9], append([][]byte{flipRecord(l[1])}, l[9:]...)...)
			})
		}, "entries.jsonl line 10: does not match checkpoint 2 (size 20)"},
		{"truncate at a line", func(t *testing.T, dir string) {
			editLines(t, dir, func(l [][]byte) [][]byte { return l[:18] })
		}, "entries.jsonl: 18 lines but checkpoint 2 covers 20 (truncated?)"},
		{"truncate inside a line", func(t *testing.T, dir string) {
			editFile(t, dir, EntriesFile, func(b []byte) []byte {
				cut := 0
				for range 18 {
					cut += bytes.IndexByte(b[cut:], '\n') + 1
				}
				return b[:cut+40]
			})
		}, "entries.jsonl: 18 lines but checkpoint 2 covers 20 (truncated?)"},
		{"truncate everything", func(t *testing.T, dir string) {
			editFile(t, dir, EntriesFile, func([]byte) []byte { return nil })
		}, "entries.jsonl: 0 lines but checkpoint 1 covers 8 (truncated?)"},
		{"change a line and rewrite the hashes to match", func(t *testing.T, dir string) {
			editLines(t, dir, func(l [][]byte) [][]byte { l[11] = flipRecord(l[11]); return l })
			_, hashes := treeOf(t, readLines(t, dir))
			editFile(t, dir, HashesFile, func([]byte) []byte { return hashes })
		}, "entries.jsonl lines 9–20: do not match checkpoint 2 (size 20): an entry among them was changed"},
		{"change a line and damage the hashes of another", func(t *testing.T, dir string) {
			editLines(t, dir, func(l [][]byte) [][]byte { l[11] = flipRecord(l[11]); return l })
			editFile(t, dir, HashesFile, func(b []byte) []byte { b[16*32] ^= 1; return b }) // line 10's leaf
		}, "entries.jsonl lines 9–20: do not match checkpoint 2 (size 20)"},
		{"line not JSON", func(t *testing.T, dir string) {
			editLines(t, dir, func(l [][]byte) [][]byte { l[4] = l[4][:30]; return l })
		}, "entries.jsonl line 5: not valid JSON"},
		{"line not canonical", func(t *testing.T, dir string) {
			editLines(t, dir, func(l [][]byte) [][]byte {
				l[4] = bytes.Replace(l[4], []byte(`,"plan"`), []byte(`, "plan"`), 1)
				return l
			})
		}, "entries.jsonl line 5: not in canonical form"},
		{"line with an extra field", func(t *testing.T, dir string) {
			editLines(t, dir, func(l [][]byte) [][]byte {
				l[4] = bytes.Replace(l[4], []byte(`{"time"`), []byte(`{"name":"Piet Jansen","time"`), 1)
				return l
			})
		}, "entries.jsonl line 5: has a field that is not part of a ledger entry"},
		{"corrupt a signature", func(t *testing.T, dir string) {
			editFile(t, dir, CheckpointsFile, func(b []byte) []byte {
				i := bytes.LastIndex(b, []byte("— retentiond-ledger ")) + len("— retentiond-ledger ") + 20
				if b[i] == 'A' {
					b[i] = 'B'
				} else {
					b[i] = 'A'
				}
				return b
			})
		}, "checkpoint 2 (checkpoints line 7): signature does not verify with key " + key},
		{"edit a signed size", func(t *testing.T, dir string) {
			editFile(t, dir, CheckpointsFile, func(b []byte) []byte {
				return bytes.Replace(b, []byte("\n20\n"), []byte("\n19\n"), 1)
			})
		}, "checkpoint 2 (checkpoints line 7): signature does not verify with key " + key},
		{"checkpoint signed with another key", func(t *testing.T, dir string) {
			l, err := Open(dir, testName, WithSigner(s))
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if _, err := l.Checkpoint(other); err != nil {
				t.Fatal(err)
			}
		}, "checkpoint 3 (checkpoints line 13): not signed by key " + key + " (signed by " + otherKey + ")"},
		{"checkpoint replaced by one signed with another key", func(t *testing.T, dir string) {
			editFile(t, dir, CheckpointsFile, func(b []byte) []byte {
				i := bytes.Index(b, []byte("checkpoint 2\n"))
				msg, err := note.Sign(&note.Note{Text: string(b[i+len("checkpoint 2\n") : bytes.LastIndex(b, []byte("\n\n"))+1])}, other)
				if err != nil {
					t.Fatal(err)
				}
				return append(b[:i+len("checkpoint 2\n")], msg...)
			})
		}, "checkpoint 2 (checkpoints line 7): not signed by key " + key},
		{"checkpoint header renumbered", func(t *testing.T, dir string) {
			editFile(t, dir, CheckpointsFile, func(b []byte) []byte {
				return bytes.Replace(b, []byte("checkpoint 2\n"), []byte("checkpoint 3\n"), 1)
			})
		}, `checkpoints line 7: expected "checkpoint 2"`},
		{"older checkpoint re-signed after a newer one", func(t *testing.T, dir string) {
			editFile(t, dir, CheckpointsFile, func(b []byte) []byte {
				first := b[len("checkpoint 1\n"):bytes.Index(b, []byte("checkpoint 2\n"))]
				return append(append(b, "checkpoint 3\n"...), first...)
			})
		}, "checkpoint 3 (checkpoints line 13): size 8 is smaller than checkpoint 2's 20: checkpoints only grow"},
		{"edit the hashes file", func(t *testing.T, dir string) {
			editFile(t, dir, HashesFile, func(b []byte) []byte { b[2*32+7] ^= 1; return b })
		}, "hashes: stored hash 2 (the hash over entries.jsonl lines 1–2) does not agree with entries.jsonl"},
		{"hashes file too long", func(t *testing.T, dir string) {
			editFile(t, dir, HashesFile, func(b []byte) []byte { return append(b, make([]byte, 32)...) })
		}, "hashes: holds 1376 bytes but entries.jsonl's 23 entries need 42 hashes (1344 bytes)"},
		{"no entries file", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, EntriesFile))
		}, "is not a ledger: it has no entries.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tamperLedger(t, s)
			if _, err := Verify(dir, v); err != nil {
				t.Fatalf("before tampering: %v", err)
			}
			tt.tamper(t, dir)
			r, err := Verify(dir, v)
			if err == nil {
				t.Fatalf("Verify passed a tampered ledger:\n%s", r)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Verify error:\n  %v\nwant it to contain:\n  %s", err, tt.want)
			}
			if r != nil {
				t.Error("Verify returned a report with its error")
			}
			if strings.Contains(err.Error(), "Piet") {
				t.Errorf("error shows file content: %v", err)
			}
		})
	}
}

func TestWrongVerifier(t *testing.T) {
	s, _ := newKey(t, "retentiond-ledger")
	_, v2 := newKey(t, "retentiond-ledger")
	dir := tamperLedger(t, s)
	_, err := Verify(dir, v2)
	if err == nil || !strings.Contains(err.Error(), "checkpoint 1 (checkpoints line 1): not signed by key retentiond-ledger+") {
		t.Fatalf("Verify with another key: %v", err)
	}
}

package ledger

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// The fuzz targets of the ledger's readers: entries.jsonl lines, the
// checkpoints file, the intents file and the high-water mark. Their seed
// corpora are in testdata/fuzz; bench runs them for minutes.

// FuzzParseEntry: a line is accepted only in the canonical form
// marshalEntry writes, so an accepted line is exactly its entry's line.
func FuzzParseEntry(f *testing.F) {
	for i := range 5 {
		line, _ := marshalEntry(entry(i))
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		e, err := parseEntry(line)
		if err != nil {
			return
		}
		again, err := marshalEntry(e)
		if err != nil {
			t.Fatalf("an accepted entry does not marshal: %v", err)
		}
		if !bytes.Equal(again, line) {
			t.Fatalf("accepted a line that is not canonical:\n%s\n%s", line, again)
		}
	})
}

// FuzzParseCheckpoints: the complete prefix is within the data and parses
// to the same checkpoints on its own; every checkpoint's text is the
// text of its tree.
func FuzzParseCheckpoints(f *testing.F) {
	f.Add([]byte("checkpoint 1\nretentiond/x\n3\n" + tlog.Hash{}.String() + "\n\n— retentiond/x AAAAAA==\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cps, complete, err := parseCheckpoints(data)
		if err != nil {
			return
		}
		if complete < 0 || complete > int64(len(data)) {
			t.Fatalf("complete %d of %d bytes", complete, len(data))
		}
		again, c2, err := parseCheckpoints(data[:complete])
		if err != nil || c2 != complete || len(again) != len(cps) {
			t.Fatalf("the complete prefix parses to %d checkpoints (%d bytes, %v), the whole to %d", len(again), c2, err, len(cps))
		}
		for i, c := range cps {
			if c.seq != i+1 || !bytes.HasPrefix(c.msg, []byte(treeText(c.name, c.tree))) {
				t.Fatalf("checkpoint %d: seq %d, text %q", i+1, c.seq, c.msg)
			}
		}
	})
}

// FuzzParseIntents: accepted intents write back to the same bytes.
func FuzzParseIntents(f *testing.F) {
	s, _ := newKey(f, "k")
	var seed []byte
	for i := range 3 {
		in, err := signIntent(s, int64(i), tlog.RecordHash([]byte{byte(i)}))
		if err != nil {
			f.Fatal(err)
		}
		seed = in.appendTo(seed)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		ins, complete, err := parseIntents(data)
		if err != nil {
			return
		}
		var again []byte
		for _, in := range ins {
			again = in.appendTo(again)
		}
		if !bytes.Equal(again, data[:complete]) {
			t.Fatalf("intents %q write back as %q", data[:complete], again)
		}
	})
}

// FuzzParseHead: an accepted mark's text is its tree's.
func FuzzParseHead(f *testing.F) {
	f.Add([]byte("retentiond/x\n3\n" + tlog.Hash{}.String() + "\n\n— retentiond/x AAAAAA==\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := parseHead("ledger-head", data)
		if err != nil {
			return
		}
		if !bytes.HasPrefix(data, []byte(treeText(h.name, h.tree)+"\n")) {
			t.Fatalf("mark %q parsed as %q %v", data, h.name, h.tree)
		}
	})
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz from a real ledger")

// TestFuzzSeeds writes (with -update-seeds) and checks the committed seed
// corpora: the files of a real ledger, made as apply makes them, with a
// checkpoint, a tail still being written and a mark.
func TestFuzzSeeds(t *testing.T) {
	s, _ := newKey(t, "retentiond-ledger")
	dir := build(t, s, 7, 3, 5)
	st := readState(t, dir)
	seeds := map[string][][]byte{
		"FuzzParseEntry":       bytes.SplitAfter(bytes.TrimSuffix(st.entries, []byte("\n")), []byte("\n")),
		"FuzzParseCheckpoints": {st.cps, st.cps[:len(st.cps)-9]},
		"FuzzParseIntents":     {st.intents, st.intents[:len(st.intents)-20]},
		"FuzzParseHead":        {st.head},
	}
	for i, l := range seeds["FuzzParseEntry"] {
		seeds["FuzzParseEntry"][i] = bytes.TrimSuffix(l, []byte("\n"))
	}
	fuzzSeeds(t, seeds, *updateSeeds)
}

// fuzzSeeds writes each target's seeds to testdata/fuzz/TARGET/seed-N in
// the fuzz corpus format, or, without update, checks that the committed
// files are there and hold these bytes.
func fuzzSeeds(t *testing.T, seeds map[string][][]byte, update bool) {
	t.Helper()
	for target, list := range seeds {
		for i, b := range list {
			path := filepath.Join("testdata", "fuzz", target, fmt.Sprintf("seed-%d", i+1))
			want := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b)
			if update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: %v (go test -run TestFuzzSeeds -update-seeds writes it)", path, err)
			}
		}
	}
}

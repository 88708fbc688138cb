package ledger

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

func TestProve(t *testing.T) {
	s, v := newKey(t, "retentiond-ledger")
	_, v2 := newKey(t, "retentiond-ledger")
	// Lines 3, 11 and 22 are about the same record; 22 is not signed yet.
	want := entry(2).Record
	dir := build(t, s, 0)
	l, err := Open(dir, testName, WithSigner(s))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 23 {
		e := entry(i)
		if i == 10 || i == 21 {
			e.Record = want
			e.Action = ActionHoldReleased
		}
		if _, err := l.Append(e); err != nil {
			t.Fatal(err)
		}
		if i+1 == 8 || i+1 == 20 {
			if _, err := l.Checkpoint(s); err != nil {
				t.Fatal(err)
			}
		}
	}
	l.Close()

	proofs, err := Prove(dir, v, want)
	if err != nil {
		t.Fatal(err)
	}
	if len(proofs) != 2 || proofs[0].Index != 2 || proofs[1].Index != 10 {
		t.Fatalf("got %d proofs, want the entries at index 2 and 10 (22 is unsigned)", len(proofs))
	}
	lines := readLines(t, dir)
	for _, p := range proofs {
		if p.Line != string(lines[p.Index]) || p.Entry.Record != want || p.Checkpoint != 2 || p.Tree.N != 20 {
			t.Errorf("proof for index %d: line/entry/checkpoint wrong: %+v", p.Index, p)
		}
		if err := CheckProof(p, v); err != nil {
			t.Errorf("proof for index %d does not check: %v", p.Index, err)
		}
		str := p.String()
		for _, w := range []string{"entries.jsonl line " + strconv.FormatInt(p.Index+1, 10), p.Line, p.Tree.Hash.String(), p.Hashes[0].String(), "— retentiond-ledger "} {
			if !strings.Contains(str, w) {
				t.Errorf("Proof.String() lacks %q:\n%s", w, str)
			}
		}
	}

	p := proofs[1]
	tampered := []struct {
		name string
		edit func(*Proof)
		v    bool
		want string
	}{
		{"entry changed", func(p *Proof) { p.Line = string(flipRecord([]byte(p.Line))) }, true, "line 11: not in the tree of checkpoint 2"},
		{"other entry's line", func(p *Proof) { p.Line = proofs[0].Line }, true, "line 11: not in the tree"},
		{"index changed", func(p *Proof) { p.Index = 12 }, true, "not in the tree"},
		{"proof hash changed", func(p *Proof) { p.Hashes = append(p.Hashes[:0:0], p.Hashes...); p.Hashes[0][0] ^= 1 }, true, "not in the tree"},
		{"proof hash dropped", func(p *Proof) { p.Hashes = p.Hashes[1:] }, true, "not in the tree"},
		{"tree claimed bigger", func(p *Proof) { p.Tree.N = 23 }, true, "signed tree is size 20, the proof claims 23"},
		{"note edited", func(p *Proof) { p.Note = bytes.Replace(p.Note, []byte("\n20\n"), []byte("\n21\n"), 1) }, true, "invalid signature"},
		{"other key", func(p *Proof) {}, false, "no verifiable signatures"},
	}
	for _, tt := range tampered {
		q := p
		tt.edit(&q)
		vv := v
		if !tt.v {
			vv = v2
		}
		if err := CheckProof(q, vv); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: CheckProof err = %v, want %q", tt.name, err, tt.want)
		}
	}

	// A record with no entries has no proofs; a tampered ledger gives none.
	if ps, err := Prove(dir, v, strings.Repeat("0", 32)); err != nil || len(ps) != 0 {
		t.Errorf("unknown record: %d proofs, %v", len(ps), err)
	}
	editLines(t, dir, func(l [][]byte) [][]byte { l[10] = flipRecord(l[10]); return l })
	if _, err := Prove(dir, v, want); err == nil || !strings.Contains(err.Error(), "entries.jsonl line 11: does not match checkpoint 2") {
		t.Errorf("Prove on a tampered ledger: %v", err)
	}
}

func TestReportString(t *testing.T) {
	s, v := newKey(t, "retentiond-ledger")
	r, err := Verify(build(t, s, 23, 8, 20), v)
	if err != nil {
		t.Fatal(err)
	}
	out := r.String()
	for _, w := range []string{
		"entries:        23 in entries.jsonl",
		"checkpoints:    2, every one signed by key " + r.Key,
		"log name:       " + testName,
		"latest:         size 20, root hash " + r.Latest.Hash.String(),
		"not yet signed: 3 entries after the latest checkpoint (lines 21–23)",
		"stored hashes:  agree",
		"actions:        delete 12, hold-added 5, pseudonymise 6",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}

	r, err = Verify(build(t, s, 2), v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.String(), "NOTHING IS SIGNED YET") || r.Unsigned != 2 {
		t.Errorf("unsigned ledger report:\n%s", r)
	}
}

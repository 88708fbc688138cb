package ledger

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Proof is an inclusion proof: evidence, checkable by a third party with
// the verifier key alone, that an entry is in the tree a signed checkpoint
// commits to (RFC 6962 audit path).
type Proof struct {
	Index      int64            // the entry's index in the log, from 0
	Line       string           // the entry's line in entries.jsonl, without the newline: the hashed bytes
	Entry      Entry            // Line, parsed
	Checkpoint int              // number of the checkpoint proven against
	Tree       tlog.Tree        // its tree
	Note       []byte           // its signed note
	Hashes     tlog.RecordProof // the audit path
}

// Prove verifies the ledger in dir (as Verify does) and returns an
// inclusion proof, against the latest checkpoint, for each entry whose
// Record is the given pseudonym. Each proof is checked with CheckProof
// before it is returned. Entries after the latest checkpoint have no proof
// yet and are not returned; nor is an error, if no entry matches.
func Prove(dir string, v note.Verifier, record string) ([]Proof, error) {
	return ProveWith(dir, v, record, VerifyOptions{})
}

// ProveWith is Prove with the options of VerifyWith (a high-water mark
// kept elsewhere).
func ProveWith(dir string, v note.Verifier, record string, o VerifyOptions) ([]Proof, error) {
	if record == "" {
		return nil, errors.New("ledger: Prove needs a record pseudonym")
	}
	_, s, err := verify(dir, v, record, o)
	if err != nil {
		return nil, err
	}
	if s.latest == nil {
		return nil, nil
	}
	t := s.latest.tree
	var proofs []Proof
	for _, m := range s.matches {
		if m.index >= t.N {
			continue
		}
		hashes, err := tlog.ProveRecord(t.N, m.index, s.stored)
		if err != nil {
			return nil, err
		}
		p := Proof{
			Index:      m.index,
			Line:       m.line,
			Entry:      m.entry,
			Checkpoint: s.latest.seq,
			Tree:       t,
			Note:       s.latest.msg,
			Hashes:     hashes,
		}
		if err := CheckProof(p, v); err != nil {
			return nil, fmt.Errorf("ledger: internal error: proof for line %d does not check: %v", m.index+1, err)
		}
		proofs = append(proofs, p)
	}
	return proofs, nil
}

// CheckProof checks p as a third party would: the note verifies with v,
// its text gives p.Tree, and the audit path leads from the hash of p.Line
// to the tree's root.
func CheckProof(p Proof, v note.Verifier) error {
	n, err := note.Open(p.Note, note.VerifierList(v))
	if err != nil {
		return fmt.Errorf("checkpoint %d: %v", p.Checkpoint, err)
	}
	_, t, err := parseTreeText(n.Text)
	if err != nil {
		return fmt.Errorf("checkpoint %d: %v", p.Checkpoint, err)
	}
	if t != p.Tree {
		return fmt.Errorf("checkpoint %d: signed tree is size %d, the proof claims %d", p.Checkpoint, t.N, p.Tree.N)
	}
	if err := tlog.CheckRecord(p.Hashes, t.N, t.Hash, p.Index, tlog.RecordHash([]byte(p.Line))); err != nil {
		return fmt.Errorf("line %d: not in the tree of checkpoint %d: %v", p.Index+1, p.Checkpoint, err)
	}
	return nil
}

// String prints the proof with everything a third party needs to check
// it by hand or with another RFC 6962 implementation.
func (p Proof) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s line %d (entry %d, counting from 0):\n  %s\n", EntriesFile, p.Index+1, p.Index, p.Line)
	fmt.Fprintf(&b, "leaf hash: %s (SHA-256 of a 0x00 byte and the line without its newline)\n", tlog.RecordHash([]byte(p.Line)))
	fmt.Fprintf(&b, "checkpoint %d: tree size %d, root hash %s, signed note:\n", p.Checkpoint, p.Tree.N, p.Tree.Hash)
	for _, l := range strings.Split(strings.TrimSuffix(string(p.Note), "\n"), "\n") {
		if l != "" {
			b.WriteString("  " + l)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "inclusion proof (RFC 6962 audit path, from the leaf up), %d hashes:\n", len(p.Hashes))
	for _, h := range p.Hashes {
		fmt.Fprintf(&b, "  %s\n", h)
	}
	return b.String()
}

package lockcopy

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/retentiond/retentiond/agent/ledger"
)

// Kind is what a Problem is.
type Kind string

// The kinds of Problem. Index and Count say which lines (or which tree
// size) each concerns.
const (
	// Gap: lines Index… have no copy, though later lines have.
	Gap Kind = "gap"
	// Changed: local lines Index… differ from their copies.
	Changed Kind = "changed"
	// Dropped: local line Index is missing (the copies have it, and the
	// local lines after it are shifted back by one).
	Dropped Kind = "dropped"
	// Inserted: local line Index is not in the copies (the local lines
	// after it are shifted on by one).
	Inserted Kind = "inserted"
	// Truncated: the local ledger ends at line Index but the copies (or
	// a copied checkpoint) go on for Count more lines.
	Truncated Kind = "truncated"
	// CheckpointMismatch: a copied checkpoint's root hash is not the hash
	// of the first Index local lines.
	CheckpointMismatch Kind = "checkpoint-mismatch"
	// BadSignature: a copied checkpoint does not verify with the key.
	BadSignature Kind = "bad-signature"
	// Overwritten: an object holds versions with different contents;
	// Upload writes each name once, so someone wrote over a copy.
	Overwritten Kind = "overwritten"
	// DeleteMarker: someone deleted an object; its locked version
	// remains, and was checked.
	DeleteMarker Kind = "delete-marker"
	// Malformed: an object's content is not what its name says.
	Malformed Kind = "malformed"
	// Unexpected: an object under the prefix that Upload never writes.
	Unexpected Kind = "unexpected"
)

// Problem is one disagreement between the local ledger and its copies. It
// names lines by index and objects by key; it never holds a line's
// content.
type Problem struct {
	Kind Kind
	// Index is the first entry concerned, from 0 (line Index+1 of
	// entries.jsonl); for a checkpoint problem, the checkpoint's tree size.
	Index int64
	// Count is how many lines are concerned (1 for a problem with one
	// object or checkpoint).
	Count int64
	// Key is the object concerned, or "".
	Key string
}

// String describes the problem in a sentence.
func (p Problem) String() string {
	lines := fmt.Sprintf("line %d", p.Index+1)
	if p.Count > 1 {
		lines = fmt.Sprintf("lines %d–%d", p.Index+1, p.Index+p.Count)
	}
	f := ledger.EntriesFile
	switch p.Kind {
	case Gap:
		return fmt.Sprintf("%s %s: no locked copy, though later lines have one", f, lines)
	case Changed:
		return fmt.Sprintf("%s %s: differ from the locked copies (changed)", f, lines)
	case Dropped:
		return fmt.Sprintf("%s %s: differ from the locked copies; a line was dropped at line %d", f, lines, p.Index+1)
	case Inserted:
		return fmt.Sprintf("%s %s: differ from the locked copies; a line was inserted at line %d", f, lines, p.Index+1)
	case Truncated:
		more := "1 more line"
		if p.Count != 1 {
			more = fmt.Sprintf("%d more lines", p.Count)
		}
		return fmt.Sprintf("%s has %d lines but the locked copies go on for %s (lines were removed)", f, p.Index, more)
	case CheckpointMismatch:
		return fmt.Sprintf("locked checkpoint %s (size %d) does not match the first %d lines of %s", p.Key, p.Index, p.Index, f)
	case BadSignature:
		return fmt.Sprintf("locked checkpoint %s does not verify with the key", p.Key)
	case Overwritten:
		return fmt.Sprintf("%s holds versions with different contents: a copy was written over", p.Key)
	case DeleteMarker:
		return fmt.Sprintf("%s has a delete marker: someone deleted a copy (its locked version remains and was checked)", p.Key)
	case Malformed:
		return fmt.Sprintf("%s is not a well-formed copy (its content does not match its name)", p.Key)
	case Unexpected:
		return fmt.Sprintf("%s is not an object Upload writes", p.Key)
	}
	return fmt.Sprintf("%s: %s %s", p.Kind, p.Key, lines)
}

// Report is what Verify found.
type Report struct {
	// Bucket and Prefix are where the copies are.
	Bucket, Prefix string
	// Local is the number of complete lines in the local entries.jsonl.
	Local int64
	// EntryObjects is the number of entries objects read.
	EntryObjects int
	// EntriesCopied is the number of lines that have a copy.
	EntriesCopied int64
	// CopiedEnd is one past the last line that has a copy.
	CopiedEnd int64
	// NotCopied is the number of local lines after CopiedEnd: added
	// since the last Upload.
	NotCopied int64
	// Checkpoints is the number of copied checkpoints that verified with
	// the key and match the local lines; CheckpointObjects all of them.
	Checkpoints, CheckpointObjects int
	// LatestCopied is the largest tree size among them (0 for none).
	LatestCopied int64
	// Problems are the disagreements, by Index.
	Problems []Problem
}

// OK reports whether Verify found no problem.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Err returns nil if r is OK, else an error wrapping ErrDiverged that
// names the first problem.
func (r *Report) Err() error {
	if r.OK() {
		return nil
	}
	return fmt.Errorf("lockcopy: %w: %d problems, the first: %s", ErrDiverged, len(r.Problems), r.Problems[0])
}

// String says what was verified, for `retentiond verify`.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "locked copies in bucket %s under prefix %q\n", r.Bucket, r.Prefix)
	fmt.Fprintf(&b, "  entries:        %d lines copied in %d objects, each compared with the local line; %s has %d lines", r.EntriesCopied, r.EntryObjects, ledger.EntriesFile, r.Local)
	if r.NotCopied > 0 {
		fmt.Fprintf(&b, ", %d not copied yet (lines %d–%d)", r.NotCopied, r.Local-r.NotCopied+1, r.Local)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "  checkpoints:    %d of %d copies verified with the key and match the local lines; the largest copied size is %d\n", r.Checkpoints, r.CheckpointObjects, r.LatestCopied)
	if r.OK() {
		b.WriteString("  problems:       none\n")
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  PROBLEM:        %s\n", p)
	}
	return b.String()
}

// Verify compares the ledger in ledgerDir with its copies in the bucket.
// It reads every version of every object under the prefix (a copy someone
// wrote over or deleted keeps its locked version, which counts), and
// checks that the entry ranges are contiguous from line 1, that each
// copied line equals the local line at its index byte for byte, that each
// copied checkpoint verifies with v and that its root hash is that of the
// local tree at its size, and that the local ledger is not shorter than
// the copies. Disagreements are in the Report (see Kind); the error is
// for what kept Verify from checking. Like ledger.Verify it takes no
// lock and leaves out an incomplete last line.
func (c *Copier) Verify(ctx context.Context, ledgerDir string, v note.Verifier) (*Report, error) {
	loc, err := readLocal(ledgerDir)
	if err != nil {
		return nil, err
	}
	vs, err := c.versions(ctx)
	if err != nil {
		return nil, err
	}
	r := &Report{Bucket: c.bucket, Prefix: c.prefix, Local: loc.n}
	cp := &copies{}
	var keys []string
	byKey := make(map[string][]version)
	for _, ver := range vs {
		if _, ok := byKey[ver.key]; !ok {
			keys = append(keys, ver.key)
		}
		byKey[ver.key] = append(byKey[ver.key], ver)
	}
	slices.Sort(keys)
	for _, key := range keys {
		first, last, isEntries := c.parseEntriesKey(key)
		size, isCheckpoint := c.parseCheckpointKey(key)
		index := first
		if isCheckpoint {
			index = size
		}
		var contents [][]byte
		for _, ver := range byKey[key] {
			if ver.deleteMarker {
				r.add(DeleteMarker, index, 1, key)
				continue
			}
			data, found, err := c.get(ctx, key, ver.id)
			if err != nil {
				return nil, err
			}
			if found && !slices.ContainsFunc(contents, func(b []byte) bool { return bytes.Equal(b, data) }) {
				contents = append(contents, data)
			}
		}
		switch {
		case len(contents) == 0:
		case isEntries:
			r.EntryObjects++
			if len(contents) > 1 {
				r.add(Overwritten, first, 1, key)
			}
			for _, data := range contents {
				lines, ok := splitLines(data)
				if !ok || int64(len(lines)) != last-first+1 {
					r.add(Malformed, first, 1, key)
					continue
				}
				cp.add(first, lines)
			}
		case isCheckpoint:
			c.checkCheckpoint(r, loc, v, key, size, contents)
		default:
			r.add(Unexpected, 0, 1, key)
		}
	}
	cp.compare(r, loc)
	slices.SortStableFunc(r.Problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Index, b.Index), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Key, b.Key))
	})
	return r, nil
}

func (r *Report) add(k Kind, index, count int64, key string) {
	r.Problems = append(r.Problems, Problem{Kind: k, Index: index, Count: count, Key: key})
}

// checkCheckpoint checks the contents of one checkpoint object.
func (c *Copier) checkCheckpoint(r *Report, loc *local, v note.Verifier, key string, size int64, contents [][]byte) {
	verified := false
	var texts [][]byte
	for _, msg := range contents {
		r.CheckpointObjects++
		if t := noteText(msg); !slices.ContainsFunc(texts, func(b []byte) bool { return bytes.Equal(b, t) }) {
			texts = append(texts, t)
		}
		n, err := note.Open(msg, note.VerifierList(v))
		if err != nil {
			r.add(BadSignature, size, 1, key)
			continue
		}
		tree, err := parseTreeText(n.Text)
		if err != nil || tree.N != size {
			r.add(Malformed, size, 1, key)
			continue
		}
		if size > loc.n {
			r.CopiedEnd = max(r.CopiedEnd, size) // Truncated, in compare
			continue
		}
		if h, err := loc.treeHash(size); err != nil || h != tree.Hash {
			r.add(CheckpointMismatch, size, 1, key)
			continue
		}
		verified = true
		r.Checkpoints++
	}
	if len(texts) > 1 {
		// The same text signed twice (another key) is no harm; different
		// trees under one name are.
		r.add(Overwritten, size, 1, key)
	}
	if verified {
		r.LatestCopied = max(r.LatestCopied, size)
	}
}

// copies are the copied lines' hashes by index, from every entries
// object.
type copies struct {
	hash     []tlog.Hash
	have     []bool
	conflict []bool // two copies of the line differ
}

func (cp *copies) add(first int64, lines [][]byte) {
	if end := first + int64(len(lines)); end > int64(len(cp.hash)) {
		cp.hash = append(cp.hash, make([]tlog.Hash, end-int64(len(cp.hash)))...)
		cp.have = append(cp.have, make([]bool, end-int64(len(cp.have)))...)
		cp.conflict = append(cp.conflict, make([]bool, end-int64(len(cp.conflict)))...)
	}
	for k, line := range lines {
		i := first + int64(k)
		h := tlog.RecordHash(line)
		switch {
		case !cp.have[i]:
			cp.hash[i], cp.have[i] = h, true
		case cp.hash[i] != h:
			cp.conflict[i] = true
		}
	}
}

// compare finds gaps, mismatching runs of lines and truncation, and fills
// in the counts.
func (cp *copies) compare(r *Report, loc *local) {
	end := int64(len(cp.hash))
	bad := func(i int64) bool {
		return cp.have[i] && i < loc.n && (cp.conflict[i] || cp.hash[i] != loc.leaves[i])
	}
	for i := int64(0); i < end; {
		j := i + 1
		switch {
		case !cp.have[i]:
			for j < end && !cp.have[j] {
				j++
			}
			r.add(Gap, i, j-i, "")
		case bad(i):
			for j < end && bad(j) {
				j++
			}
			kind := Changed
			switch {
			case i+1 < end && cp.have[i+1] && cp.hash[i+1] == loc.leaves[i]:
				kind = Dropped
			case i+1 < loc.n && loc.leaves[i+1] == cp.hash[i]:
				kind = Inserted
			}
			r.add(kind, i, j-i, "")
		}
		i = j
	}
	for _, ok := range cp.have {
		if ok {
			r.EntriesCopied++
		}
	}
	r.CopiedEnd = max(r.CopiedEnd, end)
	if r.CopiedEnd > loc.n {
		r.add(Truncated, loc.n, r.CopiedEnd-loc.n, "")
	}
	r.NotCopied = max(0, loc.n-end)
}

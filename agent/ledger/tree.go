package ledger

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// frontier is the right edge of a Merkle tree: the roots of its perfect
// subtrees, left to right. It is all that is needed to compute the next
// record's stored hashes and the tree hash, in O(log n) time and memory,
// without reading the hashes file.
type frontier struct {
	n     int64
	roots []root
}

type root struct {
	index int64 // stored hash index, to check tlog asks for what we hold
	hash  tlog.Hash
}

// next returns the stored hashes for the record with hash h (to be
// written at tlog.StoredHashIndex(0, f.n)) and the frontier after it,
// leaving f unchanged.
func (f frontier) next(h tlog.Hash) ([]tlog.Hash, frontier, error) {
	read := func(indexes []int64) ([]tlog.Hash, error) {
		m := len(indexes)
		if m > len(f.roots) {
			return nil, fmt.Errorf("ledger: internal error: tree of %d records has %d subtree roots, %d asked for", f.n, len(f.roots), m)
		}
		out := make([]tlog.Hash, m)
		for i, r := range f.roots[len(f.roots)-m:] {
			if r.index != indexes[i] {
				return nil, fmt.Errorf("ledger: internal error: stored hash %d asked for, %d held", indexes[i], r.index)
			}
			out[i] = r.hash
		}
		return out, nil
	}
	hashes, err := tlog.StoredHashesForRecordHash(f.n, h, tlog.HashReaderFunc(read))
	if err != nil {
		return nil, f, err
	}
	m := len(hashes) - 1 // subtrees the record completes
	roots := make([]root, 0, len(f.roots)-m+1)
	roots = append(roots, f.roots[:len(f.roots)-m]...)
	roots = append(roots, root{tlog.StoredHashIndex(0, f.n) + int64(m), hashes[m]})
	return hashes, frontier{n: f.n + 1, roots: roots}, nil
}

// hash returns the tree hash (the RFC 6962 root) of the records so far.
func (f frontier) hash() tlog.Hash {
	if len(f.roots) == 0 {
		h, _ := tlog.TreeHash(0, nil) // the empty tree's hash; reads nothing
		return h
	}
	h := f.roots[len(f.roots)-1].hash
	for i := len(f.roots) - 2; i >= 0; i-- {
		h = tlog.NodeHash(f.roots[i].hash, h)
	}
	return h
}

// memHashes is a complete list of stored hashes, index by index, for
// Verify and Prove, which need proofs against any tree size.
type memHashes []tlog.Hash

// ReadHashes implements tlog.HashReader.
func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("ledger: stored hash %d not available (%d held)", x, len(m))
		}
		out[i] = m[x]
	}
	return out, nil
}

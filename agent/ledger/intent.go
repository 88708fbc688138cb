package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strconv"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// An intent is what Append writes, fsynced, before an entry's line: the
// entry's index and record hash, signed with the ledger key. An entry
// after the latest checkpoint is either covered by an intent, and so was
// written by a retentiond holding the key (an apply still running, or one
// killed before its checkpoint, whose next run signs it), or it was put
// there by someone else and is never signed.
//
// The intents file holds one intent per line:
//
//	<index> <base64 record hash> <base64 Ed25519 signature>
//
// The signature is over intent.message. The file only ever holds the
// intents of entries after the latest checkpoint: Checkpoint empties it
// once the checkpoint is durable.
type intent struct {
	index int64
	hash  tlog.Hash
	sig   []byte
}

// message is the signed text of an intent. It does not name the log: a
// ledger without a checkpoint has no name on record to check it against,
// and the key already ties the intent to the organisation.
func (in intent) message() []byte {
	return fmt.Appendf(nil, "retentiond ledger intent\n%d\n%s\n", in.index, in.hash)
}

// appendTo appends the intent's line to b.
func (in intent) appendTo(b []byte) []byte {
	return fmt.Appendf(b, "%d %s %s\n", in.index, in.hash, base64.StdEncoding.EncodeToString(in.sig))
}

// parseIntents parses the intents file strictly. complete is the length
// of the prefix of whole lines; a last line without its newline is an
// interrupted write.
func parseIntents(data []byte) (ins []intent, complete int64, err error) {
	off := 0
	for n := 1; off < len(data); n++ {
		nl := bytes.IndexByte(data[off:], '\n')
		if nl < 0 {
			break
		}
		in, err := parseIntent(data[off : off+nl])
		if err != nil {
			return nil, 0, fmt.Errorf("%s line %d: %v", IntentsFile, n, err)
		}
		ins = append(ins, in)
		off += nl + 1
	}
	return ins, int64(off), nil
}

func parseIntent(line []byte) (intent, error) {
	f := bytes.Split(line, []byte(" "))
	if len(f) != 3 {
		return intent{}, fmt.Errorf("not an intent (index, record hash, signature)")
	}
	i, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil || i < 0 || string(f[0]) != strconv.FormatInt(i, 10) {
		return intent{}, fmt.Errorf("index is not a number")
	}
	h, err := tlog.ParseHash(string(f[1]))
	if err != nil || string(f[1]) != h.String() {
		return intent{}, fmt.Errorf("record hash is not a base64 SHA-256 hash")
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(string(f[2]))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return intent{}, fmt.Errorf("signature is not a base64 Ed25519 signature")
	}
	return intent{index: i, hash: h, sig: sig}, nil
}

// signIntent returns the intent for the entry at index with record hash
// h, signed by s.
func signIntent(s note.Signer, index int64, h tlog.Hash) (intent, error) {
	in := intent{index: index, hash: h}
	sig, err := s.Sign(in.message())
	if err != nil {
		return intent{}, fmt.Errorf("ledger: signing the intent of entry %d: %w", index+1, err)
	}
	in.sig = sig
	return in, nil
}

// signedBy returns a check of intent signatures made with s's key, for
// whoever holds the signer rather than the verifier: Ed25519 signatures
// are deterministic (RFC 8032), so an intent is s's exactly when signing
// its message again gives the same bytes.
func signedBy(s note.Signer) func(msg, sig []byte) bool {
	return func(msg, sig []byte) bool {
		again, err := s.Sign(msg)
		return err == nil && bytes.Equal(again, sig)
	}
}

// checkTail checks that every entry from index from on, whose record
// hashes are leaves, has an intent in ins whose signature ok accepts.
// The error names the first line that has none.
func checkTail(from int64, leaves []tlog.Hash, ins []intent, ok func(msg, sig []byte) bool) error {
	type key struct {
		index int64
		hash  tlog.Hash
	}
	have := map[key][][]byte{}
	for _, in := range ins {
		k := key{in.index, in.hash}
		have[k] = append(have[k], in.sig)
	}
	for i, h := range leaves {
		index := from + int64(i)
		signed := false
		for _, sig := range have[key{index, h}] {
			if ok(intent{index: index, hash: h}.message(), sig) {
				signed = true
				break
			}
		}
		if !signed {
			return &tailError{line: index + 1, signedUpTo: from, end: from + int64(len(leaves))}
		}
	}
	return nil
}

// tailError is an unsigned entry without a valid intent.
type tailError struct {
	line, signedUpTo, end int64
}

func (e *tailError) Error() string {
	more := ""
	if n := e.end - e.line; n > 0 {
		more = fmt.Sprintf(" (and %d line(s) after it)", n)
	}
	fix := fmt.Sprintf("cut the file back to its first %d lines", e.line-1)
	if e.line == 1 {
		fix = "empty it"
	}
	return fmt.Sprintf("%s line %d%s: not signed by any checkpoint, and not written by retentiond (it has no intent signed with the ledger key): it was added by hand or by another program, so nothing will be signed over it. Keep a copy of %s as evidence, then %s",
		EntriesFile, e.line, more, EntriesFile, fix)
}

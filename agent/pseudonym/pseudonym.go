// Package pseudonym turns identifiers into keyed pseudonyms: stable tokens
// that join up across stores and runs but cannot be traced back to the
// person or file without the organisation's secret key.
//
// A pseudonym is HMAC-SHA256 under a secret key, never a plain hash. The
// identifiers retentiond handles come from small, guessable spaces: a BSN
// has nine digits (a billion candidates, of which the 11-proof leaves a
// tenth), a child's administration number a few thousand, a record path is
// "Kinddossiers/<name>/intake.pdf" for every name on a class list. Anyone
// holding an unkeyed SHA-256 of such a value can hash every candidate in
// minutes and read the value back. With a 256-bit secret key that search
// is hopeless, so the ledger and the metrics may carry the pseudonym while
// the key stays with the organisation (see agent/keys).
//
// The same key gives the same pseudonym in every store and every run, so
// statistics and the ledger still join up; a new key gives unrelated
// pseudonyms, which is why the key must be kept and backed up.
package pseudonym

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// MinKeySize is the shortest key New accepts, in bytes: the HMAC-SHA256
// block of security, so that the key, not the identifier space, bounds an
// attacker's search.
const MinKeySize = 32

// Size is the length of a pseudonym in bytes (128 bits: collisions among
// even billions of identifiers are negligible); Of returns twice as many
// hex digits.
const Size = 16

// Domains separate the kinds of identifier, so that a record and a subject
// that happen to share an identifier get unrelated pseudonyms.
const (
	// DomainRecord is the domain of record references ("store:id").
	DomainRecord = "record"
	// DomainSubject is the domain of data subjects ("type:id").
	DomainSubject = "subject"
)

// Keyed makes pseudonyms under one secret key. It is safe for concurrent
// use.
type Keyed struct {
	key []byte
	// macs holds HMAC states keyed with key, reset between uses: setting
	// up an HMAC costs more than hashing a short value, and an export of
	// a million rows makes millions of tokens.
	macs *sync.Pool
}

// mac returns the HMAC-SHA256, keyed with k's key, of the parts joined by
// NUL bytes, appended to buf.
func (k *Keyed) mac(buf []byte, parts ...string) []byte {
	st := k.macs.Get().(*macState)
	// One Write of the parts joined by NUL bytes: the hash takes bytes,
	// and converting each part on its own would allocate each time.
	st.in = st.in[:0]
	for i, p := range parts {
		if i > 0 {
			st.in = append(st.in, 0)
		}
		st.in = append(st.in, p...)
	}
	out := append(buf, st.sum()...)
	k.macs.Put(st)
	return out
}

// macState is a reusable HMAC with scratch buffers for its input and its
// sum: a buffer passed to the hash's Sum escapes to the heap, one
// allocation per pseudonym if it were the caller's.
type macState struct {
	h   hash.Hash
	in  []byte
	out []byte
}

// sum returns the HMAC of st.in, in st.out: valid until st is used again.
func (st *macState) sum() []byte {
	st.h.Reset()
	st.h.Write(st.in)
	st.out = st.h.Sum(st.out[:0])
	return st.out
}

// New returns a Keyed for key, which must be at least MinKeySize bytes.
// The key is copied. The error never contains key material.
func New(key []byte) (*Keyed, error) {
	if len(key) < MinKeySize {
		return nil, fmt.Errorf("pseudonym key is %d bytes: at least %d are needed", len(key), MinKeySize)
	}
	kk := append([]byte(nil), key...)
	return &Keyed{key: kk, macs: &sync.Pool{New: func() any { return &macState{h: hmac.New(sha256.New, kk)} }}}, nil
}

// Of returns the pseudonym of value in domain: the lower-case hex of the
// first Size bytes of HMAC-SHA256(key, domain + "\x00" + value).
//
// The NUL byte keeps domain and value apart ("ab"+"c" and "a"+"bc" differ);
// domains are constants of the code, so one containing NUL, or an empty
// one, is a programming error and Of panics.
func (k *Keyed) Of(domain, value string) string {
	if domain == "" || strings.IndexByte(domain, 0) >= 0 {
		panic("pseudonym: domain must be non-empty and must not contain NUL")
	}
	var buf [sha256.Size]byte
	sum := k.mac(buf[:0], domain, value)
	return hex.EncodeToString(sum[:Size])
}

// Record returns the pseudonym of the record id in store: Of(DomainRecord,
// store + ":" + id), the "store:id" form that `retentiond explain` and
// `retentiond verify --record` take. Store names cannot contain ":", so the
// form is unambiguous.
func (k *Keyed) Record(store, id string) string {
	return k.Of(DomainRecord, store+":"+id)
}

// Subject returns the pseudonym of the data subject of the given type and
// id: Of(DomainSubject, typ + ":" + id), such as "child:1234".
func (k *Keyed) Subject(typ, id string) string {
	return k.Of(DomainSubject, typ+":"+id)
}

// IsPseudonym reports whether s has the form Of returns: 2*Size lower-case
// hex digits. The ledger uses it to refuse an identifier passed where a
// pseudonym belongs.
func IsPseudonym(s string) bool {
	if len(s) != 2*Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

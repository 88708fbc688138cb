package pseudonym

import (
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// DomainToken is the HMAC domain of field tokens, kept apart from records
// and subjects so that a token never equals, or helps compute, a ledger
// pseudonym of the same identifier.
const DomainToken = "token"

// TokenHex is the number of hex digits in a token after its prefix: 32
// bits.
//
// The example, KIND-3F9A2C, has 6 (24 bits). Token length does not
// bear on secrecy, since without the key no token can be computed at all;
// it bears on collisions, which merge two people in the statistics that
// tokens exist for. Among n distinct values of one prefix the chance of
// any collision is about n²/2^(bits+1): with 24 bits that is 26% for 5,000
// children and near-certain for 20,000, while an organisation keeps years
// of children and parents. With 32 bits it is 0.3% for 5,000 and 1.2% for
// 10,000; a chain with a few hundred thousand distinct names would see a
// handful of merged pairs, a negligible error in aggregate figures. Eight
// characters stay short enough to read and type in a spreadsheet.
const TokenHex = 8

// MaxPrefixLen is the longest token prefix CheckPrefix accepts.
const MaxPrefixLen = 16

// CheckPrefix reports whether p can be a token prefix: 1 to MaxPrefixLen
// upper-case ASCII letters and digits, such as "KIND" or "OUDER2". The
// limit keeps tokens uniform and unambiguous: the prefix ends at the only
// "-" of a token. Configured prefixes should be checked when the config is
// loaded.
func CheckPrefix(p string) error {
	if p == "" || len(p) > MaxPrefixLen {
		return fmt.Errorf("token prefix %q must be 1 to %d characters long", p, MaxPrefixLen)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return fmt.Errorf("token prefix %q may hold only upper-case letters A-Z and digits", p)
		}
	}
	return nil
}

// Token returns the keyed token of value under prefix: prefix, "-" and
// the first TokenHex upper-case hex digits of
//
//	HMAC-SHA256(key, "token" + "\x00" + prefix + "\x00" + normalised value)
//
// such as "KIND-3F9A2C4B". Normalising (Unicode NFC, case folded to lower
// case, white space trimmed and runs of it made one space) gives "Piet Jansen",
// " piet  jansen " and "PIET JANSEN" one token; the field-specific forms
// (a BSN's nine digits, an IBAN without spaces) are Apply's job.
//
// The same key, prefix and value give the same token in every file and
// every run; the prefix is part of the input, so a child's name under KIND
// and the same name under OUDER give unrelated tokens. Without the key a
// token cannot be computed, so it cannot be checked against guesses the
// way a plain hash of a BSN can.
//
// Prefixes are constants of the code or checked config, so one that fails
// CheckPrefix is a programming error and Token panics (as Of does for a bad
// domain).
func (k *Keyed) Token(prefix, value string) string {
	if CheckPrefix(prefix) != nil {
		panic("pseudonym: token prefix must be 1-16 characters A-Z or 0-9")
	}
	var buf [MaxPrefixLen + 1 + TokenHex]byte
	return string(k.appendToken(buf[:0], prefix, value))
}

// appendToken appends Token(prefix, value) to dst, prefix unchecked. The
// HMAC's input is built in the pooled state's buffer, the value normalised
// into it, so that a token costs no allocation but the caller's.
func (k *Keyed) appendToken(dst []byte, prefix, value string) []byte {
	st := k.macs.Get().(*macState)
	in := append(st.in[:0], DomainToken...)
	in = append(in, 0)
	in = append(in, prefix...)
	in = append(in, 0)
	st.in = appendNormalised(in, value)
	sum := st.sum()
	dst = append(append(dst, prefix...), '-')
	const digits = "0123456789ABCDEF"
	for _, b := range sum[:TokenHex/2] {
		dst = append(dst, digits[b>>4], digits[b&15])
	}
	k.macs.Put(st)
	return dst
}

// appendNormalised appends normaliseText(s) to dst.
func appendNormalised(dst []byte, s string) []byte {
	if out, ok := appendNormalisedASCII(dst, s); ok {
		return out
	}
	return append(dst, normaliseText(s)...)
}

// normaliseText is the normalisation every token input gets. Lower case
// is taken of the upper case, because lower-casing alone keeps the
// dotless ı of "Yılmaz" apart from the i of "YILMAZ", its upper case.
func normaliseText(s string) string {
	if ascii, ok := normaliseASCII(s); ok {
		return ascii
	}
	s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	return strings.ToLower(strings.ToUpper(s))
}

// IsToken reports whether s has the form Token returns, with any valid
// prefix. A rewriter can use it to leave cells that an earlier run already
// pseudonymised alone, rather than tokenising a token.
func IsToken(s string) bool {
	prefix, h, ok := strings.Cut(s, "-")
	if !ok || CheckPrefix(prefix) != nil || len(h) != TokenHex {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !('0' <= c && c <= '9' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// normaliseASCII is normaliseText's fast path for plain ASCII, which most
// cells are: lower case, trimmed, runs of white space made one space, in
// one pass. It reports false for anything else.
func normaliseASCII(s string) (string, bool) {
	b, ok := appendNormalisedASCII(make([]byte, 0, len(s)), s)
	return string(b), ok
}

// appendNormalisedASCII appends normaliseASCII(s) to dst. For anything
// but ASCII it reports false, and dst's contents past its length are
// undefined.
func appendNormalisedASCII(dst []byte, s string) ([]byte, bool) {
	start := len(dst)
	b := dst
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			return dst, false
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			space = len(b) > start
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return b, true
}

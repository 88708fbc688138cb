package pseudonym

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// hmacToken computes a token from first principles, independently of Token,
// for an input the caller has already normalised.
func hmacToken(key []byte, prefix, normalised string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("token\x00" + prefix + "\x00" + normalised))
	return prefix + "-" + strings.ToUpper(hex.EncodeToString(m.Sum(nil))[:8])
}

func TestTokenKnownAnswer(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef-extra")
	k := mustNew(t, key)
	tests := []struct{ prefix, value, normalised string }{
		{"KIND", "Piet Jansen", "piet jansen"},
		{"KIND", " piet  jansen ", "piet jansen"},
		{"KIND", "PIET\tJANSEN\n", "piet jansen"},
		{"KIND", "Pi\u0065\u0301t", "pi\u00e9t"}, // decomposed é is NFC-composed
		{"KIND", "Yılmaz", "yilmaz"},
		{"BSN", "012345672", "012345672"},
		{"X1", "", ""},
	}
	for _, tt := range tests {
		want := hmacToken(key, tt.prefix, tt.normalised)
		if got := k.Token(tt.prefix, tt.value); got != want {
			t.Errorf("Token(%q, %q) = %s, want %s", tt.prefix, tt.value, got, want)
		}
		if !IsToken(want) {
			t.Errorf("IsToken(%s) = false", want)
		}
	}
}

// TestTokenSeparated guards the inputs of the HMAC: prefix and value are
// both in it and cannot run into each other, and tokens are not ledger
// pseudonyms of the same text.
func TestTokenSeparated(t *testing.T) {
	k := mustNew(t, testKey(9))
	hexOf := func(tok string) string { return tok[strings.IndexByte(tok, '-')+1:] }
	if hexOf(k.Token("KIND", "piet")) == hexOf(k.Token("OUDER", "piet")) {
		t.Error("the prefix does not change the token")
	}
	if hexOf(k.Token("AB", "1c")) == hexOf(k.Token("A", "b1c")) {
		t.Error(`"AB"+"1c" and "A"+"b1c" give one token`)
	}
	h := hexOf(k.Token("KIND", "piet"))
	if h != strings.ToUpper(k.Of(DomainToken, "KIND\x00piet")[:TokenHex]) {
		t.Error("Token is not HMAC under the token domain")
	}
	if strings.HasPrefix(strings.ToUpper(k.Of(DomainSubject, "piet")), h) {
		t.Error("a token equals the subject pseudonym of the same text")
	}
}

func TestTokenBadPrefixPanics(t *testing.T) {
	k := mustNew(t, testKey(5))
	for _, p := range []string{"", "kind", "KI-ND", "K\x00", strings.Repeat("A", MaxPrefixLen+1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Token(%q, ...) did not panic", p)
				}
			}()
			k.Token(p, "v")
		}()
	}
}

func TestCheckPrefix(t *testing.T) {
	tests := []struct {
		p  string
		ok bool
	}{
		{"KIND", true}, {"OUDER2", true}, {"A", true}, {strings.Repeat("Z", MaxPrefixLen), true},
		{"", false}, {"kind", false}, {"KIND-X", false}, {"KÏND", false}, {"KIND ", false},
		{strings.Repeat("Z", MaxPrefixLen+1), false},
	}
	for _, tt := range tests {
		if err := CheckPrefix(tt.p); (err == nil) != tt.ok {
			t.Errorf("CheckPrefix(%q) = %v, want ok=%v", tt.p, err, tt.ok)
		}
	}
}

func TestIsToken(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"KIND-3F9A2C4B", true}, {"BSN-00000000", true},
		{"KIND-3F9A2C", false}, {"KIND-3F9A2C4B1", false}, {"KIND-3f9a2c4b", false},
		{"kind-3F9A2C4B", false}, {"-3F9A2C4B", false}, {"KIND3F9A2C4B", false},
		{"KIND-3F9A2C4G", false}, {"Piet Jansen", false}, {"", false},
	}
	for _, tt := range tests {
		if got := IsToken(tt.s); got != tt.want {
			t.Errorf("IsToken(%q) = %v", tt.s, got)
		}
	}
}

// TestCanonical checks that the ways exports write one identifier give one
// token, and that different identifiers stay apart.
func TestCanonical(t *testing.T) {
	key := testKey(3)
	k := mustNew(t, key)
	same := []struct {
		field      Field
		vs         []Value
		normalised string
	}{
		{FieldName, []Value{StringValue("Piet Jánsen"), StringValue(" piet  jansen "), StringValue("PIET JANSEN"), FormulaValue("Piet Jansen")}, "piet jansen"},
		{FieldBSN, []Value{StringValue("012345672"), StringValue("0123.45.672"), StringValue("0123 45 672"), NumberValue(12345672), StringValue("12345672")}, "012345672"},
		{FieldIBAN, []Value{StringValue("NL91 ABNA 0417 1643 00"), StringValue("nl91abna0417164300")}, "nl91abna0417164300"},
		{FieldPhone, []Value{StringValue("06-12345678"), StringValue("+31 6 1234 5678"), StringValue("+31 (0)6 12345678"), StringValue("0031612345678"), NumberValue(612345678)}, "0612345678"},
		{FieldPostcode, []Value{StringValue("1234 AB"), StringValue("1234ab")}, "1234ab"},
		{FieldBirthDate, []Value{StringValue("12-03-2019"), StringValue("12-3-2019"), StringValue("2019-03-12"), DateValue(date(2019, 3, 12))}, "2019-03-12"},
		{FieldEmail, []Value{StringValue("Piet.Jansen@Example.NL "), StringValue("piet.jansen@example.nl")}, "piet.jansen@example.nl"},
		{FieldPhone, []Value{StringValue("n.v.t."), StringValue("N.V.T.")}, "n.v.t."},
	}
	for _, tt := range same {
		want := hmacToken(key, tt.field.Prefix(), tt.normalised)
		for _, v := range tt.vs {
			got, err := k.Apply(Pseudonym, 0, tt.field, v)
			if err != nil || got != StringValue(want) {
				t.Errorf("Apply(pseudonym, %s, %q) = %q, %v; want %s", tt.field, v.Text(), got.S, err, want)
			}
		}
	}
	differ := []struct {
		field Field
		a, b  Value
	}{
		{FieldName, StringValue("Piet Jansen"), StringValue("Piet Janssen")},
		{FieldBSN, StringValue("012345672"), StringValue("123456782")},
		{FieldPhone, StringValue("0612345678"), StringValue("0612345679")},
		{FieldPhone, StringValue("+32 6 12345678"), StringValue("06 12345678")},
		{FieldName, StringValue("2019-03-12"), DateValue(date(2019, 3, 13))},
	}
	for _, tt := range differ {
		a, _ := k.Apply(Pseudonym, 0, tt.field, tt.a)
		b, _ := k.Apply(Pseudonym, 0, tt.field, tt.b)
		if a == b {
			t.Errorf("%s: %q and %q give one token", tt.field, tt.a.Text(), tt.b.Text())
		}
	}
}

func TestNormaliseASCIIAgreesWithSlowPath(t *testing.T) {
	for _, s := range []string{"", "  ", "Piet Jansen", " piet\t\tJANSEN \n", "a\vb\fc", "O'Brien-Smit", "123 456 782", "x  y  z  "} {
		fast, ok := normaliseASCII(s)
		if !ok {
			t.Fatalf("%q: not ASCII?", s)
		}
		slow := strings.ToLower(strings.ToUpper(strings.Join(strings.Fields(s), " ")))
		if fast != slow {
			t.Errorf("%q: fast %q, slow %q", s, fast, slow)
		}
	}
	if _, ok := normaliseASCII("Zoë"); ok {
		t.Error("non-ASCII took the fast path")
	}
}

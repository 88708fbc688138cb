package pseudonym

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, MinKeySize) }

func mustNew(t *testing.T, key []byte) *Keyed {
	t.Helper()
	k, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestKnownAnswer recomputes the construction with crypto/hmac directly, so
// that a change of the construction (separator, truncation, encoding) is
// caught and not just a change of its output.
func TestKnownAnswer(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef-extra")
	k := mustNew(t, key)
	tests := []struct{ domain, value string }{
		{DomainSubject, "child:1234"},
		{DomainRecord, "dossiers:Jansen, Piet/intake.pdf"},
		{DomainRecord, ""},
		{"x", "ünïcode\x00value"},
	}
	for _, tt := range tests {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(tt.domain + "\x00" + tt.value))
		want := hex.EncodeToString(m.Sum(nil)[:16])
		if got := k.Of(tt.domain, tt.value); got != want {
			t.Errorf("Of(%q, %q) = %s, want %s", tt.domain, tt.value, got, want)
		}
		if !IsPseudonym(want) {
			t.Errorf("IsPseudonym(%s) = false", want)
		}
	}
}

func TestStable(t *testing.T) {
	a, b := mustNew(t, testKey(7)), mustNew(t, testKey(7))
	for i := range 100 {
		v := fmt.Sprint("child:", i)
		if a.Of(DomainSubject, v) != b.Of(DomainSubject, v) || a.Of(DomainSubject, v) != a.Of(DomainSubject, v) {
			t.Fatalf("pseudonym of %q differs between two Keyed with the same key", v)
		}
	}
}

func TestKeyDependent(t *testing.T) {
	a, b := mustNew(t, testKey(1)), mustNew(t, testKey(2))
	if a.Subject("child", "1234") == b.Subject("child", "1234") {
		t.Fatal("two keys gave the same pseudonym")
	}
}

func TestKeyCopied(t *testing.T) {
	key := testKey(3)
	k := mustNew(t, key)
	before := k.Subject("child", "1")
	key[0] ^= 0xff
	if k.Subject("child", "1") != before {
		t.Fatal("changing the caller's key slice changed the pseudonyms")
	}
}

func TestDomainSeparated(t *testing.T) {
	k := mustNew(t, testKey(4))
	tests := []struct{ d1, v1, d2, v2 string }{
		{DomainRecord, "child:1234", DomainSubject, "child:1234"},
		{"ab", "c", "a", "bc"},
		{"a", "\x00b", "a\x01", "b"},
	}
	for _, tt := range tests {
		if k.Of(tt.d1, tt.v1) == k.Of(tt.d2, tt.v2) {
			t.Errorf("Of(%q,%q) == Of(%q,%q)", tt.d1, tt.v1, tt.d2, tt.v2)
		}
	}
	if k.Record("dossiers", "a") != k.Of(DomainRecord, "dossiers:a") {
		t.Error("Record is not Of(DomainRecord, store:id)")
	}
	if k.Subject("child", "1") != k.Of(DomainSubject, "child:1") {
		t.Error("Subject is not Of(DomainSubject, type:id)")
	}
}

func TestBadDomainPanics(t *testing.T) {
	k := mustNew(t, testKey(5))
	for _, d := range []string{"", "a\x00b"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Of(%q, ...) did not panic", d)
				}
			}()
			k.Of(d, "v")
		}()
	}
}

func TestShortKey(t *testing.T) {
	key := []byte(strings.Repeat("k", MinKeySize-1))
	_, err := New(key)
	if err == nil {
		t.Fatal("New accepted a 31-byte key")
	}
	if strings.Contains(err.Error(), string(key)) {
		t.Fatalf("error shows the key: %v", err)
	}
}

func TestIsPseudonym(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{strings.Repeat("a", 32), true},
		{strings.Repeat("0", 32), true},
		{strings.Repeat("A", 32), false},
		{strings.Repeat("a", 31), false},
		{strings.Repeat("a", 33), false},
		{strings.Repeat("g", 32), false},
		{"", false},
		{"child:1234", false},
	}
	for _, tt := range tests {
		if got := IsPseudonym(tt.s); got != tt.want {
			t.Errorf("IsPseudonym(%q) = %v", tt.s, got)
		}
	}
}

func ExampleKeyed_Subject() {
	k, _ := New(bytes.Repeat([]byte{0x42}, 32))
	fmt.Println(k.Subject("child", "1234"))
	fmt.Println(len(k.Record("dossiers", "Jansen, Piet/intake.pdf")))
	// Output:
	// a4ddbae45bcf8264388accbe551de93c
	// 32
}

package pseudonym

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// TestApplyTextIsApply: ApplyText gives, for every field, operator and
// text, what ApplyWithPrefix gives for the same text as a String value:
// the same output (its text, "" for Empty) and the same error. The CSV
// rewrite takes the one, the other formats the other; a file must not
// read differently for its format.
func TestApplyTextIsApply(t *testing.T) {
	k, err := New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(16, 4))
	texts := []string{"", "  ", "\t", "Piet Jansen", "  chloë  VISSER ", "Yılmaz", "KIND-3F9A2C4B", " KIND-3F9A2C4B ", "BSN-0A1B2C3D",
		"NAAM-3F9A2C4B", "123456782", "0123.45.672", "12345672", "1234 AB", "1234ab", "9999", "1000", "0123", "03-05-1980", "3-5-1980",
		"1980-05-03", "1980", "31-02-2020", "2001-12-01T10:00:00", "NL91 ABNA 0417 1643 00", "**************4300", "****", "******5678",
		"+31 (0)6-1234 5678", "06 12345678", "piet@example.nl", "=HYPERLINK(\"x\")", "-5", "Jánsen"}
	for range 200 {
		if g := genSample(r); g.v.Kind == String {
			texts = append(texts, g.v.S)
		}
		texts = append(texts, genBSN(r), genIBAN(r))
	}
	ops := []struct {
		op   Operator
		keep int
	}{{Pseudonym, 0}, {Redact, 0}, {Generalise, 0}, {Mask, 0}, {Mask, 2}, {Mask, 4}, {Mask, 9}}
	for _, f := range Fields() {
		for _, o := range ops {
			for _, prefix := range []string{f.Prefix(), "KIND", "bad-prefix"} {
				for _, s := range texts {
					want, werr := k.ApplyWithPrefix(prefix, o.op, o.keep, f, StringValue(s))
					got, gerr := k.ApplyText(prefix, o.op, o.keep, f, s)
					wantText := want.Text()
					if want.IsEmpty() {
						wantText = ""
					}
					if got != wantText || (gerr == nil) != (werr == nil) || (werr != nil && gerr.Error() != werr.Error()) || errors.Is(gerr, ErrValue) != errors.Is(werr, ErrValue) {
						t.Errorf("%s %s:%d prefix %s, a value of %d bytes: ApplyText gives %d bytes (%v), ApplyWithPrefix %d bytes (%v)",
							f, o.op, o.keep, prefix, len(s), len(got), gerr, len(wantText), werr)
					}
				}
			}
		}
	}
}

package ids

import (
	"fmt"
	"strings"
	"testing"
)

const note = "Moeder belt 06-12345678, BSN 123456782, woont 1234 AB Utrecht, mail j.jansen@example.nl"

// found is a match written as kind and matched text, for readable tables.
type found struct {
	kind Kind
	text string
}

func foundIn(text string, ms []Match) []found {
	var out []found
	for _, m := range ms {
		out = append(out, found{m.Kind, text[m.Start:m.End]})
	}
	return out
}

var findCases = []struct {
	name string
	in   string
	want []found
}{
	{"note", note, []found{
		{Phone, "06-12345678"}, {BSN, "123456782"}, {Postcode, "1234 AB"}, {Email, "j.jansen@example.nl"},
	}},
	{"order number fails 11-test", "Ordernummer 123456789 betaald", nil},
	{"decimals", "bedrag 3.123456782 en 123456782,50", nil},
	{"bsn glued to letters", "ref123456782 en 123456782abc", nil},
	{"bsn grouped", "BSN 123.456.782 en 111 222 333.", []found{{BSN, "123.456.782"}, {BSN, "111 222 333"}}},
	{"bsn inside longer grouped number", "nummer 123 456 782 901", nil},
	{"bsn at end of longer grouped number", "nummer 902 123 456 782", nil},
	{"bsn after no-break space", "BSN\u00a0123456782", []found{{BSN, "123456782"}}},
	{"bsn after accented letter", "é123456782", nil},
	{"eight digits are no bsn in text", "datum 12345672", nil},
	{"iban grouped", "rek NL91 ABNA 0417 1643 00 van moeder", []found{{IBAN, "NL91 ABNA 0417 1643 00"}}},
	{"iban lower case at sentence end", "IBAN: nl91abna0417164300.", []found{{IBAN, "nl91abna0417164300"}}},
	{"iban then postcode", "NL91ABNA0417164300 1234 AB", []found{{IBAN, "NL91ABNA0417164300"}, {Postcode, "1234 AB"}}},
	{"iban bad checksum", "NL91ABNA0417164301", nil},
	// Both SA0380000000608010167519 and it with AAXY pass mod 97; the
	// longer is taken, as pseudonymising too much beats too little.
	{"iban longest wins", "SA03 8000 0000 6080 1016 7519 AAXY", []found{{IBAN, "SA03 8000 0000 6080 1016 7519 AAXY"}}},
	{"iban foreign", "DE89 3704 0044 0532 0130 00", []found{{IBAN, "DE89 3704 0044 0532 0130 00"}}},
	{"two phones", "bel 020 1234567 of 06 12345678", []found{{Phone, "020 1234567"}, {Phone, "06 12345678"}}},
	{"adjacent phones", "0201234567 0612345678", []found{{Phone, "0201234567"}, {Phone, "0612345678"}}},
	{"international with trunk", "tel: +31 (0)6 12345678!", []found{{Phone, "+31 (0)6 12345678"}}},
	{"0031", "0031 20 1234567", []found{{Phone, "0031 20 1234567"}}},
	{"parenthesised area", "(020) 1234567", []found{{Phone, "(020) 1234567"}}},
	{"phone in longer number", "1234567890123", nil},
	{"years are no postcodes", "in 2018 en 2019", nil},
	{"postcodes", "1234AB, 5678 SA, 9999 ZZ", []found{{Postcode, "1234AB"}, {Postcode, "9999 ZZ"}}},
	{"postcode glued", "x1234 AB 1234 ABC", nil},
	{"email beats bsn", "mail 123456782@example.nl", []found{{Email, "123456782@example.nl"}}},
	{"email in brackets", "<j.jansen@example.nl>.", []found{{Email, "j.jansen@example.nl"}}},
	{"email at sentence end", "mail j.jansen@example.nl.", []found{{Email, "j.jansen@example.nl"}}},
	{"email local part too long", "xxxxx-" + strings.Repeat("y", 64) + "@example.nl", nil},
	{"email without dot", "j@localhost", nil},
	{"empty", "", nil},
}

func TestFind(t *testing.T) {
	for _, tc := range findCases {
		t.Run(tc.name, func(t *testing.T) {
			ms := Find(tc.in)
			got := foundIn(tc.in, ms)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("Find(%q)\n got  %v\n want %v", tc.in, got, tc.want)
			}
			checkMatches(t, tc.in, ms)
		})
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name string
		in   []Match
		want []Match
	}{
		{"apart", []Match{{Phone, 20, 30}, {BSN, 0, 9}}, []Match{{BSN, 0, 9}, {Phone, 20, 30}}},
		{"touching", []Match{{Postcode, 0, 7}, {Email, 7, 20}}, []Match{{Postcode, 0, 7}, {Email, 7, 20}}},
		{"later and longer wins", []Match{{Postcode, 0, 7}, {Email, 5, 18}}, []Match{{Email, 5, 18}}},
		{"earlier and longer wins", []Match{{Email, 0, 20}, {BSN, 5, 14}}, []Match{{Email, 0, 20}}},
		{"same length: kind order", []Match{{Phone, 0, 10}, {BSN, 0, 10}}, []Match{{BSN, 0, 10}}},
		{"chain", []Match{{Postcode, 0, 7}, {Phone, 5, 16}, {Postcode, 15, 22}, {BSN, 30, 39}},
			[]Match{{Phone, 5, 16}, {BSN, 30, 39}}},
		{"none", nil, nil},
	}
	for _, tc := range tests {
		if got := resolve(tc.in); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: resolve = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestReplace(t *testing.T) {
	got := Replace(note, func(m Match, s string) string {
		c, _ := Canonical(m.Kind, s)
		return "[" + string(m.Kind) + ":" + c + "]"
	})
	want := "Moeder belt [phone:0612345678], BSN [bsn:123456782], woont [postcode:1234AB] Utrecht, mail [email:j.jansen@example.nl]"
	if got != want {
		t.Errorf("Replace:\n got  %q\n want %q", got, want)
	}
	plain := "Ordernummer 123456789"
	if got := Replace(plain, func(Match, string) string { return "X" }); got != plain {
		t.Errorf("Replace(%q) = %q, want it unchanged", plain, got)
	}
}

// checkMatches asserts what Find promises of any text.
func checkMatches(t *testing.T, text string, ms []Match) {
	t.Helper()
	prev := 0
	for i, m := range ms {
		if m.Start < prev || m.End <= m.Start || m.End > len(text) {
			t.Fatalf("Find(%q): match %d %+v out of order, overlapping or out of bounds", text, i, m)
		}
		prev = m.End
		if s := text[m.Start:m.End]; !m.Kind.Valid(s) {
			t.Errorf("Find(%q): match %+v = %q is not a valid %s", text, m, s, m.Kind)
		}
		if wordBefore(text, m.Start) || wordAfter(text, m.End) {
			t.Errorf("Find(%q): match %+v is not on word boundaries", text, m)
		}
	}
}

func FuzzFind(f *testing.F) {
	for _, tc := range findCases {
		f.Add(tc.in)
	}
	for _, tc := range validityCases {
		f.Add("x " + tc.in + ", " + tc.in)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ms := Find(text)
		checkMatches(t, text, ms)
		if got := Replace(text, func(_ Match, s string) string { return s }); got != text {
			t.Errorf("Replace with identity changed %q to %q", text, got)
		}
	})
}

func BenchmarkFind(b *testing.B) {
	text := note + "; vader: +31 (0)20 1234567, rekening NL91 ABNA 0417 1643 00, ordernummer 123456789."
	text += strings.Repeat(" ", max(0, 200-len(text)))
	text = text[:200]
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if len(Find(text)) != 6 {
			b.Fatal("expected 6 identifiers in the benchmark note")
		}
	}
}

func ExampleReplace() {
	fmt.Println(Replace("Moeder belt 06-12345678, BSN 123456782.", func(m Match, _ string) string {
		return "<" + string(m.Kind) + ">"
	}))
	// Output: Moeder belt <phone>, BSN <bsn>.
}

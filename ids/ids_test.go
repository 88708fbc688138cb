package ids

import "testing"

// validityCases lists, per kind, values that must and must not validate.
// They double as seeds for FuzzFind.
var validityCases = []struct {
	kind  Kind
	in    string
	valid bool
}{
	{BSN, "111222333", true},
	{BSN, "123456782", true},
	{BSN, "123.456.782", true},
	{BSN, "123 456 782", true},
	{BSN, " 123456782\t", true},
	{BSN, "12345672", true}, // padded to 012345672
	{BSN, "123456789", false},
	{BSN, "12345678", false}, // 012345678 fails the 11-test
	{BSN, "000000000", false},
	{BSN, "00000000", false},
	{BSN, "1234567820", false},
	{BSN, "12345678a", false},
	{BSN, "123-456-782", false},
	{BSN, "123..456782", false},
	{BSN, "123456782.", false},
	{BSN, ".123456782", false},
	{BSN, "", false},

	{IBAN, "NL91ABNA0417164300", true},
	{IBAN, "NL91 ABNA 0417 1643 00", true},
	{IBAN, "nl91abna0417164300", true},
	{IBAN, "NL02ABNA4171643052", true},
	{IBAN, "DE89370400440532013000", true},
	{IBAN, "GB29NWBK60161331926819", true},
	{IBAN, "BE68539007547034", true},
	{IBAN, "FR1420041010050500013M02606", true},
	{IBAN, "NO9386011117947", true},
	{IBAN, "CH9300762011623852957", true},
	{IBAN, "SA0380000000608010167519", true}, // not in the table: bounds only
	{IBAN, "NL91ABNA0417164301", false},
	{IBAN, "NL58ABNA041716430", false},  // passes mod 97, one digit short for NL
	{IBAN, "NL99ABNA4171643052", false}, // mod-97 alias of check digits 02
	{IBAN, "NL5312340417164300", false}, // passes mod 97, digits as bank code
	{IBAN, "BE705390075470341", false},  // passes mod 97, too long for BE
	{IBAN, "BE6853900754703", false},    // too short for BE
	{IBAN, "NL91-ABNA-0417-1643-00", false},
	{IBAN, "9191ABNA0417164300", false},
	{IBAN, "NL9XABNA0417164300", false},
	{IBAN, "XX0012", false},
	{IBAN, "", false},

	{Postcode, "1234 AB", true},
	{Postcode, "1234AB", true},
	{Postcode, "1011 ac", true},
	{Postcode, " 9999 ZZ ", true},
	{Postcode, "0123 AB", false},
	{Postcode, "1234 SA", false},
	{Postcode, "1234 SD", false},
	{Postcode, "1234 ss", false},
	{Postcode, "1234  AB", false},
	{Postcode, "123 AB", false},
	{Postcode, "12345 AB", false},
	{Postcode, "1234 A1", false},
	{Postcode, "1234-AB", false},
	{Postcode, "1234 ABC", false},
	{Postcode, "", false},

	{Phone, "06-12345678", true},
	{Phone, "0612345678", true},
	{Phone, "06 12 34 56 78", true},
	{Phone, "06 - 12345678", true},
	{Phone, "+31 6 12345678", true},
	{Phone, "+31612345678", true},
	{Phone, "+31 (0)6-12345678", true},
	{Phone, "+31 06 12345678", true},
	{Phone, "0031 6 12345678", true},
	{Phone, "0031612345678", true},
	{Phone, "020-1234567", true},
	{Phone, "010 123 4567", true},
	{Phone, "(020) 1234567", true},
	{Phone, "+31 (0)20 1234567", true},
	{Phone, "061234567", false},
	{Phone, "06123456789", false},
	{Phone, "0012345678", false},
	{Phone, "+32 6 12345678", false},
	{Phone, "+31 6 1234567", false},
	{Phone, "+31 00 12345678", false},
	{Phone, "0800123456", false},
	{Phone, "0900 1234567", false},
	{Phone, "06--12345678", false},
	{Phone, "06.12345678", false},
	{Phone, "(06 12345678", false},
	{Phone, "06) 12345678", false},
	{Phone, "() 0612345678", false},
	{Phone, "++31612345678", false},
	{Phone, "06-1234567a", false},
	{Phone, "612345678", false},
	{Phone, "06    12345678", false},
	{Phone, "", false},

	{Email, "j.jansen@example.nl", true},
	{Email, "J.Jansen@Example.NL", true},
	{Email, "a+b@x-y.nl", true},
	{Email, "ouder_1@kdv.kangoeroe.nl", true},
	{Email, "j.jansen@example", false},
	{Email, "Jan <j@example.nl>", false},
	{Email, "j@example.nl (Jan)", false},
	{Email, "j..jansen@example.nl", false},
	{Email, `"j jansen"@example.nl`, false},
	{Email, "j@[192.0.2.1]", false},
	{Email, "j@-example.nl", false},
	{Email, "j@example.1", false},
	{Email, "j@x@example.nl", false},
	{Email, "@example.nl", false},
	{Email, "j@", false},
	{Email, "geen adres", false},
	{Email, "", false},

	{Kind("name"), "Jan", false},
}

func TestValid(t *testing.T) {
	funcs := map[Kind]func(string) bool{
		BSN: ValidBSN, IBAN: ValidIBAN, Postcode: ValidPostcode, Phone: ValidPhone, Email: ValidEmail,
	}
	for _, tc := range validityCases {
		if got := tc.kind.Valid(tc.in); got != tc.valid {
			t.Errorf("%s.Valid(%q) = %v, want %v", tc.kind, tc.in, got, tc.valid)
		}
		if f, ok := funcs[tc.kind]; ok && f(tc.in) != tc.valid {
			t.Errorf("Valid function for %s(%q) = %v, want %v", tc.kind, tc.in, !tc.valid, tc.valid)
		}
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct {
		kind Kind
		in   string
		want string
	}{
		{BSN, "123.456.782", "123456782"},
		{BSN, "12345672", "012345672"},
		{IBAN, "nl91 abna 0417 1643 00", "NL91ABNA0417164300"},
		{Postcode, "1234 ab", "1234AB"},
		{Phone, "+31 (0)6-12345678", "0612345678"},
		{Phone, "0031 20 1234567", "0201234567"},
		{Phone, "(020) 123 45 67", "0201234567"},
		{Email, "J.Jansen@Example.NL", "j.jansen@example.nl"},
	}
	for _, tc := range tests {
		got, ok := Canonical(tc.kind, tc.in)
		if !ok || got != tc.want {
			t.Errorf("Canonical(%s, %q) = %q, %v; want %q, true", tc.kind, tc.in, got, ok, tc.want)
		}
	}
	for _, tc := range validityCases {
		if c, ok := Canonical(tc.kind, tc.in); !tc.valid && (ok || c != "") {
			t.Errorf("Canonical(%s, %q) = %q, %v; want \"\", false", tc.kind, tc.in, c, ok)
		}
		// The canonical form must itself be valid and canonical.
		if c, ok := Canonical(tc.kind, tc.in); ok {
			if c2, ok2 := Canonical(tc.kind, c); !ok2 || c2 != c {
				t.Errorf("Canonical(%s, %q) = %q, which canonicalises to %q, %v", tc.kind, tc.in, c, c2, ok2)
			}
		}
	}
}

func TestPostcodeDigits(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"1234 AB", "1234", true},
		{"3511AB", "3511", true},
		{" 9999 zz", "9999", true},
		{"1234 SA", "", false},
		{"0123 AB", "", false},
		{"1234", "", false},
	}
	for _, tc := range tests {
		got, ok := PostcodeDigits(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("PostcodeDigits(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

package operators

import (
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/pseudonym"
)

func TestOperators(t *testing.T) {
	ops, err := Parse(map[string]string{"iban": "mask:4", "notes": "scan"})
	if err != nil {
		t.Fatal(err)
	}
	if ops["name"].Op != pseudonym.Pseudonym || ops["birth_date"].Op != pseudonym.Generalise || ops["email"].Op != pseudonym.Redact ||
		ops["iban"].Op != pseudonym.Mask || ops["iban"].Keep != 4 || !ops["notes"].Scan {
		t.Errorf("operators = %+v", ops)
	}
	for cfg, want := range map[string]string{
		"name: generalise": "operators.name", "naam: redact": "not a field kind", "email: scan": "free text", "bsn: mask:9": "operators.bsn",
	} {
		f, op, _ := strings.Cut(cfg, ": ")
		if _, err := Parse(map[string]string{f: op}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", cfg, err, want)
		}
	}
}

func TestScanText(t *testing.T) {
	k, _ := pseudonym.New([]byte("0123456789abcdef0123456789abcdef"))
	note := "Moeder belt 06-12345678, BSN 123456782, woont 1234 AB Utrecht, mail j.jansen@example.nl. Allergie: pinda."
	out := scanText(k, note)
	for _, secret := range []string{"12345678", "123456782", "1234 AB", "j.jansen@example.nl"} {
		if strings.Contains(out, secret) {
			t.Errorf("scanned note still holds %q: %s", secret, out)
		}
	}
	for _, kept := range []string{"Moeder belt ", "Utrecht", "Allergie: pinda.", "BSN-", "TEL-", "EMAIL-", "PC-"} {
		if !strings.Contains(out, kept) {
			t.Errorf("scanned note lacks %q: %s", kept, out)
		}
	}
	if scanText(k, "06 12345678") != scanText(k, "0612345678") {
		t.Error("two spellings of one phone number got different tokens")
	}
}

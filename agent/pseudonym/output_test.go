package pseudonym

import (
	"testing"
)

// TestIsOutputRecognisesOutput: whatever an operator makes of a value,
// IsOutput says is its output for that field, so that a rewritten cell is
// not planned again.
func TestIsOutputRecognisesOutput(t *testing.T) {
	k := mustNew(t, testKey(7))
	inputs := map[Field][]Value{
		FieldName:      {StringValue("Piet Jansen"), StringValue("Chloë Visser"), StringValue("1234"), StringValue("KIND-3F9A2C4B")},
		FieldBSN:       {StringValue("123456782"), NumberValue(12345672), StringValue("0123.45.672")},
		FieldIBAN:      {StringValue("NL91 ABNA 0417 1643 00"), StringValue("NL91ABNA0417164300")},
		FieldPostcode:  {StringValue("1234 AB"), StringValue("9999zz"), StringValue("1234")},
		FieldBirthDate: {StringValue("03-05-1980"), DateValue(date(2019, 12, 31)), StringValue("2019-02-01"), StringValue("1980")},
		FieldPhone:     {StringValue("+31 (0)6-1234 5678"), StringValue("0612345678"), StringValue("06")},
		FieldEmail:     {StringValue("piet@example.nl")},
		FieldAddress:   {StringValue("Dorpsstraat 1")},
		FieldNotes:     {StringValue("allergisch voor noten")},
		FieldOther:     {StringValue("01-01-2001")},
		FieldID:        {StringValue("1234"), NumberValue(1234)},
	}
	ops := []struct {
		op   Operator
		keep int
	}{{Pseudonym, 0}, {Redact, 0}, {Generalise, 0}, {Mask, 0}, {Mask, 2}, {Mask, 4}, {Mask, 6}}
	for field, vals := range inputs {
		for _, o := range ops {
			if CheckOperator(o.op, o.keep, field) != nil {
				continue
			}
			for _, prefix := range []string{field.Prefix(), "KIND"} {
				for _, v := range vals {
					out, err := k.ApplyWithPrefix(prefix, o.op, o.keep, field, v)
					if err != nil {
						continue // no output to recognise (a postcode that is not one)
					}
					if !IsOutput(o.op, o.keep, field, prefix, out) {
						t.Errorf("%s:%d of %s %v (prefix %s) gives %v, which IsOutput does not recognise", o.op, o.keep, field, v, prefix, out)
					}
					// Applying the operator again changes nothing: the
					// output is a fixed point, as IsOutput claims.
					if again, err := k.ApplyWithPrefix(prefix, o.op, o.keep, field, out); err != nil || again != out {
						t.Errorf("%s:%d of %s: applying again to its output gives %v, %v", o.op, o.keep, field, again, err)
					}
				}
			}
		}
	}
}

// TestIsOutputLookAlikes: values that resemble an operator's output but
// are real data, or the output of another operator or field, are not
// taken for done.
func TestIsOutputLookAlikes(t *testing.T) {
	tests := []struct {
		name   string
		op     Operator
		keep   int
		field  Field
		prefix string
		v      Value
		want   bool
	}{
		// pseudonym: a token of this prefix only
		{"token", Pseudonym, 0, FieldName, "KIND", StringValue("KIND-3F9A2C4B"), true},
		{"token, spaces around", Pseudonym, 0, FieldName, "KIND", StringValue(" KIND-3F9A2C4B "), true},
		{"token of another prefix", Pseudonym, 0, FieldName, "KIND", StringValue("OUDER-3F9A2C4B"), false},
		{"token, lower case", Pseudonym, 0, FieldName, "KIND", StringValue("kind-3f9a2c4b"), false},
		{"token, too short", Pseudonym, 0, FieldName, "KIND", StringValue("KIND-3F9A2C"), false},
		{"token, not hex", Pseudonym, 0, FieldName, "KIND", StringValue("KIND-3F9A2C4G"), false},
		{"real name", Pseudonym, 0, FieldName, "KIND", StringValue("Piet Jansen"), false},
		{"bare number in a name column", Pseudonym, 0, FieldName, "KIND", StringValue("1234"), false},
		{"year in a name column", Pseudonym, 0, FieldName, "KIND", StringValue("1980"), false},
		{"mask in a pseudonym column", Pseudonym, 0, FieldBSN, "BSN", StringValue("*****6782"), false},
		{"real administration number", Pseudonym, 0, FieldID, "KIND", StringValue("1234"), false},
		{"number cell", Pseudonym, 0, FieldID, "KIND", NumberValue(1234), false},
		// redact: only empty
		{"empty", Redact, 0, FieldAddress, "ADRES", Value{}, true},
		{"blank", Redact, 0, FieldAddress, "ADRES", StringValue("  "), true},
		{"empty for any operator", Pseudonym, 0, FieldName, "KIND", Value{}, true},
		{"address", Redact, 0, FieldAddress, "ADRES", StringValue("Dorpsstraat 1"), false},
		{"star in a redact column", Redact, 0, FieldAddress, "ADRES", StringValue("****"), false},
		{"token in a redact column", Redact, 0, FieldEmail, "EMAIL", StringValue("EMAIL-3F9A2C4B"), false},
		// generalise: a postcode's four digits, a date's year
		{"four digits of a postcode", Generalise, 0, FieldPostcode, "PC", StringValue("1234"), true},
		{"full postcode", Generalise, 0, FieldPostcode, "PC", StringValue("1234 AB"), false},
		{"full postcode, no space", Generalise, 0, FieldPostcode, "PC", StringValue("1234AB"), false},
		{"postcode with a leading 0", Generalise, 0, FieldPostcode, "PC", StringValue("0123"), false},
		{"five digits", Generalise, 0, FieldPostcode, "PC", StringValue("12345"), false},
		{"a year", Generalise, 0, FieldBirthDate, "GEBDAT", StringValue("1980"), true},
		{"a year as a number", Generalise, 0, FieldBirthDate, "GEBDAT", NumberValue(1980), true},
		{"a year in other", Generalise, 0, FieldOther, "VELD", StringValue("2001"), true},
		{"full date", Generalise, 0, FieldBirthDate, "GEBDAT", StringValue("03-05-1980"), false},
		{"date cell", Generalise, 0, FieldBirthDate, "GEBDAT", DateValue(date(1980, 1, 1)), false},
		{"ISO date", Generalise, 0, FieldBirthDate, "GEBDAT", StringValue("1980-05-03"), false},
		{"month and year", Generalise, 0, FieldBirthDate, "GEBDAT", StringValue("05-1980"), false},
		{"year with letters", Generalise, 0, FieldBirthDate, "GEBDAT", StringValue("1980a"), false},
		{"a date's year is not a postcode's digits", Generalise, 0, FieldPostcode, "PC", DateValue(date(1980, 1, 1)), false},
		// mask: stars then the kept tail, or the fixed full mask
		{"full mask", Mask, 4, FieldName, "NAAM", StringValue("****"), true},
		{"full mask, keep 0", Mask, 0, FieldIBAN, "IBAN", StringValue("****"), true},
		{"iban mask", Mask, 4, FieldIBAN, "IBAN", StringValue("**************4300"), true},
		{"bsn mask", Mask, 4, FieldBSN, "BSN", StringValue("*****6782"), true},
		{"phone mask", Mask, 4, FieldPhone, "TEL", StringValue("******5678"), true},
		{"too many kept", Mask, 4, FieldIBAN, "IBAN", StringValue("*************64300"), false},
		{"fewer kept than the mask keeps", Mask, 4, FieldIBAN, "IBAN", StringValue("***************300"), true},
		{"real iban", Mask, 4, FieldIBAN, "IBAN", StringValue("NL91ABNA0417164300"), false},
		{"real bsn", Mask, 4, FieldBSN, "BSN", StringValue("123456782"), false},
		{"mask that hides too little", Mask, 4, FieldName, "NAAM", StringValue("***Jans"), false},
		{"keep 0 but a tail", Mask, 0, FieldName, "NAAM", StringValue("*****sen"), false},
		{"stars inside", Mask, 2, FieldName, "NAAM", StringValue("Pi****en"), false},
		{"a longer full mask", Mask, 4, FieldName, "NAAM", StringValue("*****"), false},
		{"token in a mask column", Mask, 4, FieldIBAN, "IBAN", StringValue("IBAN-3F9A2C4B"), false},
	}
	for _, tt := range tests {
		if got := IsOutput(tt.op, tt.keep, tt.field, tt.prefix, tt.v); got != tt.want {
			t.Errorf("%s: IsOutput(%s:%d, %s, %s, %v) = %v, want %v", tt.name, tt.op, tt.keep, tt.field, tt.prefix, tt.v, got, tt.want)
		}
	}
}

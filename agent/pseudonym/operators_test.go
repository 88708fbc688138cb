package pseudonym

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseOperator(t *testing.T) {
	tests := []struct {
		s    string
		op   Operator
		keep int
		ok   bool
	}{
		{"pseudonym", Pseudonym, 0, true},
		{"redact", Redact, 0, true},
		{"generalise", Generalise, 0, true},
		{"mask", Mask, DefaultMaskKeep, true},
		{"mask:4", Mask, 4, true},
		{"mask:0", Mask, 0, true},
		{"mask:12", Mask, 12, true},
		{"mask:", "", 0, false},
		{"mask:-1", "", 0, false},
		{"mask:+2", "", 0, false},
		{"mask:x", "", 0, false},
		{"mask:4:2", "", 0, false},
		{"redact:1", "", 0, false},
		{"pseudonym:", "", 0, false},
		{"Redact", "", 0, false},
		{"generalize", "", 0, false},
		{"", "", 0, false},
	}
	for _, tt := range tests {
		op, keep, err := ParseOperator(tt.s)
		if (err == nil) != tt.ok || op != tt.op || keep != tt.keep {
			t.Errorf("ParseOperator(%q) = %q, %d, %v; want %q, %d, ok=%v", tt.s, op, keep, err, tt.op, tt.keep, tt.ok)
		}
	}
}

func TestCheckOperator(t *testing.T) {
	tests := []struct {
		op    Operator
		keep  int
		field Field
		ok    bool
	}{
		{Pseudonym, 0, FieldName, true},
		{Redact, 0, FieldHealth, true},
		{Generalise, 0, FieldBirthDate, true},
		{Generalise, 0, FieldPostcode, true},
		{Generalise, 0, FieldOther, true},
		{Generalise, 0, FieldName, false},
		{Generalise, 0, FieldIBAN, false},
		{Mask, 4, FieldBSN, true},
		{Mask, 5, FieldBSN, false},
		{Mask, 4, FieldIBAN, true},
		{Mask, 5, FieldIBAN, false},
		{Mask, 6, FieldPhone, true},
		{Mask, -1, FieldPhone, false},
		{"hash", 0, FieldName, false},
		{Pseudonym, 0, "surname", false},
	}
	for _, tt := range tests {
		if err := CheckOperator(tt.op, tt.keep, tt.field); (err == nil) != tt.ok {
			t.Errorf("CheckOperator(%q, %d, %q) = %v, want ok=%v", tt.op, tt.keep, tt.field, err, tt.ok)
		}
	}
}

// applyCase is one row of TestApply. want is a Value, or tok(normalised)
// for the token of the field's default prefix, computed by hmacToken.
type applyCase struct {
	op      Operator
	keep    int
	field   Field
	in      Value
	want    Value
	tok     string
	errWant bool
}

func TestApply(t *testing.T) {
	key := testKey(0x11)
	k := mustNew(t, key)
	s := StringValue
	birth := DateValue(date(2019, 3, 12))
	tests := []applyCase{
		// Pseudonym, per kind.
		{op: Pseudonym, field: FieldName, in: Value{}, want: Value{}},
		{op: Pseudonym, field: FieldName, in: s(" \t"), want: Value{}},
		{op: Pseudonym, field: FieldName, in: s(" Piet  Jánsen "), tok: "piet jansen"},
		{op: Pseudonym, field: FieldBSN, in: NumberValue(12345672), tok: "012345672"},
		{op: Pseudonym, field: FieldOther, in: NumberValue(3.5), tok: "3.5"},
		{op: Pseudonym, field: FieldBirthDate, in: birth, tok: "2019-03-12"},
		{op: Pseudonym, field: FieldPhoto, in: BoolValue(true), tok: "true"},
		{op: Pseudonym, field: FieldName, in: FormulaValue("Piet Jansen"), tok: "piet jansen"},
		{op: Pseudonym, field: FieldName, in: FormulaValue(""), want: Value{}},
		{op: Pseudonym, field: FieldName, in: s("NAAM-1A2B3C4D"), want: s("NAAM-1A2B3C4D")},
		{op: Pseudonym, field: FieldName, in: s("KIND-1A2B3C4D"), tok: "kind-1a2b3c4d"},
		// Redact, per kind.
		{op: Redact, field: FieldAddress, in: Value{}, want: Value{}},
		{op: Redact, field: FieldAddress, in: s("Dorpsstraat 1"), want: Value{}},
		{op: Redact, field: FieldOther, in: NumberValue(42), want: Value{}},
		{op: Redact, field: FieldBirthDate, in: birth, want: Value{}},
		{op: Redact, field: FieldPhoto, in: BoolValue(false), want: Value{}},
		{op: Redact, field: FieldEmail, in: FormulaValue("a@b.nl"), want: Value{}},
		// Generalise, per kind.
		{op: Generalise, field: FieldBirthDate, in: Value{}, want: Value{}},
		{op: Generalise, field: FieldBirthDate, in: birth, want: s("2019")},
		{op: Generalise, field: FieldBirthDate, in: s("12-03-2019"), want: s("2019")},
		{op: Generalise, field: FieldBirthDate, in: s("2-3-2019"), want: s("2019")},
		{op: Generalise, field: FieldBirthDate, in: s("12/03/2019"), want: s("2019")},
		{op: Generalise, field: FieldBirthDate, in: s("2019-03-12"), want: s("2019")},
		{op: Generalise, field: FieldBirthDate, in: s("2019-03-12T23:30:00+01:00"), want: s("2019")},
		{op: Generalise, field: FieldBirthDate, in: s("2019"), want: s("2019")},
		{op: Generalise, field: FieldBirthDate, in: FormulaValue("12-03-2019"), want: s("2019")},
		{op: Generalise, field: FieldBirthDate, in: NumberValue(43536), errWant: true},
		{op: Generalise, field: FieldBirthDate, in: NumberValue(2019), errWant: true},
		{op: Generalise, field: FieldBirthDate, in: BoolValue(true), errWant: true},
		{op: Generalise, field: FieldBirthDate, in: s("Piet Jansen"), errWant: true},
		{op: Generalise, field: FieldBirthDate, in: s("12-03-19"), errWant: true},
		{op: Generalise, field: FieldBirthDate, in: s("31-02-2019"), errWant: true},
		{op: Generalise, field: FieldOther, in: DateValue(date(2021, 1, 1)), want: s("2021")},
		{op: Generalise, field: FieldPostcode, in: s("1234 AB"), want: s("1234")},
		{op: Generalise, field: FieldPostcode, in: s(" 1234ab "), want: s("1234")},
		{op: Generalise, field: FieldPostcode, in: s("1234"), want: s("1234")},
		{op: Generalise, field: FieldPostcode, in: NumberValue(1234), want: s("1234")},
		{op: Generalise, field: FieldPostcode, in: FormulaValue("1234 AB"), want: s("1234")},
		{op: Generalise, field: FieldPostcode, in: s("0123 AB"), errWant: true},
		{op: Generalise, field: FieldPostcode, in: s("12345 AB"), errWant: true},
		{op: Generalise, field: FieldPostcode, in: birth, errWant: true},
		{op: Generalise, field: FieldPostcode, in: BoolValue(true), errWant: true},
		// Mask, per kind and field.
		{op: Mask, keep: 4, field: FieldBSN, in: Value{}, want: Value{}},
		{op: Mask, keep: 4, field: FieldBSN, in: s("123456782"), want: s("*****6782")},
		{op: Mask, keep: 4, field: FieldBSN, in: s("123 456 782"), want: s("*****6782")},
		{op: Mask, keep: 4, field: FieldBSN, in: NumberValue(12345672), want: s("*****5672")},
		{op: Mask, keep: 4, field: FieldBSN, in: s("*****6782"), want: s("*****6782")},
		{op: Mask, keep: 4, field: FieldIBAN, in: s("NL91 ABNA 0417 1643 00"), want: s("**************4300")},
		{op: Mask, keep: 4, field: FieldPhone, in: s("06-12345678"), want: s("******5678")},
		{op: Mask, keep: 4, field: FieldName, in: s("Annemarie"), want: s("*****arie")},
		{op: Mask, keep: 4, field: FieldName, in: FormulaValue("Annemarie"), want: s("*****arie")},
		{op: Mask, keep: 4, field: FieldName, in: s("Jan"), want: s(MaskAll)},
		{op: Mask, keep: 2, field: FieldName, in: s("Piet"), want: s(MaskAll)},      // hides < MaskMinHidden
		{op: Mask, keep: 5, field: FieldName, in: s("Annemarie"), want: s(MaskAll)}, // keeps > half
		{op: Mask, keep: 0, field: FieldName, in: s("Annemarie"), want: s(MaskAll)},
		{op: Mask, keep: 4, field: FieldEmail, in: s("piet@x.nl"), want: s("*****x.nl")},
		{op: Mask, keep: 4, field: FieldBirthDate, in: birth, want: s("******2019")},
		{op: Mask, keep: 3, field: FieldOther, in: NumberValue(1234567), want: s("****567")},
		{op: Mask, keep: 1, field: FieldPhoto, in: BoolValue(true), want: s(MaskAll)},
		// Config errors come first, even for an empty value.
		{op: Generalise, field: FieldName, in: s("Piet"), errWant: true},
		{op: Generalise, field: FieldName, in: Value{}, errWant: true},
		{op: Mask, keep: 9, field: FieldBSN, in: s("123456782"), errWant: true},
		{op: "hash", field: FieldBSN, in: s("123456782"), errWant: true},
	}
	for _, tt := range tests {
		if tt.tok != "" {
			tt.want = StringValue(hmacToken(key, tt.field.Prefix(), tt.tok))
		}
		got, err := k.Apply(tt.op, tt.keep, tt.field, tt.in)
		name := string(tt.op) + "/" + string(tt.field) + "/" + tt.in.Kind.String() + "(" + tt.in.Text() + ")"
		switch {
		case tt.errWant && err == nil:
			t.Errorf("%s: got %q, want an error", name, got.Text())
		case !tt.errWant && err != nil:
			t.Errorf("%s: %v", name, err)
		case !tt.errWant && (got.Kind != tt.want.Kind || got.Text() != tt.want.Text()):
			t.Errorf("%s = %s %q, want %s %q", name, got.Kind, got.Text(), tt.want.Kind, tt.want.Text())
		}
		if err != nil && errors.Is(err, ErrValue) != (CheckOperator(tt.op, tt.keep, tt.field) == nil) {
			t.Errorf("%s: %v: a value error must wrap ErrValue, a config error must not", name, err)
		}
		if err != nil && len(strings.TrimSpace(tt.in.Text())) > 3 && strings.Contains(err.Error(), strings.TrimSpace(tt.in.Text())) {
			t.Errorf("%s: the error shows the value: %v", name, err)
		}
	}
}

// TestApplyErrValue checks that value errors and config errors can be told
// apart.
func TestApplyErrValue(t *testing.T) {
	k := mustNew(t, testKey(1))
	if _, err := k.Apply(Generalise, 0, FieldBirthDate, StringValue("soon")); !errors.Is(err, ErrValue) {
		t.Errorf("bad birth date: %v, want ErrValue", err)
	}
	if _, err := k.Apply(Generalise, 0, FieldName, StringValue("Piet")); err == nil || errors.Is(err, ErrValue) {
		t.Errorf("generalised name: %v, want a config error", err)
	}
}

func TestApplyWithPrefix(t *testing.T) {
	key := testKey(2)
	k := mustNew(t, key)
	got, err := k.ApplyWithPrefix("KIND", Pseudonym, 0, FieldName, StringValue("Piet Jansen"))
	if want := hmacToken(key, "KIND", "piet jansen"); err != nil || got.S != want {
		t.Errorf("ApplyWithPrefix(KIND) = %q, %v; want %s", got.S, err, want)
	}
	again, err := k.ApplyWithPrefix("KIND", Pseudonym, 0, FieldName, got)
	if err != nil || again != got {
		t.Errorf("a token pseudonymised again became %q, %v", again.S, err)
	}
	if _, err := k.ApplyWithPrefix("kind", Pseudonym, 0, FieldName, StringValue("Piet")); err == nil {
		t.Error("ApplyWithPrefix accepted a lower-case prefix")
	}
	if _, err := k.Apply(Pseudonym, 0, "surname", StringValue("Piet")); err == nil {
		t.Error("Apply accepted an unknown field (which has no prefix)")
	}
}

func TestFields(t *testing.T) {
	for _, f := range Fields() {
		if g, err := ParseField(string(f)); err != nil || g != f {
			t.Errorf("ParseField(%q) = %q, %v", f, g, err)
		}
		if CheckPrefix(f.Prefix()) != nil {
			t.Errorf("%s has prefix %q", f, f.Prefix())
		}
	}
	seen := map[string]Field{}
	for _, f := range Fields() {
		if g, dup := seen[f.Prefix()]; dup {
			t.Errorf("%s and %s share the prefix %q", g, f, f.Prefix())
		}
		seen[f.Prefix()] = f
	}
	for _, s := range []string{"", "Name", "surname", "birthdate"} {
		if _, err := ParseField(s); err == nil {
			t.Errorf("ParseField(%q) accepted", s)
		}
	}
}

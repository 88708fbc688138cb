package pseudonym

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var (
	firstNames = []string{"Piet", "Anna", "Sanne", "Daan", "Noor", "Sem", "Émile", "Fenna", "Luuk", "Mila", "Bram", "Zoë", "Ahmed", "Fatima", "Jan", "Lotte"}
	surnames   = []string{"Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Yılmaz", "El Amrani", "Janssen", "Dekker", "Brouwer"}
	banks      = []string{"ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ"}
)

// genBSN returns a random 9-digit number that passes the 11-test.
func genBSN(r *rand.Rand) string {
	for {
		d := make([]byte, 9)
		sum := 0
		for i := range 8 {
			n := r.IntN(10)
			d[i] = byte('0' + n)
			sum += (9 - i) * n
		}
		check := sum % 11 // so that sum - check ≡ 0 (mod 11)
		if check == 10 {
			continue
		}
		d[8] = byte('0' + check)
		return string(d)
	}
}

func isBSN(s string) bool {
	if len(s) != 9 {
		return false
	}
	sum := 0
	for i := range 8 {
		sum += (9 - i) * int(s[i]-'0')
	}
	return (sum-int(s[8]-'0'))%11 == 0
}

// ibanMod97 returns the IBAN check of an IBAN written as letters and digits.
func ibanMod97(iban string) int {
	var b strings.Builder
	for _, c := range iban[4:] + iban[:4] {
		if c >= 'A' && c <= 'Z' {
			fmt.Fprint(&b, int(c-'A'+10))
		} else {
			b.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(b.String(), 10)
	return int(new(big.Int).Mod(n, big.NewInt(97)).Int64())
}

// genIBAN returns a valid Dutch IBAN, grouped by four or not.
func genIBAN(r *rand.Rand) string {
	acct := fmt.Sprintf("%010d", r.Int64N(1e10))
	bank := banks[r.IntN(len(banks))]
	iban := fmt.Sprintf("NL%02d%s%s", 98-ibanMod97("NL00"+bank+acct), bank, acct)
	if r.IntN(2) == 0 {
		return iban[:4] + " " + iban[4:8] + " " + iban[8:12] + " " + iban[12:16] + " " + iban[16:]
	}
	return iban
}

type sample struct {
	field Field
	v     Value
}

// genSample returns a random identifier of a random field kind, written as
// exports write it.
func genSample(r *rand.Rand) sample {
	name := firstNames[r.IntN(len(firstNames))] + " " + surnames[r.IntN(len(surnames))]
	day := time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(20*365))
	switch r.IntN(9) {
	case 0:
		return sample{FieldName, StringValue(name)}
	case 1:
		return sample{FieldBSN, StringValue(genBSN(r))}
	case 2:
		return sample{FieldIBAN, StringValue(genIBAN(r))}
	case 3:
		local := strings.ToLower(strings.NewReplacer(" ", ".", "ë", "e", "é", "e", "ı", "i").Replace(name))
		return sample{FieldEmail, StringValue(local + fmt.Sprint(r.IntN(100)) + "@example.nl")}
	case 4:
		return sample{FieldBirthDate, DateValue(day)}
	case 5:
		return sample{FieldBirthDate, StringValue(day.Format("02-01-2006"))}
	case 6:
		return sample{FieldPhone, StringValue(fmt.Sprintf("06%08d", r.IntN(1e8)))}
	case 7:
		return sample{FieldPostcode, StringValue(fmt.Sprintf("%d %c%c", 1000+r.IntN(9000), 'A'+r.IntN(26), 'A'+r.IntN(26)))}
	}
	return sample{FieldID, StringValue(fmt.Sprint(100000 + r.IntN(900000)))}
}

// windows returns every 5-character substring of s, upper-cased: a token
// that contains none contains no longer substring either.
func windows(s string) []string {
	r := []rune(strings.ToUpper(s))
	var w []string
	for i := 0; i+5 <= len(r); i++ {
		w = append(w, string(r[i:i+5]))
	}
	return w
}

// TestProperties checks, over random identifiers of every field kind:
// tokens are stable across calls and across two Keyed from one key, differ
// under another key, contain no 5-character piece of the input, and differ
// for different identifiers; and no operator's output equals or contains
// the input.
//
// Tokens are 8 hex digits, so a 5-character piece of a digit-only input
// could turn up in one by chance (about 2 in 100,000 tokens); the seed is
// fixed, so the test is deterministic.
func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(20240611, 4))
	a, b, other := mustNew(t, testKey(0xa1)), mustNew(t, testKey(0xa1)), mustNew(t, testKey(0xa2))
	seen := map[string]string{} // token -> canonical input
	for range 3000 {
		s := genSample(r)
		in := strings.TrimSpace(s.v.Text())
		if s.field == FieldBSN && !isBSN(in) {
			t.Fatalf("generator made a BSN that fails the 11-test")
		}
		if s.field == FieldIBAN && ibanMod97(strings.ReplaceAll(in, " ", "")) != 1 {
			t.Fatalf("generator made an IBAN that fails mod 97")
		}
		tok1, err1 := a.Apply(Pseudonym, 0, s.field, s.v)
		tok2, err2 := a.Apply(Pseudonym, 0, s.field, s.v)
		tok3, err3 := b.Apply(Pseudonym, 0, s.field, s.v)
		tok4, err4 := other.Apply(Pseudonym, 0, s.field, s.v)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			t.Fatalf("%s: %v", s.field, err)
		}
		if tok1 != tok2 || tok1 != tok3 {
			t.Fatalf("%s: token not stable: %q %q %q", s.field, tok1.S, tok2.S, tok3.S)
		}
		if tok1 == tok4 {
			t.Errorf("%s: two keys gave one token %q", s.field, tok1.S)
		}
		for _, w := range windows(in) {
			if strings.Contains(tok1.S, w) {
				t.Errorf("%s: token %q contains %q of the input", s.field, tok1.S, w)
			}
		}
		canon := canonical(s.field, s.v)
		if prev, ok := seen[tok1.S]; ok && prev != canon {
			t.Errorf("%s: token %q for two identifiers", s.field, tok1.S)
		}
		seen[tok1.S] = canon
		checkOperators(t, a, s, in, canon)
	}
	if len(seen) < 2500 {
		t.Errorf("only %d distinct tokens for 3000 samples: the generator or canonical form is too narrow", len(seen))
	}
}

// checkOperators checks every operator that may apply to s: its output is
// Empty or differs from, and does not contain, the input in any of its
// forms; a partial mask hides at least MaskMinHidden characters and more
// than it keeps.
func checkOperators(t *testing.T, k *Keyed, s sample, in, canon string) {
	t.Helper()
	type opKeep struct {
		op   Operator
		keep int
	}
	ops := []opKeep{{Pseudonym, 0}, {Redact, 0}, {Generalise, 0}}
	for keep := range 10 {
		ops = append(ops, opKeep{Mask, keep})
	}
	for _, o := range ops {
		if CheckOperator(o.op, o.keep, s.field) != nil {
			continue
		}
		out, err := k.Apply(o.op, o.keep, s.field, s.v)
		if err != nil {
			t.Errorf("%s %s:%d: %v", s.field, o.op, o.keep, err)
			continue
		}
		if out.Kind == Empty {
			continue
		}
		got := strings.ToUpper(out.Text())
		for _, form := range []string{in, canon, s.v.Text()} {
			if f := strings.ToUpper(form); got == f || len(f) >= 5 && strings.Contains(got, f) {
				t.Errorf("%s %s:%d: output %q shows the input", s.field, o.op, o.keep, out.Text())
			}
		}
		if o.op == Mask && got != MaskAll {
			stars := strings.Count(got, "*")
			kept := len([]rune(got)) - stars
			if stars < MaskMinHidden || stars < kept || kept > o.keep {
				t.Errorf("%s mask:%d: %q hides too little", s.field, o.keep, out.Text())
			}
		}
	}
}

// TestStableAcrossFiles checks that one person written the ways different
// exports write them gets one token, in a fresh Keyed as in another run.
func TestStableAcrossFiles(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 200 {
		bsn := genBSN(r)
		iban := strings.ReplaceAll(genIBAN(r), " ", "")
		day := time.Date(2010+r.IntN(15), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		name := firstNames[r.IntN(len(firstNames))] + " " + surnames[r.IntN(len(surnames))]
		groups := []struct {
			field Field
			vs    []Value
		}{
			{FieldBSN, []Value{StringValue(bsn), StringValue(bsn[:4] + "." + bsn[4:6] + "." + bsn[6:])}},
			{FieldIBAN, []Value{StringValue(iban), StringValue(strings.ToLower(iban[:4]) + " " + iban[4:])}},
			{FieldBirthDate, []Value{DateValue(day), StringValue(day.Format("2-1-2006")), StringValue(day.Format("2006-01-02"))}},
			{FieldName, []Value{StringValue(name), StringValue(" " + strings.ToUpper(name) + "  "), FormulaValue(strings.ReplaceAll(name, " ", "  "))}},
		}
		for _, g := range groups {
			want, _ := mustNew(t, testKey(0x33)).Apply(Pseudonym, 0, g.field, g.vs[0])
			for _, v := range g.vs[1:] {
				got, err := mustNew(t, testKey(0x33)).Apply(Pseudonym, 0, g.field, v)
				if err != nil || got != want {
					t.Errorf("%s: %q gives %q, %q gives %q", g.field, g.vs[0].Text(), want.S, v.Text(), got.S)
				}
			}
		}
	}
}

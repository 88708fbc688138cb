package demo

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"

	"github.com/retentiond/retentiond/rules"
)

// home is where a household lives, as an administration system holds it.
type home struct {
	street, postcode, town string
}

// contact is what the vendor exports hold about a person beyond the
// registries. Every value is made up, but of a valid form: a BSN passes
// the 11-test and an IBAN mod 97, so that the demo exercises the same
// checks a real export does.
type contact struct {
	home
	bsn, phone, email, iban string
	birth                   rules.Date
}

// town is a place near the demo's locations with its postcode digits.
type town struct {
	name     string
	from, to int // range of the postcode's four digits
}

var towns = []town{
	{"Utrecht", 3511, 3585}, {"Utrecht", 3511, 3585}, {"Utrecht", 3511, 3585},
	{"Zeist", 3701, 3709}, {"De Bilt", 3731, 3739}, {"Houten", 3991, 3997},
	{"Nieuwegein", 3431, 3439}, {"Maarssen", 3601, 3608}, {"Bunnik", 3981, 3984},
}

var streets = []string{
	"Dorpsstraat", "Kerkstraat", "Molenweg", "Julianalaan", "Beatrixstraat", "Lindenlaan",
	"Eikenlaan", "Merelstraat", "Zonnebloemstraat", "Tulpstraat", "Vondellaan",
	"Prinses Irenestraat", "Kastanjelaan", "Spoorstraat", "Brinklaan", "Wilhelminapark",
	"Oranjestraat", "Schoolstraat", "Populierenlaan", "Berkenhof", "Sperwerstraat",
	"Koningsweg", "Hoge Weide", "Lange Nieuwstraat", "Amsterdamsestraatweg",
}

// postcodeLetters are the letters PostNL uses in postcodes: not F, I, O,
// Q, U or Y, which look like other letters or digits.
const postcodeLetters = "ABCDEGHJKLMNPRSTVWXZ"

// banks are the bank codes of Dutch IBANs.
var banks = []string{"ABNA", "RABO", "RABO", "INGB", "INGB", "INGB", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ"}

// identities hands out made-up identifiers, never the same one twice.
type identities struct {
	r    *rand.Rand
	used map[string]bool
}

func newIdentities(r *rand.Rand) *identities {
	return &identities{r: r, used: map[string]bool{}}
}

// fresh returns gen's first value that was not handed out before.
func (id *identities) fresh(gen func() string) string {
	for {
		if v := gen(); !id.used[v] {
			id.used[v] = true
			return v
		}
	}
}

// bsn returns a nine-digit number that passes the 11-test. It starts with
// 9999, as the test persons the RvIG publishes for the BRP do, so that it
// stands out as made up.
func (id *identities) bsn() string {
	return id.fresh(func() string {
		for {
			d := fmt.Sprintf("9999%04d", id.r.IntN(10000))
			sum := 0
			for i := range 8 {
				sum += (9 - i) * int(d[i]-'0')
			}
			if check := sum % 11; check < 10 {
				return d + fmt.Sprint(check)
			}
		}
	})
}

// iban returns a Dutch IBAN with valid check digits (ISO 13616, mod 97).
func (id *identities) iban() string {
	return id.fresh(func() string {
		bban := banks[id.r.IntN(len(banks))] + fmt.Sprintf("%010d", id.r.Int64N(1e10))
		return "NL" + ibanCheck("NL", bban) + bban
	})
}

// ibanCheck computes the two check digits of an IBAN: 98 minus the
// remainder by 97 of BBAN + country + "00" with letters as 10…35.
func ibanCheck(country, bban string) string {
	var b strings.Builder
	for _, c := range bban + country + "00" {
		if c >= 'A' && c <= 'Z' {
			fmt.Fprint(&b, int(c-'A')+10)
		} else {
			b.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(b.String(), 10)
	rem := new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%02d", 98-rem)
}

// mobile returns a Dutch mobile number written as people type them.
func (id *identities) mobile() string {
	return id.fresh(func() string {
		n := 10000000 + id.r.IntN(90000000)
		switch id.r.IntN(4) {
		case 0:
			return fmt.Sprintf("06 %04d %04d", n/10000, n%10000)
		case 1:
			return fmt.Sprintf("06%08d", n)
		}
		return fmt.Sprintf("06-%08d", n)
	})
}

// email returns an address on example.nl made from the person's name.
func (id *identities) email(n name) string {
	first := mailPart(n.first)
	last := mailPart(n.tussen + n.last)
	forms := []string{first + "." + last, first[:1] + "." + last, first + last, first + "_" + last}
	base := forms[id.r.IntN(len(forms))]
	v := base + "@example.nl"
	for i := 2; id.used[v]; i++ { // a namesake has it: add a number, as mail providers do
		v = fmt.Sprintf("%s%d@example.nl", base, i)
	}
	id.used[v] = true
	return v
}

// mailPart is a name part as it goes into an e-mail address: lower case,
// no accents, letters only ("'t Hart" → "thart").
func mailPart(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(plain(s)) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

// home returns a made-up address.
func (id *identities) home() home {
	t := towns[id.r.IntN(len(towns))]
	number := fmt.Sprint(1 + id.r.IntN(140))
	switch id.r.IntN(12) {
	case 0:
		number += "a"
	case 1:
		number += " bis"
	case 2:
		number += "-2"
	}
	letters := id.fresh(func() string {
		for {
			l := string(postcodeLetters[id.r.IntN(len(postcodeLetters))]) + string(postcodeLetters[id.r.IntN(len(postcodeLetters))])
			// SA, SD and SS are not used in Dutch postcodes.
			if l != "SA" && l != "SD" && l != "SS" {
				return fmt.Sprintf("%d %s", t.from+id.r.IntN(t.to-t.from+1), l)
			}
		}
	})
	return home{street: streets[id.r.IntN(len(streets))] + " " + number, postcode: letters, town: t.name}
}

// adult returns the contact of an adult living at h, born in [from, to].
func (id *identities) adult(n name, h home, from, to rules.Date) contact {
	return contact{home: h, bsn: id.bsn(), phone: id.mobile(), email: id.email(n), iban: id.iban(),
		birth: between(id.r, from, to)}
}

package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/retentiond/retentiond/rules"
)

// vendorDir holds the exports of the vendor systems, one folder per
// system, each read by an export store through a built-in profile.
const vendorDir = "exports/vendors/"

// vendorStream is the second PCG word of the vendor exports' random
// numbers. They have their own stream so that the rest of the demo stays
// as it was before they were added, and changes to them leave it alone.
const vendorStream = 0x56656e646f727321

// bso is the location of the out-of-school care, which keeps its children
// in Saamn and its clients in ROSA; day care uses Kidsadmin.
const bso = "BSO Zonnestraal"

// vendors makes the vendor exports. Their people are the registries'
// people, with the same numbers and names, plus a few the registries do
// not know, as every real export has.
type vendors struct {
	g      *generator
	r      *rand.Rand
	id     *identities
	kids   map[*child]contact // the child's BSN and the household's address and phone
	health map[*child]string
	adults map[*parent]contact
	staff  map[*employee]contact
}

// newVendors makes up everyone's contact details, in a fixed order, so
// that the same seed gives the same values whichever exports use them.
func newVendors(g *generator, seed uint64) *vendors {
	r := rand.New(rand.NewPCG(seed, vendorStream))
	v := &vendors{g: g, r: r, kids: map[*child]contact{}, health: map[*child]string{},
		adults: map[*parent]contact{}, staff: map[*employee]contact{}}
	id := newIdentities(r)
	v.id = id
	for _, c := range g.org.children {
		v.kids[c] = contact{home: id.home(), bsn: id.bsn()}
		if r.IntN(10) < 3 {
			v.health[c] = healthNotes[r.IntN(len(healthNotes))]
		}
	}
	for i, p := range g.org.parents {
		h := v.kids[p.child].home
		second := v.second(i)
		if second && r.IntN(6) == 0 { // separated parents
			h = id.home()
		}
		born := p.child.birth.AddMonths(-(12 * 42))
		v.adults[p] = id.adult(p.name, h, born, p.child.birth.AddMonths(-(12 * 21)))
		if !second {
			k := v.kids[p.child]
			k.phone = v.adults[p].phone
			v.kids[p.child] = k
		}
	}
	for _, e := range g.org.employees {
		d := g.org.asOf
		v.staff[e] = id.adult(e.name, id.home(), d.AddMonths(-12*64), d.AddMonths(-12*19))
	}
	return v
}

// second reports whether parents[i] is a child's second parent, who lives
// at the same address mostly but does not pay. A child's parents are next
// to each other in org.parents.
func (v *vendors) second(i int) bool {
	ps := v.g.org.parents
	return i > 0 && ps[i-1].child == ps[i].child
}

var healthNotes = []string{
	"Allergie: pinda's en noten", "Astma, puffer in de tas", "Lactose-intolerant",
	"Eczeem: na het buitenspelen insmeren", "Koemelkallergie", "Epilepsie, noodmedicatie in de kast",
	"Glutenvrij dieet", "Hooikoorts in het voorjaar", "Draagt een bril",
}

// writeVendors writes one export per built-in profile under vendorDir.
func (g *generator) writeVendors(seed uint64) error {
	v := newVendors(g, seed)
	day := g.org.last.String()
	files := []struct {
		rel  string
		make func() ([]byte, error)
	}{
		{"kidsadmin/kinderen-" + day + ".xlsx", v.kidsadminChildren},
		{"kidsadmin/ouders-" + day + ".csv", noErr(v.kidsadminParents)},
		{"rosa/klanten-" + day + ".json", noErr(v.rosaClients)},
		{"saamn/kinderen-" + day + ".csv", noErr(v.saamnChildren)},
		{"konnect/kinderen-" + day + ".csv", noErr(v.konnectChildren)},
		{"konnect/dagboek-" + day + ".jsonl", noErr(v.konnectDiary)},
		{"konnect/fotos-" + day + ".csv", noErr(v.konnectPhotos)},
		{"konnect/toestemmingen-peuters-noord-" + day + ".csv", noErr(v.konnectConsents)},
		{"kijk/observaties-" + day + ".csv", noErr(v.kijkObservations)},
		{"tactiplan/medewerkers-" + day + ".csv", noErr(v.tactiplanEmployees)},
	}
	for _, f := range files {
		b, err := f.make()
		if err != nil {
			return err
		}
		if err := g.t.fileAt(vendorDir+f.rel, b, g.exported); err != nil {
			return err
		}
	}
	return nil
}

// noErr adapts an export that cannot fail to writeVendors' list.
func noErr(f func() []byte) func() ([]byte, error) {
	return func() ([]byte, error) { return f(), nil }
}

// vendorCSV is how the vendors here write CSV: Excel's "CSV UTF-8" with
// semicolons, as Dutch Excel saves it.
func vendorCSV(rows [][]string) []byte { return csvFile(';', true, true, rows) }

// recent reports whether c is in care, waiting to start, or left less than
// months ago: whom an administration system's export of "active and
// recently left" children holds.
func (v *vendors) recent(c *child, months int) bool {
	return c.end.IsZero() || !c.end.Before(v.g.org.asOf.AddMonths(-months))
}

// exportWindow is how far back the administration exports go: far enough
// to hold children who left more than two years ago (C1 deletes their
// rows), one to two years ago (C7, C8, C11 pseudonymise fields) and
// recently.
const exportWindow = 30

// kidsadminChildren is the day-care children from Kidsadmin as a workbook:
// real Excel dates, numbers as numbers, and a sheet of notes the profile
// skips because it has none of its headers.
func (v *vendors) kidsadminChildren() ([]byte, error) {
	rows := [][]any{{"Kindnummer", "Naam kind", "Geboortedatum", "BSN", "Straat", "Postcode", "Woonplaats",
		"Locatie", "Groep", "Startdatum", "Einddatum", "Medische bijzonderheden"}}
	for _, c := range v.g.org.children {
		if c.location == bso || !v.recent(c, exportWindow) {
			continue
		}
		k := v.kids[c]
		rows = append(rows, []any{number(c.id), c.name.full(), excelDate(c.birth), k.bsn, k.street, k.postcode, k.town,
			c.location, c.group, excelDate(c.start), excelDate(c.end), v.health[c]})
	}
	// The record the implementer made to try the system: in no registry.
	rows = append(rows, []any{9999, "Test Kind", excelDate(rules.MakeDate(2020, 1, 1)), nil, nil, nil, nil,
		"Zonnebloem Centrum", "Peuters", nil, nil, nil})
	notes := []string{
		"Export uit Kidsadmin: kinderen dagopvang, actief en vertrokken in de afgelopen 30 maanden.",
		"Kinderen van de BSO staan in Saamn.",
		"Alle personen in dit bestand zijn verzonnen (retentiond demo).",
	}
	return v.g.workbook("Kinderen", rows, notes, "Kidsadmin kinderen")
}

// kidsadminParents is the parents of the day-care children: the paying
// parent with the bank account for direct debit.
func (v *vendors) kidsadminParents() []byte {
	rows := [][]string{{"Relatienummer", "Naam ouder", "Geboortedatum", "BSN", "Straat", "Postcode", "Woonplaats",
		"Telefoon", "E-mail", "IBAN", "Kindnummer", "Betaalwijze"}}
	for i, p := range v.g.org.parents {
		c := p.child
		if c.location == bso || !v.recent(c, exportWindow) {
			continue
		}
		a := v.adults[p]
		iban, pay := a.iban, "Automatische incasso"
		if v.second(i) { // the second parent does not pay
			iban, pay = "", ""
		}
		rows = append(rows, []string{p.id, p.name.full(), nl(a.birth), a.bsn, a.street, a.postcode, a.town,
			a.phone, a.email, iban, c.id, pay})
	}
	return vendorCSV(rows)
}

var rosaNotes = []string{
	"", "", "", "Factuur graag per e-mail", "Betaalt per kwartaal", "Vraagt extra dagen in de schoolvakanties",
	"Wisselende ophaaltijden, afstemmen met de mentor", "Flexibel contract, 40 weken",
}

// rosaClients is the out-of-school care's clients from ROSA as a JSON
// array: numbers as numbers, missing values as null.
func (v *vendors) rosaClients() []byte {
	var objs [][]byte
	for i, p := range v.g.org.parents {
		c := p.child
		if c.location != bso || !v.recent(c, exportWindow) {
			continue
		}
		a := v.adults[p]
		var iban any = a.iban
		if v.second(i) {
			iban = nil
		}
		objs = append(objs, object(
			"Klantnummer", number(p.id), "Naam", p.name.full(), "Geboortedatum", a.birth.String(), "BSN", a.bsn,
			"Straat", a.street, "Postcode", a.postcode, "Woonplaats", a.town, "Telefoon", a.phone, "E-mail", a.email,
			"IBAN", iban, "Klant sinds", c.start.String(), "Notities", rosaNotes[v.r.IntN(len(rosaNotes))]))
	}
	// A prospective client whose contract never started: in no registry.
	objs = append(objs, object("Klantnummer", 4973, "Naam", "Ilona Verbeek", "Geboortedatum", nil, "BSN", nil,
		"Straat", nil, "Postcode", nil, "Woonplaats", "Zeist", "Telefoon", nil, "E-mail", "ilona.verbeek@example.nl",
		"IBAN", nil, "Klant sinds", nil, "Notities", "Offerte verstuurd, geen reactie"))
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, o := range objs {
		b.WriteString("  ")
		b.Write(o)
		if i < len(objs)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return b.Bytes()
}

// saamnChildren is the out-of-school care's children from Saamn.
func (v *vendors) saamnChildren() []byte {
	rows := [][]string{{"Kindnummer", "Naam kind", "Geboortedatum", "BSN", "Straat", "Postcode", "Woonplaats",
		"Telefoon", "Gezondheid", "Groep", "Startdatum", "Einddatum"}}
	for _, c := range v.g.org.children {
		if c.location != bso || !v.recent(c, exportWindow) {
			continue
		}
		k := v.kids[c]
		rows = append(rows, []string{c.id, c.name.full(), nl(c.birth), k.bsn, k.street, k.postcode, k.town,
			k.phone, v.health[c], c.group, nl(c.start), nl(c.end)})
	}
	return vendorCSV(rows)
}

// object renders key, value pairs as one JSON object, keys in the order
// given, as vendor APIs write them (encoding/json would sort a map's).
func object(kv ...any) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[i])
		val, _ := json.Marshal(kv[i+1]) // strings, numbers and nil do not fail
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// number is an id as a number, as a spreadsheet or JSON export holds it;
// an id that is not a plain number stays text.
func number(id string) any {
	if n, err := strconv.Atoi(id); err == nil && strconv.Itoa(n) == id {
		return n
	}
	return id
}

// excelDate is a date as an Excel date cell, or an empty cell.
func excelDate(d rules.Date) any {
	if d.IsZero() {
		return nil
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// workbook builds an export workbook: one sheet of rows, dates shown as
// dd-mm-yyyy, and a sheet "Toelichting" with notes.
func (g *generator) workbook(sheet string, rows [][]any, notes []string, title string) ([]byte, error) {
	fail := func(err error) ([]byte, error) {
		return nil, fmt.Errorf("demo: cannot build the %s workbook: %w", title, err)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fail(err)
	}
	dateFmt := "dd-mm-yyyy"
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return fail(err)
	}
	for i, row := range rows {
		for j, val := range row {
			if val == nil || val == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue(sheet, cell, val); err != nil {
				return fail(err)
			}
			if _, ok := val.(time.Time); ok {
				if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
					return fail(err)
				}
			}
		}
	}
	if _, err := f.NewSheet("Toelichting"); err != nil {
		return fail(err)
	}
	for i, n := range notes {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetCellStr("Toelichting", cell, n); err != nil {
			return fail(err)
		}
	}
	if err := g.docProps(f, title, g.org.last); err != nil {
		return fail(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return fail(err)
	}
	return buf.Bytes(), nil
}

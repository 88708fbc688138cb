package demo

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/retentiond/retentiond/rules"
)

// inCareSince reports whether c was in care on some day from since to the
// last day, and returns the span of those days.
func (v *vendors) inCareSince(c *child, since rules.Date) (from, to rules.Date, ok bool) {
	if c.start.IsZero() || c.start.After(v.g.org.last) {
		return rules.Date{}, rules.Date{}, false
	}
	from, to = maxDate(c.start, since), c.ref(v.g.org.last)
	return from, to, !to.Before(from)
}

// trialChild came for a trial morning (wenochtend) and never started: the
// parent portal has his diary and photo, no registry has him.
var trialChild = name{"Mats", surname{"", "Verbeek"}}

var konnectNotes = []string{
	"", "", "", "Slaapt met knuffel (konijn)", "Mag niet zonder petje in de zon",
	"Wordt op dinsdag door opa opgehaald", "Tweetalig opgevoed (Nederlands/Engels)",
}

// konnectChildren is the parent portal's children: those in care and
// those who left in the last six months, whose accounts C22 closes two
// months after they left.
func (v *vendors) konnectChildren() []byte {
	rows := [][]string{{"Naam kind", "Geboortedatum", "Locatie", "Groep", "Medische bijzonderheden", "Notitie", "Status"}}
	since := v.g.org.asOf.AddMonths(-6)
	for _, c := range v.g.org.children {
		if _, _, ok := v.inCareSince(c, since); !ok {
			continue
		}
		status := "Actief"
		if !c.end.IsZero() {
			status = "Uitgeschreven"
		}
		rows = append(rows, []string{c.name.full(), nl(c.birth), c.location, c.group, v.health[c],
			konnectNotes[v.r.IntN(len(konnectNotes))], status})
	}
	return vendorCSV(rows)
}

var diaryNotes = []string{
	"%s heeft vandaag lekker buiten gespeeld in de zandbak.",
	"%s heeft goed gegeten en ruim een uur geslapen.",
	"Vandaag hebben we met %s pompoensoep gemaakt.",
	"%s was wat hangerig vandaag, de temperatuur was normaal.",
	"%s heeft samen met de groep een tekening voor jullie gemaakt.",
	"Mooie dag! %s heeft veel gelachen bij het voorlezen.",
	"%s heeft vandaag voor het eerst zelf de jas aangetrokken.",
	"We zijn met de bolderkar naar de kinderboerderij geweest; %s vond de geitjes prachtig.",
}

// portalItem is a dated parent-portal item of one child.
type portalItem struct {
	date rules.Date
	c    *child
	n    name
}

// portalEntries spreads up to max items over the last year for a share of
// the children in care in that year, plus one of the trial child. Sorted
// by date, as the portal exports them.
func (v *vendors) portalEntries(share, most int) []portalItem {
	a := v.g.org.asOf
	var out []portalItem
	for _, c := range v.g.org.children {
		from, to, ok := v.inCareSince(c, a.AddMonths(-12))
		if !ok || v.r.IntN(100) >= share {
			continue
		}
		for range 1 + v.r.IntN(most) {
			out = append(out, portalItem{between(v.r, from, to), c, c.name})
		}
	}
	out = append(out, portalItem{date: a.AddDays(-(15 + v.r.IntN(20))), n: trialChild})
	slices.SortStableFunc(out, func(x, y portalItem) int { return x.date.Compare(y.date) })
	return out
}

func (e portalItem) group() string {
	if e.c == nil {
		return "Peuters"
	}
	return e.c.group
}

// konnectDiary is the parent portal's diary as JSON lines.
func (v *vendors) konnectDiary() []byte {
	var b bytes.Buffer
	id := 48000 + v.r.IntN(1000)
	for _, e := range v.portalEntries(45, 5) {
		id += 1 + v.r.IntN(40)
		note := fmt.Sprintf(diaryNotes[v.r.IntN(len(diaryNotes))], e.n.first)
		if e.c == nil {
			note = e.n.first + " was er vandaag voor een wenochtend en heeft het goed gedaan."
		}
		b.Write(object("id", id, "Datum", e.date.String(), "Naam kind", e.n.full(), "Groep", e.group(), "Notitie", note))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

var albums = []string{"Buitenspelen", "Knutselen", "Verjaardag", "Uitje kinderboerderij", "Sinterklaas", "Zomerfeest", "Voorlezen"}

// konnectPhotos is the parent portal's photos, one row per child on a
// photo.
func (v *vendors) konnectPhotos() []byte {
	rows := [][]string{{"Datum", "Naam kind", "Groep", "Album", "Foto"}}
	for _, e := range v.portalEntries(35, 4) {
		h, m, s := 9+v.r.IntN(8), v.r.IntN(60), v.r.IntN(60)
		album := albums[v.r.IntN(len(albums))]
		if e.c == nil {
			album = "Wenochtend"
		}
		rows = append(rows, []string{fmt.Sprintf("%s %02d:%02d", e.date, h, m), e.n.full(), e.group(), album,
			fmt.Sprintf("IMG_%04d%02d%02d_%02d%02d%02d.jpg", e.date.Year, int(e.date.Month), e.date.Day, h, m, s)})
	}
	return vendorCSV(rows)
}

// The group whose consents were exported.
const consentLocation, consentGroup = "Zonnebloem Noord", "Peuters"

// konnectConsents is what the parents consented to in the portal, for one
// group: the administrator exported it to see who may be on the group
// photo. The built-in policy has no term for consents unless C12 or C21 is
// enabled, so the plan sends these rows to review; a whole organisation's
// consents would bury the other reviews.
func (v *vendors) konnectConsents() []byte {
	rows := [][]string{{"Naam kind", "Foto's in ouderportaal", "Foto's op website en social media", "Vervoer", "Ophalen door anderen", "Laatst gewijzigd"}}
	yes := func(pct int) string { return yesNo(v.r.IntN(100) < pct) }
	for _, c := range v.g.org.children {
		if c.start.IsZero() || !c.end.IsZero() || c.location != consentLocation || c.group != consentGroup {
			continue
		}
		changed := between(v.r, maxDate(c.start.AddDays(-30), v.g.org.asOf.AddMonths(-36)), v.g.org.last)
		rows = append(rows, []string{c.name.full(), yes(95), yes(40), yes(85), yes(70), nl(changed)})
	}
	return vendorCSV(rows)
}

var observations = []string{
	"Speelt graag samen; de taal ontwikkelt zich naar leeftijd.",
	"Motoriek: klimt en klautert zelfstandig, ook op het klimrek.",
	"Sociaal-emotioneel: maakt makkelijk contact met andere kinderen.",
	"Aandachtspunt: gebruikt nog weinig woorden; volgen in de volgende periode.",
	"Puzzelt en sorteert geconcentreerd; kent de kleuren.",
	"Neemt goed afscheid bij het brengen; voelt zich veilig op de groep.",
}

// stray is the child with a dossier on the OneDrive that no registry knows
// (writeKinddossiers); KIJK! still has an old observation of her.
var stray = name{"Fenna", surname{"", "Kuipers"}}

// kijkObservations is the day-care children's KIJK! observations: the two
// latest half-yearly ones per child.
func (v *vendors) kijkObservations() []byte {
	rows := [][]string{{"Naam kind", "Geboortedatum", "Groep", "Periode", "Observatie"}}
	a := v.g.org.asOf
	for _, c := range v.g.org.children {
		if c.location == bso || !v.recent(c, exportWindow) {
			continue
		}
		from, to, ok := v.inCareSince(c, a.AddMonths(-exportWindow))
		if !ok {
			continue
		}
		var periods []string
		for y := from.Year; y <= to.Year; y++ {
			for _, p := range []struct {
				name string
				d    rules.Date
			}{{"voorjaar", rules.MakeDate(y, 4, 15)}, {"najaar", rules.MakeDate(y, 10, 15)}} {
				if !p.d.Before(from.AddDays(60)) && !p.d.After(to) {
					periods = append(periods, fmt.Sprintf("%s %d", p.name, y))
				}
			}
		}
		for _, p := range periods[max(0, len(periods)-2):] {
			rows = append(rows, []string{c.name.full(), nl(c.birth), c.group, p, observations[v.r.IntN(len(observations))]})
		}
	}
	rows = append(rows, []string{stray.full(), nl(rules.MakeDate(a.Year-9, 6, 14)), "Peuters",
		fmt.Sprintf("najaar %d", a.Year-5), observations[0]})
	return vendorCSV(rows)
}

var rosterNotes = []string{"", "", "", "Liever geen vroege diensten", "BHV'er", "Invalpool", "Werkt niet op woensdag"}

// tactiplanEmployees is the roster system's staff: those employed now and
// those who left in the last two years, whose accounts V1 ends a year
// after they left; plus two agency workers who are in no registry.
func (v *vendors) tactiplanEmployees() []byte {
	rows := [][]string{{"Personeelsnummer", "Naam", "Geboortedatum", "Telefoon", "E-mail", "Functie", "Contracturen", "Notities"}}
	since := v.g.org.asOf.AddMonths(-24)
	for _, e := range v.g.org.employees {
		if !e.end.IsZero() && e.end.Before(since) {
			continue
		}
		s := v.staff[e]
		rows = append(rows, []string{e.id, e.name.full(), nl(s.birth), s.phone, s.email, e.function,
			fmt.Sprint(16 + 4*v.r.IntN(6)), rosterNotes[v.r.IntN(len(rosterNotes))]})
	}
	rows = append(rows,
		[]string{"INV01", "Kees Zwart", "", v.id.mobile(), "kees.zwart@example.nl", "Pedagogisch medewerker (uitzendkracht)", "0", "Via uitzendbureau"},
		[]string{"INV02", "Mirjam Evers", "", "", "m.evers@example.nl", "Groepshulp (uitzendkracht)", "0", "Via uitzendbureau"})
	return vendorCSV(rows)
}

package demo

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/retentiond/retentiond/rules"
)

const (
	kinddossiers = "data/OneDrive/Kinddossiers/"
	personeel    = "data/OneDrive/Personeel/"
)

// doc is one document to write: where, its title and text, and the day it
// was made.
type doc struct {
	path  string
	title string
	date  rules.Date
	lines []string
}

func (g *generator) write(docs []doc) error {
	for _, d := range docs {
		if err := g.t.file(d.path, pdf(d.title, d.date, d.lines...), d.date); err != nil {
			return err
		}
	}
	return nil
}

// writeKinddossiers writes a OneDrive folder per child that has one, plus
// the clutter every real share has: an old folder, a loose spreadsheet and
// a folder for a child who is in no registry.
func (g *generator) writeKinddossiers() error {
	for _, c := range g.org.children {
		if c.folder == "" {
			continue
		}
		if err := g.write(g.childDocs(c, kinddossiers+c.folder+"/")); err != nil {
			return err
		}
	}
	a := g.org.asOf
	old := rules.MakeDate(a.Year-8, 1, 1)
	clutter := []doc{
		{kinddossiers + "Oud - niet gebruiken/kinderlijst " + fmt.Sprint(a.Year-8) + ".pdf", "Kinderlijst", between(g.org.r, old, old.AddMonths(11)), nil},
		{kinddossiers + "Oud - niet gebruiken/intakeformulier oud model.pdf", "Intakeformulier (oud model)", between(g.org.r, old, old.AddMonths(30)), nil},
		{kinddossiers + "Oud - niet gebruiken/Scan_0034.pdf", "Scan", between(g.org.r, old, old.AddMonths(40)), nil},
		{kinddossiers + stray.filed() + "/intake.pdf", "Intakeformulier", a.AddMonths(-70), []string{"Kind: " + stray.full()}},
		{kinddossiers + stray.filed() + "/observaties/" + fmt.Sprint(a.Year-5) + "-observatie.pdf", "Observatie", rules.MakeDate(a.Year-5, 10, 12), []string{"Kind: " + stray.full()}},
	}
	if err := g.write(clutter); err != nil {
		return err
	}
	b, err := g.groupOverview()
	if err != nil {
		return err
	}
	return g.t.file(kinddossiers+"overzicht groepen.xlsx", b, a.AddDays(-20))
}

// childDocs lists a child's dossier: intake, contract, yearly observations
// and, for some, invoices, medical notes and the group's personal dossier.
func (g *generator) childDocs(c *child, dir string) []doc {
	r, ref := g.org.r, c.ref(g.org.last)
	who := "Kind: " + c.name.full()
	docs := []doc{
		{dir + "intake.pdf", "Intakeformulier", c.start.AddDays(-(7 + r.IntN(24))),
			[]string{who, "Geboortedatum: " + nl(c.birth), "Start opvang: " + nl(c.start), "Groep: " + c.group}},
		{dir + fmt.Sprintf("Contracten/plaatsingsovereenkomst-%d.pdf", c.start.Year), "Plaatsingsovereenkomst",
			c.start.AddDays(-(14 + r.IntN(27))), []string{who, "Locatie: " + c.location, "Ingangsdatum: " + nl(c.start)}},
	}
	for y := max(c.start.Year, ref.Year-5); y <= ref.Year; y++ {
		from := maxDate(c.start.AddDays(30), rules.MakeDate(y, 1, 10))
		to := minDate(ref, rules.MakeDate(y, 12, 15))
		if to.Before(from) {
			continue
		}
		docs = append(docs, doc{dir + fmt.Sprintf("observaties/%d-observatie.pdf", y), "Observatieverslag " + fmt.Sprint(y),
			between(r, from, to), []string{who, "Groep: " + c.group}})
	}
	if r.IntN(2) == 0 {
		for m := -2; m <= 0; m++ {
			first := firstOfMonth(ref).AddMonths(m)
			if first.Before(firstOfMonth(c.start)) {
				continue
			}
			docs = append(docs, doc{dir + fmt.Sprintf("Facturen/factuur-%04d-%02d.pdf", first.Year, int(first.Month)),
				"Factuur kinderopvang", maxDate(first, c.start), []string{who, fmt.Sprintf("Periode: %02d-%04d", int(first.Month), first.Year)}})
		}
	}
	if r.IntN(4) == 0 {
		docs = append(docs, doc{dir + "Medisch/allergieen.pdf", "Allergieën en medische bijzonderheden",
			c.start.AddDays(r.IntN(60)), []string{who, "Geboortedatum: " + nl(c.birth)}})
	}
	if r.IntN(5) < 2 {
		d := between(g.org.r, maxDate(c.start, ref.AddDays(-14)), ref)
		docs = append(docs, doc{dir + "Groepsmap/persoonlijk-dossier.pdf", "Persoonlijk dossier (groep)", d, []string{who, "Groep: " + c.group}})
	}
	return docs
}

// groupOverview is the loose spreadsheet at the share's root: counts per
// group, no names.
func (g *generator) groupOverview() ([]byte, error) {
	fail := func(err error) ([]byte, error) {
		return nil, fmt.Errorf("demo: cannot build the group overview workbook: %w", err)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Groepen"); err != nil {
		return fail(err)
	}
	var groups []string
	count := map[string]int{}
	loc := map[string]string{}
	for _, c := range g.org.children {
		if c.end.IsZero() && !c.start.IsZero() {
			if count[c.group] == 0 {
				groups = append(groups, c.group)
			}
			count[c.group]++
			loc[c.group] = c.location
		}
	}
	rows := [][]any{{"Groep", "Locatie", "Aantal kinderen"}}
	for _, gr := range groups {
		rows = append(rows, []any{gr, loc[gr], count[gr]})
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Groepen", cell, &row); err != nil {
			return fail(err)
		}
	}
	if err := g.docProps(f, "Overzicht groepen", g.org.asOf.AddDays(-20)); err != nil {
		return fail(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return fail(err)
	}
	return buf.Bytes(), nil
}

// writeStaff writes the personnel files and the folders of applicants,
// interns and volunteers.
func (g *generator) writeStaff() error {
	r := g.org.r
	for _, e := range g.org.employees {
		dir := personeel + e.id + " " + e.name.full() + "/"
		who := "Medewerker: " + e.name.full() + " (" + e.id + ")"
		ref := e.end
		if ref.IsZero() {
			ref = g.org.last
		}
		docs := []doc{
			{dir + "contract.pdf", "Arbeidsovereenkomst", e.start.AddDays(-(14 + r.IntN(17))), []string{who, "Functie: " + e.function, "In dienst: " + nl(e.start)}},
			{dir + "kopie-id.pdf", "Kopie identiteitsbewijs", e.start.AddDays(-r.IntN(7)), []string{who}},
			{dir + "Loonbelasting/loonbelastingverklaring.pdf", "Opgaaf gegevens loonheffingen", e.start.AddDays(-r.IntN(7)), []string{who}},
		}
		for y := max(e.start.Year+1, ref.Year-4); y <= ref.Year; y++ {
			d := between(r, rules.MakeDate(y, 9, 1), rules.MakeDate(y, 12, 15))
			if d.After(ref) {
				continue
			}
			docs = append(docs, doc{dir + fmt.Sprintf("beoordeling-%d.pdf", y), "Beoordelingsgesprek " + fmt.Sprint(y), d, []string{who}})
		}
		if r.IntN(3) > 0 {
			for m := -3; m <= 0; m++ {
				d := firstOfMonth(ref).AddMonths(m).AddDays(24)
				if d.After(ref) || d.Before(e.start) {
					continue
				}
				docs = append(docs, doc{dir + fmt.Sprintf("Salaris/%s-loonstrook.pdf", d), "Loonstrook", d, []string{who}})
			}
		}
		if err := g.write(docs); err != nil {
			return err
		}
	}
	for _, p := range g.org.applicants {
		dir := "data/OneDrive/Sollicitaties/" + p.name.full() + "/"
		d := p.closed.AddDays(-(21 + r.IntN(40)))
		if err := g.write([]doc{
			{dir + "cv.pdf", "Curriculum vitae", d, []string{p.name.full()}},
			{dir + "brief.pdf", "Sollicitatiebrief", d, []string{p.name.full(), "Vacature: " + p.vacancy}},
		}); err != nil {
			return err
		}
	}
	for _, p := range g.org.interns {
		dir := "data/OneDrive/Stages/" + p.name.full() + "/"
		if err := g.write([]doc{
			{dir + "stageovereenkomst.pdf", "Stageovereenkomst", p.start.AddDays(-(10 + r.IntN(20))), []string{p.name.full(), p.school}},
			{dir + "vog.pdf", "Verklaring Omtrent het Gedrag", p.start.AddDays(-(14 + r.IntN(26))), []string{p.name.full()}},
		}); err != nil {
			return err
		}
	}
	for _, v := range g.org.volunteers {
		dir := "data/OneDrive/Vrijwilligers/" + v.name.full() + "/"
		if err := g.write([]doc{
			{dir + "vog.pdf", "Verklaring Omtrent het Gedrag", v.start.AddDays(-(7 + r.IntN(23))), []string{v.name.full()}},
		}); err != nil {
			return err
		}
	}
	return nil
}

package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/retentiond/retentiond/rules"
)

// csvFile renders rows the way a vendor export does: sep between fields,
// optionally a UTF-8 byte order mark (Excel's "CSV UTF-8") and CRLF lines.
func csvFile(sep rune, bom, crlf bool, rows [][]string) []byte {
	var b bytes.Buffer
	if bom {
		b.WriteString("\ufeff")
	}
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = sep, crlf
	_ = w.WriteAll(rows) // a bytes.Buffer does not fail
	return b.Bytes()
}

// writeRegistries writes the six exports the config maps, dated the
// evening before asOf, when the administrator exported them.
func (g *generator) writeRegistries() error {
	o, d := g.org, g.org.last
	rows := [][]string{{"Kindnummer", "Naam kind", "Geboortedatum", "Groep", "Locatie",
		"Begindatum", "Einddatum opvang", "Wachtlijst", "Tijdelijk uitgeschreven"}}
	for _, c := range o.children {
		rows = append(rows, []string{c.id, c.name.full(), nl(c.birth), c.group, c.location,
			nl(c.start), nl(c.end), yesNo(c.waiting), yesNo(c.deregister)})
	}
	if err := g.t.fileAt("exports/kinderen.csv", csvFile(';', true, true, rows), g.exported); err != nil {
		return err
	}

	rows = [][]string{{"Relatienummer", "Naam", "Kindnummer", "Einde contract"}}
	for _, p := range o.parents {
		rows = append(rows, []string{p.id, p.name.full(), p.child.id, p.child.end.String()})
	}
	if err := g.t.fileAt("exports/ouders.csv", csvFile(',', false, false, rows), g.exported); err != nil {
		return err
	}

	rows = [][]string{{"Nummer", "Naam", "Vacature", "Procedure afgerond", "Toestemming tot", "Aangenomen"}}
	for _, p := range o.applicants {
		rows = append(rows, []string{p.id, p.name.full(), p.vacancy, nl(p.closed), nl(p.consentUntil), yesNo(p.hired)})
	}
	if err := g.t.fileAt("exports/sollicitanten.csv", csvFile(';', true, true, rows), g.exported); err != nil {
		return err
	}

	rows = [][]string{{"Nummer", "Naam", "Opleiding", "Begin stage", "Einde stage", "In dienst"}}
	for _, p := range o.interns {
		rows = append(rows, []string{p.id, p.name.full(), p.school, nl(p.start), nl(p.end), yesNo(p.hired)})
	}
	if err := g.t.fileAt("exports/stagiaires.csv", csvFile(';', false, false, rows), g.exported); err != nil {
		return err
	}

	rows = [][]string{{"Nummer", "Naam", "Activiteit", "Begonnen", "Vertrokken"}}
	for _, v := range o.volunteers {
		rows = append(rows, []string{v.id, v.name.full(), v.role, nl(v.start), nl(v.departed)})
	}
	if err := g.t.fileAt("exports/vrijwilligers.csv", csvFile(';', false, true, rows), g.exported); err != nil {
		return err
	}

	b, err := g.medewerkers(d)
	if err != nil {
		return err
	}
	return g.t.fileAt("exports/medewerkers.xlsx", b, g.exported)
}

// medewerkers builds the staff workbook: real Excel date cells shown as
// dd-mm-yyyy, except in a few rows where the dates were typed as text, and
// a second sheet with notes, as HR keeps it.
func (g *generator) medewerkers(d rules.Date) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	fail := func(err error) ([]byte, error) {
		return nil, fmt.Errorf("demo: cannot build exports/medewerkers.xlsx: %w", err)
	}
	const sheet = "Medewerkers"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fail(err)
	}
	dateFmt := "dd-mm-yyyy"
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return fail(err)
	}
	rows := [][]any{{"Personeelsnummer", "Naam", "Functie", "In dienst", "Uit dienst", "Arbeidsconflict"}}
	for _, e := range g.org.employees {
		rows = append(rows, []any{e.id, e.name.full(), e.function, g.cellDate(e.start, e.textDates),
			g.cellDate(e.end, e.textDates), e.conflict})
	}
	for i, row := range rows {
		for j, v := range row {
			if v == nil || v == "" {
				continue // an empty cell, not an empty string
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				return fail(err)
			}
			if _, ok := v.(time.Time); ok {
				if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
					return fail(err)
				}
			}
		}
	}
	if err := f.SetColWidth(sheet, "B", "C", 28); err != nil {
		return fail(err)
	}
	if _, err := f.NewSheet("Toelichting"); err != nil {
		return fail(err)
	}
	notes := []string{
		"Export uit het personeelssysteem van Kinderopvang De Zonnebloem (demo).",
		"In dienst / Uit dienst: eerste en laatste werkdag. Leeg: nog in dienst.",
		"Arbeidsconflict: ja als het dienstverband in een arbeidsconflict eindigde;",
		"dan wordt het personeelsdossier 10 jaar bewaard in plaats van 2 jaar.",
		"Alle personen in dit bestand zijn verzonnen.",
	}
	for i, n := range notes {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetCellStr("Toelichting", cell, n); err != nil {
			return fail(err)
		}
	}
	if err := g.docProps(f, "Medewerkers", d); err != nil {
		return fail(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return fail(err)
	}
	return buf.Bytes(), nil
}

// cellDate is a staff date as a cell value: an Excel date, typed text
// ("3-7-2019"), or empty.
func (g *generator) cellDate(d rules.Date, text bool) any {
	switch {
	case d.IsZero():
		return nil
	case text:
		return nlShort(d)
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// docProps sets the workbook's properties to fixed values: excelize's
// defaults are fixed too, but a workbook saved by someone has an author
// and dates, and fixed values keep the demo the same on every run.
func (g *generator) docProps(f *excelize.File, title string, d rules.Date) error {
	stamp := fmt.Sprintf("%sT17:00:00Z", d)
	return f.SetDocProps(&excelize.DocProperties{
		Creator: "Kinderopvang De Zonnebloem", LastModifiedBy: "Administratie",
		Title: title, Created: stamp, Modified: stamp, Language: "nl-NL",
	})
}

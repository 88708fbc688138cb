package report

import (
	"encoding/csv"
	"strconv"
	"strings"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// CSV writes plan.csv as Dutch Excel opens it by a double click: UTF-8
// with a byte-order mark, ";" between fields, dates as dd-mm-yyyy in
// Dutch, and a record's kind in words (KindName). Cells that Excel would read as a formula are quoted with a
// leading apostrophe, since file names come from users.
type CSV struct {
	pf   *planFile
	c    *csv.Writer // the header; the rows are written by appendCSVRow
	lang string
	row  []string // an item's cells, reused
	buf  []byte   // an item's row, reused
}

// NewCSV starts the file at path.
func NewCSV(path, lang string) (*CSV, error) {
	pf, err := newPlanFile(path)
	if err != nil {
		return nil, err
	}
	pf.WriteString("\ufeff")
	c := csv.NewWriter(pf)
	c.Comma = ';'
	c.UseCRLF = true
	return &CSV{pf: pf, c: c, lang: lang}, nil
}

var csvHeader = map[string][]string{
	"en": {"store", "record", "kind", "subject type", "subject id", "name", "category", "action", "fields", "due", "rule", "trigger", "trigger date", "reason", "basis", "size", "modified", "version", "remarks"},
	"nl": {"opslag", "bestand", "soort", "betrokkene", "nummer", "naam", "categorie", "actie", "velden", "datum", "regel", "gebeurtenis", "datum gebeurtenis", "reden", "grondslag", "grootte", "gewijzigd", "versie", "opmerkingen"},
}

// Begin writes the header row.
func (c *CSV) Begin(plan.Header) error {
	err := c.c.Write(csvHeader[lang(c.lang)])
	c.c.Flush()
	c.pf.setMark(nil)
	return err
}

// Commit makes the rows so far final.
func (c *CSV) Commit() error {
	c.c.Flush()
	c.pf.setMark(nil)
	return c.c.Error()
}

// Discard drops the rows since the last Commit.
func (c *CSV) Discard() error {
	c.c.Flush()
	_, err := c.pf.discard()
	return err
}

// Item writes one row.
func (c *CSV) Item(it *plan.Item) error {
	l := lang(c.lang)
	var st, sid, name, trig, tdate string
	if it.Subject != nil {
		st, sid, name = rules.SubjectName(it.Subject.Type, l), it.Subject.ID, it.Subject.Name
	}
	if it.Trigger != nil {
		trig, tdate = rules.EventName(it.Trigger.Event, l), c.date(it.Trigger.Date.String())
	}
	cat := ""
	if it.Category != "" {
		cat = rules.CategoryName(it.Category, l)
	}
	var fields []string
	for _, f := range it.Fields {
		fields = append(fields, rules.FieldName(rules.Field(f), l))
	}
	row := append(c.row[:0], it.Store, it.Record, KindName(it.Kind, l), st, sid, name, cat, actionName(it.Action, l), strings.Join(fields, ", "), c.date(it.Due),
		it.Rule, trig, tdate, Readable(it.Reason, l), it.Basis, strconv.FormatInt(it.Size, 10), it.Modified, it.Version, strings.Join(it.Warnings, "; "))
	c.row = row
	c.buf = appendCSVRow(c.buf[:0], row)
	_, err := c.pf.Write(c.buf)
	return err
}

func (c *CSV) date(iso string) string {
	if c.lang != "nl" || len(iso) != 10 {
		return iso
	}
	return iso[8:10] + "-" + iso[5:7] + "-" + iso[0:4]
}

// End puts the file in place.
func (c *CSV) End([]plan.StoreResult, plan.Summary) error {
	c.c.Flush()
	if err := c.c.Error(); err != nil {
		c.pf.abandon()
		return err
	}
	return c.pf.finish()
}

// safeCell keeps Excel from running a cell as a formula (CSV injection).
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func lang(l string) string {
	if l == "en" {
		return "en"
	}
	return "nl"
}

var actionNames = map[string]map[rules.Action]string{
	"en": {rules.Delete: "delete", rules.Pseudonymise: "pseudonymise", rules.Review: "review", rules.Hold: "hold", rules.Keep: "keep"},
	"nl": {rules.Delete: "verwijderen", rules.Pseudonymise: "pseudonimiseren", rules.Review: "beoordelen", rules.Hold: "vasthouden", rules.Keep: "bewaren"},
}

func actionName(a rules.Action, l string) string { return actionNames[lang(l)][a] }

package report

import (
	_ "embed"
	"html/template"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// MaxHTMLItems is how many items report.html details; beyond it the report
// gives counts and points to plan.csv, which lists every item. An office
// administrator cannot read more, and memory stays bounded.
const MaxHTMLItems = 20000

//go:embed report.html.tmpl
var htmlSource string

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"action":   func(a rules.Action, l string) string { return actionName(a, l) },
	"category": func(c rules.Category, l string) string { return rules.CategoryName(c, l) },
	"subject": func(t rules.SubjectType, l string) string {
		n := rules.SubjectName(t, l)
		if n == "" {
			return n
		}
		return strings.ToUpper(n[:1]) + n[1:]
	},
	"when": func(rfc3339, l string) string {
		t, err := time.Parse(time.RFC3339, rfc3339)
		if err != nil {
			return rfc3339
		}
		if l == "nl" {
			return t.Format("02-01-2006 15:04")
		}
		return t.Format("2006-01-02 15:04")
	},
	"event": func(e rules.Event, l string) string { return rules.EventName(e, l) },
	"field": func(f string, l string) string { return rules.FieldName(rules.Field(f), l) },
	"add":   func(a, b int) int { return a + b },
	"date": func(iso, l string) string {
		if l == "nl" && len(iso) == 10 {
			return iso[8:10] + "-" + iso[5:7] + "-" + iso[0:4]
		}
		return iso
	},
	"t": func(key, l string) string { return words[lang(l)][key] },
}).Parse(htmlSource))

// HTML writes report.html: the summary first, then every item grouped per
// subject, then per store.
type HTML struct {
	path    string
	lang    string
	header  plan.Header
	groups  map[groupKey]*group
	stores  map[string]*plan.Summary
	shown   int
	omitted int
	pending pendingItems
}

type groupKey struct {
	Type rules.SubjectType
	ID   string
}

type group struct {
	Subject *plan.SubjectRef
	Items   []*plan.Item
	Sum     plan.Summary
}

// pendingItems are items since the last Commit: they reach the report only
// if their store's listing completes.
type pendingItems struct {
	items   []*plan.Item // at most what the report can still show
	omitted int
	groups  map[groupKey]*plan.Summary // counts per subject: bounded by the registries, not the files
	stores  map[string]*plan.Summary
}

// NewHTML prepares report.html at path, removing an earlier one at once;
// the new one is written at End.
func NewHTML(path, lang string) (*HTML, error) {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	return &HTML{path: path, lang: lang, groups: map[groupKey]*group{}, stores: map[string]*plan.Summary{}}, nil
}

// Begin records the header.
func (h *HTML) Begin(hd plan.Header) error { h.header = hd; return nil }

// Item holds an item until its store's listing completes.
func (h *HTML) Item(it *plan.Item) error {
	k := groupKey{}
	if it.Subject != nil {
		k = groupKey{it.Subject.Type, it.Subject.ID}
	}
	if h.shown+len(h.pending.items) < MaxHTMLItems {
		h.pending.items = append(h.pending.items, it)
	} else {
		h.pending.omitted++
	}
	count(&h.pending.groups, k, it.Action)
	count(&h.pending.stores, it.Store, it.Action)
	return nil
}

// Commit files the pending items under their subjects.
func (h *HTML) Commit() error {
	for k, sum := range h.pending.groups {
		g := h.group(k, nil)
		g.Sum = addSummaries(g.Sum, *sum)
	}
	for name, sum := range h.pending.stores {
		s := h.stores[name]
		if s == nil {
			s = &plan.Summary{}
			h.stores[name] = s
		}
		*s = addSummaries(*s, *sum)
	}
	for _, it := range h.pending.items {
		k := groupKey{}
		if it.Subject != nil {
			k = groupKey{it.Subject.Type, it.Subject.ID}
		}
		g := h.group(k, it.Subject)
		g.Items = append(g.Items, it)
	}
	h.shown += len(h.pending.items)
	h.omitted += h.pending.omitted
	h.pending = pendingItems{}
	return nil
}

// Discard drops the pending items.
func (h *HTML) Discard() error { h.pending = pendingItems{}; return nil }

func count[K comparable](m *map[K]*plan.Summary, k K, a rules.Action) {
	if *m == nil {
		*m = map[K]*plan.Summary{}
	}
	s := (*m)[k]
	if s == nil {
		s = &plan.Summary{}
		(*m)[k] = s
	}
	s.Add(a)
}

func addSummaries(a, b plan.Summary) plan.Summary {
	return plan.Summary{Delete: a.Delete + b.Delete, Pseudonymise: a.Pseudonymise + b.Pseudonymise,
		Review: a.Review + b.Review, Hold: a.Hold + b.Hold, Keep: a.Keep + b.Keep}
}

func (h *HTML) group(k groupKey, s *plan.SubjectRef) *group {
	g := h.groups[k]
	if g == nil {
		g = &group{}
		h.groups[k] = g
	}
	if g.Subject == nil && s != nil {
		g.Subject = s
	}
	return g
}

type storeRow struct {
	plan.StoreResult
	Sum plan.Summary
}

type htmlData struct {
	Lang    string
	Header  plan.Header
	Sum     plan.Summary
	Stores  []storeRow
	Failed  int
	Links   int // records with sharing links beyond named people
	Overdue int
	// Kept is, for a plan that answers an erasure request, what stays
	// and until when, per rule.
	Kept    []keptLine
	Groups  []*group
	Shown   int
	Omitted int
}

// End writes the file.
func (h *HTML) End(stores []plan.StoreResult, sum plan.Summary) error {
	d := htmlData{Lang: lang(h.lang), Header: h.header, Sum: sum, Shown: h.shown, Omitted: h.omitted}
	for _, s := range stores {
		row := storeRow{StoreResult: s}
		if c := h.stores[s.Name]; c != nil {
			row.Sum = *c
		}
		if s.Error != "" {
			d.Failed++
		}
		d.Overdue += s.Overdue
		for _, n := range s.Links {
			d.Links += n
		}
		d.Stores = append(d.Stores, row)
	}
	for _, g := range h.groups {
		d.Groups = append(d.Groups, g)
	}
	if h.header.Request != "" {
		d.Kept = keptLines(d.Groups)
	}
	sort.Slice(d.Groups, func(i, j int) bool { return groupLess(d.Groups[i], d.Groups[j]) })
	pf, err := newPlanFile(h.path)
	if err != nil {
		return err
	}
	if err := htmlTmpl.Execute(pf, d); err != nil {
		pf.abandon()
		return err
	}
	return pf.finish()
}

// groupLess orders subjects by type (as rules.SubjectTypes lists them),
// then name, then id; records without a subject come last.
func groupLess(a, b *group) bool {
	if (a.Subject == nil) != (b.Subject == nil) {
		return b.Subject == nil
	}
	if a.Subject == nil {
		return false
	}
	ra, rb := typeRank(a.Subject.Type), typeRank(b.Subject.Type)
	if ra != rb {
		return ra < rb
	}
	if a.Subject.Name != b.Subject.Name {
		return a.Subject.Name < b.Subject.Name
	}
	return a.Subject.ID < b.Subject.ID
}

func typeRank(t rules.SubjectType) int {
	for i, x := range rules.SubjectTypes {
		if x == t {
			return i
		}
	}
	return len(rules.SubjectTypes)
}

var words = map[string]map[string]string{
	"en": {
		"title": "Retention plan", "asof": "As of", "created": "Made", "policy": "Policy",
		"dryrun":  "This is a plan: nothing has been deleted or changed. Items marked delete are removed only after a person approves the plan.",
		"summary": "Summary", "delete": "to delete", "review": "to review by hand", "hold": "held", "keep": "kept (not yet due)", "pseudonymise": "to pseudonymise",
		"stores": "Stores", "store": "Store", "type": "Type", "records": "Records", "status": "Status", "ok": "scanned",
		"failed": "listing failed: nothing in this store is in the plan, nothing in it will be deleted",
		"answer": "Answer to request", "answerintro": "You asked us to erase your personal data. What this plan does with it, once approved:",
		"goesnow": "records are deleted or pseudonymised now", "keptuntil": "kept until", "keptwhy": "because the law requires it",
		"keptforever": "kept while the legal duty lasts", "nothingkept": "Nothing is kept.",
		"linksnote":   "records holding personal data are shared by a link that reaches beyond named people (anyone with the link, or everyone in the organisation). Remove these links; a leak of personal data must be documented and may have to be reported to the Autoriteit Persoonsgegevens within 72 hours (R5). The items are marked below.",
		"overduenote": "items are past the date by which they had to be deleted or pseudonymised. Review and approve this plan soon.",
		"failednote":  "stores could not be listed completely. Nothing in them is planned. Fix the cause and plan again.",
		"persubject":  "Per person", "unlinked": "Not tied to one person", "record": "File", "category": "Category",
		"action": "Action", "due": "Due", "rule": "Rule", "reason": "Why", "basis": "Basis",
		"omitted": "more items are not shown here; plan.csv lists every item.", "none": "Nothing needs doing as of this date.",
		"entries": "entries", "goes": "pseudonymised", "stays": "kept",
	},
	"nl": {
		"title": "Bewaartermijnenplan", "asof": "Peildatum", "created": "Gemaakt", "policy": "Beleid",
		"dryrun":  "Dit is een plan: er is niets verwijderd of gewijzigd. Wat op 'verwijderen' staat, wordt pas verwijderd nadat iemand het plan heeft goedgekeurd.",
		"summary": "Samenvatting", "delete": "te verwijderen", "review": "zelf te beoordelen", "hold": "vastgehouden", "keep": "bewaard (nog niet aan de beurt)", "pseudonymise": "te pseudonimiseren",
		"stores": "Opslagplaatsen", "store": "Opslag", "type": "Soort", "records": "Bestanden", "status": "Status", "ok": "doorzocht",
		"failed": "doorzoeken mislukt: niets uit deze opslag staat in het plan, er wordt niets in verwijderd",
		"answer": "Antwoord op verzoek", "answerintro": "U heeft gevraagd uw persoonsgegevens te verwijderen. Wat dit plan ermee doet, zodra het is goedgekeurd:",
		"goesnow": "stukken worden nu verwijderd of gepseudonimiseerd", "keptuntil": "bewaard tot", "keptwhy": "omdat de wet dat vereist",
		"keptforever": "bewaard zolang de wettelijke plicht geldt", "nothingkept": "Er wordt niets bewaard.",
		"linksnote":   "bestanden met persoonsgegevens zijn gedeeld met een link die verder reikt dan genoemde personen (iedereen met de link, of de hele organisatie). Verwijder deze links; een datalek moet worden gedocumenteerd en mogelijk binnen 72 uur gemeld bij de Autoriteit Persoonsgegevens (R5). De regels zijn hieronder gemarkeerd.",
		"overduenote": "regels zijn over de datum waarop ze verwijderd of gepseudonimiseerd moesten zijn. Beoordeel en keur dit plan spoedig goed.",
		"failednote":  "opslagplaatsen konden niet volledig worden doorzocht. Daaruit staat niets in het plan. Los de oorzaak op en maak het plan opnieuw.",
		"persubject":  "Per persoon", "unlinked": "Niet aan één persoon gekoppeld", "record": "Bestand", "category": "Categorie",
		"action": "Actie", "due": "Datum", "rule": "Regel", "reason": "Waarom", "basis": "Grondslag",
		"omitted": "andere regels staan hier niet; plan.csv bevat ze allemaal.", "none": "Op deze datum hoeft er niets te gebeuren.",
		"entries": "bestanden", "goes": "gepseudonimiseerd", "stays": "blijft",
	},
}

// keptLine is one line of an erasure request's answer: how many records
// a rule keeps, until when.
type keptLine struct {
	Rule, Until, Reason string
	N                   int
}

// keptLines sums up the held items of a request's plan by rule and date.
func keptLines(groups []*group) []keptLine {
	idx := map[[2]string]int{}
	var out []keptLine
	for _, g := range groups {
		for _, it := range g.Items {
			if it.Action != rules.Hold {
				continue
			}
			k := [2]string{it.Rule, it.Due}
			if i, ok := idx[k]; ok {
				out[i].N++
				continue
			}
			idx[k] = len(out)
			out = append(out, keptLine{Rule: it.Rule, Until: it.Due, Reason: it.Basis, N: 1})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Until < out[j].Until })
	return out
}

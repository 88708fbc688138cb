package report

import (
	_ "embed"
	"html/template"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/notify"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// MaxHTMLItems is how many items report.html details at most, and holds
// in memory: a large plan's report (the first plan of a ten-year backlog
// lists half the files) is a summary, every person with their counts and
// the first items in detail, and points to plan.csv, which lists every
// item, and the console, which pages through them. Memory and the time
// the page takes to write stay bounded whatever the plan's size.
const MaxHTMLItems = 2000

// MaxSectionItems is how many items one section of report.html (the
// review items, one person's items) details at most: an office
// administrator reads no more, and the rest is in plan.csv and the
// console, which the section points to.
const MaxSectionItems = 500

//go:embed report.html.tmpl
var htmlSource string

var htmlTmpl = template.Must(template.New("report").Funcs(htmlFuncs).Parse(htmlSource))

// htmlFuncs are the functions report.html.tmpl calls.
var htmlFuncs = template.FuncMap{
	"action":   func(a rules.Action, l string) string { return ActionName(a, l) },
	"category": func(c rules.Category, l string) string { return CategoryName(c, l) },
	"kind":     func(k, l string) string { return KindName(k, l) },
	"stype":    func(t, l string) string { return StoreTypeName(t, l) },
	"words":    func(s, l string) string { return Readable(s, l) },
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
	"field": func(f string, l string) string { return rules.FieldName(rules.Field(f), l) },
	"add":   func(a, b int) int { return a + b },
	"date":  func(iso, l string) string { return DateText(iso, l) },
	"t":     func(key, l string) string { return words[lang(l)][key] },
	"pair":  func(it *plan.Item, l string) itemIn { return itemIn{I: it, L: l} },
	"more":  func(d htmlData, n int) moreIn { return moreIn{Lang: d.Lang, Console: d.Console, N: n} },
	// grouphead and grouptail write the frame of a person's section
	// (htmlgroup.go).
	"grouphead": groupHead,
	"grouptail": groupTail,
}

// itemIn is an item and the language, for the templates that write one.
type itemIn struct {
	I *plan.Item
	L string
}

// moreIn says how many items a section leaves out, and where they are.
type moreIn struct {
	Lang, Console string
	N             int
}

// Options say how a plan's files are written for people: the language,
// and where the administrator approves the plan (the console, or the
// command), which report.html says at its top.
type Options struct {
	// Lang is "nl" (the default) or "en".
	Lang string
	// Console is the review console's address (the config's
	// console.public_url), "" when the console is off. With PlanID, the
	// report links to the plan's page there.
	Console string
	// PlanID is the plan's id in the console: its folder's name
	// ("20261123-020000"); "" for a plan the console does not show (an
	// auto_apply plan, a plan written with --out elsewhere).
	PlanID string
	// ConfigPath is the config file, for the approve command the report
	// suggests when there is no console link ("" writes CONFIG).
	ConfigPath string
}

// HTML writes report.html: what to do next, the summary, the review items,
// the stores, then each person's items in a section of their own.
type HTML struct {
	path    string
	opt     Options
	header  plan.Header
	groups  map[groupKey]*group
	stores  map[string]*plan.Summary
	review  []*plan.Item
	kept    map[[2]string]*keptLine
	shown   int
	pending pendingItems
}

type groupKey struct {
	Type rules.SubjectType
	ID   string
}

// group is one person's part of the report (or the records tied to no
// one). Items are its items other than review, at most MaxSectionItems;
// Sum counts all of them.
type group struct {
	Subject *plan.SubjectRef
	Items   []*plan.Item
	Sum     plan.Summary
	Omitted int
}

// pendingItems are items since the last Commit: they reach the report only
// if their store's listing completes.
type pendingItems struct {
	items  []*plan.Item               // at most what the report can still hold
	groups map[groupKey]*plan.Summary // counts per subject: bounded by the registries, not the files
	// subjects name the subjects counted, for the sections of people
	// none of whose items the report can hold.
	subjects map[groupKey]*plan.SubjectRef
	stores   map[string]*plan.Summary // counts per store
	kept     map[[2]string]*keptLine  // held items per rule and date, for a request's answer
	review   int                      // review items not held in items
}

// NewHTML prepares report.html at path in language lang, removing an
// earlier one at once; the new one is written at End.
func NewHTML(path, lang string) (*HTML, error) { return NewHTMLWith(path, Options{Lang: lang}) }

// NewHTMLWith is NewHTML with all options.
func NewHTMLWith(path string, o Options) (*HTML, error) {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	o.Lang = lang(o.Lang)
	return &HTML{path: path, opt: o, groups: map[groupKey]*group{}, stores: map[string]*plan.Summary{},
		kept: map[[2]string]*keptLine{}}, nil
}

// Begin records the header.
func (h *HTML) Begin(hd plan.Header) error { h.header = hd; return nil }

// Item holds an item until its store's listing completes.
func (h *HTML) Item(it *plan.Item) error {
	if h.shown+len(h.pending.items) < MaxHTMLItems {
		h.pending.items = append(h.pending.items, it)
	}
	k := keyOf(it)
	count(&h.pending.groups, k, it.Action)
	if it.Subject != nil && h.groups[k] == nil && h.pending.subjects[k] == nil {
		if h.pending.subjects == nil {
			h.pending.subjects = map[groupKey]*plan.SubjectRef{}
		}
		h.pending.subjects[k] = it.Subject
	}
	count(&h.pending.stores, it.Store, it.Action)
	if it.Action == rules.Hold {
		if h.pending.kept == nil {
			h.pending.kept = map[[2]string]*keptLine{}
		}
		k := [2]string{it.Rule, it.Due}
		if kl := h.pending.kept[k]; kl != nil {
			kl.N++
		} else {
			h.pending.kept[k] = &keptLine{Rule: it.Rule, Until: it.Due, Reason: it.Basis, N: 1}
		}
	}
	return nil
}

func keyOf(it *plan.Item) groupKey {
	if it.Subject == nil {
		return groupKey{}
	}
	return groupKey{it.Subject.Type, it.Subject.ID}
}

// Commit files the pending items: review items in the review section,
// the others under their subjects, each section up to MaxSectionItems.
func (h *HTML) Commit() error {
	for k, sum := range h.pending.groups {
		g := h.group(k, h.pending.subjects[k])
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
	for k, kl := range h.pending.kept {
		if have := h.kept[k]; have != nil {
			have.N += kl.N
		} else {
			h.kept[k] = kl
		}
	}
	for _, it := range h.pending.items {
		g := h.group(keyOf(it), it.Subject)
		switch {
		case it.Action == rules.Review && len(h.review) < MaxSectionItems:
			h.review = append(h.review, it)
		case it.Action == rules.Review:
		case len(g.Items) < MaxSectionItems:
			g.Items = append(g.Items, it)
		default:
			continue
		}
		h.shown++
	}
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
	Lang   string
	Header plan.Header
	Sum    plan.Summary
	Stores []storeRow
	Failed int
	Links  int // records with sharing links beyond named people
	// Overdue counts the items past their due date.
	Overdue int
	// Console is the plan's page in the console, "" without one;
	// Approve the command that approves the plan otherwise.
	Console, Approve string
	// Kept is, for a plan that answers an erasure request, what stays
	// and until when, per rule.
	Kept []keptLine
	// Review are the review items shown, ReviewOmitted those not shown.
	Review        []*plan.Item
	ReviewOmitted int
	Groups        []*group
	// Types are the groups by subject type, in Groups' order, for the
	// table of contents and the headings.
	Types []typeGroup
	// Omitted counts every item the report does not detail.
	Omitted int
	Max     int
	// GroupText is what the people's sections share (htmlgroup.go).
	GroupText *groupText
}

// End writes the file.
func (h *HTML) End(stores []plan.StoreResult, sum plan.Summary) error {
	l := h.opt.Lang
	d := htmlData{Lang: l, Header: h.header, Sum: sum, Review: h.review, Max: MaxSectionItems,
		Console: notify.ConsoleLink(h.opt.Console, notify.PagePlan, h.opt.PlanID)}
	if d.Console == "" {
		d.Approve = approveCommand(h.opt.ConfigPath, filepath.Dir(h.path), l)
	}
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
	review := 0
	for _, g := range h.groups {
		review += g.Sum.Review
		g.Omitted = g.Sum.Total() - g.Sum.Review - len(g.Items)
		d.Omitted += g.Omitted
		if g.Sum.Total() > g.Sum.Review {
			d.Groups = append(d.Groups, g)
		}
	}
	d.ReviewOmitted = review - len(h.review)
	d.Omitted += d.ReviewOmitted
	sort.SliceStable(d.Review, func(i, j int) bool {
		a, b := d.Review[i], d.Review[j]
		return a.Store < b.Store || a.Store == b.Store && a.Record < b.Record
	})
	if h.header.Request != "" {
		for _, kl := range h.kept {
			d.Kept = append(d.Kept, *kl)
		}
		sort.Slice(d.Kept, func(i, j int) bool {
			a, b := d.Kept[i], d.Kept[j]
			return a.Until < b.Until || a.Until == b.Until && a.Rule < b.Rule
		})
	}
	sort.Slice(d.Groups, func(i, j int) bool { return groupLess(d.Groups[i], d.Groups[j]) })
	d.Types = byType(d.Groups, l)
	gt, err := newGroupText(l, d.Console)
	if err != nil {
		return err
	}
	d.GroupText = gt
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

// approveCommand is the command that approves the plan in dir, for a
// report without a console link.
func approveCommand(cfg, dir, l string) string {
	if cfg == "" {
		cfg = "CONFIG"
	}
	name := "NAME"
	if l == "nl" {
		name = "NAAM"
	}
	return "retentiond approve --config " + shellQuote(cfg) + " --plan " + shellQuote(dir) + ` --by "` + name + `"`
}

// shellQuote quotes s for a POSIX shell unless it consists of the
// characters paths usually do, so that the command can be pasted.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-:+=@,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// typeGroup is the people of one subject type (ID "people-child"), or
// the records tied to no one (ID "people-none").
type typeGroup struct {
	ID, Name string
	Groups   []*group
}

// byType splits groups, sorted by groupLess, by subject type.
func byType(groups []*group, l string) []typeGroup {
	var out []typeGroup
	for _, g := range groups {
		id, name := "people-none", words[l]["unlinked"]
		if g.Subject != nil {
			id, name = "people-"+string(g.Subject.Type), rules.SubjectName(g.Subject.Type, l)
			if p, ok := plurals[l][g.Subject.Type]; ok {
				name = p
			}
		}
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, typeGroup{ID: id, Name: name})
		}
		out[len(out)-1].Groups = append(out[len(out)-1].Groups, g)
	}
	return out
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

// keptLine is one line of an erasure request's answer: how many records
// a rule keeps, until when.
type keptLine struct {
	Rule, Until, Reason string
	N                   int
}

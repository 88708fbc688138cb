package plan

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/rules/rotation"
	"github.com/retentiond/retentiond/scanners"
)

// Backups under a rotation rule (V2, V4) are decided as a set: whether a
// backup is kept depends on the other backups of its month or week. So
// while a store is listed they are held back per layout entry (each entry
// is one backup series: two series named alike must not share one newest
// backup a month), and decided with rotation.Decide when the listing has
// completed. On a failed listing they are never decided, as nothing else
// of the store is.

// heldBackup is what the planner keeps of a backup until its set is
// decided: the record without its row, and the date the rotation counts
// from.
type heldBackup struct {
	rec     scanners.Record
	date    rules.Date
	fromMod bool // date is the modification date: the name had none
}

// backupSet is the backups of one layout entry of one store.
type backupSet struct {
	layout   int
	rule     rules.Rule
	category rules.Category
	held     []heldBackup
}

// keepOf converts a rule's rotation into rotation's policy type.
func keepOf(r rules.Rotation) rotation.Keep {
	return rotation.Keep{Daily: r.Daily, Weekly: r.Weekly, Monthly: r.Monthly, Yearly: r.Yearly, Max: r.Max}
}

// CheckRotations checks the terms of every rotation rule of p with
// rotation.Keep.Validate (a monthly term shorter than the daily one, a max
// shorter than another term). Each error names the policy file, the line
// of the rule's rotation key and the key; the pipeline reports them as
// config errors. rules.Load checks only each term on its own.
func CheckRotations(p *rules.Policy) error {
	var errs []error
	for _, r := range p.Rules() {
		if r.Rotation == nil {
			continue
		}
		if err := keepOf(*r.Rotation).Validate(); err != nil {
			errs = append(errs, p.RuleError(r.ID, "rotation", strings.TrimPrefix(err.Error(), "rotation: ")))
		}
	}
	return errors.Join(errs...)
}

// LayoutRuleProblem is what is wrong with a layout entry's rule: key, and
// how to fix it.
type LayoutRuleProblem struct{ Msg, Fix string }

// Error says the problem and its fix on one line.
func (e *LayoutRuleProblem) Error() string { return e.Msg + "; fix: " + e.Fix }

// CheckLayoutRule checks the rule a layout entry of category c names: the
// policy must have it, and it must be a rotation rule covering c. A
// disabled rule passes: its backups go to review, which an organisation
// may want while it decides.
func CheckLayoutRule(p *rules.Policy, id string, c rules.Category) *LayoutRuleProblem {
	var rot []string
	for _, r := range p.Rules() {
		if r.IsRotation() {
			rot = append(rot, r.ID)
		}
	}
	fix := "name one of its backup rotation rules: " + strings.Join(rot, ", ")
	if len(rot) == 0 {
		fix = "the policy has no backup rotation rule: remove rule:"
	}
	r, ok := p.Rule(id)
	switch {
	case !ok:
		return &LayoutRuleProblem{fmt.Sprintf("the policy %s has no rule %s", p.Name(), id), fix}
	case !r.IsRotation():
		return &LayoutRuleProblem{fmt.Sprintf("rule %s is not a backup rotation rule (it has a term, not rotation:)", id), fix}
	case !slices.Contains(r.Categories, c):
		var cs []string
		for _, x := range r.Categories {
			cs = append(cs, string(x))
		}
		return &LayoutRuleProblem{fmt.Sprintf("rule %s rotates backups of category %s, not %s", id, strings.Join(cs, ", "), c),
			"set this entry's category to " + cs[0] + ", or name a rule for category " + string(c)}
	}
	return nil
}

// match classifies a record's path; export stores have no layouts.
func (p *Planner) match(st Store, id string) (classify.Match, bool) {
	if st.Classifier == nil {
		return classify.Match{}, false
	}
	return st.Classifier.Match(classifyPath(id))
}

// backupRule says whether a layout match makes a record a backup of a
// rotation set, and under which rule. A layout that names a rule makes
// its records backups; one that names no rule and no subject does if an
// enabled rotation rule covers its category. why is set when the record
// is a backup that no rule can decide: it goes to review.
func (p *Planner) backupRule(m classify.Match) (rule *rules.Rule, why rules.Text, backup bool) {
	if m.Rule == "" {
		if m.SubjectType != "" {
			return nil, rules.Text{}, false
		}
		rs := p.Policy.RotationRules(m.Category)
		switch len(rs) {
		case 0:
			return nil, rules.Text{}, false
		case 1:
			return &rs[0], rules.Text{}, true
		}
		var ids []string
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		return nil, fill(msgBackupRules, len(rs), strings.Join(ids, ", ")), true
	}
	r, ok := p.Policy.Rule(m.Rule)
	switch {
	case !ok:
		return nil, fill(msgBackupRuleUnknown, 0, m.Rule), true
	case !r.IsRotation():
		return nil, fill(msgBackupRuleNotRotation, 0, m.Rule), true
	case r.Disabled:
		return nil, fill(msgBackupRuleDisabled, 0, m.Rule), true
	case !slices.Contains(r.Categories, m.Category):
		return nil, fill(msgBackupRuleCategory, 0, m.Rule+" / "+string(m.Category)), true
	}
	return &r, rules.Text{}, true
}

// backup decides what can be decided of a record alone whose layout makes
// it a backup: ok is false if it is not one. A backup of a set comes back
// with rotation set, to be held back; its d is review, in case a caller
// decides it alone by mistake.
func (p *Planner) backup(rec scanners.Record, m classify.Match) (dc decided, ok bool) {
	rule, why, ok := p.backupRule(m)
	if !ok {
		return decided{}, false
	}
	dc.category = m.Category
	switch {
	case why != (rules.Text{}):
		dc.d = review(why)
	case !setKind(rec.Kind):
		dc.d = review(msgBackupInArchive)
	default:
		dc.rotation, dc.layout, dc.d = rule, m.Layout, review(msgBackupAlone)
		dc.date = m.Date
	}
	return dc, true
}

// setKind reports whether a record of kind k can be one backup of a set:
// a file, a cloud placeholder or a zip archive taken whole; not an entry
// of an archive or a row of an export.
func setKind(k scanners.Kind) bool {
	return k == scanners.KindFile || k == scanners.KindPlaceholder || k == scanners.KindArchive
}

// isSetBackup reports whether the record id is a backup of a rotation set
// (by its path alone: a store's layout decides it).
func (p *Planner) isSetBackup(st Store, id string) bool {
	if strings.Contains(id, scanners.ArchiveSep) {
		return false
	}
	m, ok := p.match(st, id)
	if !ok {
		return false
	}
	rule, why, ok := p.backupRule(m)
	return ok && rule != nil && why == (rules.Text{})
}

// hold keeps a backup back for its set.
func (r *recordDecider) hold(rec scanners.Record, dc decided) {
	if r.sets == nil {
		r.sets = map[int]*backupSet{}
	}
	s := r.sets[dc.layout]
	if s == nil {
		s = &backupSet{layout: dc.layout, rule: *dc.rotation, category: dc.category}
		r.sets[dc.layout] = s
	}
	h := heldBackup{rec: rec, date: dc.date}
	h.rec.Row, h.rec.Archive = nil, ""
	if h.date.IsZero() {
		h.date = modDate(rec.ModTime, r.p.Location)
		h.fromMod = !h.date.IsZero()
	}
	s.held = append(s.held, h)
}

// decideSets decides the held sets, in layout order, and emits their
// items; the listing has completed.
func (r *recordDecider) decideSets() {
	layouts := make([]int, 0, len(r.sets))
	for l := range r.sets {
		layouts = append(layouts, l)
	}
	slices.Sort(layouts)
	for _, l := range layouts {
		s := r.sets[l]
		items, ds := r.p.decideSet(r.st, s)
		for i, it := range items {
			if r.decision != nil {
				r.decision(it.Record, ds[i])
			}
			r.finish(s.held[i].rec, it)
		}
	}
}

// decideSet decides one set and returns its items and decisions, in the
// set's order. If rotation refuses the set (an invalid policy), every
// backup of it goes to review: nothing is deleted on a guess.
func (p *Planner) decideSet(st Store, s *backupSet) ([]*Item, []rules.Decision) {
	bs := make([]rotation.Backup, len(s.held))
	for i, h := range s.held {
		bs[i] = rotation.Backup{ID: h.rec.ID, Date: h.date}
	}
	rd, err := rotation.Decide(bs, keepOf(*s.rule.Rotation), p.AsOf)
	title := s.rule.Title
	items := make([]*Item, len(s.held))
	ds := make([]rules.Decision, len(s.held))
	for i, h := range s.held {
		d := rules.Decision{Action: rules.Review, Rule: s.rule.Row, Basis: s.rule.BasisText()}
		if !h.date.IsZero() {
			d.Trigger = &rules.Trigger{Event: rules.BackupDate, Date: h.date}
		}
		if err != nil {
			d.Reason = fill(msgBackupSetFailed, 0, s.rule.ID+": "+err.Error())
		} else {
			x := rd[i]
			d.Action, d.Due = rules.Delete, x.Due
			if x.Keep {
				d.Action = rules.Keep
			}
			d.Reason = rules.Text{EN: title.EN + ": " + x.Text.EN, NL: title.NL + ": " + x.Text.NL}
			if h.fromMod {
				d.Reason = rules.Text{EN: d.Reason.EN + "; " + msgDateFromMod.EN, NL: d.Reason.NL + "; " + msgDateFromMod.NL}
			}
		}
		d.Considered = []rules.Text{fill(msgBackupConsidered, len(s.held), s.rule.ID)}
		ds[i] = d
		items[i] = p.item(st, h.rec, decided{category: s.category, d: d})
	}
	return items, ds
}

// fill puts a count and a word (rule ids) into a message's {n} and {x}.
func fill(t rules.Text, n int, x string) rules.Text {
	r := strings.NewReplacer("{n}", fmt.Sprint(n), "{x}", x)
	return rules.Text{EN: r.Replace(t.EN), NL: r.Replace(t.NL)}
}

// modDate is a record's modification date in the planner's zone, or zero.
func modDate(t time.Time, loc *time.Location) rules.Date {
	if t.IsZero() {
		return rules.Date{}
	}
	return rules.DateIn(t, loc)
}

var (
	msgBackupRules = rules.Text{
		EN: "{n} backup rules apply ({x}): name one with rule: in the store's layout",
		NL: "{n} back-upregels zijn van toepassing ({x}): noem er één met rule: in de indeling van de opslag",
	}
	msgBackupRuleUnknown = rules.Text{
		EN: "the layout names rule {x}, which the policy does not have: correct rule: in the store's layout",
		NL: "de indeling noemt regel {x}, die niet in het beleid staat: verbeter rule: in de indeling van de opslag",
	}
	msgBackupRuleNotRotation = rules.Text{
		EN: "the layout names rule {x}, which is not a backup rotation rule: correct rule: in the store's layout",
		NL: "de indeling noemt regel {x}, die geen back-uprotatie is: verbeter rule: in de indeling van de opslag",
	}
	msgBackupRuleDisabled = rules.Text{
		EN: "the layout names rule {x}, which is disabled: the backups are not rotated; enable the rule or decide by hand",
		NL: "de indeling noemt regel {x}, die uitgeschakeld is: de back-ups worden niet geroteerd; schakel de regel in of beoordeel zelf",
	}
	msgBackupRuleCategory = rules.Text{
		EN: "rule and category do not fit ({x}): correct rule: or category: in the store's layout",
		NL: "regel en categorie passen niet bij elkaar ({x}): verbeter rule: of category: in de indeling van de opslag",
	}
	msgBackupInArchive = rules.Text{
		EN: "a backup inside a zip archive is not rotated on its own: decide by hand",
		NL: "een back-up in een zip-archief wordt niet los geroteerd: beoordeel zelf",
	}
	msgBackupAlone = rules.Text{
		EN: "a backup is decided with the other backups of its set, not alone",
		NL: "een back-up wordt samen met de andere back-ups van de reeks beoordeeld, niet los",
	}
	msgBackupSetFailed = rules.Text{
		EN: "the backups of this layout cannot be rotated under {x}; correct the policy or decide by hand",
		NL: "de back-ups van deze indeling kunnen niet geroteerd worden onder {x}; verbeter het beleid of beoordeel zelf",
	}
	msgDateFromMod = rules.Text{
		EN: "date from the modification time; a {date} in the layout's path is more reliable",
		NL: "datum uit de wijzigingstijd; een {date} in het pad van de indeling is betrouwbaarder",
	}
	msgBackupConsidered = rules.Text{
		EN: "rotation rule {x}, decided with the {n} backups of this layout entry in the store",
		NL: "rotatieregel {x}, beoordeeld samen met de {n} back-ups van deze indeling in de opslag",
	}
)

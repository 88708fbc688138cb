package rules

import (
	"fmt"
	"slices"
	"strings"
)

// BackupDate is the trigger of backup rotation rules: the backup's own
// date, from its name (a layout's {date}) or else its modification time.
// It is a record event like RecordDate, but only rotation rules may name
// it, so that a plan says "backup date" where a backup's clock ran.
const BackupDate Event = "backup_date"

// Rotation holds the terms of a backup rotation rule (V2, V4): every backup
// is kept for Daily, the newest backup of each ISO week, calendar month and
// calendar year for Weekly, Monthly and Yearly, and none longer than Max,
// each counted from the backup's own date. A zero Term is unset. It mirrors
// rotation.Keep, which decides the backup sets (package rules cannot import
// rules/rotation, which imports it); the planner converts one into the
// other and validates it with rotation.Keep.Validate.
type Rotation struct {
	Daily   Term
	Weekly  Term
	Monthly Term
	Yearly  Term
	Max     Term
}

// terms lists the rotation's terms with their policy-file names, finest
// period first, then max.
func (r Rotation) terms() []struct {
	name string
	term Term
} {
	return []struct {
		name string
		term Term
	}{{"daily", r.Daily}, {"weekly", r.Weekly}, {"monthly", r.Monthly}, {"yearly", r.Yearly}, {"max", r.Max}}
}

// String writes the terms that are set as a policy file would, such as
// "daily 1y, monthly 7y, max 7y".
func (r Rotation) String() string {
	var parts []string
	for _, t := range r.terms() {
		if t.term != (Term{}) {
			parts = append(parts, t.name+" "+t.term.String())
		}
	}
	return strings.Join(parts, ", ")
}

// OnlyMax reports whether max is the only term set: such a rotation keeps
// every backup for max (V2), like a plain term.
func (r Rotation) OnlyMax() bool {
	return r.Max != (Term{}) && r.Daily == (Term{}) && r.Weekly == (Term{}) && r.Monthly == (Term{}) && r.Yearly == (Term{})
}

// IsRotation reports whether r is a backup rotation rule: it decides sets
// of backups (rules/rotation), never single records, so Evaluate and
// EvaluateRow ignore it.
func (r Rule) IsRotation() bool { return r.Rotation != nil }

// BasisText returns the rule's basis as reasons show it: with a note when
// the organisation's config changed the rule.
func (r *Rule) BasisText() Text { return basisText(r) }

// RotationRules returns the enabled rotation rules that cover category c,
// in policy order: the rules that may rotate a store's backups of that
// category when its layout names none.
func (p *Policy) RotationRules(c Category) []Rule {
	var out []Rule
	for _, r := range p.rules {
		if r.IsRotation() && !r.Disabled && slices.Contains(r.Categories, c) {
			out = append(out, r)
		}
	}
	return out
}

// RuleError returns a *LoadError about key (such as "rotation") of rule
// id, naming the policy file and the line the key is written on, for
// checks made outside this package (a rotation's terms are checked by the
// planner with rotation.Keep.Validate).
func (p *Policy) RuleError(id, key, msg string) error {
	path := "rules"
	line := 0
	if i := slices.IndexFunc(p.rules, func(r Rule) bool { return r.ID == id }); i >= 0 {
		path = fmt.Sprintf("rules[%d].%s", p.rules[i].index, key)
		for k := path; k != "" && line == 0; k = parentKey(k) {
			line = p.lines[k]
		}
	}
	return &LoadError{File: p.file, Line: line, Key: path + " (rule " + id + ")", Msg: msg}
}

// yamlRotation is a rotation rule's terms as the policy file writes them.
type yamlRotation struct {
	Daily   string `yaml:"daily"`
	Weekly  string `yaml:"weekly"`
	Monthly string `yaml:"monthly"`
	Yearly  string `yaml:"yearly"`
	Max     string `yaml:"max"`
}

var rotationSchema = &keySchema{keys: map[string]*keySchema{"daily": nil, "weekly": nil, "monthly": nil, "yearly": nil, "max": nil}}

// isRotation reports whether the file gives rule path a rotation key.
func (v *validator) isRotation(path string, yr yamlRule) bool {
	_, written := v.pos.lines[path+".rotation"]
	return written || yr.Rotation != nil
}

// rotationRule checks a rotation rule. Backups belong to no subject, so it
// names no subjects, flags or fields; it is a max whose clock runs from
// the backup date; and its terms are under rotation, not term. Whether
// one term is long enough for another is rotation.Keep.Validate's to say:
// the planner calls it (see Policy.RuleError).
func (v *validator) rotationRule(path, label string, yr yamlRule, r *Rule) error {
	for _, k := range []struct {
		key  string
		set  bool
		what string
	}{
		{"subjects", len(yr.Subjects) > 0, "backups belong to no subject: remove subjects"},
		{"fields", len(yr.Fields) > 0, "a rotation rule is about whole backups: remove fields"},
		{"when", len(yr.When) > 0, "subject flags do not apply to backups: remove when"},
		{"unless", len(yr.Unless) > 0, "subject flags do not apply to backups: remove unless"},
		{"term", yr.Term != "", "a rotation rule's terms are under rotation: move the term there as max, such as rotation: {max: 2y}"},
		{"to", yr.To != nil, "only a transfer rule has to: remove it"},
	} {
		if _, written := v.pos.lines[path+"."+k.key]; written || k.set {
			return v.at(path+"."+k.key, label, "%s", k.what)
		}
	}
	if r.Kind != KindMax {
		return v.at(path+".kind", label, "a rotation rule is a maximum (no backup is kept longer): use kind max")
	}
	cats, err := v.categories(path, label, yr)
	if err != nil {
		return err
	}
	if len(cats) == 0 {
		return v.at(path+".categories", label, "missing: list the categories of the backups, such as [backup]")
	}
	r.Categories = cats
	if tr, ok := yr.Trigger.(string); !ok || Event(tr) != BackupDate {
		return v.at(path+".trigger", label, "a rotation rule counts from each backup's date: write trigger: backup_date")
	}
	r.Triggers = []Event{BackupDate}
	var yrot yamlRotation
	if yr.Rotation != nil {
		yrot = *yr.Rotation
	}
	rot := &Rotation{}
	dst := []*Term{&rot.Daily, &rot.Weekly, &rot.Monthly, &rot.Yearly, &rot.Max}
	set := false
	for i, s := range []string{yrot.Daily, yrot.Weekly, yrot.Monthly, yrot.Yearly, yrot.Max} {
		if s == "" {
			continue
		}
		key := path + ".rotation." + rot.terms()[i].name
		t, err := ParseTerm(s)
		if err != nil {
			return v.at(key, label, "%v", err)
		}
		if t.N == 0 {
			return v.at(key, label, "%s keeps nothing: leave it out instead", t)
		}
		*dst[i] = t
		set = true
	}
	if !set {
		return v.at(path+".rotation", label, "sets no term, so no backup would ever be removed: set at least one of daily, weekly, monthly, yearly or max, such as {max: 2y}")
	}
	r.Rotation = rot
	return nil
}

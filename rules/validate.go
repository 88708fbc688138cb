package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Flags lists the yes/no subject facts that a rule's when and unless may
// name.
var Flags = []string{WaitingList, TemporaryDeregistration, LabourConflict, Hired, Consent}

// Kinds lists the rule kinds, as policy files write them.
var Kinds = []Kind{KindMax, KindMin, KindHold, KindTransfer}

// validator collects the position lookups and the first error of build.
type validator struct {
	file string
	pos  *positions
}

// at returns an error for key path; the line is the key's, or that of the
// nearest enclosing key the file has (a missing key is reported at its
// rule).
func (v *validator) at(path, label, format string, args ...any) error {
	line := 0
	for p := path; p != ""; p = parentKey(p) {
		if l, ok := v.pos.lines[p]; ok {
			line = l
			break
		}
	}
	key := path
	if label != "" {
		key += " (" + label + ")"
	}
	return &LoadError{File: v.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

func parentKey(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// build checks raw and turns it into a Policy.
func build(file string, raw *yamlPolicy, pos *positions) (*Policy, error) {
	v := &validator{file: file, pos: pos}
	if strings.TrimSpace(raw.Name) == "" {
		return nil, v.at("name", "", "missing: give the policy a name, such as kinderopvang-nl")
	}
	if len(raw.Rules) == 0 {
		return nil, v.at("rules", "", "a policy needs at least one rule: an empty policy would decide nothing")
	}
	p := &Policy{name: raw.Name, file: file, description: raw.Description, lines: pos.lines}
	seen := map[string]bool{}
	for i, yr := range raw.Rules {
		r, err := v.rule(fmt.Sprintf("rules[%d]", i), yr)
		if err != nil {
			return nil, err
		}
		if seen[r.ID] {
			return nil, v.at(fmt.Sprintf("rules[%d].id", i), "rule "+r.ID, "rule id %s is used twice: give each rule its own id and set row to share a row", r.ID)
		}
		seen[r.ID] = true
		r.index = i
		p.rules = append(p.rules, r)
	}
	return p, nil
}

func (v *validator) rule(path string, yr yamlRule) (Rule, error) {
	id := strings.TrimSpace(yr.ID)
	if id == "" {
		return Rule{}, v.at(path+".id", "", "missing: every rule needs an id, such as C1")
	}
	label := "rule " + id
	r := Rule{ID: id, Row: strings.TrimSpace(yr.Row), Title: yr.Title, Disabled: yr.Disabled,
		Source: strings.TrimSpace(yr.Source), Basis: yr.Basis, Kind: Kind(yr.Kind)}
	if r.Row == "" {
		r.Row = id
	}
	if r.Title.EN == "" || r.Title.NL == "" {
		return Rule{}, v.at(path+".title", label, "give the title in English and Dutch: {en: ..., nl: ...}")
	}
	if !slices.Contains(Kinds, r.Kind) {
		return Rule{}, v.at(path+".kind", label, "%q is not a rule kind; use one of max, min, hold, transfer", yr.Kind)
	}
	if v.isRotation(path, yr) {
		if err := v.rotationRule(path, label, yr, &r); err != nil {
			return Rule{}, err
		}
		return r, nil
	}
	if len(yr.Subjects) == 0 {
		return Rule{}, v.at(path+".subjects", label, "missing: list the subject types the rule is about, such as [child]")
	}
	for _, s := range yr.Subjects {
		if !slices.Contains(SubjectTypes, SubjectType(s)) {
			return Rule{}, v.at(path+".subjects", label, "%q is not a subject type; use %s", s, subjectList())
		}
		r.Subjects = append(r.Subjects, SubjectType(s))
	}
	if err := v.fields(path, label, yr, &r); err != nil {
		return Rule{}, err
	}
	if len(yr.Categories) == 0 && !r.IsFieldRule() {
		return Rule{}, v.at(path+".categories", label, "missing: list the record categories the rule is about, such as [child-dossier]")
	}
	cats, err := v.categories(path, label, yr)
	if err != nil {
		return Rule{}, err
	}
	r.Categories = cats
	for _, fl := range [][]string{yr.When, yr.Unless} {
		for _, f := range fl {
			if !slices.Contains(Flags, f) {
				key := ".when"
				if slices.Contains(yr.Unless, f) {
					key = ".unless"
				}
				return Rule{}, v.at(path+key, label, "%q is not a flag; use one of %s", f, strings.Join(Flags, ", "))
			}
		}
	}
	r.When, r.Unless = yr.When, yr.Unless
	if err := v.triggersAndTerm(path, label, yr, &r); err != nil {
		return Rule{}, err
	}
	if err := v.transfer(path, label, yr, &r); err != nil {
		return Rule{}, err
	}
	return r, nil
}

func (v *validator) categories(path, label string, yr yamlRule) ([]Category, error) {
	var out []Category
	for _, c := range yr.Categories {
		if !IsCategory(Category(c)) {
			return nil, v.at(path+".categories", label, "%q is not a category; use one of %s", c, categoryList())
		}
		out = append(out, Category(c))
	}
	return out, nil
}

// fields checks a field rule's fields. A field rule keeps or pseudonymises
// fields on a clock, so it is a max or a min; holds and transfers act on
// whole records.
func (v *validator) fields(path, label string, yr yamlRule, r *Rule) error {
	if _, present := v.pos.lines[path+".fields"]; !present && len(yr.Fields) == 0 {
		return nil
	}
	if len(yr.Fields) == 0 {
		return v.at(path+".fields", label, "lists no field: list the fields the rule is about, such as [name, bsn], or remove fields to make a rule about whole records")
	}
	for _, f := range yr.Fields {
		if !IsField(Field(f)) {
			return v.at(path+".fields", label, "%q is not a field; use one of %s", f, fieldList())
		}
		r.Fields = append(r.Fields, Field(f))
	}
	if r.Kind != KindMax && r.Kind != KindMin {
		return v.at(path+".kind", label, "a field rule is a max or a min (fields are pseudonymised when a maximum passes, kept while a minimum runs); use kind max or min, or remove fields")
	}
	return nil
}

// triggersAndTerm checks that max and min rules have a term and a trigger
// every subject of the rule can have a date for, and that hold and
// transfer rules have neither.
func (v *validator) triggersAndTerm(path, label string, yr yamlRule, r *Rule) error {
	timed := r.Kind == KindMax || r.Kind == KindMin
	if !timed {
		if yr.Term != "" {
			return v.at(path+".term", label, "a %s rule has no term: remove it", r.Kind)
		}
		if yr.Trigger != nil {
			return v.at(path+".trigger", label, "a %s rule has no trigger: remove it", r.Kind)
		}
		return nil
	}
	if yr.Term == "" {
		return v.at(path+".term", label, "missing: a %s rule needs a term, such as 28d, 4w, 3m or 2y", r.Kind)
	}
	t, err := ParseTerm(yr.Term)
	if err != nil {
		return v.at(path+".term", label, "%v", err)
	}
	r.Term = &t
	var names []string
	switch tr := yr.Trigger.(type) {
	case string:
		names = []string{tr}
	case []any:
		for _, x := range tr {
			s, ok := x.(string)
			if !ok {
				return v.at(path+".trigger", label, "write each trigger as an event name, such as end_of_care")
			}
			names = append(names, s)
		}
	case nil:
	default:
		return v.at(path+".trigger", label, "write an event, such as end_of_care, or a list of events of which the first known date wins")
	}
	if len(names) == 0 {
		return v.at(path+".trigger", label, "missing: a %s rule needs a trigger, such as end_of_care or [deregistration, end]", r.Kind)
	}
	for _, n := range names {
		e := Event(n)
		if e == BackupDate {
			return v.at(path+".trigger", label, "backup_date is the trigger of backup rotation rules (rotation:) only; for a date in the record's name use record_date")
		}
		if !slices.Contains(Events, e) {
			return v.at(path+".trigger", label, "%q is not an event; use one of %s", n, eventList())
		}
		r.Triggers = append(r.Triggers, e)
	}
	for _, s := range r.Subjects {
		if !slices.ContainsFunc(r.Triggers, func(e Event) bool { return eventFor(e, s) }) {
			return v.at(path+".trigger", label, "no trigger of this rule is a date %s has; add end, or one of: %s",
				withArticle(string(s), "en"), strings.Join(dateFacts(s), ", "))
		}
	}
	return nil
}

func (v *validator) transfer(path, label string, yr yamlRule, r *Rule) error {
	if r.Kind != KindTransfer {
		if yr.To != nil {
			return v.at(path+".to", label, "only a transfer rule has to: remove it or set kind: transfer")
		}
		return nil
	}
	if yr.To == nil {
		return v.at(path+".to", label, "missing: a transfer rule needs to: {subject: employee, category: personnel-file}")
	}
	to := Transfer{Subject: SubjectType(yr.To.Subject), Category: Category(yr.To.Category)}
	if !slices.Contains(SubjectTypes, to.Subject) {
		return v.at(path+".to.subject", label, "%q is not a subject type; use %s", yr.To.Subject, subjectList())
	}
	if !IsCategory(to.Category) {
		return v.at(path+".to.category", label, "%q is not a category; use one of %s", yr.To.Category, categoryList())
	}
	r.To = &to
	return nil
}

// eventFor reports whether a subject of type t can have a date for e.
func eventFor(e Event, t SubjectType) bool {
	switch e {
	case End, RecordDate, FiscalYearEnd:
		return true
	}
	return SubjectFacts[t][string(e)] == DateFact
}

func dateFacts(t SubjectType) []string {
	var out []string
	for _, k := range FactNames(t) {
		if SubjectFacts[t][k] == DateFact {
			out = append(out, k)
		}
	}
	return append(out, string(RecordDate), string(FiscalYearEnd))
}

func subjectList() string {
	var s []string
	for _, t := range SubjectTypes {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

func categoryList() string {
	var s []string
	for _, c := range Categories {
		s = append(s, string(c))
	}
	return strings.Join(s, ", ")
}

func eventList() string {
	var s []string
	for _, e := range Events {
		s = append(s, string(e))
	}
	return strings.Join(s, ", ")
}

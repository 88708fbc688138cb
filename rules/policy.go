package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Kind says what a rule does with the records it applies to.
type Kind string

// Rule kinds.
const (
	// KindMax: the record must be gone by the end of the term (a privacy
	// maximum).
	KindMax Kind = "max"
	// KindMin: the record must be kept at least until the end of the term (a
	// statutory minimum); after it, it is kept only as long as some other
	// rule allows (S5).
	KindMin Kind = "min"
	// KindHold: a deletion that is due is held while the rule's flags are set.
	KindHold Kind = "hold"
	// KindTransfer: the record now belongs to another subject and category
	// (a hired applicant's application joins the personnel file).
	KindTransfer Kind = "transfer"
)

// Transfer says where a transfer rule moves a record.
type Transfer struct {
	Subject  SubjectType
	Category Category
}

// Rule is one retention rule of a policy.
type Rule struct {
	// ID identifies the rule in a policy and in overrides; unique.
	ID string
	// Row is the row of RETENTION-RULES.md the rule implements, such as
	// "S9"; decisions name the row. It equals ID unless one row needs more
	// than one rule (S7 and S7-until, S9 and S9-hired).
	Row      string
	Title    Text
	Subjects []SubjectType
	// Categories the rule is about. A field rule may leave it empty: it
	// then applies to rows of any category.
	Categories []Category
	// Fields makes the rule a field rule: it applies to these fields of
	// export rows of its subjects (and categories), never to a record as a
	// whole. Only EvaluateRow reads field rules; Evaluate ignores them.
	Fields []Field
	// Triggers are the events the clock may run from; the first one with a
	// known date wins.
	Triggers []Event
	// Term is the retention period; nil for hold, transfer and rotation
	// rules.
	Term *Term
	Kind Kind
	// When: the rule applies only if any of these subject flags is set.
	When []string
	// Unless: the rule does not apply if any of these subject flags is set.
	Unless []string
	// Disabled rules apply only after an organisation's override enables
	// them.
	Disabled bool
	// Source cites the seed documents the rule comes from.
	Source string
	// Basis is the legal basis or policy wording shown to the administrator.
	Basis Text
	// To is where a transfer rule moves the record; nil for other kinds.
	To *Transfer
	// Rotation makes the rule a backup rotation rule (V2, V4): its terms
	// decide a store's backups as a set (see IsRotation); nil for other
	// rules. A rotation rule has no Term and no Subjects.
	Rotation *Rotation
	// Overridden reports that an organisation's override changed the rule;
	// OverrideSource is that override's citation, if it gave one.
	Overridden     bool
	OverrideSource string

	index int // position in the policy file's rules list, for RuleError
}

// IsFieldRule reports whether r is about fields of rows rather than whole
// records.
func (r Rule) IsFieldRule() bool { return len(r.Fields) > 0 }

// appliesTo reports whether r applies to a whole record of category c
// about s. Field rules never do: a whole record is not one of its fields.
func (r Rule) appliesTo(s *Subject, c Category) bool {
	if r.IsFieldRule() || r.IsRotation() || !slices.Contains(r.Categories, c) {
		return false
	}
	return r.appliesToSubject(s)
}

// appliesToField reports whether field rule r applies to field fl of a row
// of category c about s.
func (r Rule) appliesToField(s *Subject, c Category, fl Field) bool {
	if !slices.Contains(r.Fields, fl) || len(r.Categories) > 0 && !slices.Contains(r.Categories, c) {
		return false
	}
	return r.appliesToSubject(s)
}

// appliesToSubject checks what every rule checks: enabled, the subject's
// type, and the when and unless flags.
func (r Rule) appliesToSubject(s *Subject) bool {
	if r.Disabled || !slices.Contains(r.Subjects, s.Type) {
		return false
	}
	if len(r.When) > 0 && !slices.ContainsFunc(r.When, s.Flag) {
		return false
	}
	return !slices.ContainsFunc(r.Unless, s.Flag)
}

// Policy is a named, validated set of retention rules. A Policy is never
// changed after loading; WithOverrides returns a modified copy.
type Policy struct {
	name        string
	file        string
	description Text
	rules       []Rule
	lines       map[string]int // key path in the file -> line, for RuleError
}

// Name returns the policy's name, such as "kinderopvang-nl".
func (p *Policy) Name() string { return p.name }

// File returns where the policy was loaded from ("builtin:NAME" or a path).
func (p *Policy) File() string { return p.file }

// Description returns the policy's description, if it has one.
func (p *Policy) Description() Text { return p.description }

// Rules returns the rules in policy order. The slice is a copy.
func (p *Policy) Rules() []Rule { return slices.Clone(p.rules) }

// Rule returns the rule with the given id.
func (p *Policy) Rule(id string) (Rule, bool) {
	for _, r := range p.rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// IDs returns the rule ids in policy order.
func (p *Policy) IDs() []string {
	out := make([]string, len(p.rules))
	for i, r := range p.rules {
		out[i] = r.ID
	}
	return out
}

// Override is an organisation's change to one rule, from its config.
type Override struct {
	// Term replaces the rule's term; only for max and min rules.
	Term *Term
	// Disabled switches the rule off (true) or on (false).
	Disabled *bool
	// Source cites the organisation's own policy for the change; reasons
	// and reports show it next to the rule's basis.
	Source string
}

// WithOverrides returns a copy of p with the overrides applied, keyed by
// rule id. An unknown id, or a term for a rule without a term (hold,
// transfer), is an error that says how to fix it; p itself never changes.
func (p *Policy) WithOverrides(ov map[string]Override) (*Policy, error) {
	q := *p
	// A shallow copy suffices: overrides replace fields (the Term pointer
	// included) and never write through the shared slices.
	q.rules = slices.Clone(p.rules)
	ids := make([]string, 0, len(ov))
	for id := range ov {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		o := ov[id]
		i := slices.IndexFunc(q.rules, func(r Rule) bool { return r.ID == id })
		if i < 0 {
			return nil, fmt.Errorf("override for rule %q: policy %s has no such rule; known rules: %s",
				id, p.name, strings.Join(p.IDs(), ", "))
		}
		r := &q.rules[i]
		if o.Term != nil && r.IsRotation() {
			if err := overrideRotation(r, *o.Term); err != nil {
				return nil, err
			}
		} else if o.Term != nil {
			if r.Term == nil {
				return nil, fmt.Errorf("override for rule %s: a %s rule has no term; remove term from this override (only disabled applies)", id, r.Kind)
			}
			if !validUnit(o.Term.Unit) || o.Term.N < 0 {
				return nil, fmt.Errorf("override for rule %s: %q is not a term: write a number and a unit d, w, m or y, such as 28d or 2y", id, o.Term.String())
			}
			t := *o.Term
			r.Term = &t
		}
		if o.Disabled != nil {
			r.Disabled = *o.Disabled
		}
		r.Overridden = true
		r.OverrideSource = o.Source
	}
	return &q, nil
}

// overrideRotation applies a term override to a rotation rule. Only a
// rotation whose one term is max (V2) takes it, as that max; a rotation
// with periods (V4) has no single term an override could mean.
func overrideRotation(r *Rule, t Term) error {
	if !r.Rotation.OnlyMax() {
		return fmt.Errorf("override for rule %s: a backup rotation (%s) has no single term to override; remove term from this override, or disable the rule and write the rotation you need in your own policy file", r.ID, r.Rotation)
	}
	if !validUnit(t.Unit) || t.N <= 0 {
		return fmt.Errorf("override for rule %s: %q is not a term that keeps backups: write a positive number and a unit d, w, m or y, such as 1y", r.ID, t.String())
	}
	rot := *r.Rotation
	rot.Max = t
	r.Rotation = &rot
	return nil
}

func validUnit(u byte) bool { return u == 'd' || u == 'w' || u == 'm' || u == 'y' }

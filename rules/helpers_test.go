package rules

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// mustDate parses a test date; a typo in a table is a test bug, so panic.
func mustDate(s string) Date {
	if s == "" {
		return Date{}
	}
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// subj builds a subject from "event=YYYY-MM-DD" dates and bare flags. Keys
// must be facts the subject type can have, so that a typo cannot make a
// case pass for the wrong reason.
func subj(t SubjectType, facts ...string) *Subject {
	s := &Subject{Type: t, ID: "1", Dates: map[Event]Date{}, Flags: map[string]bool{}}
	for _, x := range facts {
		k, v, isDate := strings.Cut(x, "=")
		kind, ok := SubjectFacts[t][k]
		switch {
		case !ok:
			panic(fmt.Sprintf("test: %s has no fact %q", t, k))
		case isDate && kind == DateFact:
			s.Dates[Event(k)] = mustDate(v)
		case !isDate && kind == FlagFact:
			s.Flags[k] = true
		default:
			panic(fmt.Sprintf("test: fact %q of %s used wrongly", x, t))
		}
	}
	return s
}

// recorded marks s as read from a registry that maps the end date of its
// subject type: an empty end date then means "not ended yet".
func recorded(s *Subject) *Subject {
	s.Recorded = map[Event]bool{EndEvent[s.Type]: true}
	return s
}

// rec builds record facts.
func rec(c Category, s *Subject, opts ...func(*Facts)) Facts {
	f := Facts{Subject: s, Category: c}
	for _, o := range opts {
		o(&f)
	}
	return f
}

func pathDate(s string) func(*Facts) { return func(f *Facts) { f.PathDate = mustDate(s) } }
func modDate(s string) func(*Facts)  { return func(f *Facts) { f.ModDate = mustDate(s) } }
func endYear(y int) func(*Facts)     { return func(f *Facts) { f.EndYear = y } }
func employee(s *Subject) func(*Facts) {
	return func(f *Facts) { f.Employee = s }
}

// enable returns overrides that switch rules on, as an organisation's
// config does.
func enable(ids ...string) map[string]Override {
	off := false
	ov := map[string]Override{}
	for _, id := range ids {
		ov[id] = Override{Disabled: &off, Source: "organisation policy (test)"}
	}
	return ov
}

func withTerm(id, term string) map[string]Override {
	t, err := ParseTerm(term)
	if err != nil {
		panic(err)
	}
	return map[string]Override{id: {Term: &t, Source: "organisation policy (test)"}}
}

func builtin(t *testing.T) *Policy {
	t.Helper()
	p, err := Load("builtin:kinderopvang-nl", "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// describeSubject summarises a subject's facts for the golden file.
func describeSubject(s *Subject) string {
	if s == nil {
		return "no subject"
	}
	var parts []string
	for e, d := range s.Dates {
		parts = append(parts, string(e)+"="+d.String())
	}
	for f, on := range s.Flags {
		if on {
			parts = append(parts, f)
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return string(s.Type) + " (no facts)"
	}
	return string(s.Type) + " " + strings.Join(parts, " ")
}

func describeFacts(f Facts) string {
	parts := []string{describeSubject(f.Subject), "category " + string(f.Category)}
	if !f.PathDate.IsZero() {
		parts = append(parts, "path date "+f.PathDate.String())
	}
	if f.EndYear != 0 {
		parts = append(parts, fmt.Sprintf("end year %d", f.EndYear))
	}
	if !f.ModDate.IsZero() {
		parts = append(parts, "modified "+f.ModDate.String())
	}
	if f.Employee != nil {
		parts = append(parts, "linked "+describeSubject(f.Employee))
	}
	return strings.Join(parts, "; ")
}

func describeOverrides(ov map[string]Override) string {
	var parts []string
	for id, o := range ov {
		var s []string
		if o.Term != nil {
			s = append(s, "term "+o.Term.String())
		}
		if o.Disabled != nil {
			s = append(s, map[bool]string{true: "disabled", false: "enabled"}[*o.Disabled])
		}
		parts = append(parts, id+" "+strings.Join(s, " "))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

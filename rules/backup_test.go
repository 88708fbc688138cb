package rules

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

const rotationPolicy = `name: test
rules:
  - id: V4
    title: {en: backup, nl: back-up}
    categories: [backup]
    trigger: backup_date
    rotation: {daily: 1y, monthly: 7y, max: 7y}
    kind: max
`

func TestParseRotation(t *testing.T) {
	p, err := Parse("test.yaml", []byte(rotationPolicy))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := p.Rule("V4")
	if !ok || !r.IsRotation() {
		t.Fatalf("V4: %+v, want a rotation rule", r)
	}
	want := Rotation{Daily: Term{1, 'y'}, Monthly: Term{7, 'y'}, Max: Term{7, 'y'}}
	if *r.Rotation != want || r.Term != nil || len(r.Subjects) != 0 ||
		!slices.Equal(r.Triggers, []Event{BackupDate}) || !slices.Equal(r.Categories, []Category{"backup"}) {
		t.Errorf("parsed V4: %+v rotation %+v", r, *r.Rotation)
	}
	if got := r.Rotation.String(); got != "daily 1y, monthly 7y, max 7y" {
		t.Errorf("String() = %q", got)
	}
	if r.Rotation.OnlyMax() || !(Rotation{Max: Term{2, 'y'}}).OnlyMax() {
		t.Error("OnlyMax wrong")
	}
}

func TestParseRotationErrors(t *testing.T) {
	edit := func(old, new string) string {
		if !strings.Contains(rotationPolicy, old) {
			panic("test: " + old)
		}
		return strings.Replace(rotationPolicy, old, new, 1)
	}
	const rot = "    rotation: {daily: 1y, monthly: 7y, max: 7y}\n"
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"subjects", edit(rot, rot+"    subjects: [child]\n"), []string{"line 8", "rules[0].subjects (rule V4)", "belong to no subject"}},
		{"term", edit(rot, rot+"    term: 2y\n"), []string{"line 8", "rules[0].term", "under rotation"}},
		{"fields", edit(rot, rot+"    fields: [name]\n"), []string{"line 8", "remove fields"}},
		{"when", edit(rot, rot+"    when: [hired]\n"), []string{"line 8", "remove when"}},
		{"kind", edit("kind: max", "kind: min"), []string{"line 8", "rules[0].kind", "use kind max"}},
		{"no trigger", edit("    trigger: backup_date\n", ""), []string{"rules[0].trigger", "write trigger: backup_date"}},
		{"other trigger", edit("trigger: backup_date", "trigger: record_date"), []string{"line 6", "write trigger: backup_date"}},
		{"no categories", edit("    categories: [backup]\n", ""), []string{"rules[0].categories", "missing"}},
		{"bad category", edit("[backup]", "[backups]"), []string{"line 5", `"backups" is not a category`}},
		{"bad term", edit("max: 7y", "max: 7 jaar"), []string{"line 7", "rules[0].rotation.max (rule V4)", `"7 jaar" is not a term`}},
		{"zero term", edit("daily: 1y", "daily: 0d"), []string{"line 7", "rules[0].rotation.daily", "keeps nothing"}},
		{"no term", edit("{daily: 1y, monthly: 7y, max: 7y}", "{}"), []string{"line 7", "rules[0].rotation", "sets no term"}},
		{"unknown key", edit("max: 7y", "hourly: 1d"), []string{"line 7", "rules[0].rotation.hourly", "known keys: daily, max, monthly, weekly, yearly"}},
		{"backup_date elsewhere", validPolicy + "  - id: C9\n    title: {en: x, nl: y}\n    subjects: [child]\n    categories: [photo]\n    trigger: [backup_date]\n    term: 1y\n    kind: max\n",
			[]string{"line 14", "rules[1].trigger", "rotation rules (rotation:) only"}},
	}
	for _, c := range cases {
		_, err := Parse("test.yaml", []byte(c.yaml))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		var le *LoadError
		if !errors.As(err, &le) {
			t.Errorf("%s: error %T is not a *LoadError", c.name, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

func TestRotationRulesAndEvaluate(t *testing.T) {
	p := builtin(t)
	ids := func(rs []Rule) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	if got := ids(p.RotationRules("backup")); !slices.Equal(got, []string{"V2", "V4"}) {
		t.Errorf("RotationRules(backup) = %v, want [V2 V4]", got)
	}
	if got := p.RotationRules("log"); len(got) != 0 {
		t.Errorf("RotationRules(log) = %v, want none", ids(got))
	}
	off := true
	q, err := p.WithOverrides(map[string]Override{"V2": {Disabled: &off}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(q.RotationRules("backup")); !slices.Equal(got, []string{"V4"}) {
		t.Errorf("with V2 disabled: %v, want [V4]", got)
	}
	// A rotation rule never decides a single record, whoever it is about.
	for _, s := range []*Subject{subj(Child), subj(Employee)} {
		d := Evaluate(p, rec("backup", s, pathDate("2010-01-01")), mustDate("2026-11-23"))
		if d.Action != Review || d.Rule != "" {
			t.Errorf("a %s's backup: %s by %q, want review by no rule", s.Type, d.Action, d.Rule)
		}
	}
}

func TestRotationOverrides(t *testing.T) {
	p := builtin(t)
	oneYear := Term{1, 'y'}
	q, err := p.WithOverrides(map[string]Override{"V2": {Term: &oneYear, Source: "own policy"}})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := q.Rule("V2"); r.Rotation.Max != oneYear || !r.Overridden || r.Term != nil {
		t.Errorf("V2 after override: %+v %+v", r, *r.Rotation)
	}
	if r, _ := p.Rule("V2"); r.Rotation.Max != (Term{2, 'y'}) {
		t.Errorf("original V2 changed: %+v", *r.Rotation)
	}
	for _, c := range []struct {
		id   string
		term Term
		want string
	}{
		{"V4", oneYear, "no single term"},
		{"V2", Term{0, 'd'}, "not a term that keeps backups"},
	} {
		if _, err := p.WithOverrides(map[string]Override{c.id: {Term: &c.term}}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("override %s %s: %v, want an error containing %q", c.id, c.term, err, c.want)
		}
	}
}

func TestRuleError(t *testing.T) {
	p, err := Parse("own.yaml", []byte(validPolicy+strings.SplitN(rotationPolicy, "rules:\n", 2)[1]))
	if err != nil {
		t.Fatal(err)
	}
	got := p.RuleError("V4", "rotation", "monthly is shorter than daily").Error()
	want := "own.yaml line 14, key rules[1].rotation (rule V4): monthly is shorter than daily"
	if got != want {
		t.Errorf("RuleError = %q, want %q", got, want)
	}
}

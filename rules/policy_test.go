package rules

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// builtinRows are the rows of RETENTION-RULES.md the built-in policy must
// implement.
var builtinRows = []string{
	"C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11", "C12", "C13",
	"C14", "C15", "C16", "C17", "C18", "C19", "C20", "C21", "C22", "C23",
	"S1", "S2", "S3", "S4", "S6", "S7", "S8", "S9", "S10", "S11", "V1", "V2", "V3", "V4", "V5",
}

func TestBuiltinHasEveryRow(t *testing.T) {
	p := builtin(t)
	if p.Name() != "kinderopvang-nl" || p.File() != "builtin:kinderopvang-nl" {
		t.Errorf("name %q file %q", p.Name(), p.File())
	}
	rows := map[string]bool{}
	rowID := regexp.MustCompile(`^[CSV][0-9]+$`)
	for _, r := range p.Rules() {
		rows[r.Row] = true
		if !rowID.MatchString(r.Row) {
			t.Errorf("rule %s: row %q is not a row id of RETENTION-RULES.md", r.ID, r.Row)
		}
		if r.Source == "" || r.Basis.EN == "" || r.Basis.NL == "" || r.Title.EN == "" || r.Title.NL == "" {
			t.Errorf("rule %s: needs a source, and a title and basis in English and Dutch", r.ID)
		}
	}
	for _, id := range builtinRows {
		if !rows[id] {
			t.Errorf("built-in policy has no rule for row %s", id)
		}
	}
	for row := range rows {
		if !slices.Contains(builtinRows, row) {
			t.Errorf("built-in policy has row %s, which the test list lacks", row)
		}
	}
	var disabled []string
	for _, r := range p.Rules() {
		if r.Disabled {
			disabled = append(disabled, r.ID)
		}
	}
	want := []string{"C12", "C21", "C7", "C8", "C16", "C17", "C18", "C19", "C20", "V5"}
	if !slices.Equal(disabled, want) {
		t.Errorf("disabled rules %v, want %v (organisations enable them by override)", disabled, want)
	}
}

func TestBuiltinTerms(t *testing.T) {
	p := builtin(t)
	want := map[string]string{
		"C1": "max 2y", "C2": "hold", "C3": "min 7y", "C4": "min 7y", "C9": "max 3m", "C10": "max 3m",
		"C11": "max 1y", "C12": "max 1d", "C13": "max 1d", "C21": "max 2y", "C22": "max 2m", "C23": "max 0d",
		"S1": "max 2y", "S2": "max 10y", "S3": "min 5y", "S4": "min 7y", "S6": "max 28d", "S7": "max 1y",
		"S7-until": "max 0d", "S8": "transfer", "S9": "max 1d", "S9-hired": "transfer", "S10": "max 1d",
		"S11": "max 1d", "V1": "max 1y", "V3": "max 3y", "V5": "max 3m",
		"V2": "max rotation max 2y", "V4": "max rotation daily 1y, monthly 7y, max 7y",
		"C5": "min 7y", "C6": "min 7y", "C7": "max 1y", "C8": "max 1y", "C11-field": "max 1y",
		"C14": "min 7y", "C15": "min 7y", "C16": "max 1y", "C17": "max 1y", "C18": "max 1y",
		"C19": "max 1y", "C20": "max 2y",
	}
	if got := p.IDs(); len(got) != len(want) {
		t.Errorf("built-in policy has %d rules %v, want %d", len(got), got, len(want))
	}
	for id, w := range want {
		r, ok := p.Rule(id)
		if !ok {
			t.Errorf("no rule %s", id)
			continue
		}
		got := string(r.Kind)
		if r.Term != nil {
			got += " " + r.Term.String()
		}
		if r.Rotation != nil {
			got += " rotation " + r.Rotation.String()
		}
		if got != w {
			t.Errorf("rule %s: %s, want %s", id, got, w)
		}
	}
}

const validPolicy = `name: test
rules:
  - id: C1
    title: {en: child dossier, nl: kinddossier}
    subjects: [child]
    categories: [child-dossier]
    trigger: end_of_care
    term: 2y
    kind: max
`

func TestParseValid(t *testing.T) {
	p, err := Parse("test.yaml", []byte(validPolicy))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := p.Rule("C1")
	if !ok || r.Row != "C1" || r.Term.String() != "2y" || !slices.Equal(r.Triggers, []Event{EndOfCare}) || r.Title.NL != "kinddossier" {
		t.Errorf("parsed rule %+v", r)
	}
}

func TestParseErrors(t *testing.T) {
	edit := func(old, new string) string {
		if !strings.Contains(validPolicy, old) {
			panic("test: " + old)
		}
		return strings.Replace(validPolicy, old, new, 1)
	}
	cases := []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"unknown rule key", edit("    term: 2y\n", "    term: 2y\n    trigers: end\n"),
			[]string{"test.yaml line 9", "rules[0].trigers", `unknown key "trigers"`, "known keys: basis, categories"}},
		{"unknown top key", "name: x\nrulez: []\n", []string{"line 2", `unknown key "rulez" at the top level`}},
		{"unknown title key", edit("{en: child dossier, nl: kinddossier}", "{en: child dossier, de: Kinderakte}"),
			[]string{"line 4", "rules[0].title.de", "known keys: en, nl"}},
		{"bad term", edit("term: 2y", "term: 2 years"), []string{"line 8", "rules[0].term (rule C1)", `"2 years" is not a term`}},
		{"negative term", edit("term: 2y", "term: -2y"), []string{"line 8", "is not a term"}},
		{"missing term", edit("    term: 2y\n", ""), []string{"line 3", "rules[0].term", "needs a term"}},
		{"bad kind", edit("kind: max", "kind: maximum"), []string{"line 9", "rules[0].kind", `"maximum" is not a rule kind`}},
		{"bad subject", edit("[child]", "[kid]"), []string{"line 5", `"kid" is not a subject type`}},
		{"bad category", edit("[child-dossier]", "[dossier]"), []string{"line 6", `"dossier" is not a category`}},
		{"bad event", edit("trigger: end_of_care", "trigger: end_of_cares"), []string{"line 7", `"end_of_cares" is not an event`}},
		{"event the subject lacks", edit("[child]", "[employee]"), []string{"line 7", "no trigger of this rule is a date an employee has"}},
		{"bad flag", edit("    kind: max\n", "    kind: max\n    when: [wachtlijst]\n"), []string{"line 10", `"wachtlijst" is not a flag`}},
		{"term on hold", edit("kind: max", "kind: hold"), []string{"line 8", "a hold rule has no term"}},
		{"transfer without to", strings.Replace(edit("    trigger: end_of_care\n    term: 2y\n", ""), "kind: max", "kind: transfer", 1),
			[]string{"rules[0].to", "needs to:"}},
		{"to on max", edit("    kind: max\n", "    kind: max\n    to: {subject: employee, category: personnel-file}\n"), []string{"line 10", "only a transfer rule has to"}},
		{"duplicate id", validPolicy + strings.SplitN(validPolicy, "rules:\n", 2)[1], []string{"line 10", "rule id C1 is used twice"}},
		{"no rules", "name: x\nrules: []\n", []string{"line 2", "at least one rule"}},
		{"no name", "rules: []\n", []string{"key name", "missing"}},
		{"missing title", edit("    title: {en: child dossier, nl: kinddossier}\n", ""), []string{"line 3", "title"}},
		{"type error", edit("    kind: max\n", "    kind: max\n    disabled: {a: 1}\n"), []string{"test.yaml line 10", "rules[0].disabled", "expected true or false"}},
		{"syntax error", "name: [x\n", []string{"test.yaml line"}},
		{"bad field", edit("    kind: max\n", "    kind: max\n    fields: [name, adres]\n"),
			[]string{"test.yaml line 10", "rules[0].fields (rule C1)", `"adres" is not a field`, "use one of name, bsn, address"}},
		{"empty fields", edit("    kind: max\n", "    kind: max\n    fields: []\n"), []string{"line 10", "rules[0].fields", "lists no field"}},
		{"field rule that holds", edit("    trigger: end_of_care\n    term: 2y\n    kind: max\n", "    kind: hold\n    fields: [name]\n"),
			[]string{"line 7", "rules[0].kind", "a field rule is a max or a min"}},
		{"whole-record rule without categories", edit("    categories: [child-dossier]\n", ""), []string{"rules[0].categories", "missing"}},
	}
	for _, c := range cases {
		_, err := Parse("test.yaml", []byte(c.yaml))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		var le *LoadError
		if !errors.As(err, &le) {
			t.Errorf("%s: error %T is not a *LoadError: %v", c.name, err, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

func TestLoadFromFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "own.yaml"), []byte(validPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Load("own.yaml", dir)
	if err != nil || p.Name() != "test" || p.File() != filepath.Join(dir, "own.yaml") {
		t.Fatalf("Load relative: %v, %+v", err, p)
	}
	if _, err := Load(filepath.Join(dir, "own.yaml"), "/elsewhere"); err != nil {
		t.Errorf("Load absolute: %v", err)
	}
	if _, err := Load("missing.yaml", dir); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load("builtin:kinderopvang-be", ""); err == nil || !strings.Contains(err.Error(), "built-in policies: kinderopvang-nl") {
		t.Errorf("unknown builtin: %v", err)
	}
	if _, err := Load("", dir); err == nil {
		t.Error("empty ref: no error")
	}
}

func TestWithOverrides(t *testing.T) {
	p := builtin(t)
	on, off := false, true
	oneYear := Term{N: 1, Unit: 'y'}
	q, err := p.WithOverrides(map[string]Override{
		"C1":  {Term: &oneYear, Source: "own policy §2"},
		"C12": {Disabled: &on},
		"S1":  {Disabled: &off},
	})
	if err != nil {
		t.Fatal(err)
	}
	c1, _ := q.Rule("C1")
	if c1.Term.String() != "1y" || !c1.Overridden || c1.OverrideSource != "own policy §2" {
		t.Errorf("C1 after override: %+v", c1)
	}
	if r, _ := q.Rule("C12"); r.Disabled {
		t.Error("C12 still disabled")
	}
	if r, _ := q.Rule("S1"); !r.Disabled {
		t.Error("S1 not disabled")
	}
	// The original is untouched.
	if r, _ := p.Rule("C1"); r.Term.String() != "2y" || r.Overridden {
		t.Errorf("original C1 changed: %+v", r)
	}
	if r, _ := p.Rule("C12"); !r.Disabled {
		t.Error("original C12 changed")
	}
	if r, _ := q.Rule("C3"); r.Overridden {
		t.Error("C3 marked overridden")
	}

	errCases := []struct {
		name string
		ov   map[string]Override
		want []string
	}{
		{"unknown id", map[string]Override{"C99": {Disabled: &off}}, []string{`"C99"`, "known rules: C1, C2, C3"}},
		{"term on hold", map[string]Override{"C2": {Term: &oneYear}}, []string{"C2", "hold rule has no term"}},
		{"term on transfer", map[string]Override{"S8": {Term: &oneYear}}, []string{"S8", "transfer rule has no term"}},
		{"bad term", map[string]Override{"C1": {Term: &Term{N: 1, Unit: 'x'}}}, []string{"C1", "not a term"}},
	}
	for _, c := range errCases {
		_, err := p.WithOverrides(c.ov)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

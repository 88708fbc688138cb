package plan

import (
	"fmt"
	"strings"
	"sync"

	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/agent/operators"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/export"
)

// What an earlier apply did to an export row, the next plan sees in the
// file: a field rewritten by its operator (a token, a blank, a year, a
// postcode's four digits, a mask) holds no personal data in the clear, and
// is decided as if it were empty, so that it is not planned again; a
// subject column rewritten into a token still ties the row to its subject,
// through the keyed token of each registry id (or name).

// rowState is what a Planner works out once per run for export rows: each
// store's operators and, per subject type and token prefix, the subjects
// by token.
type rowState struct {
	mu     sync.Mutex
	ops    map[string]operators.Set
	tokens map[string]map[string][]*rules.Subject // key/type/field/prefix -> token -> subjects
}

// operatorsOf returns st's operator set, or nil if its config does not
// parse (pipeline refuses such a config before planning).
func (r *rowState) operatorsOf(st Store) operators.Set {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.ops[st.Name]; ok {
		return s
	}
	s, err := operators.Parse(st.Operators)
	if err != nil {
		s = nil
	}
	if r.ops == nil {
		r.ops = map[string]operators.Set{}
	}
	r.ops[st.Name] = s
	return s
}

// liveFields returns the field kinds of row that are still to be decided:
// every field with a value, except those whose value is already its
// operator's output (operators.Set.Done). A row whose every due field is
// done is kept like a row whose due fields are empty.
func (p *Planner) liveFields(st Store, row *scanners.Row) []rules.Field {
	ops := p.rows.operatorsOf(st)
	out := make([]rules.Field, 0, len(row.Fields))
	for i, f := range row.Fields {
		if ops != nil && i < len(row.Values) && ops.Done(st.Rows.Subject, f, row.Values[i]) {
			continue
		}
		out = append(out, rules.Field(f))
	}
	return out
}

// subjectField is the field kind of the subject column: the name for a
// profile that ties rows by name, the id otherwise. Its tokens have the
// subject type's prefix (KIND-3F9A2C4B).
func (spec *RowSpec) subjectField() string {
	if spec.ByName {
		return export.FieldName
	}
	return export.FieldID
}

// bySubjectToken ties a row whose subject column holds v, a token of the
// subject column's prefix, to the registry subject whose id (or name) has
// that token under the planner's pseudonym key. isToken is false if v is
// not such a token: the caller's own message then stands.
func (p *Planner) bySubjectToken(spec *RowSpec, v string) (subj *rules.Subject, why rules.Text, isToken bool) {
	field := spec.subjectField()
	prefix := operators.TokenPrefix(spec.Subject, field)
	if !strings.HasPrefix(v, prefix+"-") || !pseudonym.IsToken(v) {
		return nil, rules.Text{}, false
	}
	if spec.Pseudonyms == nil {
		return nil, msgRowTokenNoKey.with(spec.Subject), true
	}
	found := p.rows.subjectsByToken(p.Subjects, spec.Pseudonyms, spec.Subject, field, prefix)[v]
	switch len(found) {
	case 0:
		return nil, msgRowTokenNotFound.with(spec.Subject), true
	case 1:
		return found[0], rules.Text{}, true
	}
	return nil, msgAmbiguous.with(spec.Subject, len(found)), true
}

// subjectsByToken returns the subjects of type t by the token of their id
// (field id) or name (field name) under prefix and key k, made once per
// run.
func (r *rowState) subjectsByToken(ix *classify.Index, k *pseudonym.Keyed, t rules.SubjectType, field, prefix string) map[string][]*rules.Subject {
	key := fmt.Sprintf("%p/%s/%s/%s", k, t, field, prefix)
	r.mu.Lock()
	defer r.mu.Unlock()
	if m, ok := r.tokens[key]; ok {
		return m
	}
	m := map[string][]*rules.Subject{}
	for _, s := range ix.OfType(t) {
		forms := []string{s.ID}
		if field == export.FieldName {
			forms = nameForms(s.Name)
		}
		seen := map[string]bool{}
		for _, f := range forms {
			v, err := k.ApplyWithPrefix(prefix, pseudonym.Pseudonym, 0, pseudonym.Field(field), pseudonym.StringValue(f))
			if tok := v.Text(); err == nil && tok != "" && !seen[tok] {
				seen[tok] = true
				m[tok] = append(m[tok], s)
			}
		}
	}
	if r.tokens == nil {
		r.tokens = map[string]map[string][]*rules.Subject{}
	}
	r.tokens[key] = m
	return m
}

// nameForms are the ways an export may write a registry name: as the
// registry writes it, and with the surname moved ("Jansen, Piet" and "Piet
// Jansen"). Tokens fold case, white space and diacritics, not word order:
// a name written otherwise in the export is reviewed once its column is
// pseudonymised.
func nameForms(name string) []string {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return nil
	}
	forms := []string{name}
	if last, first, ok := strings.Cut(name, ","); ok {
		if f := strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last)); f != "" {
			forms = append(forms, f)
		}
	} else if first, rest, ok := strings.Cut(name, " "); ok {
		forms = append(forms, rest+", "+first)
	}
	return forms
}

var (
	msgRowTokenNotFound = message{
		EN: "the subject column of this row holds a pseudonym (an earlier apply replaced the {type}'s number or name) that matches no {type} in the registry: check the registry export",
		NL: "de kolom van de betrokkene ({type}) bevat in deze regel een pseudoniem (een eerdere uitvoering verving de waarde) dat bij niemand in de registratie past: controleer de export van de registratie",
	}
	msgRowTokenNoKey = message{
		EN: "the subject column of this row holds a pseudonym (an earlier apply replaced the {type}'s number or name): it can be tied to its {type} only with the pseudonym key (pseudonym_key_file)",
		NL: "de kolom van de betrokkene ({type}) bevat in deze regel een pseudoniem (een eerdere uitvoering verving de waarde): alleen met de pseudoniemsleutel (pseudonym_key_file) te koppelen",
	}
)

package plan

import (
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// RowSpec says, for an export store, whose rows it holds and what kind of
// record they are: the export profile's subject type, how the subject
// column names the subject, and the rows' category.
type RowSpec struct {
	Subject  rules.SubjectType
	ByName   bool
	Category rules.Category
	// Pseudonyms is the organisation's pseudonym key. With it, a row
	// whose subject column an earlier apply pseudonymised is tied to its
	// subject by the token (rowdone.go); without it, such a row is
	// reviewed.
	Pseudonyms *pseudonym.Keyed
}

// FieldItem is the decision on one field of an export row, for the plan
// and the report: which fields go, which stay, and why.
type FieldItem struct {
	Field  string       `json:"field"`
	Action rules.Action `json:"action"`
	Due    string       `json:"due,omitempty"`
	Rule   string       `json:"rule,omitempty"`
	Reason string       `json:"reason"`
}

// decideRow ties an export row to its subject and decides it, field by
// field.
func (p *Planner) decideRow(st Store, rec scanners.Record) decided {
	spec := st.Rows
	if spec == nil || rec.Row == nil {
		return decided{d: review(msgNoLayout)}
	}
	out := decided{category: spec.Category}
	var subj *rules.Subject
	var why rules.Text
	switch v := strings.TrimSpace(rec.Row.Subject); {
	case v == "":
		why = msgRowNoSubject
	case spec.ByName:
		found := p.Subjects.ByName(spec.Subject, v)
		switch len(found) {
		case 0:
			why = msgNameNotFound.with(spec.Subject)
		case 1:
			subj = found[0]
		default:
			why = msgAmbiguous.with(spec.Subject, len(found))
		}
	default:
		if subj = p.Subjects.ByID(spec.Subject, v); subj == nil {
			why = msgRowIDNotFound.with(spec.Subject)
		}
	}
	if v := strings.TrimSpace(rec.Row.Subject); subj == nil && v != "" {
		if s, w, isToken := p.bySubjectToken(spec, v); isToken {
			subj, why = s, w
		}
	}
	if subj == nil {
		out.d = review(why)
		return out
	}
	return p.decideRowOf(st, rec, subj, spec.Category)
}

// decideRowOf decides an export row of st as a record of subj in category
// c, field by field. Fields an earlier apply already rewrote are decided
// as empty (liveFields).
func (p *Planner) decideRowOf(st Store, rec scanners.Record, subj *rules.Subject, c rules.Category) decided {
	out := decided{category: c, subject: subj}
	f := rules.Facts{
		Subject:  subj,
		Category: c,
		PathDate: parseRowDate(rec.Row.Date),
		ModDate:  rules.DateIn(rec.ModTime, p.Location),
		Erasure:  p.erasure(subj),
	}
	rd := rules.EvaluateRow(p.Policy, f, p.liveFields(st, rec.Row), p.AsOf)
	out.d = rd.Decision
	out.fields = rd.Fields
	return out
}

// parseRowDate reads a row's date as exports write it: ISO (with or
// without a time) or Dutch d-m-yyyy. An unreadable date is unknown, and
// the rules fall back to the file's modification date, which is never
// earlier than the row.
func parseRowDate(s string) rules.Date {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i]
	}
	for _, layout := range []string{"2006-01-02", "2-1-2006", "2/1/2006", "2.1.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return rules.DateIn(t, time.UTC)
		}
	}
	return rules.Date{}
}

var msgRowIDNotFound = message{
	EN: "the {type} number in this row is not in the registry: check the number or the registry export",
	NL: "het nummer ({type}) in deze regel staat niet in de registratie: controleer het nummer of de export",
}

var msgRowNoSubject = rules.Text{
	EN: "the row's subject column is empty: it cannot be tied to a person",
	NL: "de kolom van de betrokkene is leeg in deze regel: niet aan een persoon te koppelen",
}

// invalidText warns that a row's field holds no valid identifier of its
// kind: the profile may map the wrong column.
func invalidText(field, lang string) string {
	name := rules.FieldName(rules.Field(field), lang)
	if lang == "nl" {
		return name + ": de waarde doorstaat de controle niet (zoals de elfproef); klopt de kolomindeling van het exportprofiel?"
	}
	return name + ": the value fails its check (such as the 11-test); does the export profile map the right column?"
}

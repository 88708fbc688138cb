// Package operators holds what becomes of the fields of export rows: the
// operator an export store applies to each field kind (pseudonym, redact,
// generalise, mask, scan), the token prefix of each field of each subject
// type, the one function that replaces a cell, and the test that tells a
// field already replaced (Set.Done), which plan and apply's re-check use so
// that a rewritten row is not planned again.
package operators

import (
	"fmt"
	"sort"
	"strings"

	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/ids"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/export"
)

// FieldOp is how one field kind of an export is pseudonymised.
type FieldOp struct {
	Op   pseudonym.Operator
	Keep int // characters a mask keeps
	// Scan, for free text (notes, health), keeps the text and replaces
	// only the identifiers found in it (BSN, IBAN, postcode, phone,
	// e-mail) by keyed tokens: the operator "scan".
	Scan bool
}

// Set is an export store's operators: one FieldOp per field kind.
type Set map[string]FieldOp

// Scan is the operator that pseudonymises identifiers inside free text.
const Scan = "scan"

// scannable are the field kinds that hold free text.
var scannable = map[string]bool{export.FieldNotes: true, export.FieldHealth: true}

// defaultOps follow C24: what lets statistics still join up (a person's
// name, number or BSN) becomes a stable keyed token; what still says
// something coarse (year of birth, the postcode's four digits) is
// generalised; everything else is blanked.
var defaultOps = map[string]string{
	export.FieldName: "pseudonym", export.FieldID: "pseudonym", export.FieldBSN: "pseudonym",
	export.FieldBirthDate: "generalise", export.FieldPostcode: "generalise",
}

// Parse returns the operator of every field kind: the config's choice
// (field kind -> "pseudonym", "redact", "generalise", "mask[:N]" or, for
// notes and health, "scan") or the default. An unknown field kind, an
// unknown operator or one that does not fit its field (generalising a
// name) is an error naming the field.
func Parse(config map[string]string) (Set, error) {
	out := Set{}
	for _, f := range export.FieldKinds {
		s := defaultOps[f]
		if s == "" {
			s = "redact"
		}
		if c, ok := config[f]; ok {
			s = c
		}
		if s == Scan {
			if !scannable[f] {
				return nil, fmt.Errorf("operators.%s: scan is for free text (notes, health)", f)
			}
			out[f] = FieldOp{Scan: true}
			continue
		}
		op, keep, err := pseudonym.ParseOperator(s)
		if err == nil {
			err = pseudonym.CheckOperator(op, keep, pseudonym.Field(f))
		}
		if err != nil {
			return nil, fmt.Errorf("operators.%s: %v", f, err)
		}
		out[f] = FieldOp{Op: op, Keep: keep}
	}
	var unknown []string
	for f := range config {
		if _, ok := out[f]; !ok {
			unknown = append(unknown, f)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("operators.%s: not a field kind; use one of %v", unknown[0], export.FieldKinds)
	}
	return out, nil
}

// TokenPrefix is the prefix of a token for a field of a row of subject
// type t: names and numbers say whose they were (KIND-3F9A2C4B), so that
// the same child gets the same token in every export.
func TokenPrefix(t rules.SubjectType, field string) string {
	if field != export.FieldName && field != export.FieldID {
		return pseudonym.Field(field).Prefix()
	}
	switch t {
	case rules.Child:
		return "KIND"
	case rules.Parent:
		return "OUDER"
	case rules.Employee:
		return "MEDEWERKER"
	case rules.Applicant:
		return "SOLLICITANT"
	case rules.Intern:
		return "STAGIAIR"
	case rules.Volunteer:
		return "VRIJWILLIGER"
	case rules.Participant:
		return "DEELNEMER"
	}
	return pseudonym.Field(field).Prefix()
}

func toValue(c export.Cell) pseudonym.Value {
	switch c.Kind {
	case export.String:
		return pseudonym.StringValue(c.S)
	case export.Number:
		return pseudonym.NumberValue(c.N)
	case export.Date:
		return pseudonym.DateValue(c.T)
	case export.Bool:
		return pseudonym.BoolValue(c.B)
	case export.Formula:
		return pseudonym.FormulaValue(c.S)
	}
	return pseudonym.Value{}
}

// toCell turns an operator's result into a cell: Empty or a String, never
// a formula.
func toCell(v pseudonym.Value) export.Cell {
	if v.IsEmpty() {
		return export.Cell{Kind: export.Empty}
	}
	return export.Cell{Kind: export.String, S: v.Text()}
}

// scanText replaces every identifier in free text by a keyed token of its
// kind (BSN-…, IBAN-…, PC-…, TEL-…, EMAIL-…), so that a note stays
// readable without the identifiers in it.
func scanText(k *pseudonym.Keyed, text string) string {
	return ids.Replace(text, func(m ids.Match, s string) string {
		canon, ok := ids.Canonical(m.Kind, s)
		if !ok {
			canon = s
		}
		return k.Token(scanPrefix[m.Kind], canon)
	})
}

var scanPrefix = map[ids.Kind]string{ids.BSN: "BSN", ids.IBAN: "IBAN", ids.Postcode: "PC", ids.Phone: "TEL", ids.Email: "EMAIL"}

// Cell applies field's operator to one cell of an export row of subject
// type t: the one place where a cell's value is replaced, for apply and
// the benchmarks alike. The result is Empty or a String, never a formula.
func (s Set) Cell(k *pseudonym.Keyed, t rules.SubjectType, field string, c export.Cell) (export.Cell, error) {
	op := s[field]
	if op.Scan {
		if c.Kind != export.String {
			return c, nil
		}
		return export.Cell{Kind: export.String, S: scanText(k, c.S)}, nil
	}
	if c.Kind == export.String {
		// Every CSV cell: the operator on the text, without the
		// conversions to and from a Value (toCell's rule kept).
		out, err := k.ApplyText(TokenPrefix(t, field), op.Op, op.Keep, pseudonym.Field(field), c.S)
		if err != nil {
			return c, err
		}
		if strings.TrimSpace(out) == "" {
			return export.Cell{Kind: export.Empty}, nil
		}
		return export.Cell{Kind: export.String, S: out}, nil
	}
	v, err := k.ApplyWithPrefix(TokenPrefix(t, field), op.Op, op.Keep, pseudonym.Field(field), toValue(c))
	if err != nil {
		return c, err
	}
	return toCell(v), nil
}

// Done reports whether value, the text of a field of kind field in a row
// of subject type t as an export store lists it, is already what the
// field's operator makes of it: then the field holds nothing the operator
// would still take away, and plan decides the row as if the field were
// empty. The rule is the operator's own, never another's (a year is done
// in a birth date that is generalised, not in a name; four stars in a
// masked field, not in a pseudonymised one):
//
//   - an empty or blank value is done, whatever the operator;
//   - pseudonym, redact, generalise and mask: pseudonym.IsOutput, with the
//     token prefix of the field for this subject type (TokenPrefix), so a
//     child's name is done as KIND-3F9A2C4B, not as OUDER-3F9A2C4B;
//   - scan: free text in which no identifier is found (ids.Find), as scan
//     leaves it.
//
// A field kind the set does not know is never done.
func (s Set) Done(t rules.SubjectType, field, value string) bool {
	if strings.TrimSpace(value) == "" {
		return true
	}
	op, ok := s[field]
	switch {
	case !ok:
		return false
	case op.Scan:
		return len(ids.Find(value)) == 0
	}
	return pseudonym.IsOutput(op.Op, op.Keep, pseudonym.Field(field), TokenPrefix(t, field), pseudonym.StringValue(value))
}

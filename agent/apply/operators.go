package apply

import (
	"github.com/retentiond/retentiond/agent/operators"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/export"
)

// FieldOp is how one field kind of an export is pseudonymised (see
// package operators).
type FieldOp = operators.FieldOp

// Scan is the operator that pseudonymises identifiers inside free text.
const Scan = operators.Scan

// Operators returns the operator of every field kind: the config's choice
// or the default (operators.Parse).
func Operators(config map[string]string) (map[string]FieldOp, error) {
	return operators.Parse(config)
}

// PseudonymiseCell applies field's operator to one cell of an export row
// of subject type t (operators.Set.Cell). The result is Empty or a String,
// never a formula.
func PseudonymiseCell(k *pseudonym.Keyed, t rules.SubjectType, ops map[string]FieldOp, field string, c export.Cell) (export.Cell, error) {
	return operators.Set(ops).Cell(k, t, field, c)
}

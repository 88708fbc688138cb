package export

import (
	"fmt"
	"slices"
	"strings"
)

// Profile says how to read one kind of export: whose rows they are, what
// category of data they hold and which column holds what.
//
// The built-in profiles (Builtin) guess their column headers from the
// fields the source policies list; they are assumptions to check against a
// real export (see PROFILES.md). A config can describe its own.
type Profile struct {
	// Name identifies the profile in configs and errors.
	Name string
	// Subject is the type of person each row is about: child, parent,
	// employee, applicant, intern, volunteer or participant.
	Subject string
	// SubjectBy says what the subject column holds: "id" (an
	// administration or personnel number) or "name".
	SubjectBy string
	// SubjectColumn is the header of the column that identifies the
	// subject.
	SubjectColumn string
	// Category is the category of the rows (diary, photo, consent,
	// child-dossier, financial, contract, roster-account, personnel-file,
	// ...), as the policy names categories.
	Category string
	// DateColumn is the header of the column a row's retention clock runs
	// from (a diary entry's date, a photo's date, an invoice's date); ""
	// when the clock runs from a lifecycle event of the subject instead.
	DateColumn string
	// Fields maps a field kind (see FieldKinds) to the header of the
	// column holding it. Only these columns are ever changed by Rewrite.
	Fields map[string]string
	// Sheet names the one XLSX sheet to read; "" reads every sheet that
	// has the profile's headers.
	Sheet string
}

// Field kinds a profile can map to a column.
const (
	FieldName      = "name"
	FieldBSN       = "bsn"
	FieldAddress   = "address"
	FieldPostcode  = "postcode"
	FieldTown      = "town"
	FieldBirthDate = "birth_date"
	FieldIBAN      = "iban"
	FieldEmail     = "email"
	FieldPhone     = "phone"
	FieldHealth    = "health"
	FieldNotes     = "notes"
	FieldPhoto     = "photo"
	FieldID        = "id"
)

// FieldKinds lists the field kinds in the order Row.Fields and Rewrite use.
var FieldKinds = []string{
	FieldName, FieldBSN, FieldAddress, FieldPostcode, FieldTown, FieldBirthDate,
	FieldIBAN, FieldEmail, FieldPhone, FieldHealth, FieldNotes, FieldPhoto, FieldID,
}

// SubjectTypes lists the subject types a profile may name. It mirrors the
// config contract; scanners do not import the rules package.
var SubjectTypes = []string{"child", "parent", "employee", "applicant", "intern", "volunteer", "participant"}

// Validate checks that p is complete and uses only known subject types and
// field kinds. It has no side effects. Its error names the profile and the
// setting and says how to fix it.
func (p Profile) Validate() error {
	bad := func(key, msg, fix string) error {
		return fmt.Errorf("export profile %q: %s %s; fix: %s", p.Name, key, msg, fix)
	}
	if strings.TrimSpace(p.Name) == "" {
		return fmt.Errorf("export profile: name is missing; fix: give the profile a name")
	}
	if !slices.Contains(SubjectTypes, p.Subject) {
		return bad("subject", fmt.Sprintf("%q is not a subject type", p.Subject), "use one of "+strings.Join(SubjectTypes, ", "))
	}
	if p.SubjectBy != "id" && p.SubjectBy != "name" {
		return bad("subject_by", fmt.Sprintf("%q is neither id nor name", p.SubjectBy), `use "id" if the subject column holds a number from the administration, "name" if it holds the person's name`)
	}
	if strings.TrimSpace(p.SubjectColumn) == "" {
		return bad("subject_column", "is missing", "write the header of the column that identifies the person, as it appears in the export's first row")
	}
	if strings.TrimSpace(p.Category) == "" {
		return bad("category", "is missing", "name the category of the rows, such as diary, photo, consent or child-dossier")
	}
	if p.DateColumn != "" && strings.TrimSpace(p.DateColumn) == "" {
		return bad("date_column", "is blank", "write the date column's header, or leave the setting out")
	}
	seen := make(map[string]string, len(p.Fields))
	for _, kind := range p.fieldKinds() {
		header := p.Fields[kind]
		if !slices.Contains(FieldKinds, kind) {
			return bad("fields."+kind, "is not a field kind", "use one of "+strings.Join(FieldKinds, ", "))
		}
		if strings.TrimSpace(header) == "" {
			return bad("fields."+kind, "names no column", "write the column's header as it appears in the export's first row")
		}
		key := normHeader(header)
		if other, dup := seen[key]; dup {
			return bad("fields."+kind, fmt.Sprintf("names the same column as fields.%s", other), "map each column to one field kind")
		}
		seen[key] = kind
	}
	return nil
}

// fieldKinds lists p's mapped field kinds: known kinds in FieldKinds order,
// then unknown ones sorted (Validate reports those).
func (p Profile) fieldKinds() []string {
	out := make([]string, 0, len(p.Fields))
	for _, k := range FieldKinds {
		if _, ok := p.Fields[k]; ok {
			out = append(out, k)
		}
	}
	var unknown []string
	for k := range p.Fields {
		if !slices.Contains(FieldKinds, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	return append(out, unknown...)
}

// headers lists every column header p needs, in a fixed order, for the
// check that a file has them.
func (p Profile) headers() []string {
	out := []string{p.SubjectColumn}
	if p.DateColumn != "" {
		out = append(out, p.DateColumn)
	}
	for _, k := range p.fieldKinds() {
		out = append(out, p.Fields[k])
	}
	return out
}

// normHeader is the form headers are compared in: exports differ in case
// and stray spaces, never in meaning.
func normHeader(h string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
}

package rules

import "sort"

// SubjectType is the kind of person a record is about.
type SubjectType string

// The subject types of the config contract.
const (
	Child       SubjectType = "child"
	Parent      SubjectType = "parent"
	Employee    SubjectType = "employee"
	Applicant   SubjectType = "applicant"
	Intern      SubjectType = "intern"
	Volunteer   SubjectType = "volunteer"
	Participant SubjectType = "participant"
)

// SubjectTypes lists every subject type, in the order reports show them.
var SubjectTypes = []SubjectType{Child, Parent, Employee, Applicant, Intern, Volunteer, Participant}

// Category is the kind of record, as configs and plans name it.
type Category string

// Categories lists every category a layout or rule may name (DESIGN.md).
// staff-account (S11), roster-account (V1) and child-administration (a
// child's row in an administration system's export: C1, with name and BSN
// under C5 and C6) are this project's additions.
var Categories = []Category{
	"child-dossier", "child-administration", "group-dossier", "contract", "financial", "health", "photo",
	"diary", "consent", "portal-account", "personnel-file", "payroll-tax",
	"payroll", "application", "internship", "volunteer", "participant",
	"backup", "log", "staff-account", "roster-account",
}

// IsCategory reports whether c is a known category.
func IsCategory(c Category) bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}

// Event names a date a retention clock can run from. Subject events come
// from registries; record events (RecordDate, FiscalYearEnd) from the record.
type Event string

// Events. EndEvent gives, per subject type, the event that ends the
// relationship; rules may name the generic "end" to mean that event.
const (
	EndOfCare             Event = "end_of_care"
	EndOfContract         Event = "end_of_contract"
	EndOfEmployment       Event = "end_of_employment"
	ProcedureClosed       Event = "procedure_closed"
	ConsentDate           Event = "consent_date"
	ConsentUntil          Event = "consent_until"
	EndOfInternship       Event = "end_of_internship"
	Departure             Event = "departure"
	EndOfAgreement        Event = "end_of_agreement"
	Deregistration        Event = "deregistration"
	PhotoConsentWithdrawn Event = "photo_consent_withdrawn"
	BirthDate             Event = "birth_date"
	End                   Event = "end"         // the subject type's own end event
	RecordDate            Event = "record_date" // a date in the record's path, else its modification date
	FiscalYearEnd         Event = "fiscal_year_end"
)

// EndEvent is the event that ends each subject type's relationship with the
// organisation.
var EndEvent = map[SubjectType]Event{
	Child:       EndOfCare,
	Parent:      EndOfContract,
	Employee:    EndOfEmployment,
	Applicant:   ProcedureClosed,
	Intern:      EndOfInternship,
	Volunteer:   Departure,
	Participant: EndOfAgreement,
}

// Flags: yes/no facts of a subject.
const (
	WaitingList             = "waiting_list"
	TemporaryDeregistration = "temporary_deregistration"
	LabourConflict          = "labour_conflict"
	Hired                   = "hired"
	Consent                 = "consent" // derived: the applicant consented to longer keeping
)

// FactKind says how a registry column is read.
type FactKind int

// Fact kinds.
const (
	TextFact FactKind = iota
	DateFact
	FlagFact
)

// SubjectFacts lists, per subject type, the registry columns a config may map
// and how each is read. id and name are common to all.
var SubjectFacts = map[SubjectType]map[string]FactKind{
	Child: {"id": TextFact, "name": TextFact, "birth_date": DateFact, "end_of_care": DateFact,
		"waiting_list": FlagFact, "temporary_deregistration": FlagFact,
		"deregistration": DateFact, "photo_consent_withdrawn": DateFact},
	Parent: {"id": TextFact, "name": TextFact, "birth_date": DateFact, "end_of_contract": DateFact,
		"deregistration": DateFact},
	Employee: {"id": TextFact, "name": TextFact, "birth_date": DateFact, "end_of_employment": DateFact,
		"labour_conflict": FlagFact},
	Applicant: {"id": TextFact, "name": TextFact, "procedure_closed": DateFact,
		"consent_date": DateFact, "consent_until": DateFact, "hired": FlagFact},
	Intern:      {"id": TextFact, "name": TextFact, "end_of_internship": DateFact, "hired": FlagFact},
	Volunteer:   {"id": TextFact, "name": TextFact, "departure": DateFact},
	Participant: {"id": TextFact, "name": TextFact, "end_of_agreement": DateFact},
}

// FactNames returns the column keys a registry of subject type t may map,
// sorted, for error messages.
func FactNames(t SubjectType) []string {
	var out []string
	for k := range SubjectFacts[t] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Subject holds the lifecycle facts of one data subject, as read from a
// registry. Name is personal data: it may appear in plans and reports for
// the administrator, never in logs, errors or metrics.
type Subject struct {
	Type  SubjectType
	ID    string
	Name  string
	Dates map[Event]Date
	Flags map[string]bool
	// Recorded names the events the subject's registry has a column for.
	// An empty cell in such a column is a fact too: the event has not
	// happened (still in care, still employed), and a year in a folder
	// name must not stand in for it (evaluate.go, resolve).
	Recorded map[Event]bool
	// Source says where the facts came from without naming the person,
	// such as `registry "kinderen" row 12`.
	Source string
}

// Date returns the subject's date for event e, resolving End to the subject
// type's own end event.
func (s *Subject) Date(e Event) Date {
	if s == nil {
		return Date{}
	}
	if e == End {
		e = EndEvent[s.Type]
	}
	return s.Dates[e]
}

// Flag returns the subject's yes/no fact f. Consent is derived: an applicant
// consented if consent_date or consent_until is known.
func (s *Subject) Flag(f string) bool {
	if s == nil {
		return false
	}
	if f == Consent {
		return !s.Dates[ConsentDate].IsZero() || !s.Dates[ConsentUntil].IsZero()
	}
	return s.Flags[f]
}

// Facts is everything rule evaluation knows about one record.
type Facts struct {
	// Subject is the person the record is about; nil when the record could
	// not be tied to exactly one subject.
	Subject *Subject
	// Category is the kind of record, from the store's layout.
	Category Category
	// PathDate is a date found in the record's path ({date}), such as a
	// photo's or a diary entry's date; zero if none.
	PathDate Date
	// EndYear is the year found in the record's path ({end_year}), the year
	// a contract ended in a paper archive; 0 if none. Where the registry
	// has no end date, the clock runs from 31 December of that year.
	EndYear int
	// ModDate is the record's modification date in the organisation's zone.
	ModDate Date
	// Employee is the employee record a hired applicant or intern became,
	// set by the caller when exactly one is found; nil otherwise. A hired
	// person's record then follows the personnel-file rules (S8, S9).
	Employee *Subject
	// Erasure is the day an erasure request for the record's subject was
	// received (R2); zero if there is none. The request acts as a maximum
	// due that day: statutory minimums still win (erasure.go).
	Erasure Date
}

// Action is what the plan does with a record.
type Action string

// Actions, as plan.json names them.
const (
	Delete       Action = "delete"
	Pseudonymise Action = "pseudonymise"
	Review       Action = "review"
	Hold         Action = "hold"
	Keep         Action = "keep"
)

// Text is a message in the two languages reports are written in.
type Text struct {
	EN string `json:"en"`
	NL string `json:"nl"`
}

// In returns the text in lang ("nl" or "en"); English is the fallback.
func (t Text) In(lang string) string {
	if lang == "nl" && t.NL != "" {
		return t.NL
	}
	return t.EN
}

// Trigger is the event and date a decision's clock ran from.
type Trigger struct {
	Event Event `json:"event"`
	Date  Date  `json:"date"`
}

// Decision is the outcome of evaluating one record against a policy.
type Decision struct {
	Action  Action
	Due     Date     // the date the record became or becomes due; zero if unknown
	Rule    string   // id of the deciding rule, such as "C1"; "" if none
	Trigger *Trigger // nil if no date is known
	Reason  Text     // why, for the administrator
	Basis   Text     // the legal basis or policy source of the deciding rule
	// Considered lists every rule that applied, with what it said, so that
	// `retentiond explain` can show the whole reasoning.
	Considered []Text
}

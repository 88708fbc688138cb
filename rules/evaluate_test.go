package rules

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/evaluate.golden")

// evalCase is one record judged on one day. want, due and rule are checked
// explicitly, so that a wrong golden file cannot pass silently; the golden
// file adds the reasons.
type evalCase struct {
	name string
	ov   map[string]Override
	f    Facts
	asOf string
	want Action
	due  string
	rule string
	has  []string // substrings the English or Dutch reason must contain
}

func evalCases() []evalCase {
	child := func(facts ...string) *Subject { return subj(Child, facts...) }
	emp := func(facts ...string) *Subject { return subj(Employee, facts...) }
	cared := child("end_of_care=2024-03-15")
	c21 := enable("C21")
	return []evalCase{
		// C1: child dossier, 2 years after end of care.
		{name: "C1 day before due", f: rec("child-dossier", cared), asOf: "2026-03-14", want: Keep, due: "2026-03-15", rule: "C1",
			has: []string{"child dossier: 2 years after end of care (2024-03-15)", "kinddossier: 2 jaar na einde opvang (15-03-2024)"}},
		{name: "C1 due day", f: rec("child-dossier", cared), asOf: "2026-03-15", want: Delete, due: "2026-03-15", rule: "C1"},
		{name: "C1 still in care", f: rec("child-dossier", child()), asOf: "2030-01-01", want: Keep, due: "", rule: "C1",
			has: []string{"no end of care known yet (still in care)", "nog geen einde opvang bekend (nog in opvang)"}},
		{name: "C1 year only, day before", f: rec("child-dossier", child(), endYear(2022)), asOf: "2024-12-30", want: Keep, due: "2024-12-31", rule: "C1",
			has: []string{"year only: counted from 31 December"}},
		{name: "C1 year only, due day", f: rec("child-dossier", child(), endYear(2022)), asOf: "2024-12-31", want: Delete, due: "2024-12-31", rule: "C1"},
		{name: "C1 known end beats year in path", f: rec("child-dossier", child("end_of_care=2022-05-01"), endYear(2022)), asOf: "2024-05-01", want: Delete, due: "2024-05-01", rule: "C1"},
		// The registry knows better than a folder name (RETENTION-RULES.md,
		// "Dates and arithmetic"): a registry that records end dates and
		// shows none, or a different year, never lets a folder year delete.
		{name: "C1 back in care: registry shows no end, folder year ignored", f: rec("child-dossier", recorded(child()), endYear(2022)), asOf: "2026-01-01", want: Review, due: "", rule: "C1",
			has: []string{"registry shows no end of care", "registratie"}},
		{name: "C1 registry end earlier than folder year", f: rec("child-dossier", recorded(child("end_of_care=2020-05-01")), endYear(2022)), asOf: "2023-01-01", want: Review, due: "", rule: "C1",
			has: []string{"2022"}},
		{name: "C1 registry end later than folder year wins", f: rec("child-dossier", recorded(child("end_of_care=2024-05-01")), endYear(2022)), asOf: "2025-01-01", want: Keep, due: "2026-05-01", rule: "C1"},
		{name: "C1 registry end in folder year", f: rec("child-dossier", recorded(child("end_of_care=2022-05-01")), endYear(2022)), asOf: "2024-05-01", want: Delete, due: "2024-05-01", rule: "C1"},
		{name: "C3 contract, still in care, folder year ignored", f: rec("contract", recorded(child()), endYear(2018)), asOf: "2026-01-01", want: Review, due: "", rule: "C3"},
		{name: "S1 still employed, folder year ignored", f: rec("personnel-file", recorded(emp()), endYear(2019)), asOf: "2026-01-01", want: Review, due: "", rule: "S1",
			has: []string{"registry shows no end of employment"}},
		{name: "S4 fiscal year from folder year, still employed", f: rec("payroll", recorded(emp()), endYear(2019)), asOf: "2026-12-31", want: Delete, due: "2026-12-31", rule: "S4"},
		{name: "C1 term overridden to 1y", ov: withTerm("C1", "1y"), f: rec("child-dossier", cared), asOf: "2025-03-15", want: Delete, due: "2025-03-15", rule: "C1"},

		// C2: hold while on the waiting list or deregistered temporarily.
		{name: "C2 waiting list, day before due", f: rec("child-dossier", child("end_of_care=2024-03-15", "waiting_list")), asOf: "2026-03-14", want: Keep, due: "2026-03-15", rule: "C1"},
		{name: "C2 waiting list, due day", f: rec("child-dossier", child("end_of_care=2024-03-15", "waiting_list")), asOf: "2026-03-15", want: Hold, due: "2026-03-15", rule: "C2",
			has: []string{"waiting list", "wachtlijst"}},
		{name: "C2 temporary deregistration, due day", f: rec("child-dossier", child("end_of_care=2024-03-15", "temporary_deregistration")), asOf: "2026-03-15", want: Hold, due: "2026-03-15", rule: "C2",
			has: []string{"deregistered the child temporarily"}},
		{name: "C2 does not hold health data", f: rec("health", child("end_of_care=2024-03-15", "waiting_list")), asOf: "2025-03-15", want: Delete, due: "2025-03-15", rule: "C11"},

		// C3: contracts, statutory minimum of 7 years.
		{name: "C3 child contract day before end", f: rec("contract", cared), asOf: "2031-03-14", want: Keep, due: "2031-03-15", rule: "C3"},
		{name: "C3 child contract end day", f: rec("contract", cared), asOf: "2031-03-15", want: Delete, due: "2031-03-15", rule: "C3",
			has: []string{"kept only as long as the statutory duty requires (S5)"}},
		{name: "C3 parent contract day before end", f: rec("contract", subj(Parent, "end_of_contract=2019-01-31")), asOf: "2026-01-30", want: Keep, due: "2026-01-31", rule: "C3"},
		{name: "C3 parent contract end day", f: rec("contract", subj(Parent, "end_of_contract=2019-01-31")), asOf: "2026-01-31", want: Delete, due: "2026-01-31", rule: "C3"},
		{name: "C3 contract still running", f: rec("contract", child()), asOf: "2040-01-01", want: Keep, due: "", rule: "C3"},
		{name: "C3 archive year only", f: rec("contract", child(), endYear(2018)), asOf: "2025-12-31", want: Delete, due: "2025-12-31", rule: "C3"},

		// C4: financial transactions, statutory minimum of 7 years.
		{name: "C4 day before end", f: rec("financial", subj(Parent, "end_of_contract=2019-02-28")), asOf: "2026-02-27", want: Keep, due: "2026-02-28", rule: "C4"},
		{name: "C4 end day", f: rec("financial", subj(Parent, "end_of_contract=2019-02-28")), asOf: "2026-02-28", want: Delete, due: "2026-02-28", rule: "C4"},

		// C9, C10: portal photos and diary, 3 months after their date.
		{name: "C9 day before due", f: rec("photo", child(), pathDate("2025-01-10")), asOf: "2025-04-09", want: Keep, due: "2025-04-10", rule: "C9"},
		{name: "C9 due day", f: rec("photo", child(), pathDate("2025-01-10")), asOf: "2025-04-10", want: Delete, due: "2025-04-10", rule: "C9",
			has: []string{"date in the path"}},
		{name: "C9 modification date, 31 Jan + 3m", f: rec("photo", child(), modDate("2025-01-31")), asOf: "2025-04-30", want: Delete, due: "2025-04-30", rule: "C9",
			has: []string{"modification date"}},
		{name: "calendar 31 March + 1m, day before", ov: withTerm("C9", "1m"), f: rec("photo", child(), pathDate("2025-03-31")), asOf: "2025-04-29", want: Keep, due: "2025-04-30", rule: "C9"},
		{name: "calendar 31 March + 1m, due day", ov: withTerm("C9", "1m"), f: rec("photo", child(), pathDate("2025-03-31")), asOf: "2025-04-30", want: Delete, due: "2025-04-30", rule: "C9"},
		{name: "C10 day before due", f: rec("diary", child(), pathDate("2025-02-15")), asOf: "2025-05-14", want: Keep, due: "2025-05-15", rule: "C10"},
		{name: "C10 due day", f: rec("diary", child(), pathDate("2025-02-15")), asOf: "2025-05-15", want: Delete, due: "2025-05-15", rule: "C10"},

		// C11: health data, 1 year after end of care.
		{name: "C11 day before due", f: rec("health", cared), asOf: "2025-03-14", want: Keep, due: "2025-03-15", rule: "C11"},
		{name: "C11 due day", f: rec("health", cared), asOf: "2025-03-15", want: Delete, due: "2025-03-15", rule: "C11"},

		// C12 (Kangoeroe): off in the built-in policy.
		{name: "C12 off: dossier follows C1", f: rec("child-dossier", cared), asOf: "2024-03-16", want: Keep, due: "2026-03-15", rule: "C1"},
		{name: "C12 off: consent has no rule", f: rec("consent", cared), asOf: "2024-03-16", want: Review, due: "", rule: "",
			has: []string{"no rule for category consent"}},
		{name: "C12 on: last day of care", ov: enable("C12"), f: rec("child-dossier", cared), asOf: "2024-03-15", want: Keep, due: "2024-03-16", rule: "C12"},
		{name: "C12 on: day after last day", ov: enable("C12"), f: rec("child-dossier", cared), asOf: "2024-03-16", want: Delete, due: "2024-03-16", rule: "C12",
			has: []string{"Changed by the organisation's policy"}},
		{name: "C12 on: consent, day before due", ov: enable("C12"), f: rec("consent", cared), asOf: "2024-03-15", want: Keep, due: "2024-03-16", rule: "C12"},
		{name: "C12 on: consent, due day", ov: enable("C12"), f: rec("consent", cared), asOf: "2024-03-16", want: Delete, due: "2024-03-16", rule: "C12"},
		{name: "C12 on: waiting list holds it", ov: enable("C12"), f: rec("child-dossier", child("end_of_care=2024-03-15", "waiting_list")), asOf: "2024-03-16", want: Hold, due: "2024-03-16", rule: "C2"},

		// C13: group dossier, gone the day after the last day of care.
		{name: "C13 last day of care", f: rec("group-dossier", cared), asOf: "2024-03-15", want: Keep, due: "2024-03-16", rule: "C13"},
		{name: "C13 day after", f: rec("group-dossier", cared), asOf: "2024-03-16", want: Delete, due: "2024-03-16", rule: "C13"},

		// C21 (Enjoy!/ROSA): off in the built-in policy.
		{name: "C21 off: contract follows C3 only", f: rec("contract", child("end_of_care=2024-06-30")), asOf: "2026-06-30", want: Keep, due: "2031-06-30", rule: "C3"},
		{name: "C21 off: consent has no rule", f: rec("consent", child("end_of_care=2024-06-30")), asOf: "2026-06-30", want: Review, rule: ""},
		{name: "C21 on: consent, day before due", ov: c21, f: rec("consent", child("end_of_care=2024-06-30")), asOf: "2026-06-29", want: Keep, due: "2026-06-30", rule: "C21"},
		{name: "C21 on: consent, due day", ov: c21, f: rec("consent", child("end_of_care=2024-06-30")), asOf: "2026-06-30", want: Delete, due: "2026-06-30", rule: "C21"},
		{name: "C21 on: contract before max", ov: c21, f: rec("contract", child("end_of_care=2024-06-30")), asOf: "2026-06-29", want: Keep, due: "2031-06-30", rule: "C3"},
		{name: "C21 on: contract max due, minimum holds", ov: c21, f: rec("contract", child("end_of_care=2024-06-30")), asOf: "2026-06-30", want: Hold, due: "2031-06-30", rule: "C3",
			has: []string{"due under C21 since 2026-06-30", "statutory minimum C3 keeps it until 2031-06-30", "verlopen onder C21 sinds 30-06-2026"}},
		{name: "C21 on: contract last day of minimum", ov: c21, f: rec("contract", child("end_of_care=2024-06-30")), asOf: "2031-06-29", want: Hold, due: "2031-06-30", rule: "C3"},
		{name: "C21 on: contract minimum end day", ov: c21, f: rec("contract", child("end_of_care=2024-06-30")), asOf: "2031-06-30", want: Delete, due: "2031-06-30", rule: "C21",
			has: []string{"statutory minimum C3 ended on 2031-06-30", "(S5)"}},
		{name: "C21 on: financial inside minimum", ov: c21, f: rec("financial", subj(Parent, "end_of_contract=2024-06-30")), asOf: "2027-01-01", want: Hold, due: "2031-06-30", rule: "C4"},
		{name: "C21 on: payroll-tax inside minimum", ov: c21, f: rec("payroll-tax", emp("end_of_employment=2024-06-30")), asOf: "2026-06-30", want: Hold, due: "2029-06-30", rule: "S3"},
		{name: "C21 on: payroll-tax minimum end day", ov: c21, f: rec("payroll-tax", emp("end_of_employment=2024-06-30")), asOf: "2029-06-30", want: Delete, due: "2029-06-30", rule: "C21"},
		{name: "C21 on: payroll before max", ov: c21, f: rec("payroll", emp("end_of_employment=2024-06-30"), pathDate("2023-05-01")), asOf: "2026-06-29", want: Keep, due: "2030-12-31", rule: "S4"},
		{name: "C21 on: payroll inside minimum", ov: c21, f: rec("payroll", emp("end_of_employment=2024-06-30"), pathDate("2023-05-01")), asOf: "2030-12-30", want: Hold, due: "2030-12-31", rule: "S4"},
		{name: "C21 on: payroll minimum end day", ov: c21, f: rec("payroll", emp("end_of_employment=2024-06-30"), pathDate("2023-05-01")), asOf: "2030-12-31", want: Delete, due: "2030-12-31", rule: "C21"},
		{name: "C21 on: payroll without a date, before max", ov: c21, f: rec("payroll", emp("end_of_employment=2024-06-30")), asOf: "2026-06-29", want: Keep, due: "", rule: "S4"},
		{name: "C21 on: payroll without a date, minimum never ends", ov: c21, f: rec("payroll", emp("end_of_employment=2024-06-30")), asOf: "2040-01-01", want: Hold, due: "", rule: "S4",
			has: []string{"keeps it until its end is known"}},
		{name: "C21 on: beats S2 for a labour conflict", ov: c21, f: rec("personnel-file", emp("end_of_employment=2024-06-30", "labour_conflict")), asOf: "2026-06-30", want: Delete, due: "2026-06-30", rule: "C21"},
		{name: "C21 on: ties with C1, first rule named", ov: c21, f: rec("child-dossier", cared), asOf: "2026-03-15", want: Delete, due: "2026-03-15", rule: "C1"},

		// C22: portal access, 2 months after deregistration, else the end.
		{name: "C22 child deregistration, day before", f: rec("portal-account", child("deregistration=2024-01-31", "end_of_care=2024-03-15")), asOf: "2024-03-30", want: Keep, due: "2024-03-31", rule: "C22"},
		{name: "C22 child deregistration, due day", f: rec("portal-account", child("deregistration=2024-01-31", "end_of_care=2024-03-15")), asOf: "2024-03-31", want: Delete, due: "2024-03-31", rule: "C22",
			has: []string{"after deregistration (2024-01-31)"}},
		{name: "C22 parent end of contract, day before", f: rec("portal-account", subj(Parent, "end_of_contract=2023-12-31")), asOf: "2024-02-28", want: Keep, due: "2024-02-29", rule: "C22"},
		{name: "C22 parent end of contract, due day", f: rec("portal-account", subj(Parent, "end_of_contract=2023-12-31")), asOf: "2024-02-29", want: Delete, due: "2024-02-29", rule: "C22"},
		{name: "C22 employee, due day", f: rec("portal-account", emp("end_of_employment=2024-08-31")), asOf: "2024-10-31", want: Delete, due: "2024-10-31", rule: "C22"},

		// C23: photos go when photo consent is withdrawn.
		// A 0d term runs out the day after its trigger date.
		{name: "C23 withdrawal day", f: rec("photo", child("photo_consent_withdrawn=2025-02-01"), pathDate("2025-01-10")), asOf: "2025-02-01", want: Keep, due: "2025-02-02", rule: "C23"},
		{name: "C23 day after withdrawal", f: rec("photo", child("photo_consent_withdrawn=2025-02-01"), pathDate("2025-01-10")), asOf: "2025-02-02", want: Delete, due: "2025-02-02", rule: "C23"},
		{name: "C1 overridden to 0d, last day of care", ov: withTerm("C1", "0d"), f: rec("child-dossier", cared), asOf: "2024-03-15", want: Keep, due: "2024-03-16", rule: "C1"},
		{name: "C1 overridden to 0d, day after", ov: withTerm("C1", "0d"), f: rec("child-dossier", cared), asOf: "2024-03-16", want: Delete, due: "2024-03-16", rule: "C1"},

		// S1, S2: personnel file.
		{name: "S1 day before due", f: rec("personnel-file", emp("end_of_employment=2023-09-30")), asOf: "2025-09-29", want: Keep, due: "2025-09-30", rule: "S1"},
		{name: "S1 due day", f: rec("personnel-file", emp("end_of_employment=2023-09-30")), asOf: "2025-09-30", want: Delete, due: "2025-09-30", rule: "S1"},
		{name: "S1 still employed", f: rec("personnel-file", emp()), asOf: "2030-01-01", want: Keep, due: "", rule: "S1",
			has: []string{"still employed"}},
		{name: "S2 labour conflict, past S1 term", f: rec("personnel-file", emp("end_of_employment=2023-09-30", "labour_conflict")), asOf: "2025-09-30", want: Keep, due: "2033-09-30", rule: "S2"},
		{name: "S2 day before due", f: rec("personnel-file", emp("end_of_employment=2023-09-30", "labour_conflict")), asOf: "2033-09-29", want: Keep, due: "2033-09-30", rule: "S2"},
		{name: "S2 due day", f: rec("personnel-file", emp("end_of_employment=2023-09-30", "labour_conflict")), asOf: "2033-09-30", want: Delete, due: "2033-09-30", rule: "S2"},

		// S3, S4: fiscal minimums.
		{name: "S3 day before end", f: rec("payroll-tax", emp("end_of_employment=2023-09-30")), asOf: "2028-09-29", want: Keep, due: "2028-09-30", rule: "S3"},
		{name: "S3 end day", f: rec("payroll-tax", emp("end_of_employment=2023-09-30")), asOf: "2028-09-30", want: Delete, due: "2028-09-30", rule: "S3"},
		{name: "S4 day before end", f: rec("payroll", emp(), pathDate("2022-03-01")), asOf: "2029-12-30", want: Keep, due: "2029-12-31", rule: "S4"},
		{name: "S4 end day", f: rec("payroll", emp(), pathDate("2022-03-01")), asOf: "2029-12-31", want: Delete, due: "2029-12-31", rule: "S4",
			has: []string{"fiscal year of the date in the path"}},
		{name: "S4 fiscal year from year in path", f: rec("payroll", emp(), endYear(2021)), asOf: "2028-12-31", want: Delete, due: "2028-12-31", rule: "S4"},
		{name: "S4 fiscal year from modification date", f: rec("payroll", emp(), modDate("2020-07-14")), asOf: "2027-12-30", want: Keep, due: "2027-12-31", rule: "S4"},

		// S6: applicants, 4 weeks after the procedure.
		{name: "S6 day before due", f: rec("application", subj(Applicant, "procedure_closed=2025-03-03")), asOf: "2025-03-30", want: Keep, due: "2025-03-31", rule: "S6"},
		{name: "S6 due day", f: rec("application", subj(Applicant, "procedure_closed=2025-03-03")), asOf: "2025-03-31", want: Delete, due: "2025-03-31", rule: "S6"},
		{name: "calendar 4w is 28 days", ov: withTerm("S6", "4w"), f: rec("application", subj(Applicant, "procedure_closed=2025-03-03")), asOf: "2025-03-31", want: Delete, due: "2025-03-31", rule: "S6"},

		// S7: consent to keep longer.
		{name: "S7 29 Feb + 1y, day before", f: rec("application", subj(Applicant, "procedure_closed=2024-02-20", "consent_date=2024-02-29")), asOf: "2025-02-27", want: Keep, due: "2025-02-28", rule: "S7"},
		{name: "S7 29 Feb + 1y, due day", f: rec("application", subj(Applicant, "procedure_closed=2024-02-20", "consent_date=2024-02-29")), asOf: "2025-02-28", want: Delete, due: "2025-02-28", rule: "S7"},
		{name: "S7 consent until, last day of consent", f: rec("application", subj(Applicant, "consent_until=2025-06-30")), asOf: "2025-06-30", want: Keep, due: "2025-07-01", rule: "S7"},
		{name: "S7 consent until, due day", f: rec("application", subj(Applicant, "consent_until=2025-06-30")), asOf: "2025-07-01", want: Delete, due: "2025-07-01", rule: "S7"},
		{name: "S7 both known, consent until earlier", f: rec("application", subj(Applicant, "consent_date=2024-05-01", "consent_until=2025-03-01")), asOf: "2025-03-02", want: Delete, due: "2025-03-02", rule: "S7",
			has: []string{"end of consent (2025-03-01)"}},
		{name: "S7 both known, consent date + 1y earlier", f: rec("application", subj(Applicant, "consent_date=2024-01-10", "consent_until=2025-12-31")), asOf: "2025-01-09", want: Keep, due: "2025-01-10", rule: "S7",
			has: []string{"consent date (2024-01-10)"}},
		{name: "S7 renewed consent date", f: rec("application", subj(Applicant, "procedure_closed=2024-01-05", "consent_date=2025-01-10")), asOf: "2025-06-01", want: Keep, due: "2026-01-10", rule: "S7"},
		{name: "S7 renewed consent, due day", f: rec("application", subj(Applicant, "procedure_closed=2024-01-05", "consent_date=2025-01-10")), asOf: "2026-01-10", want: Delete, due: "2026-01-10", rule: "S7"},

		// S8: a hired applicant's application joins the personnel file.
		{name: "S8 hired, not linked", f: rec("application", subj(Applicant, "procedure_closed=2024-01-05", "hired")), asOf: "2025-01-01", want: Review, rule: "S8",
			has: []string{"link the person in the employee registry"}},
		{name: "S8 hired, day before S1 due", f: rec("application", subj(Applicant, "procedure_closed=2020-01-05", "hired"), employee(emp("end_of_employment=2023-09-30"))), asOf: "2025-09-29", want: Keep, due: "2025-09-30", rule: "S1",
			has: []string{"hired: application data now part of the personnel file of the employee (S8)"}},
		{name: "S8 hired, S1 due day", f: rec("application", subj(Applicant, "procedure_closed=2020-01-05", "hired"), employee(emp("end_of_employment=2023-09-30"))), asOf: "2025-09-30", want: Delete, due: "2025-09-30", rule: "S1"},
		{name: "S8 hired, still employed, year in path ignored", f: rec("application", subj(Applicant, "hired"), endYear(2019), employee(emp())), asOf: "2030-01-01", want: Keep, due: "", rule: "S1"},

		// S9: intern data, gone the day after the internship.
		{name: "S9 last day of internship", f: rec("internship", subj(Intern, "end_of_internship=2025-06-30")), asOf: "2025-06-30", want: Keep, due: "2025-07-01", rule: "S9"},
		{name: "S9 day after", f: rec("internship", subj(Intern, "end_of_internship=2025-06-30")), asOf: "2025-07-01", want: Delete, due: "2025-07-01", rule: "S9"},
		{name: "S9 hired, not linked", f: rec("internship", subj(Intern, "end_of_internship=2025-06-30", "hired")), asOf: "2025-07-01", want: Review, rule: "S9"},
		{name: "S9 hired, linked, labour conflict", f: rec("internship", subj(Intern, "end_of_internship=2020-06-30", "hired"), employee(emp("end_of_employment=2023-09-30", "labour_conflict"))), asOf: "2033-09-30", want: Delete, due: "2033-09-30", rule: "S2"},

		// S10, S11: volunteers and staff accounts.
		{name: "S10 departure day", f: rec("volunteer", subj(Volunteer, "departure=2025-04-30")), asOf: "2025-04-30", want: Keep, due: "2025-05-01", rule: "S10"},
		{name: "S10 day after", f: rec("volunteer", subj(Volunteer, "departure=2025-04-30")), asOf: "2025-05-01", want: Delete, due: "2025-05-01", rule: "S10"},
		{name: "S11 employee last day", f: rec("staff-account", emp("end_of_employment=2025-01-31")), asOf: "2025-01-31", want: Keep, due: "2025-02-01", rule: "S11"},
		{name: "S11 employee day after", f: rec("staff-account", emp("end_of_employment=2025-01-31")), asOf: "2025-02-01", want: Delete, due: "2025-02-01", rule: "S11"},
		{name: "S11 intern day after", f: rec("staff-account", subj(Intern, "end_of_internship=2025-06-30")), asOf: "2025-07-01", want: Delete, due: "2025-07-01", rule: "S11"},
		{name: "S11 volunteer day after", f: rec("staff-account", subj(Volunteer, "departure=2025-04-30")), asOf: "2025-05-01", want: Delete, due: "2025-05-01", rule: "S11"},
		{name: "S11 hired intern goes to review", f: rec("staff-account", subj(Intern, "end_of_internship=2025-06-30", "hired")), asOf: "2025-07-01", want: Review, rule: ""},

		// V1, V3, V5: processors.
		{name: "V1 day before due", f: rec("roster-account", emp("end_of_employment=2024-01-31")), asOf: "2025-01-30", want: Keep, due: "2025-01-31", rule: "V1"},
		{name: "V1 due day", f: rec("roster-account", emp("end_of_employment=2024-01-31")), asOf: "2025-01-31", want: Delete, due: "2025-01-31", rule: "V1"},
		{name: "V3 parent log day before", f: rec("log", subj(Parent), pathDate("2022-05-10")), asOf: "2025-05-09", want: Keep, due: "2025-05-10", rule: "V3"},
		{name: "V3 parent log due day", f: rec("log", subj(Parent), pathDate("2022-05-10")), asOf: "2025-05-10", want: Delete, due: "2025-05-10", rule: "V3"},
		{name: "V3 child log by modification date", f: rec("log", child(), modDate("2022-05-10")), asOf: "2025-05-10", want: Delete, due: "2025-05-10", rule: "V3"},
		{name: "V3 log without any date", f: rec("log", emp()), asOf: "2025-05-10", want: Keep, due: "", rule: "V3",
			has: []string{"no date known for the record"}},
		{name: "V5 off: no rule", f: rec("participant", subj(Participant, "end_of_agreement=2025-01-31")), asOf: "2025-04-30", want: Review, rule: ""},
		{name: "V5 on: day before due", ov: enable("V5"), f: rec("participant", subj(Participant, "end_of_agreement=2025-01-31")), asOf: "2025-04-29", want: Keep, due: "2025-04-30", rule: "V5"},
		{name: "V5 on: due day", ov: enable("V5"), f: rec("participant", subj(Participant, "end_of_agreement=2025-01-31")), asOf: "2025-04-30", want: Delete, due: "2025-04-30", rule: "V5"},

		// Records nothing can be decided for.
		{name: "no subject", f: Facts{Category: "child-dossier", PathDate: mustDate("2020-01-01")}, asOf: "2030-01-01", want: Review, rule: "",
			has: []string{"not tied to exactly one subject"}},
		{name: "no rule for an employee's photo", f: rec("photo", emp("end_of_employment=2020-01-01")), asOf: "2030-01-01", want: Review, rule: "",
			has: []string{"no rule for category photo (photos) of an employee", "geen regel voor categorie photo (fotomateriaal) van een medewerker"}},
		{name: "only a hold applies", ov: map[string]Override{"C1": {Disabled: ptr(true)}}, f: rec("child-dossier", child("end_of_care=2020-01-01", "waiting_list")), asOf: "2030-01-01", want: Review, rule: ""},
	}
}

func ptr[T any](v T) *T { return &v }

func TestEvaluate(t *testing.T) {
	base := builtin(t)
	var golden bytes.Buffer
	golden.WriteString("# Generated by `go test ./rules -update`: the decision for each case of evalCases.\n")
	for _, c := range evalCases() {
		p := base
		if c.ov != nil {
			var err error
			if p, err = base.WithOverrides(c.ov); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		d := Explain(p, c.f, mustDate(c.asOf))
		if d.Action != c.want || d.Due != mustDate(c.due) || d.Rule != c.rule {
			t.Errorf("%s: got %s due %q rule %q, want %s due %q rule %q\n  reason: %s",
				c.name, d.Action, d.Due, d.Rule, c.want, c.due, c.rule, d.Reason.EN)
		}
		for _, s := range c.has {
			if !strings.Contains(d.Reason.EN, s) && !strings.Contains(d.Reason.NL, s) && !strings.Contains(d.Basis.EN, s) {
				t.Errorf("%s: reason lacks %q\n  EN: %s\n  NL: %s", c.name, s, d.Reason.EN, d.Reason.NL)
			}
		}
		checkShape(t, c.name, d)
		writeCase(&golden, c, d)
	}
	compareGolden(t, filepath.Join("testdata", "evaluate.golden"), golden.Bytes())
}

// checkShape asserts what holds for every decision, whatever the case.
func checkShape(t *testing.T, name string, d Decision) {
	t.Helper()
	if d.Reason.EN == "" || d.Reason.NL == "" || d.Reason.EN == d.Reason.NL {
		t.Errorf("%s: reason must be given in English and Dutch: %+v", name, d.Reason)
	}
	if d.Action != Review && (d.Rule == "" || d.Basis.EN == "" || d.Basis.NL == "" || len(d.Considered) == 0) {
		t.Errorf("%s: a decided record needs a rule, a basis and considered rules: %+v", name, d)
	}
	// A hold by a minimum whose end is unknown has no clock of its own.
	if (d.Action == Delete || d.Action == Hold && !d.Due.IsZero()) && d.Trigger == nil {
		t.Errorf("%s: %s without a trigger", name, d.Action)
	}
	if d.Trigger != nil && !strings.Contains(d.Reason.EN, d.Trigger.Date.String()) {
		t.Errorf("%s: reason %q does not show the trigger date %s", name, d.Reason.EN, d.Trigger.Date)
	}
}

func writeCase(w *bytes.Buffer, c evalCase, d Decision) {
	fmt.Fprintf(w, "\n## %s\n", c.name)
	fmt.Fprintf(w, "facts:    %s\n", describeFacts(c.f))
	if c.ov != nil {
		fmt.Fprintf(w, "override: %s\n", describeOverrides(c.ov))
	}
	fmt.Fprintf(w, "as of:    %s\n", c.asOf)
	fmt.Fprintf(w, "decision: %s", d.Action)
	if !d.Due.IsZero() {
		fmt.Fprintf(w, " due %s", d.Due)
	}
	if d.Rule != "" {
		fmt.Fprintf(w, " rule %s", d.Rule)
	}
	if d.Trigger != nil {
		fmt.Fprintf(w, " trigger %s %s", d.Trigger.Event, d.Trigger.Date)
	}
	fmt.Fprintf(w, "\nreason:   EN %s\n          NL %s\n", d.Reason.EN, d.Reason.NL)
	if strings.Contains(d.Basis.EN, "Changed by") {
		fmt.Fprintf(w, "basis:    EN %s\n", d.Basis.EN)
	}
	for _, l := range d.Considered {
		fmt.Fprintf(w, "  - EN %s\n    NL %s\n", l.EN, l.NL)
	}
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./rules -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run go test ./rules -update if the change is intended)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d (run go test ./rules -update if intended)", path, len(gl), len(wl))
	}
}

// Two statutory minimums on one record: the later end governs, and one
// with an unknown end keeps the record indefinitely. The built-in policy
// has no such pair, so a small policy of its own tests it.
func TestLatestMinimumGoverns(t *testing.T) {
	p, err := Parse("two-mins.yaml", []byte(`name: two-mins
rules:
  - {id: A, title: {en: a, nl: a}, subjects: [employee], categories: [payroll], trigger: end, term: 5y, kind: min}
  - {id: B, title: {en: b, nl: b}, subjects: [employee], categories: [payroll], trigger: record_date, term: 7y, kind: min}
  - {id: C, title: {en: c, nl: c}, subjects: [employee], categories: [payroll], trigger: end, term: 3y, kind: min}
`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		f    Facts
		asOf string
		want Action
		due  string
		rule string
	}{
		{"B ends last", rec("payroll", subj(Employee, "end_of_employment=2020-01-01"), pathDate("2019-06-01")), "2026-05-31", Keep, "2026-06-01", "B"},
		{"B end day", rec("payroll", subj(Employee, "end_of_employment=2020-01-01"), pathDate("2019-06-01")), "2026-06-01", Delete, "2026-06-01", "B"},
		{"A ends last", rec("payroll", subj(Employee, "end_of_employment=2020-01-01"), pathDate("2014-06-01")), "2024-12-31", Keep, "2025-01-01", "A"},
		{"unknown end blocks", rec("payroll", subj(Employee), pathDate("2014-06-01")), "2040-01-01", Keep, "", "A"},
	}
	for _, c := range cases {
		d := Explain(p, c.f, mustDate(c.asOf))
		if d.Action != c.want || d.Due != mustDate(c.due) || d.Rule != c.rule {
			t.Errorf("%s: got %s due %q rule %s, want %s due %q rule %s (%s)", c.name, d.Action, d.Due, d.Rule, c.want, c.due, c.rule, d.Reason.EN)
		}
	}
}

// TestEvaluateIsExplainWithoutConsidered guards the fast path the planner
// uses: it must decide exactly as Explain does.
func TestEvaluateIsExplainWithoutConsidered(t *testing.T) {
	base := builtin(t)
	for _, c := range evalCases() {
		p := base
		if c.ov != nil {
			var err error
			if p, err = base.WithOverrides(c.ov); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		got := Evaluate(p, c.f, mustDate(c.asOf))
		want := Explain(p, c.f, mustDate(c.asOf))
		if len(got.Considered) != 0 {
			t.Errorf("%s: Evaluate filled Considered", c.name)
		}
		want.Considered = nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Evaluate = %+v, Explain = %+v", c.name, got, want)
		}
	}
}

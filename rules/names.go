package rules

import "fmt"

// Events lists every event a rule may name as its trigger.
var Events = []Event{
	EndOfCare, EndOfContract, EndOfEmployment, ProcedureClosed, ConsentDate,
	ConsentUntil, EndOfInternship, Departure, EndOfAgreement, Deregistration,
	PhotoConsentWithdrawn, BirthDate, End, RecordDate, FiscalYearEnd, BackupDate,
}

// The words are those of the seed policies (kinddossier, contractgegevens,
// personeelsdossier, sollicitatiegegevens, dagboek …), so that an
// administrator recognises her own policy in the report.
var eventNames = map[Event]Text{
	EndOfCare:             {"end of care", "einde opvang"},
	EndOfContract:         {"end of contract", "einde contract"},
	EndOfEmployment:       {"end of employment", "uitdiensttreding"},
	ProcedureClosed:       {"end of the application procedure", "einde sollicitatieprocedure"},
	ConsentDate:           {"consent date", "datum toestemming"},
	ConsentUntil:          {"end of consent", "einde toestemming"},
	EndOfInternship:       {"end of internship", "einde stage"},
	Departure:             {"departure", "vertrek"},
	EndOfAgreement:        {"end of agreement", "einde overeenkomst"},
	Deregistration:        {"deregistration", "uitschrijving"},
	PhotoConsentWithdrawn: {"withdrawal of photo consent", "intrekking toestemming foto's"},
	BirthDate:             {"date of birth", "geboortedatum"},
	End:                   {"end of the relationship", "einde relatie"},
	RecordDate:            {"record date", "datum van het record"},
	FiscalYearEnd:         {"end of the fiscal year", "einde boekjaar"},
	BackupDate:            {"backup date", "datum van de back-up"},
	ErasureRequest:        {"erasure request", "verzoek tot verwijdering"},
}

// stillNames say what an unknown end date means, for "still in care".
var stillNames = map[Event]Text{
	EndOfCare:       {"still in care", "nog in opvang"},
	EndOfContract:   {"contract still running", "contract loopt nog"},
	EndOfEmployment: {"still employed", "nog in dienst"},
	ProcedureClosed: {"procedure still open", "procedure loopt nog"},
	EndOfInternship: {"internship still running", "stage loopt nog"},
	Departure:       {"still a volunteer", "nog vrijwilliger"},
	EndOfAgreement:  {"agreement still running", "overeenkomst loopt nog"},
}

var categoryNames = map[Category]Text{
	"child-dossier":        {"child dossier", "kinddossier"},
	"child-administration": {"child's data in the administration system", "kindgegevens in de administratie"},
	"group-dossier":        {"personal group dossier", "persoonlijk dossier op de groep"},
	"contract":             {"contract details", "contractgegevens"},
	"financial":            {"financial transactions", "financiële transacties/gegevens"},
	"health":               {"health data", "gezondheidsgegevens"},
	"photo":                {"photos", "fotomateriaal"},
	"diary":                {"diary entries", "dagboekgegevens"},
	"consent":              {"consents", "toestemmingen"},
	"portal-account":       {"parent-portal account", "account ouderportaal"},
	"personnel-file":       {"personnel file", "personeelsdossier"},
	"payroll-tax":          {"wage-tax declaration and copy of ID", "loonbelastingverklaring en kopie identiteitsbewijs"},
	"payroll":              {"payroll administration", "salarisadministratie"},
	"application":          {"application data", "sollicitatiegegevens"},
	"internship":           {"intern data and VOG", "gegevens stagiaire en VOG"},
	"volunteer":            {"volunteer data and VOG", "gegevens vrijwilliger en VOG"},
	"participant":          {"participant data", "deelnemersgegevens"},
	"backup":               {"backup", "back-up"},
	"log":                  {"log", "logbestand"},
	"staff-account":        {"staff e-mail or website account", "e-mail- of websiteaccount medewerker"},
	"roster-account":       {"Tactiplan account", "Tactiplan-account"},
}

var subjectNames = map[SubjectType]Text{
	Child:       {"child", "kind"},
	Parent:      {"parent", "ouder/verzorger"},
	Employee:    {"employee", "medewerker"},
	Applicant:   {"applicant", "sollicitant"},
	Intern:      {"intern", "stagiaire"},
	Volunteer:   {"volunteer", "vrijwilliger"},
	Participant: {"participant", "deelnemer"},
}

var flagNames = map[string]Text{
	WaitingList: {"the parent asked in writing to keep the child on the waiting list",
		"de ouder/verzorger heeft schriftelijk gevraagd het kind op de wachtlijst te plaatsen"},
	TemporaryDeregistration: {"the parent deregistered the child temporarily",
		"de ouder/verzorger heeft het kind tijdelijk uitgeschreven"},
	LabourConflict: {"employment ended in a labour conflict", "uitdiensttreding met een arbeidsconflict"},
	Hired:          {"hired", "in dienst getreden"},
	Consent:        {"consented to longer keeping", "toestemming gegeven voor langer bewaren"},
}

func name[K comparable](m map[K]Text, k K, lang string) string {
	if t, ok := m[k]; ok {
		return t.In(lang)
	}
	return fmt.Sprint(k)
}

// EventName returns the event in words, in "en" or "nl"; an unknown event
// is returned as it is written.
func EventName(e Event, lang string) string { return name(eventNames, e, lang) }

// CategoryName returns the category in words, in "en" or "nl".
func CategoryName(c Category, lang string) string { return name(categoryNames, c, lang) }

// SubjectName returns the subject type in words, lower case and without an
// article, in "en" or "nl".
func SubjectName(t SubjectType, lang string) string { return name(subjectNames, t, lang) }

// FlagName says what a subject flag means, in "en" or "nl".
func FlagName(flag, lang string) string { return name(flagNames, flag, lang) }

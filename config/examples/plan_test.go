package examples_test

import (
	"testing"

	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// planAsOf is the date the sample data was made for; README.md gives the
// same date for trying the examples by hand.
const planAsOf = "2026-05-01"

// collect is a plan.Sink that keeps the items of each store whose
// listing completed, in memory.
type collect struct {
	pending, items []*plan.Item
	stores         []plan.StoreResult
}

func (c *collect) Begin(plan.Header) error  { return nil }
func (c *collect) Item(it *plan.Item) error { c.pending = append(c.pending, it); return nil }
func (c *collect) Commit() error {
	c.items, c.pending = append(c.items, c.pending...), nil
	return nil
}
func (c *collect) Discard() error { c.pending = nil; return nil }
func (c *collect) End(s []plan.StoreResult, _ plan.Summary) error {
	c.stores = s
	return nil
}

// runPlan makes the example's plan as `retentiond plan --all` does, in
// memory: nothing is written into the example's folder.
func runPlan(t *testing.T, slug string) *collect {
	t.Helper()
	cfg := loadConfig(t, slug)
	pol, err := pipeline.Policy(cfg)
	if err != nil {
		t.Fatal(err)
	}
	subjects, _, err := pipeline.Subjects(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := &plan.Planner{
		Header:   plan.Header{Version: plan.Version, Organisation: cfg.Organisation, AsOf: planAsOf, Policy: pol.Name(), Lang: "en", All: true},
		Policy:   pol,
		Subjects: subjects,
		Stores:   openStores(t, cfg),
		AsOf:     date(t, planAsOf),
		Location: cfg.Location,
		All:      true,
		Lang:     "en",
	}
	var c collect
	if _, _, err := p.Run(t.Context(), &c); err != nil {
		t.Fatal(err)
	}
	for _, s := range c.stores {
		if s.Error != "" {
			t.Errorf("store %s: listing failed: %s", s.Name, s.Error)
		}
	}
	return &c
}

// item is what the plan must say of one sample record: store and record
// as plan.json names them; due "" means none.
type item struct {
	store, record string
	action        rules.Action
	rule, due     string
}

// checkPlan compares the plan with want. A record the plan sends to review
// that want does not expect is an error too: it means a sample file no
// longer matches its layout or its registry.
func checkPlan(t *testing.T, c *collect, want []item) {
	t.Helper()
	got := map[string]*plan.Item{}
	for _, it := range c.items {
		got[it.Store+":"+it.Record] = it
	}
	expected := map[string]bool{}
	for _, w := range want {
		key := w.store + ":" + w.record
		expected[key] = true
		it := got[key]
		switch {
		case it == nil:
			t.Errorf("%s: not in the plan", key)
		case it.Action != w.action || it.Rule != w.rule || it.Due != w.due:
			t.Errorf("%s: %s by %q due %q, want %s by %q due %q (%s)", key, it.Action, it.Rule, it.Due, w.action, w.rule, w.due, it.Reason)
		}
	}
	for key, it := range got {
		if it.Action == rules.Review && !expected[key] {
			t.Errorf("%s: unexpected review: %s", key, it.Reason)
		}
	}
}

func TestPlanLeefKind(t *testing.T) {
	checkPlan(t, runPlan(t, "leefkind"), []item{
		// Paper archive by end year and name: the dossier 2 years (C1),
		// held while on the waiting list (C2), the contract 7 (C3). A child
		// Saamn shows with no end date is still in care as far as the
		// registry knows: the folder's year never makes them due, and the
		// records go to review until the end date is filled in.
		{"archief", "2024/Femke Fictief/Inschrijfformulier.txt", rules.Delete, "C1", "2026-01-31"},
		{"archief", "2024/Femke Fictief/Contract plaatsing.txt", rules.Keep, "C3", "2031-01-31"},
		{"archief", "2023/Pino Proefkonijn/Inschrijfformulier.txt", rules.Hold, "C2", "2025-06-30"},
		{"archief", "2019/Victor Verzonnen/Akkoordverklaring.txt", rules.Review, "C1", ""},
		{"archief", "2019/Victor Verzonnen/Contract plaatsing.txt", rules.Review, "C3", ""},
		// The personal group dossier with the signed KIJK! observation: the
		// day after the last day of care (C13).
		{"kindercentra", "Swalmen/Persoonlijke dossiers/Saar Steekproef/Stamgroepverklaring.txt", rules.Delete, "C13", "2026-05-01"},
		{"kindercentra", "Swalmen/Persoonlijke dossiers/Saar Steekproef/KIJK observatie voorjaar.txt", rules.Delete, "C13", "2026-05-01"},
		{"kindercentra", "Swalmen/Persoonlijke dossiers/Daan Demo/Stamgroepverklaring.txt", rules.Keep, "C13", ""},
		// Konnect: 2 months after deregistration (C22).
		{"konnect", "Kinderen/K1004 Bram Bedacht/profiel.txt", rules.Delete, "C22", "2026-04-27"},
		{"konnect", "Kinderen/K1003 Saar Steekproef/profiel.txt", rules.Keep, "C22", "2026-06-30"},
		{"konnect", "Ouders/R502 Bert Bedacht/account.txt", rules.Delete, "C22", "2026-04-27"},
		{"konnect", "Ouders/R503 Sanne Steekproef/account.txt", rules.Keep, "C22", "2026-06-30"},
		{"konnect", "Kinderen/K1005 Daan Demo/Dagboek/2026-01-05.txt", rules.Delete, "C10", "2026-04-05"},
		{"konnect", "Kinderen/K1005 Daan Demo/Dagboek/2026-04-20.txt", rules.Keep, "C10", "2026-07-20"},
		// Staff, applicants (S6, S7 with consent), interns, volunteers.
		{"personeelszaken", "Personeelsdossiers/P01 Tessa Testpersoon/Arbeidsovereenkomst.txt", rules.Delete, "S1", "2025-08-31"},
		{"personeelszaken", "Personeelsdossiers/P01 Tessa Testpersoon/Kopie ID.txt", rules.Keep, "S3", "2028-08-31"},
		{"personeelszaken", "Personeelsdossiers/P01 Tessa Testpersoon/Salaris/2019-12-20 loonstrook.txt", rules.Keep, "S4", "2026-12-31"},
		{"personeelszaken", "Personeelsdossiers/P02 Mees Monster/Arbeidsovereenkomst.txt", rules.Keep, "S2", "2031-06-30"},
		{"personeelszaken", "Sollicitanten/Noor Nepnaam/motivatiebrief.txt", rules.Delete, "S6", "2026-03-30"},
		{"personeelszaken", "Sollicitanten/Lotte Lukraak/cv.txt", rules.Keep, "S7", "2026-06-01"},
		{"personeelszaken", "Sollicitanten/Vera Verzinsel/cv.txt", rules.Delete, "S7", "2025-03-20"},
		{"personeelszaken", "Stagiaires/Sem Surrogaat/VOG.txt", rules.Delete, "S9", "2026-01-31"},
		{"personeelszaken", "Vrijwilligers/Wim Willekeurig/VOG.txt", rules.Delete, "S10", "2026-01-01"},
		// Tactiplan: accounts 1 year after employment (V1), logs 3 years (V3).
		{"tactiplan", "Accounts/P01.json", rules.Delete, "V1", "2024-08-31"},
		{"tactiplan", "Logs/P01/2022-11-03.log", rules.Delete, "V3", "2025-11-03"},
		{"tactiplan", "Logs/P01/2024-05-10.log", rules.Keep, "V3", "2027-05-10"},
	})
}

func TestPlanSpot4kids(t *testing.T) {
	checkPlan(t, runPlan(t, "spot4kids"), []item{
		// OneDrive child dossiers: 2 years (C1), the parents' income papers
		// included; contract and invoices are statutory (C3, C4).
		{"kinddossiers", "Fleur Fictief/Intakeformulier.txt", rules.Delete, "C1", "2026-03-29"},
		{"kinddossiers", "Fleur Fictief/Inkomensgegevens/Inkomensverklaring 2023.txt", rules.Delete, "C1", "2026-03-29"},
		{"kinddossiers", "Fleur Fictief/Contract BSO.txt", rules.Keep, "C3", "2031-03-29"},
		{"kinddossiers", "Fleur Fictief/Facturen/Factuur 2024-03.txt", rules.Keep, "C4", "2031-03-29"},
		{"kinddossiers", "Jip Jokkebrok/Intakeformulier.txt", rules.Keep, "C1", "2027-06-30"},
		{"kinddossiers", "Pim Proef/Intakeformulier.txt", rules.Keep, "C1", ""},
		// Photos: gone once the consent is withdrawn (C23).
		{"konnect-fotos", "Pim Proef/2026-03-20 uitstapje.jpg", rules.Delete, "C23", "2026-04-15"},
		{"konnect-fotos", "Bo Bedacht/2026-04-10 knutselen.jpg", rules.Keep, "C9", "2026-07-10"},
		{"kijk", "Fleur Fictief/KIJK registratie 2023.txt", rules.Delete, "C1", "2026-03-29"},
	})
}

func TestPlanDeKangoeroe(t *testing.T) {
	checkPlan(t, runPlan(t, "dekangoeroe"), []item{
		// Last day of care 30 April: dossier and consents due 1 May (C12).
		{"kinddossiers", "Lieke Lorem/Intake.txt", rules.Delete, "C12", "2026-05-01"},
		{"kinddossiers", "Lieke Lorem/Toestemmingen/Toestemming foto's.txt", rules.Delete, "C12", "2026-05-01"},
		{"kinddossiers", "Lieke Lorem/Toestemmingen/Toestemming vervoer.txt", rules.Delete, "C12", "2026-05-01"},
		{"kinddossiers", "Lieke Lorem/Gezondheid/Vaccinaties.txt", rules.Keep, "C11", "2027-04-30"},
		{"kinddossiers", "Lieke Lorem/Contract dagopvang.txt", rules.Keep, "C3", "2033-04-30"},
		{"kinddossiers", "Lieke Lorem/Facturen/Factuur 2026-04.txt", rules.Keep, "C4", "2033-04-30"},
		// Last day of care today: kept until tomorrow.
		{"kinddossiers", "Tijn Test/Intake.txt", rules.Keep, "C12", "2026-05-02"},
		{"kinddossiers", "Tijn Test/Toestemmingen/Toestemming foto's.txt", rules.Keep, "C12", "2026-05-02"},
		{"kinddossiers", "Joep Jokkebrok/Intake.txt", rules.Delete, "C12", "2025-10-01"},
		{"kinddossiers", "Joep Jokkebrok/Gezondheid/Allergieen.txt", rules.Keep, "C11", "2026-09-30"},
		{"kinddossiers", "Isa Ipsum/Intake.txt", rules.Keep, "C1", ""},
		// Kindplanner portal: photos and diary 3 months (C9, C10).
		{"kindplanner", "Foto's/Isa Ipsum/2026-01-20 zandbak.jpg", rules.Delete, "C9", "2026-04-20"},
		{"kindplanner", "Foto's/Isa Ipsum/2026-04-22 verjaardag.jpg", rules.Keep, "C9", "2026-07-22"},
		{"kindplanner", "Dagboek/Isa Ipsum/2026-01-02.txt", rules.Delete, "C10", "2026-04-02"},
		{"kindplanner", "Dagboek/Isa Ipsum/2026-04-22.txt", rules.Keep, "C10", "2026-07-22"},
		{"personeel", "Mark Model/Arbeidsovereenkomst.txt", rules.Delete, "S1", "2025-12-31"},
		{"personeel", "Vera Voorbeeld/Arbeidsovereenkomst.txt", rules.Keep, "S1", ""},
		// Applicants: as the applicant chose (S7 until), else 4 weeks (S6).
		{"sollicitaties", "Anouk Anoniem/cv.txt", rules.Keep, "S7", "2026-09-02"},
		{"sollicitaties", "Dirk Denkbeeld/cv.txt", rules.Delete, "S6", "2026-03-29"},
	})
}

func TestPlanAcademie(t *testing.T) {
	checkPlan(t, runPlan(t, "academie"), []item{
		// 3 months after the client's agreement ended (V5).
		{"leeromgeving", "Deelnemers/D-1001 Cor Cursus/voortgang.txt", rules.Delete, "V5", "2026-04-30"},
		{"leeromgeving", "Deelnemers/D-1001 Cor Cursus/Deelcertificaat VVE module 1.txt", rules.Delete, "V5", "2026-04-30"},
		{"leeromgeving", "Deelnemers/D-1002 Lisa Leerling/voortgang.txt", rules.Delete, "V5", "2026-05-01"},
		{"leeromgeving", "Deelnemers/D-1003 Sam Student/voortgang.txt", rules.Keep, "V5", ""},
		{"leeromgeving", "Deelnemers/D-1004 Dirk Deelnemer/voortgang.txt", rules.Keep, "V5", "2026-06-15"},
		// Administrative duties are V5's exception: never deleted by it.
		{"administratie", "Facturen/2025-12 Kinderopvang Voorbeeld BV.txt", rules.Review, "", ""},
	})
}

func TestPlanEnjoy(t *testing.T) {
	c := runPlan(t, "enjoy")
	checkPlan(t, c, []item{
		// Client file of the contract holder: 2 years after the contract
		// (C21); contract and invoices held by the fiscal minimums.
		{"icloud", "Klanten/Olga Onbekend/Gespreksverslag intake.txt", rules.Delete, "C21", "2026-03-31"},
		{"icloud", "Klanten/Olga Onbekend/Contract kinderopvang.txt", rules.Hold, "C3", "2031-03-31"},
		{"icloud", "Klanten/Olga Onbekend/Facturen/Factuur 2024-03.txt", rules.Hold, "C4", "2031-03-31"},
		{"icloud", "Klanten/Gijs Gefingeerd/Gespreksverslag intake.txt", rules.Keep, "C21", "2027-01-31"},
		{"icloud", "Klanten/Gijs Gefingeerd/Contract kinderopvang.txt", rules.Keep, "C3", "2032-01-31"},
		// The child's reports (C1 = C21) and photo consents (C21), the
		// not-downloaded iCloud file included.
		{"icloud", "Verslagen/Otto Onbekend/Observatie 2023.txt", rules.Delete, "C1", "2026-03-31"},
		{"icloud", "Verslagen/Otto Onbekend/Eindverslag.pdf", rules.Delete, "C1", "2026-03-31"},
		{"icloud", "Toestemmingen/Otto Onbekend/Toestemming foto's (e-mail).txt", rules.Delete, "C21", "2026-03-31"},
		{"icloud", "Toestemmingen/Guus Gefingeerd/Toestemming foto's (e-mail).txt", rules.Keep, "C21", "2027-01-31"},
		// Staff: 2 years, but ID copy and payslips held by S3 and S4.
		{"icloud", "Personeel/Eva Exempel/Arbeidsovereenkomst.txt", rules.Delete, "C21", "2026-01-31"},
		{"icloud", "Personeel/Eva Exempel/VOG.txt", rules.Delete, "C21", "2026-01-31"},
		{"icloud", "Personeel/Eva Exempel/Kopie ID.txt", rules.Hold, "S3", "2029-01-31"},
		{"icloud", "Personeel/Eva Exempel/Loonstroken/2023-12-22 loonstrook.txt", rules.Hold, "S4", "2030-12-31"},
	})
	for _, it := range c.items {
		if it.Record == "Verslagen/Otto Onbekend/Eindverslag.pdf" && it.Kind != "placeholder" {
			t.Errorf("%s: kind %s, want placeholder (not downloaded from iCloud)", it.Record, it.Kind)
		}
	}
}

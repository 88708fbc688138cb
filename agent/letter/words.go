package letter

// texts are a letter's words in one language. Formats take %s or %d as
// their comments say.
type texts struct {
	title, salutation, closing                         string
	regarding, about, received, reference, number      string
	aboutYou, aboutChild                               string
	kindTitle, kindPhrase, article                     map[string]string
	opening                                            string // received date, kind phrase
	acknowledge                                        string // deadline
	refused, reason, reasonHolder                      string
	rectified, restricted                              string
	erasedIntro, erasingIntro, nothingFound, keptUse   string
	deleted, pseudonymised, pending, review            string // records
	kept                                               string // records, category, until
	until, whileDuty, basis                            string
	accessIntro, exportIntro, holds, unavailable       string
	eachLine, noCategory, record, records, via, rights string
}

var wording = map[string]texts{
	"nl": {
		title: "Antwoord op uw verzoek", salutation: "Geachte heer, mevrouw,", closing: "Met vriendelijke groet,",
		regarding: "Betreft", about: "Over", received: "Ontvangen op", reference: "Ons kenmerk", number: "nummer",
		aboutYou: "u", aboutChild: "uw kind",
		kindTitle: map[string]string{
			"access": "Uw verzoek om inzage", "export": "Uw verzoek om uw gegevens te ontvangen (dataportabiliteit)",
			"erase": "Uw verzoek om verwijdering", "rectify": "Uw verzoek om correctie of aanvulling",
			"restrict": "Uw verzoek om beperking van de verwerking",
		},
		kindPhrase: map[string]string{
			"access":   "uw verzoek om inzage in de persoonsgegevens die wij over %s verwerken",
			"export":   "uw verzoek om de persoonsgegevens die wij over %s verwerken te ontvangen, om ze mee te nemen naar een andere organisatie",
			"erase":    "uw verzoek om de persoonsgegevens die wij over %s verwerken te verwijderen",
			"rectify":  "uw verzoek om de persoonsgegevens die wij over %s verwerken te corrigeren of aan te vullen",
			"restrict": "uw verzoek om het gebruik van de persoonsgegevens die wij over %s verwerken te beperken",
		},
		article: map[string]string{"access": "artikel 15 AVG", "export": "artikel 20 AVG", "erase": "artikel 17 AVG",
			"rectify": "artikel 16 AVG", "restrict": "artikel 18 AVG"},
		opening:       "Op %s ontvingen wij %s.",
		acknowledge:   "Wij handelen uw verzoek zo snel mogelijk af en laten u uiterlijk op %s weten wat wij ermee hebben gedaan. Hebben wij meer tijd nodig, dan hoort u dat vóór die datum van ons, met de reden.",
		refused:       "Wij kunnen uw verzoek helaas niet inwilligen.",
		reason:        "De reden: %s",
		reasonHolder:  "[vul hier de reden in]",
		rectified:     "Wij hebben de gegevens gecorrigeerd of aangevuld zoals u vroeg. Hebben wij deze gegevens aan anderen verstrekt, dan laten wij hun de correctie weten.",
		restricted:    "Wij hebben het gebruik van de gegevens beperkt: wij bewaren ze, maar gebruiken ze niet meer, behalve met uw toestemming of als de wet dat toestaat. Voordat wij de beperking opheffen, laten wij u dat weten.",
		erasedIntro:   "Wij hebben uw verzoek uitgevoerd. Dit is er met de gegevens gebeurd:",
		erasingIntro:  "Wij voeren uw verzoek uit. Dit gebeurt er met de gegevens:",
		nothingFound:  "Wij bewaren geen persoonsgegevens (meer) die onder uw verzoek vallen.",
		keptUse:       "De gegevens die wij volgens de wet moeten bewaren, gebruiken wij alleen nog om aan die plicht te voldoen. Daarna verwijderen wij ze zonder dat u daar opnieuw om hoeft te vragen.",
		deleted:       "Verwijderd: %s.",
		pseudonymised: "Gepseudonimiseerd (wat naar de persoon verwijst, is eruit gehaald): %s.",
		pending:       "Binnenkort verwijderd of gepseudonimiseerd: %s.",
		review:        "Nog met de hand te beoordelen (daarover hoort u van ons): %s.",
		kept:          "Volgens de wet bewaard %s: %s (%s).",
		until:         "tot %s", whileDuty: "zolang de wettelijke plicht geldt",
		basis:       "Grondslag: %s.",
		accessIntro: "Bij deze brief ontvangt u een overzicht van alle persoonsgegevens die wij bewaren (index.html), met een kopie van elk stuk.",
		exportIntro: "Bij deze brief ontvangt u de persoonsgegevens in een gangbaar, machineleesbaar formaat (JSON en CSV), met een overzicht (index.html), zodat u ze aan een andere organisatie kunt geven.",
		holds:       "Het pakket bevat %s (bestanden: %d; regels uit onze systemen: %d). Per soort:",
		unavailable: "Niet te kopiëren (ze staan wel in het overzicht, met de reden): %s.",
		eachLine:    "Bij elk stuk staat waarvoor wij het bewaren, hoe lang en op welke grond.",
		noCategory:  "overig", record: "stuk", records: "stukken",
		via:    " via %s",
		rights: "Bent u het niet eens met ons antwoord, of heeft u een vraag? Neem dan contact met ons op%s. U kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl).",
	},
	"en": {
		title: "Answer to your request", salutation: "Dear Sir or Madam,", closing: "Yours faithfully,",
		regarding: "Regarding", about: "About", received: "Received on", reference: "Our reference", number: "number",
		aboutYou: "you", aboutChild: "your child",
		kindTitle: map[string]string{
			"access": "Your request for access", "export": "Your request to receive your data (data portability)",
			"erase": "Your request for erasure", "rectify": "Your request for rectification",
			"restrict": "Your request to restrict processing",
		},
		kindPhrase: map[string]string{
			"access":   "your request for access to the personal data we hold about %s",
			"export":   "your request to receive the personal data we hold about %s, to take it to another organisation",
			"erase":    "your request to erase the personal data we hold about %s",
			"rectify":  "your request to correct or complete the personal data we hold about %s",
			"restrict": "your request to restrict the use of the personal data we hold about %s",
		},
		article: map[string]string{"access": "Article 15 GDPR", "export": "Article 20 GDPR", "erase": "Article 17 GDPR",
			"rectify": "Article 16 GDPR", "restrict": "Article 18 GDPR"},
		opening:       "On %s we received %s.",
		acknowledge:   "We are handling your request and will tell you what we did by %s at the latest. Should we need more time, we will tell you before that date, and why.",
		refused:       "We regret that we cannot grant your request.",
		reason:        "The reason: %s",
		reasonHolder:  "[write the reason here]",
		rectified:     "We have corrected or completed the data as you asked. If we gave this data to others, we will tell them of the correction.",
		restricted:    "We have restricted the use of the data: we keep it, but no longer use it, except with your consent or where the law allows. We will tell you before we lift the restriction.",
		erasedIntro:   "We have carried out your request. This is what happened to the data:",
		erasingIntro:  "We are carrying out your request. This is what happens to the data:",
		nothingFound:  "We hold no personal data (any longer) that your request covers.",
		keptUse:       "The data the law requires us to keep is used only to meet that duty. We will then erase it without you having to ask again.",
		deleted:       "Deleted: %s.",
		pseudonymised: "Pseudonymised (what refers to the person has been taken out): %s.",
		pending:       "To be deleted or pseudonymised shortly: %s.",
		review:        "Still to be reviewed by hand (we will let you know): %s.",
		kept:          "Kept as the law requires %s: %s (%s).",
		until:         "until %s", whileDuty: "while the legal duty lasts",
		basis:       "Legal basis: %s.",
		accessIntro: "With this letter you receive an overview of all personal data we hold (index.html), with a copy of each record.",
		exportIntro: "With this letter you receive the personal data in a common, machine-readable format (JSON and CSV), with an overview (index.html), so that you can give it to another organisation.",
		holds:       "The package holds %s (files: %d; rows of our systems: %d). By kind:",
		unavailable: "Could not be copied (they are in the overview all the same, with the reason): %s.",
		eachLine:    "Each record says what we keep it for, how long, and on what grounds.",
		noCategory:  "other", record: "record", records: "records",
		via:    " at %s",
		rights: "If you disagree with our answer or have a question, please contact us%s. You may also lodge a complaint with the Dutch Data Protection Authority, the Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl).",
	},
}

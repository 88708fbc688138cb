package plan

import (
	"strconv"
	"strings"

	"github.com/retentiond/retentiond/rules"
)

// review is a review decision with reason t.
func review(t rules.Text) rules.Decision {
	return rules.Decision{Action: rules.Review, Reason: t}
}

// message is a review reason with placeholders: {type} is the subject type
// in the message's language, {n} a count.
type message rules.Text

func (m message) with(t rules.SubjectType, n ...int) rules.Text {
	count := 0
	if len(n) > 0 {
		count = n[0]
	}
	fill := func(s, lang string) string {
		return strings.NewReplacer("{type}", rules.SubjectName(t, lang), "{key}", string(t), "{n}", strconv.Itoa(count)).Replace(s)
	}
	return rules.Text{EN: fill(m.EN, "en"), NL: fill(m.NL, "nl")}
}

var (
	msgNoLayout = rules.Text{
		EN: "no layout of this store matches the path: cannot tell whose record it is or what kind; decide by hand or add a layout",
		NL: "het pad past bij geen enkele indeling van deze opslag: niet te zeggen van wie of wat het is; beoordeel zelf of voeg een indeling toe",
	}
	msgNoSubjectInLayout = rules.Text{
		EN: "the layout names no subject: a record is deleted only when it is tied to one person",
		NL: "de indeling noemt geen betrokkene: een bestand wordt alleen verwijderd als het aan één persoon gekoppeld is",
	}
	msgIDNotFound = message{
		EN: "the {type} number in the path is not in the registry: check the number or the registry export",
		NL: "het nummer ({type}) in het pad staat niet in de registratie: controleer het nummer of de export",
	}
	msgNameIDDisagree = message{
		EN: "the name and the {type} number in the path belong to different people in the registry",
		NL: "de naam en het nummer ({type}) in het pad horen in de registratie bij verschillende personen",
	}
	msgNameNotFound = message{
		EN: "no {type} with this name in the registry: check the spelling or the registry export",
		NL: "geen {type} met deze naam in de registratie: controleer de spelling of de export",
	}
	msgAmbiguous = message{
		EN: "{n} people of type {type} share this name: add their number to the folder names and a {{key}.id} placeholder to the layout to tell them apart",
		NL: "{n} personen ({type}) hebben deze naam: zet hun nummer in de mapnamen en een {{key}.id} in de indeling om ze te onderscheiden",
	}
)

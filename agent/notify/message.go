package notify

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is an event written out for a person: a subject line and a
// plain-text body whose lines end in "\n".
type Message struct {
	Subject string
	Body    string
}

// texts holds one language's wording. Labels for counts come in two
// tenses: what a plan will do, and what a run did.
type texts struct {
	subjectReady, subjectDone, subjectFailure string
	storeWord, noActions                      string
	introReady, introDone, introFailure       string
	org, store, plan, when, err               string
	counts, report                            string
	approve, approveNote                      string
	doneNote, doneFailed, failureNote, footer string
	configHolder, planHolder, nameHolder      string
	approveConsole, planLink, requestLink     string
	willDo, did                               map[string]string
}

var wording = map[string]texts{
	"nl": {
		subjectReady:   "plan klaar voor beoordeling",
		subjectDone:    "plan uitgevoerd",
		subjectFailure: "fout",
		storeWord:      "opslag",
		noActions:      "geen acties",
		introReady:     "Er is een nieuw plan klaar voor beoordeling.",
		introDone:      "Een goedgekeurd plan is uitgevoerd.",
		introFailure:   "Er ging iets mis.",
		org:            "Organisatie",
		store:          "Opslag",
		plan:           "Plan",
		when:           "Tijd",
		err:            "Fout",
		counts:         "Aantallen:",
		report:         "Rapport",
		approve:        "Bekijk het rapport en keur het plan daarna goed:",
		approveNote:    "Wat in dit plan staat, wordt pas uitgevoerd als het is goedgekeurd.",
		doneNote:       "Elke actie staat in het ondertekende logboek; controleer het met retentiond verify.",
		doneFailed:     "Niet alles is gelukt: zie het rapport en het logboek van de dienst.",
		failureNote:    "Meer details staan in het logboek van de dienst retentiond.",
		footer:         "Dit bericht is verstuurd door retentiond. Het bevat geen persoonsgegevens;\nde details staan in het rapport.",
		configHolder:   "CONFIG",
		planHolder:     "PLAN",
		nameHolder:     "NAAM",
		approveConsole: "Bekijk het plan in de beoordelingsconsole en keur het daar goed:",
		planLink:       "Plan in de console",
		requestLink:    "Verzoek in de console",
		willDo: map[string]string{
			"delete": "verwijderen", "pseudonymise": "pseudonimiseren", "review": "beoordelen",
			"hold": "vastgehouden", "keep": "bewaren", "failed": "mislukt",
		},
		did: map[string]string{
			"delete": "verwijderd", "pseudonymise": "gepseudonimiseerd", "review": "beoordelen",
			"hold": "vastgehouden", "keep": "bewaard", "done": "uitgevoerd", "skipped": "overgeslagen",
			"gone": "al verdwenen", "failed": "mislukt", "earlier": "eerder uitgevoerd", "excluded": "uitgesloten",
		},
	},
	"en": {
		subjectReady:   "plan ready for review",
		subjectDone:    "plan applied",
		subjectFailure: "failure",
		storeWord:      "store",
		noActions:      "no actions",
		introReady:     "A new plan is ready for review.",
		introDone:      "An approved plan has been applied.",
		introFailure:   "Something went wrong.",
		org:            "Organisation",
		store:          "Store",
		plan:           "Plan",
		when:           "Time",
		err:            "Error",
		counts:         "Counts:",
		report:         "Report",
		approve:        "Review the report, then approve the plan:",
		approveNote:    "Nothing in this plan is carried out until it is approved.",
		doneNote:       "Every action is in the signed ledger; check it with retentiond verify.",
		doneFailed:     "Not everything succeeded: see the report and the service log.",
		failureNote:    "The retentiond service log has the details.",
		footer:         "This message was sent by retentiond. It holds no personal data;\nthe details are in the report.",
		configHolder:   "CONFIG",
		planHolder:     "PLAN",
		nameHolder:     "NAME",
		approveConsole: "Review the plan in the review console and approve it there:",
		planLink:       "Plan in the console",
		requestLink:    "Request in the console",
		willDo: map[string]string{
			"delete": "delete", "pseudonymise": "pseudonymise", "review": "review",
			"hold": "on hold", "keep": "keep", "failed": "failed",
		},
		did: map[string]string{
			"delete": "deleted", "pseudonymise": "pseudonymised", "review": "review",
			"hold": "on hold", "keep": "kept", "done": "done", "skipped": "skipped",
			"gone": "already gone", "failed": "failed", "earlier": "done earlier", "excluded": "excluded",
		},
	},
}

// countOrder is the order counts appear in; other keys follow, sorted.
var countOrder = []string{"delete", "pseudonymise", "review", "hold", "keep",
	"done", "skipped", "gone", "excluded", "earlier", "failed"}

// Render writes e as a message in its language. It refuses an event that
// fails Check. A zero Time is rendered as the current time.
func Render(e Event) (Message, error) {
	if err := e.Check(); err != nil {
		return Message{}, err
	}
	return render(e.normalise(time.Now)), nil
}

// render writes a checked and normalised event.
func render(e Event) Message {
	t := wording[e.Lang]
	labels := t.did
	if e.Kind == KindPlanReady {
		labels = t.willDo
	}
	keys := orderedCounts(e.Counts)

	var subj string
	switch e.Kind {
	case KindPlanReady, KindApplyDone:
		subj = t.subjectReady
		if e.Kind == KindApplyDone {
			subj = t.subjectDone
		}
		var parts []string
		for _, k := range keys {
			if k != "keep" && e.Counts[k] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", e.Counts[k], label(labels, k)))
			}
		}
		if len(parts) == 0 {
			parts = []string{t.noActions}
		}
		subj += " — " + strings.Join(parts, ", ")
	case KindFailure:
		subj = t.subjectFailure
		if e.Store != "" {
			subj += " (" + t.storeWord + " " + e.Store + ")"
		}
	}

	var b strings.Builder
	switch e.Kind {
	case KindPlanReady:
		b.WriteString(t.introReady)
	case KindApplyDone:
		b.WriteString(t.introDone)
	case KindFailure:
		b.WriteString(t.introFailure)
	}
	b.WriteString("\n\n")
	writeFields(&b, [][2]string{
		{t.org, e.Organisation},
		{t.store, e.Store},
		{t.plan, e.Plan},
		{t.when, e.Time.Format("2006-01-02 15:04 MST")},
		{t.err, e.Error},
	})
	if len(keys) > 0 {
		b.WriteString("\n" + t.counts + "\n")
		writeCounts(&b, keys, labels, e.Counts)
	}
	if e.Report != "" {
		fmt.Fprintf(&b, "\n%s: %s\n", t.report, e.Report)
	}
	planURL, reqURL := ConsoleLink(e.Console, PagePlan, e.PlanID), ConsoleLink(e.Console, PageRequest, e.Request)
	if e.Report == "" && (reqURL != "" || planURL != "" && e.Kind != KindPlanReady) {
		b.WriteString("\n")
	}
	if planURL != "" && e.Kind != KindPlanReady {
		fmt.Fprintf(&b, "%s: %s\n", t.planLink, planURL)
	}
	if reqURL != "" {
		fmt.Fprintf(&b, "%s: %s\n", t.requestLink, reqURL)
	}
	b.WriteString("\n")
	switch {
	case e.Kind == KindPlanReady && planURL != "":
		fmt.Fprintf(&b, "%s\n  %s\n\n%s\n", t.approveConsole, planURL, t.approveNote)
	case e.Kind == KindPlanReady:
		cfg, pl := or(e.ConfigPath, t.configHolder), or(e.PlanPath, t.planHolder)
		fmt.Fprintf(&b, "%s\n  retentiond approve --config %s --plan %s --by %s\n\n%s\n",
			t.approve, shellQuote(cfg), shellQuote(pl), t.nameHolder, t.approveNote)
	case e.Kind == KindApplyDone:
		b.WriteString(t.doneNote + "\n")
		if e.Counts["failed"] > 0 {
			b.WriteString(t.doneFailed + "\n")
		}
	case e.Kind == KindFailure:
		b.WriteString(t.failureNote + "\n")
	}
	b.WriteString("\n-- \n" + t.footer + "\n")
	return Message{Subject: "retentiond: " + subj, Body: b.String()}
}

// orderedCounts lists the count keys: the known ones in countOrder, then
// the rest sorted, so that a message reads the same every time.
func orderedCounts(c map[string]int) []string {
	var keys []string
	for _, k := range countOrder {
		if _, ok := c[k]; ok {
			keys = append(keys, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c)) {
		if !slices.Contains(countOrder, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

func label(labels map[string]string, k string) string {
	if l, ok := labels[k]; ok {
		return l
	}
	return k
}

// writeFields writes "Label: value" lines with the values aligned,
// leaving out empty values.
func writeFields(b *strings.Builder, fields [][2]string) {
	w := 0
	for _, f := range fields {
		if f[1] != "" {
			w = max(w, utf8.RuneCountInString(f[0]))
		}
	}
	for _, f := range fields {
		if f[1] != "" {
			pad := w - utf8.RuneCountInString(f[0])
			fmt.Fprintf(b, "%s:%s %s\n", f[0], strings.Repeat(" ", pad), f[1])
		}
	}
}

// writeCounts writes one indented "label  number" line per count, the
// labels left-aligned and the numbers right-aligned.
func writeCounts(b *strings.Builder, keys []string, labels map[string]string, c map[string]int) {
	lw, nw := 0, 0
	for _, k := range keys {
		lw = max(lw, utf8.RuneCountInString(label(labels, k)))
		nw = max(nw, len(fmt.Sprint(c[k])))
	}
	for _, k := range keys {
		l := label(labels, k)
		fmt.Fprintf(b, "  %s%s  %*d\n", l, strings.Repeat(" ", lw-utf8.RuneCountInString(l)), nw, c[k])
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// shellQuote quotes s for a POSIX shell when it holds anything but the
// characters paths usually consist of, so the command can be pasted.
func shellQuote(s string) string {
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-:+=@,", r)) {
			safe = false
			break
		}
	}
	if safe && s != "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

package rotation

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/retentiond/retentiond/rules"
)

// text writes the reasons in English and Dutch, joined by "; ". Each
// language comes from the same function, so the two cannot drift apart.
func text(rs []Reason, asOf rules.Date) rules.Text {
	say := func(lang string) string {
		parts := make([]string, len(rs))
		for i, r := range rs {
			parts[i] = reasonText(r, asOf, lang)
		}
		return strings.Join(parts, "; ")
	}
	return rules.Text{EN: say("en"), NL: say("nl")}
}

func pick(lang, en, nl string) string {
	if lang == "nl" {
		return nl
	}
	return en
}

// reasonText says one reason, such as "newest backup of March 2021, kept 7
// years: term ends on 2028-03-31".
func reasonText(r Reason, asOf rules.Date, lang string) string {
	date := func(d rules.Date) string { return rules.FormatDate(d, lang) }
	switch r.Kind {
	case Future:
		return fmt.Sprintf(pick(lang, "dated after the evaluation date %s: kept; check the backup's date",
			"gedateerd na de peildatum %s: bewaard; controleer de datum van de back-up"), date(asOf))
	case Undated:
		return pick(lang, "no date known: kept; supply the backup's date",
			"geen datum bekend: bewaard; geef de datum van de back-up op")
	case None:
		return fmt.Sprintf(pick(lang, "no term keeps this backup: due since %s",
			"geen termijn bewaart deze back-up: te verwijderen sinds %s"), date(r.Until))
	}
	var what string
	switch r.Kind {
	case Daily:
		what = pick(lang, "daily backup", "dagelijkse back-up")
	default:
		what = pick(lang, "newest backup of ", "nieuwste back-up van ") + periodName(r, lang)
		if r.Provisional {
			what += pick(lang, " so far", " tot nu toe")
		}
	}
	end := pick(lang, "term ends on %s", "termijn verstrijkt op %s")
	if !asOf.Before(r.Until) {
		end = pick(lang, "term ended on %s", "termijn verstreken op %s")
	}
	return what + ", " + pick(lang, "kept ", "") + r.Term.Describe(lang) + pick(lang, "", " bewaard") + ": " + fmt.Sprintf(end, date(r.Until))
}

var monthsNL = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}

// periodName says a period label in words: "week 9 of 2021" or "week 9 van
// 2021", "March 2021" or "maart 2021", "2021".
func periodName(r Reason, lang string) string {
	p := r.Period
	switch r.Kind {
	case Weekly:
		y, w, _ := strings.Cut(p, "-W")
		n, _ := strconv.Atoi(w)
		return fmt.Sprintf(pick(lang, "week %d of %s", "week %d van %s"), n, y)
	case Monthly:
		y, m, _ := strings.Cut(p, "-")
		n, _ := strconv.Atoi(m)
		if n < 1 || n > 12 {
			return p
		}
		return pick(lang, time.Month(n).String(), monthsNL[n-1]) + " " + y
	}
	return p
}

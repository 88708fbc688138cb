package plan

import (
	"fmt"
	"time"

	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// archiveAgg gathers the decisions on a zip archive's entries into one item
// for the archive. A zip is read-only: it is deleted only when every entry
// is due; if some are, it goes to review with the count.
type archiveAgg struct {
	store    string
	rec      scanners.Record
	loc      *time.Location
	n        Entries
	keep     int
	latest   rules.Date // latest due date among due entries
	subject  *rules.Subject
	mixedSub bool
	category rules.Category
	mixedCat bool
	rule     string
	mixedRul bool
}

func newArchiveAgg(store string, rec scanners.Record, loc *time.Location) *archiveAgg {
	return &archiveAgg{store: store, rec: rec, loc: loc}
}

func (a *archiveAgg) add(dc decided) {
	a.n.Total++
	switch dc.d.Action {
	case rules.Delete:
		a.n.Due++
		if a.latest.Before(dc.d.Due) {
			a.latest = dc.d.Due
		}
	case rules.Hold:
		a.n.Hold++
	case rules.Keep:
		a.keep++
	default:
		a.n.Review++
	}
	if a.n.Total == 1 {
		a.subject, a.category, a.rule = dc.subject, dc.category, dc.d.Rule
		return
	}
	a.mixedSub = a.mixedSub || a.subject != dc.subject
	a.mixedCat = a.mixedCat || a.category != dc.category
	a.mixedRul = a.mixedRul || a.rule != dc.d.Rule
}

func (a *archiveAgg) item(lang string) *Item {
	it := &Item{
		Store:    a.store,
		Record:   a.rec.ID,
		Kind:     string(a.rec.Kind),
		Version:  a.rec.Version,
		Size:     a.rec.Size,
		Modified: a.rec.ModTime.In(a.loc).Format(time.RFC3339),
		Entries:  &Entries{Total: a.n.Total, Due: a.n.Due, Review: a.n.Review, Hold: a.n.Hold},
	}
	if !a.mixedSub && a.subject != nil {
		it.Subject = &SubjectRef{Type: a.subject.Type, ID: a.subject.ID, Name: a.subject.Name}
	}
	if !a.mixedCat {
		it.Category = a.category
	}
	var t rules.Text
	n := a.n
	switch {
	case n.Total == 0:
		it.Action = rules.Review
		t = rules.Text{
			EN: "empty zip archive: nothing in it to decide on; remove it by hand if it is not needed",
			NL: "leeg zip-archief: er staat niets in om over te beslissen; verwijder het zelf als het niet nodig is",
		}
	case n.Due == n.Total:
		it.Action = rules.Delete
		it.Due = a.latest.String()
		if !a.mixedRul {
			it.Rule = a.rule
		}
		t = rules.Text{
			EN: fmt.Sprintf("zip archive: all %d entries are due (the last on %s)", n.Total, a.latest),
			NL: fmt.Sprintf("zip-archief: alle %d bestanden erin zijn aan de beurt (de laatste op %s)", n.Total, dutchDate(a.latest)),
		}
	case n.Due > 0:
		it.Action = rules.Review
		t = rules.Text{
			EN: fmt.Sprintf("zip archive: %d of %d entries are due, %d must stay (%d held, %d to review); a zip is read-only: take the due entries out by hand", n.Due, n.Total, n.Total-n.Due, n.Hold, n.Review),
			NL: fmt.Sprintf("zip-archief: %d van %d bestanden zijn aan de beurt, %d moeten blijven (%d vastgehouden, %d te beoordelen); een zip is alleen-lezen: haal de bestanden die weg moeten er zelf uit", n.Due, n.Total, n.Total-n.Due, n.Hold, n.Review),
		}
	case n.Review > 0:
		it.Action = rules.Review
		t = rules.Text{
			EN: fmt.Sprintf("zip archive: %d of %d entries cannot be tied to one person or kind of record; none is due yet", n.Review, n.Total),
			NL: fmt.Sprintf("zip-archief: %d van %d bestanden zijn niet aan één persoon of soort te koppelen; geen is al aan de beurt", n.Review, n.Total),
		}
	case n.Hold > 0:
		it.Action = rules.Hold
		t = rules.Text{
			EN: fmt.Sprintf("zip archive: %d of %d entries are held; the rest is not yet due", n.Hold, n.Total),
			NL: fmt.Sprintf("zip-archief: %d van %d bestanden worden vastgehouden; de rest is nog niet aan de beurt", n.Hold, n.Total),
		}
	default:
		it.Action = rules.Keep
		t = rules.Text{
			EN: fmt.Sprintf("zip archive: none of its %d entries is due yet", n.Total),
			NL: fmt.Sprintf("zip-archief: geen van de %d bestanden is al aan de beurt", n.Total),
		}
	}
	it.Reason = t.In(lang)
	return it
}

// dutchDate writes d as Dutch readers expect: 15-03-2024.
func dutchDate(d rules.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d-%02d-%04d", d.Day, d.Month, d.Year)
}

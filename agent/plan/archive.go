package plan

import (
	"fmt"
	"time"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// archiveAgg gathers the decisions on a zip archive's entries into one item
// for the archive. A zip is deleted whole only when every entry is due and
// every entry could be named; if some are due, it goes to review with the
// count.
//
// The entries of a person with an open erasure request (or, in a plan for
// one subject, of that subject) are listed as items of their own as well:
// apply takes the due ones out of the zip by rewriting it (see
// agent/apply's zip.go), and a request is never answered while one of
// them is left.
type archiveAgg struct {
	p        *Planner
	st       Store
	rec      scanners.Record
	n        Entries
	keep     int
	latest   rules.Date // latest due date among due entries
	subject  *rules.Subject
	mixedSub bool
	category rules.Category
	mixedCat bool
	rule     string
	mixedRul bool
	// focus holds the entries listed on their own.
	focus []focusEntry
}

// focusEntry is an entry listed as an item of its own.
type focusEntry struct {
	rec scanners.Record
	dc  decided
}

func (p *Planner) newArchiveAgg(st Store, rec scanners.Record) *archiveAgg {
	return &archiveAgg{p: p, st: st, rec: rec, n: Entries{Unlisted: rec.Unlisted}}
}

// focus reports whether the entries of s are listed on their own: s has an
// open erasure request, or the plan is for s alone.
func (p *Planner) focus(s *rules.Subject) bool {
	if s == nil {
		return false
	}
	if p.Only != nil {
		return s.Type == p.Only.Type && s.ID == p.Only.ID
	}
	return !p.erasure(s).IsZero()
}

// held reports whether a legal hold covers the record id of subject s.
func (p *Planner) held(store, id string, s *rules.Subject) bool {
	if p.Holds == nil {
		return false
	}
	var ref *holds.SubjectRef
	if s != nil {
		ref = &holds.SubjectRef{Type: s.Type, ID: s.ID}
	}
	_, ok := p.Holds.Match(store, id, ref)
	return ok
}

func (a *archiveAgg) add(rec scanners.Record, dc decided) {
	if a.p.focus(dc.subject) {
		a.focus = append(a.focus, focusEntry{rec, dc})
	}
	a.n.Total++
	switch {
	case a.p.held(a.st.Name, rec.ID, dc.subject):
		// A legal hold on an entry holds the zip that holds it.
		a.n.Hold++
	case dc.d.Action == rules.Delete:
		a.n.Due++
		if a.latest.Before(dc.d.Due) {
			a.latest = dc.d.Due
		}
	case dc.d.Action == rules.Hold:
		a.n.Hold++
	case dc.d.Action == rules.Keep:
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

// zipRewriter is a store that can take entries out of a zip
// (archive.Store over a local folder).
type zipRewriter interface {
	CanRewrite(zipID string) bool
}

// items are the archive's items: the zip's own, and its focus entries'
// unless the zip goes whole. In a plan for one subject the zip's own item
// is left out when the entries are listed, as it speaks of everyone's.
func (a *archiveAgg) items() []*Item {
	zi := a.item(a.p.Lang)
	a.p.resolveZip(a.st, zi)
	whole := zi.Action == rules.Delete
	if len(a.focus) == 0 || whole && (a.p.Only == nil || !a.mixedSub) {
		return []*Item{zi}
	}
	var out []*Item
	if a.p.Only == nil {
		zi.Reason += "; " + fill(msgFocusEntries, len(a.focus), "").In(a.p.Lang)
		out = append(out, zi)
	}
	rw, _ := a.st.Store.(zipRewriter)
	canRewrite := rw != nil && rw.CanRewrite(a.rec.ID)
	for _, f := range a.focus {
		it := a.p.item(a.st, f.rec, f.dc)
		var why rules.Text
		switch {
		case a.n.Unlisted > 0:
			why = fill(msgEntryUnlisted, a.n.Unlisted, "")
		case it.Action == rules.Delete && !canRewrite:
			why = msgEntryNoRewrite
		}
		if why.EN != "" {
			it.Action, it.Due = rules.Review, ""
			it.Reason = why.In(a.p.Lang) + "; " + it.Reason
		}
		out = append(out, it)
	}
	return out
}

var (
	msgFocusEntries = rules.Text{
		EN: "{n} of its entries, of people with an erasure request, are listed on their own; the due ones are taken out of the zip",
		NL: "{n} bestanden erin, van personen met een verzoek tot verwijdering, staan apart in het plan; wie aan de beurt is gaat uit het zip-archief",
	}
	msgEntryUnlisted = rules.Text{
		EN: "in a zip archive with {n} entries that cannot be named (a NUL byte, \"..\", an absolute path, a folder holding data or a duplicate name): the zip is reviewed by hand as a whole",
		NL: "in een zip-archief met {n} bestanden die geen veilige naam hebben (een NUL-teken, \"..\", een absoluut pad, een map met inhoud of een dubbele naam): beoordeel het zip-archief zelf als geheel",
	}
	msgEntryNoRewrite = rules.Text{
		EN: "in a zip archive this store cannot rewrite: take the entry out by hand",
		NL: "in een zip-archief dat deze opslag niet kan herschrijven: haal het bestand er zelf uit",
	}
)

func (a *archiveAgg) item(lang string) *Item {
	n := a.n
	it := &Item{
		Store:    a.st.Name,
		Record:   a.rec.ID,
		Kind:     string(a.rec.Kind),
		Version:  a.rec.Version,
		Size:     a.rec.Size,
		Modified: a.rec.ModTime.In(a.p.Location).Format(time.RFC3339),
		Entries:  &n,
	}
	if !a.mixedSub && a.subject != nil {
		it.Subject = &SubjectRef{Type: a.subject.Type, ID: a.subject.ID, Name: a.subject.Name}
	}
	if !a.mixedCat {
		it.Category = a.category
	}
	var t rules.Text
	switch {
	case n.Unlisted > 0:
		it.Action = rules.Review
		t = rules.Text{
			EN: fmt.Sprintf("zip archive: %d of its entries cannot be named (a NUL byte, \"..\", an absolute path, a folder holding data or a duplicate name), so nothing is known of what they hold; %d other entries, %d due: review it by hand", n.Unlisted, n.Total, n.Due),
			NL: fmt.Sprintf("zip-archief: %d bestanden erin hebben geen veilige naam (een NUL-teken, \"..\", een absoluut pad, een map met inhoud of een dubbele naam), dus niemand weet wat erin staat; %d andere bestanden, %d aan de beurt: beoordeel het zelf", n.Unlisted, n.Total, n.Due),
		}
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

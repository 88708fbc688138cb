package plan

import (
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/classify"
	resolutions "github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"golang.org/x/text/unicode/norm"
)

// resolveReview settles a review decision with the record's resolution
// (agent/review), if it has one. Only a review decision is touched: a
// resolution never changes what a layout and the rules decided, and the
// legal holds are applied to the item afterwards, so they still hold.
//
//   - A subject resolution decides the record by that subject's rules, as
//     if its layout had named the subject: with the resolution's category,
//     else the matching layout's (and the layout's dates). A record whose
//     layout found a subject already, a backup, or one with no category
//     to be had stays review.
//   - A not-personal resolution keeps it, tied to no one.
//   - A keep-until resolution keeps it through its last day (due the day
//     after), then it is review again.
//
// The decision then names the resolution (decided.resolution): in the
// plan item's Resolved, and in the counts `review list --resolutions`
// shows.
func (p *Planner) resolveReview(st Store, rec scanners.Record, dc decided) decided {
	if p.Resolutions == nil || dc.d.Action != rules.Review || dc.rotation != nil {
		return dc
	}
	r, ok := p.Resolutions.Match(st.Name, rec.ID)
	if !ok {
		return dc
	}
	if r.Kind == resolutions.KindSubject && dc.subject != nil {
		return dc // tied to a subject already: its rules said review
	}
	by := p.resolvedBy(r)
	out := decided{resolution: r.ID}
	switch r.Kind {
	case resolutions.KindNotPersonal:
		out.d = rules.Decision{Action: rules.Keep, Reason: join(msgNotPersonal, by)}
	case resolutions.KindKeepUntil:
		if p.AsOf.After(r.Until) {
			out = dc
			out.resolution = r.ID
			out.d.Reason = join(say(msgKeptUntilOver, r), dc.d.Reason)
			return out
		}
		out.subject, out.category = dc.subject, dc.category
		out.d = rules.Decision{Action: rules.Keep, Due: r.Until.AddDays(1),
			Reason: join(say(msgKeptUntil, r), by)}
	case resolutions.KindSubject:
		return p.decideAs(st, rec, dc, r, by)
	default:
		return dc
	}
	return out
}

// decideAs decides rec as a record of the resolution's subject.
func (p *Planner) decideAs(st Store, rec scanners.Record, dc decided, r resolutions.Resolution, by rules.Text) decided {
	stay := func(why rules.Text) decided {
		dc.resolution = r.ID
		dc.d.Reason = join(say(why, r), dc.d.Reason)
		return dc
	}
	subj := p.Subjects.ByID(r.Subject.Type, r.Subject.ID)
	if subj == nil {
		return stay(msgResolvedSubjectGone)
	}
	var out decided
	if rec.Kind == scanners.KindRow {
		if st.Rows == nil || rec.Row == nil {
			return stay(msgResolvedNoCategory)
		}
		c := st.Rows.Category
		if r.Category != "" {
			c = r.Category
		}
		out = p.decideRowOf(st, rec, subj, c)
	} else {
		c := r.Category
		m, matched := st.Classifier.Match(classifyPath(rec.ID))
		if matched {
			if _, _, backup := p.backupRule(m); backup {
				return stay(msgResolvedBackup)
			}
			if c == "" {
				c = m.Category
			}
		}
		if c == "" {
			return stay(msgResolvedNoCategory)
		}
		mp := &m
		if !matched {
			mp = nil
		}
		out = decided{subject: subj, category: c, d: p.evaluate(p.facts(subj, c, mp, rec))}
	}
	out.resolution = r.ID
	out.d.Reason = join(out.d.Reason, join(msgTiedBy, by))
	return out
}

// resolveZip settles the review item of a zip taken as a whole with a
// not-personal or keep-until resolution that names the zip itself (one of
// a folder above it settles its entries, one by one, instead).
func (p *Planner) resolveZip(st Store, it *Item) {
	if p.Resolutions == nil || it.Action != rules.Review {
		return
	}
	r, ok := p.Resolutions.Match(st.Name, it.Record)
	if !ok || r.Kind == resolutions.KindSubject || norm.NFC.String(r.Path) != norm.NFC.String(it.Record) {
		return
	}
	dc := p.resolveReview(st, scanners.Record{ID: it.Record}, decided{d: rules.Decision{Action: rules.Review, Reason: rules.Text{EN: it.Reason, NL: it.Reason}}})
	it.Action, it.Due, it.Resolved = dc.d.Action, dc.d.Due.String(), dc.resolution
	it.Reason = dc.d.Reason.In(p.Lang)
}

// resolvedBy says who resolved r and when, in the plan's language.
func (p *Planner) resolvedBy(r resolutions.Resolution) rules.Text {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	on := rules.DateIn(r.At, loc)
	return rules.Text{
		EN: "resolved by " + r.By + " on " + on.String() + " (" + r.ID + ")",
		NL: "beoordeeld door " + r.By + " op " + dutchDate(on) + " (" + r.ID + ")",
	}
}

// join joins two texts with "; ", leaving out an empty one.
func join(a, b rules.Text) rules.Text {
	j := func(x, y string) string {
		switch {
		case x == "":
			return y
		case y == "":
			return x
		}
		return x + "; " + y
	}
	return rules.Text{EN: j(a.EN, b.EN), NL: j(a.NL, b.NL)}
}

// say fills in t: {id} is the resolution's id, {date} its last day.
func say(t rules.Text, r resolutions.Resolution) rules.Text {
	en := strings.NewReplacer("{id}", r.ID, "{date}", r.Until.String())
	nl := strings.NewReplacer("{id}", r.ID, "{date}", dutchDate(r.Until))
	return rules.Text{EN: en.Replace(t.EN), NL: nl.Replace(t.NL)}
}

var (
	msgNotPersonal = rules.Text{EN: "not personal data", NL: "geen persoonsgegevens"}
	msgTiedBy      = rules.Text{EN: "tied to this subject by hand", NL: "met de hand aan deze betrokkene gekoppeld"}
	msgKeptUntil   = rules.Text{
		EN: "kept until {date}, then back to review",
		NL: "bewaard tot en met {date}, daarna opnieuw beoordelen",
	}
	msgKeptUntilOver = rules.Text{
		EN: "resolution {id} kept it until {date}: review it again",
		NL: "beoordeling {id} hield het vast tot en met {date}: beoordeel het opnieuw",
	}
	msgResolvedSubjectGone = rules.Text{
		EN: "resolution {id} ties it to a subject who is not in the registries (any more): check the registry export, or undo the resolution (review unresolve --id {id})",
		NL: "beoordeling {id} koppelt het aan een betrokkene die niet (meer) in de registratie staat: controleer de export, of trek de beoordeling in (review unresolve --id {id})",
	}
	msgResolvedNoCategory = rules.Text{
		EN: "resolution {id} ties it to a subject, but no layout matches the path to say what kind of record it is: undo it and resolve again with --category",
		NL: "beoordeling {id} koppelt het aan een betrokkene, maar geen indeling past bij het pad om te zeggen wat voor stuk het is: trek de beoordeling in en geef --category op",
	}
	msgResolvedBackup = rules.Text{
		EN: "resolution {id} ties a backup to a subject: backups are decided by their rotation rule; undo the resolution and fix the backup layout",
		NL: "beoordeling {id} koppelt een back-up aan een betrokkene: back-ups worden beslist door hun rotatieregel; trek de beoordeling in en herstel de indeling",
	}
)

// LayoutCategory returns the category the layouts in cl give the record
// id, as the planner classifies it (a zip's entries as if the zip were a
// folder), or "" if no layout matches: `review resolve --subject` then
// needs --category.
func LayoutCategory(cl *classify.Classifier, id string) rules.Category {
	if cl == nil {
		return ""
	}
	m, ok := cl.Match(classifyPath(id))
	if !ok {
		return ""
	}
	return m.Category
}

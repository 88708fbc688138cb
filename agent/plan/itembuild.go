package plan

import (
	"time"

	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// item turns a decision into a plan item.
func (p *Planner) item(st Store, rec scanners.Record, dc decided) *Item {
	return p.itemInto(nil, st, rec, dc)
}

// itemInto is item, made in it, an item no one holds any more, if not
// nil: a scan lists many records that are kept and not listed, whose items
// go nowhere.
func (p *Planner) itemInto(it *Item, st Store, rec scanners.Record, dc decided) *Item {
	var subj *SubjectRef
	if it == nil {
		it = &Item{}
	} else {
		subj = it.Subject
	}
	*it = Item{
		Store:    st.Name,
		Record:   rec.ID,
		Kind:     string(rec.Kind),
		Category: dc.category,
		Rule:     dc.d.Rule,
		Action:   dc.d.Action,
		Due:      dc.d.Due.String(),
		Trigger:  dc.d.Trigger,
		Reason:   dc.d.Reason.In(p.Lang),
		Basis:    dc.d.Basis.In(p.Lang),
		Version:  rec.Version,
		Size:     rec.Size,
		Modified: rec.ModTime.In(p.Location).Format(time.RFC3339),
		Resolved: dc.resolution,
	}
	if dc.subject != nil {
		if subj == nil {
			subj = &SubjectRef{}
		}
		*subj = SubjectRef{Type: dc.subject.Type, ID: dc.subject.ID, Name: dc.subject.Name}
		it.Subject = subj
	}
	if rec.Row != nil {
		it.File = rec.Row.File
		for _, f := range rec.Row.Invalid {
			it.Warnings = append(it.Warnings, invalidText(f, p.Lang))
		}
	}
	for _, fd := range dc.fields {
		if fd.Action == rules.Pseudonymise {
			it.Fields = append(it.Fields, string(fd.Field))
		}
		it.FieldDecisions = append(it.FieldDecisions, FieldItem{
			Field: string(fd.Field), Action: fd.Action, Due: fd.Due.String(), Rule: fd.Rule, Reason: fd.Reason.In(p.Lang),
		})
	}
	return it
}

package plan

import (
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/rules"
)

// applyHold makes an item hold when a legal hold covers its record or its
// subject, whatever its rules say: an organisation freezes data during a
// dispute, a labour conflict or an audit. The item names the hold and
// until when, never the hold's reason (free text that may name people).
func (p *Planner) applyHold(it *Item) {
	if p.Holds == nil || it == nil {
		return
	}
	var subj *holds.SubjectRef
	if it.Subject != nil {
		subj = &holds.SubjectRef{Type: it.Subject.Type, ID: it.Subject.ID}
	}
	h, ok := p.Holds.Match(it.Store, it.Record, subj)
	if !ok {
		return
	}
	var why rules.Text
	if h.Until.IsZero() {
		why = rules.Text{EN: "legal hold " + h.ID + ", until it is released", NL: "juridische bewaarplicht (hold) " + h.ID + ", tot die wordt opgeheven"}
		it.Due = ""
	} else {
		why = rules.Text{EN: "legal hold " + h.ID + " until " + h.Until.String(), NL: "juridische bewaarplicht (hold) " + h.ID + " tot " + dutchDate(h.Until)}
		it.Due = h.Until.AddDays(1).String()
	}
	it.Action = rules.Hold
	it.Held = h.ID
	it.Fields = nil
	if it.Reason != "" {
		it.Reason = why.In(p.Lang) + "; " + it.Reason
	} else {
		it.Reason = why.In(p.Lang)
	}
}

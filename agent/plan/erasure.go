package plan

import "github.com/retentiond/retentiond/rules"

// SubjectKey names a data subject by type and id.
type SubjectKey struct {
	Type rules.SubjectType
	ID   string
}

// erasure is the day an erasure request of s was received, or zero.
func (p *Planner) erasure(s *rules.Subject) rules.Date {
	if s == nil || p.Erasures == nil {
		return rules.Date{}
	}
	return p.Erasures[SubjectKey{s.Type, s.ID}]
}

// wanted says whether the plan lists the item: all of them, or with Only
// set those of one subject (the plan that answers a request).
func (p *Planner) wanted(it *Item) bool {
	if p.Only == nil {
		return true
	}
	return it.Subject != nil && it.Subject.Type == p.Only.Type && it.Subject.ID == p.Only.ID
}

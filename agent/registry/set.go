package registry

import (
	"errors"
	"time"

	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// Set holds the subjects of all registries, by type and id. It is not safe
// for concurrent Add; reads after the last Add may be concurrent.
type Set struct {
	byID  map[rules.SubjectType]map[string]*rules.Subject
	order map[rules.SubjectType][]*rules.Subject
}

// NewSet returns an empty Set.
func NewSet() *Set {
	return &Set{
		byID:  map[rules.SubjectType]map[string]*rules.Subject{},
		order: map[rules.SubjectType][]*rules.Subject{},
	}
}

// Add adds subjects. A subject whose type and id are already in the set
// (from another registry, or twice in the list) is not added; Add then
// returns a *DuplicateError for each, joined, naming both sources. The
// other subjects are added all the same.
func (s *Set) Add(subjects []*rules.Subject) error {
	var errs []error
	for _, sub := range subjects {
		m := s.byID[sub.Type]
		if m == nil {
			m = map[string]*rules.Subject{}
			s.byID[sub.Type] = m
		}
		if prev, ok := m[sub.ID]; ok {
			errs = append(errs, &DuplicateError{Type: string(sub.Type), First: prev.Source, Second: sub.Source})
			continue
		}
		m[sub.ID] = sub
		s.order[sub.Type] = append(s.order[sub.Type], sub)
	}
	return errors.Join(errs...)
}

// ByID returns the subject of type t with the given id, or nil.
func (s *Set) ByID(t rules.SubjectType, id string) *rules.Subject {
	return s.byID[t][id]
}

// All returns the subjects of type t in the order they were added. The
// caller must not modify the slice.
func (s *Set) All(t rules.SubjectType) []*rules.Subject {
	return s.order[t]
}

// LoadAll loads every registry and returns the set of their subjects. It
// reads every registry even after one fails, and returns all problems
// found, joined; on any problem the Set is nil, so that no plan is made on
// part of the facts.
func LoadAll(rs []config.Registry, loc *time.Location) (*Set, error) {
	set := NewSet()
	var errs []error
	for _, r := range rs {
		subjects, err := Load(r, loc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := set.Add(subjects); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return set, nil
}

package agent

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/rules"
)

// UnknownSubjectError is a request, hold or resolution for a subject in
// none of the registries. A request or a hold for anyone else would
// answer nothing (the plan finds no records of an id nobody has) and
// could then be closed as done. Error names neither the typed text nor a
// person; Near, the closest matches by id and name, is personal data
// for the administrator's screen only.
type UnknownSubjectError struct {
	Type rules.SubjectType
	Near []*rules.Subject
}

func (e *UnknownSubjectError) Error() string {
	return fmt.Sprintf("--subject: that %s id is not in the registries: give TYPE:ID as the registry has it (the id column, not the name)", e.Type)
}

// knownSubject checks that ref names a subject in the config's
// registries (an *UnknownSubjectError when not, with the closest
// matches).
func (s *Service) knownSubject(ref holds.SubjectRef) error {
	ix, _, err := pipeline.Subjects(s.cfg)
	if err != nil {
		return err
	}
	if ix.ByID(ref.Type, ref.ID) != nil {
		return nil
	}
	return &InputError{Err: &UnknownSubjectError{Type: ref.Type, Near: ix.Closest(ref.Type, ref.ID, 5)}}
}

// knownTo returns a check that a subject is in the config's registries,
// for requests.Set's Settle and AfterApply. A registry that cannot be
// read knows no one: nothing is completed on it.
func (s *Service) knownTo() func(requests.SubjectRef) bool {
	var ix *classify.Index
	var err error
	loaded := false
	return func(ref requests.SubjectRef) bool {
		if !loaded {
			ix, _, err = pipeline.Subjects(s.cfg)
			loaded = true
		}
		return err == nil && ix.ByID(ref.Type, ref.ID) != nil
	}
}

// Subjects finds people in the registries for the console's person
// search: those whose id or name matches query (case and accents aside,
// closest first), at most limit (0: 20). An empty query finds no one.
// Names are personal data: they are returned to the caller only, never
// logged.
func (s *Service) Subjects(_ context.Context, query string, limit int) ([]plan.SubjectRef, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 20
	}
	ix, _, err := pipeline.Subjects(s.cfg)
	if err != nil {
		return nil, err
	}
	var out []plan.SubjectRef
	seen := map[plan.SubjectKey]bool{}
	add := func(sub *rules.Subject) {
		k := plan.SubjectKey{Type: sub.Type, ID: sub.ID}
		if !seen[k] && len(out) < limit {
			seen[k] = true
			out = append(out, plan.SubjectRef{Type: sub.Type, ID: sub.ID, Name: sub.Name})
		}
	}
	types := append([]rules.SubjectType(nil), rules.SubjectTypes...)
	// TYPE:ID finds that subject first.
	if t, id, ok := strings.Cut(query, ":"); ok && slices.Contains(types, rules.SubjectType(t)) {
		if sub := ix.ByID(rules.SubjectType(t), id); sub != nil {
			add(sub)
		}
		types, query = []rules.SubjectType{rules.SubjectType(t)}, id
	}
	for _, t := range types {
		if sub := ix.ByID(t, query); sub != nil {
			add(sub)
		}
		for _, sub := range ix.ByName(t, query) {
			add(sub)
		}
	}
	// Then those whose name holds every word of the query.
	words := strings.Fields(classify.NameKey(query))
	for _, t := range types {
		all := ix.OfType(t)
		slices.SortFunc(all, func(a, b *rules.Subject) int { return strings.Compare(a.ID, b.ID) })
		for _, sub := range all {
			key := classify.NameKey(sub.Name)
			if len(words) > 0 && containsAll(key, words) {
				add(sub)
			}
		}
	}
	// Then the closest by id and name (a typing error).
	for _, sub := range ix.Closest(types[0], query, limit) {
		add(sub)
	}
	return out, nil
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

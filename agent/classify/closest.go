package classify

import (
	"sort"

	"github.com/retentiond/retentiond/rules"
)

// Closest returns up to n subjects that the text a person typed may have
// meant, best first: an exact id of another type, then names sharing the
// most name tokens (diacritics, case and word order forgiven; a token
// counts when it is equal or one edit away), then ids that differ by one
// character. It is for the "did you mean" of commands that take a
// TYPE:ID: a subject of type t is preferred, others follow.
func (ix *Index) Closest(t rules.SubjectType, text string, n int) []*rules.Subject {
	type cand struct {
		s     *rules.Subject
		score int
	}
	var cands []cand
	want := nameTokens(text)
	id := idKey(text)
	for typ, ids := range ix.byID {
		for key, s := range ids {
			score := 0
			switch {
			case key == id:
				score = 100
			case editsAtMost1(key, id) && len(id) > 2:
				score = 40
			}
			score += 10 * sharedTokens(want, nameTokens(s.Name))
			if score == 0 {
				continue
			}
			if typ == t {
				score += 5
			}
			cands = append(cands, cand{s, score})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		if cands[i].s.Type != cands[j].s.Type {
			return cands[i].s.Type < cands[j].s.Type
		}
		return cands[i].s.ID < cands[j].s.ID
	})
	var out []*rules.Subject
	for _, c := range cands {
		if len(out) == n {
			break
		}
		out = append(out, c.s)
	}
	return out
}

// sharedTokens counts the tokens of want (tussenvoegsels aside) that a
// token of have equals or misses by one edit.
func sharedTokens(want, have []string) int {
	k := 0
	for _, w := range want {
		if tussenvoegsels[w] {
			continue
		}
		for _, h := range have {
			if w == h || (len(w) > 3 && editsAtMost1(w, h)) {
				k++
				break
			}
		}
	}
	return k
}

// editsAtMost1 reports whether a and b differ by at most one inserted,
// deleted or changed character.
func editsAtMost1(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}

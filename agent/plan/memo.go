package plan

import (
	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/rules"
)

// memo remembers, during one store's scan, the work that the files of a
// folder share: they mostly name the same person, in a few categories,
// and a modification date most rules never read. The layouts are matched
// once per folder where they can be (classify.Folder), the person is
// found by name (normalised, the tussenvoegsels tried) once per name, and
// the policy evaluated once per set of facts, instead of once per file.
// rules.Evaluate is pure, so the same facts give the same decision; the
// decision is shared by the items, which never change it.
type memo struct {
	// folder remembers what the layouts said of the folder (classify).
	folder   classify.Folder
	who      resolveKey
	subj     *rules.Subject
	why      rules.Text
	resolved bool
	// decisions are the last sets of facts decided; cleared when full, as
	// a scan moves from folder to folder and rarely comes back.
	decisions map[rules.Facts]rules.Decision
	// modDate says per category whether its decisions read the
	// modification date (rules.Policy.ReadsModDate); where they do not,
	// it is left out of the facts compared, so that a folder's files of
	// different days share their decision.
	modDate map[rules.Category]bool
}

// resolveKey is what Planner.resolve reads of a layout match.
type resolveKey struct {
	t        rules.SubjectType
	name, id string
}

// memoSize bounds the decisions a memo holds.
const memoSize = 64

// resolve is Planner.resolve, remembered for the last name.
func (m *memo) resolve(p *Planner, lm classify.Match) (*rules.Subject, rules.Text) {
	k := resolveKey{lm.SubjectType, lm.Name, lm.ID}
	if !m.resolved || k != m.who {
		m.subj, m.why = p.resolve(lm)
		m.who, m.resolved = k, true
	}
	return m.subj, m.why
}

// evaluate is Planner.evaluate, remembered for the last facts. Explain's
// decisions, which carry what every rule said, are not remembered.
func (m *memo) evaluate(p *Planner, f rules.Facts) rules.Decision {
	if p.explain {
		return p.evaluate(f)
	}
	reads, known := m.modDate[f.Category]
	if !known {
		if m.modDate == nil {
			m.modDate = map[rules.Category]bool{}
		}
		reads = p.Policy.ReadsModDate(f.Category)
		m.modDate[f.Category] = reads
	}
	key := f
	if !reads {
		key.ModDate = rules.Date{}
	}
	if d, ok := m.decisions[key]; ok {
		return d
	}
	d := p.evaluate(f)
	if m.decisions == nil || len(m.decisions) >= memoSize {
		m.decisions = make(map[rules.Facts]rules.Decision, memoSize)
	}
	m.decisions[key] = d
	return d
}

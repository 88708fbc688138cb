// Package report writes a plan as the files an administrator and other
// tools read: plan.json (the contract in DESIGN.md), plan.csv (for Excel as
// Dutch offices use it) and report.html (self-contained, for the office).
// Every writer streams: memory does not grow with the number of items,
// except report.html, which details at most MaxHTMLItems.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/retentiond/retentiond/agent/plan"
)

// JSON writes plan.json, streaming its items.
type JSON struct {
	pf    *planFile
	first bool
	buf   []byte // an item's encoding, reused
}

// NewJSON starts the file at path.
func NewJSON(path string) (*JSON, error) {
	pf, err := newPlanFile(path)
	if err != nil {
		return nil, err
	}
	return &JSON{pf: pf, first: true}, nil
}

// Begin writes the header fields and opens the items array.
func (j *JSON) Begin(h plan.Header) error {
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	b = bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}"))
	b = bytes.TrimRight(b, "\n ")
	j.pf.Write(b)
	_, err = j.pf.WriteString(",\n  \"items\": [")
	j.pf.setMark(j.first)
	return err
}

// Item writes one item on a line of its own.
func (j *JSON) Item(it *plan.Item) error {
	b, err := appendItem(j.buf[:0], it)
	if err != nil {
		return err
	}
	j.buf = b
	if j.first {
		j.pf.WriteString("\n    ")
		j.first = false
	} else {
		j.pf.WriteString(",\n    ")
	}
	_, err = j.pf.Write(b)
	return err
}

// Commit makes the items so far final.
func (j *JSON) Commit() error { j.pf.setMark(j.first); return nil }

// Discard drops the items since the last Commit.
func (j *JSON) Discard() error {
	st, err := j.pf.discard()
	if err == nil {
		j.first = st.(bool)
	}
	return err
}

// End closes the items array, writes the stores and the summary, and puts
// the file in place.
func (j *JSON) End(stores []plan.StoreResult, sum plan.Summary) error {
	if stores == nil {
		stores = []plan.StoreResult{}
	}
	st, err := json.MarshalIndent(stores, "  ", "  ")
	if err != nil {
		j.pf.abandon()
		return err
	}
	sm, err := json.Marshal(sum)
	if err != nil {
		j.pf.abandon()
		return err
	}
	if !j.first {
		j.pf.WriteString("\n  ")
	}
	fmt.Fprintf(j.pf, "],\n  \"stores\": %s,\n  \"summary\": %s\n}\n", st, sm)
	return j.pf.finish()
}

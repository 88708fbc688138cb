// Package report writes a plan as the files an administrator and other
// tools read: plan.json (the contract in DESIGN.md), plan.csv (for Excel as
// Dutch offices use it) and report.html (self-contained, for the office).
// Every writer streams: memory does not grow with the number of items,
// except report.html, which details at most MaxHTMLItems.
package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/retentiond/retentiond/agent/plan"
)

// FileMode is the mode of every plan file: they hold personal data.
const FileMode = 0o600

// create opens path for writing with FileMode, replacing any earlier file.
// An earlier file's looser mode is tightened too.
func create(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, FileMode)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(FileMode); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// JSON writes plan.json, streaming its items.
type JSON struct {
	f     *os.File
	w     *bufio.Writer
	first bool
}

// NewJSON creates the file at path.
func NewJSON(path string) (*JSON, error) {
	f, err := create(path)
	if err != nil {
		return nil, err
	}
	return &JSON{f: f, w: bufio.NewWriterSize(f, 1<<16), first: true}, nil
}

// Begin writes the header fields and opens the items array.
func (j *JSON) Begin(h plan.Header) error {
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	b = bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}"))
	b = bytes.TrimRight(b, "\n ")
	j.w.Write(b)
	_, err = io.WriteString(j.w, ",\n  \"items\": [")
	return err
}

// Item writes one item on a line of its own.
func (j *JSON) Item(it *plan.Item) error {
	b, err := json.Marshal(it)
	if err != nil {
		return err
	}
	if j.first {
		j.w.WriteString("\n    ")
		j.first = false
	} else {
		j.w.WriteString(",\n    ")
	}
	_, err = j.w.Write(b)
	return err
}

// End closes the items array and writes the stores and the summary.
func (j *JSON) End(stores []plan.StoreResult, sum plan.Summary) error {
	if stores == nil {
		stores = []plan.StoreResult{}
	}
	st, err := json.MarshalIndent(stores, "  ", "  ")
	if err != nil {
		return err
	}
	sm, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	if !j.first {
		j.w.WriteString("\n  ")
	}
	fmt.Fprintf(j.w, "],\n  \"stores\": %s,\n  \"summary\": %s\n}\n", st, sm)
	if err := j.w.Flush(); err != nil {
		j.f.Close()
		return err
	}
	return j.f.Close()
}

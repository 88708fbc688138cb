package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a config file. It names the file, the line and
// column of the offending key, the key's path (such as
// stores[1].layout[0].path), what is wrong and how to fix it. It never
// holds a secret: messages quote only words a config is made of (types,
// categories, placeholders), never free text a user typed for a secret.
type Error struct {
	File   string
	Line   int // 1-based; 0 when the problem is not tied to a place
	Column int // 1-based; 0 when unknown
	Key    string
	Msg    string
	Fix    string
}

// Error formats e as file:line:col: key: msg; fix: fix.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Fix != "" {
		b.WriteString("; fix: ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

// Errors is every problem Load found, in file order. Callers test for it
// with errors.As; errors.As on a single *Error also works through Unwrap.
type Errors struct {
	Errs []*Error
}

// Error lists the problems, one per line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.Errs))
	for i, err := range e.Errs {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the single problems.
func (e *Errors) Unwrap() []error {
	out := make([]error, len(e.Errs))
	for i, err := range e.Errs {
		out[i] = err
	}
	return out
}

// sort orders the problems as they appear in the file; problems with no
// place (Line 0) come first, since they are about the file as a whole.
func (e *Errors) sort() {
	slices.SortStableFunc(e.Errs, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// err returns e as an error, or nil if there are no problems; a nil
// *Errors must not reach callers as a non-nil error interface.
func (e *Errors) err() error {
	if len(e.Errs) == 0 {
		return nil
	}
	e.sort()
	return e
}

package main

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows how far a long operation (plan, apply, request package)
// is, on stderr: on a terminal a bar (a spinner with a count while the
// total is not known), cleared when done; elsewhere (a log, a pipe) a
// line per thousand items. It says counts only: never a person's name, a
// record's path or a store's name.
type progress struct {
	w    io.Writer
	what string // the command: "apply", "request package"
	unit string // what is counted: "items handled", "records listed"
	tty  bool

	bar   *progressbar.ProgressBar
	total int // the bar's total (-1: not known)
	next  int // off a terminal: the count of the next line
}

// newProgress is the progress of the command what, counting unit; tty
// draws a bar on w, else lines are written.
func newProgress(w io.Writer, what, unit string, tty bool) *progress {
	return &progress{w: w, what: what, unit: unit, tty: tty, next: 1000}
}

// phase starts counting something else (a package lists, then copies):
// the bar starts anew, and so do the thousands.
func (p *progress) phase(unit string) {
	if unit == p.unit {
		return
	}
	p.done()
	p.unit, p.next = unit, 1000
}

// set says that done of total are done (total -1: not known).
func (p *progress) set(done, total int) {
	if !p.tty {
		if done < p.next {
			return
		}
		if total >= 0 {
			fmt.Fprintf(p.w, "retentiond %s: %d of %d %s\n", p.what, done, total, p.unit)
		} else {
			fmt.Fprintf(p.w, "retentiond %s: %d %s\n", p.what, done, p.unit)
		}
		p.next = (done/1000 + 1) * 1000
		return
	}
	if p.bar != nil && total != p.total {
		p.done()
	}
	if p.bar == nil {
		p.total = total
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(p.what+": "+p.unit),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	_ = p.bar.Set(done) // writing to the terminal: nothing to do if it fails
}

// done draws the bar full and clears it; a line written off a terminal
// stays.
func (p *progress) done() {
	if p.bar == nil {
		return
	}
	_ = p.bar.Finish()
	_ = p.bar.Close()
	p.bar = nil
}

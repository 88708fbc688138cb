// Package letter writes the answer to a data subject's request (access,
// erase, export, rectify, restrict), in Dutch or English, as a printable
// self-contained HTML page or as plain text: what the organisation did,
// what it keeps and until when, and the person's right to complain.
//
// A letter goes to the person the data is about (or, for a child, the
// parents), so it may name them; it never names a file, a folder or a
// store: an erasure is told in counts and categories, an access package
// by what it holds. The letter is made from the request (agent/requests),
// the organisation, and the outcome the caller counted (Erasure, Package;
// see ErasureFromPlan and PackageFromItems).
package letter

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// Formats Render writes.
const (
	HTML = "html" // a printable A4 page, self-contained (no script, nothing loaded)
	Text = "text" // plain text, lines of at most 72 characters, for an e-mail
)

// Organisation is who writes the letter.
type Organisation struct {
	// Name is the config's organisation.
	Name string
	// Address lines and Contact (an e-mail address or phone number for
	// questions) are printed in the letterhead when given.
	Address []string
	Contact string
	// Signer signs the letter (the privacy officer's name or role);
	// "" signs with the organisation's name.
	Signer string
}

// Input is what a letter is made from.
type Input struct {
	Request      requests.Request
	Organisation Organisation
	// Date is the letter's date (the day it is made).
	Date rules.Date
	// Lang is "nl" or "en"; "" takes the request's language.
	Lang string
	// SubjectName names the person the request is about, from the
	// registry, in the letter's reference line; "" leaves the name out.
	SubjectName string
	// Erasure is, for an erasure request, what was (or will be) done:
	// nil when not yet known (the letter then acknowledges the request).
	Erasure *Erasure
	// Package is, for an access or export request, what the package the
	// person receives holds; nil when it is not made yet.
	Package *Package
	// Reason is, for a refused request, why (the privacy officer's words).
	Reason string
}

// Erasure is what an erasure request's plan did with the subject's
// records, in counts: never a path.
type Erasure struct {
	// Deleted and Pseudonymised count the records carried out; Pending
	// those approved or planned but not yet carried out.
	Deleted, Pseudonymised, Pending int
	// Review counts the records a person still has to decide on.
	Review int
	// Kept is what a statutory duty (or a legal hold) keeps, per
	// category and date.
	Kept []Kept
}

// Kept is a number of records of one category kept until a day.
type Kept struct {
	Category rules.Category
	// Until is the day they go (YYYY-MM-DD); "" while the duty lasts with
	// no known end.
	Until string
	N     int
	// Basis is the legal basis, in the letter's language, as the policy
	// words it.
	Basis string
}

// Package is what an access or export package holds.
type Package struct {
	// Files counts the copied files, Rows the rows of the organisation's
	// systems (in JSON and CSV), Unavailable the records that could not
	// be copied (they are listed in the package's index).
	Files, Rows, Unavailable int
	// Categories counts the records per category, most first.
	Categories []Count
}

// Count is a number of records of one category.
type Count struct {
	Category rules.Category
	N        int
}

// Records is the number of records the package lists.
func (p Package) Records() int { return p.Files + p.Rows + p.Unavailable }

// ErrFormat is returned for a format other than HTML and Text.
var ErrFormat = errors.New("letter: the format is html or text")

// Render writes the letter for in, in format HTML or Text.
func Render(w io.Writer, in Input, format string) error {
	d, err := build(in)
	if err != nil {
		return err
	}
	switch format {
	case HTML:
		return htmlTmpl.Execute(w, d)
	case Text:
		return writeText(w, d)
	}
	return ErrFormat
}

// FileName is the name to download the letter under: by the request's
// id, never the person's name ("antwoord-REQ-0003.html").
func FileName(in Input, format string) string {
	ext := ".txt"
	if format == HTML {
		ext = ".html"
	}
	base := "answer-"
	if lang(in) == "nl" {
		base = "antwoord-"
	}
	return base + in.Request.ID + ext
}

// ContentType is the MIME type of a letter in format.
func ContentType(format string) string {
	if format == HTML {
		return "text/html; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}

func lang(in Input) string {
	l := in.Lang
	if l == "" {
		l = in.Request.Lang
	}
	if l == "en" {
		return "en"
	}
	return "nl"
}

// ErasureFromPlan counts what f, the plan of erasure request r, does with
// r's subject: once applied (applied true; notDone actions were skipped,
// failed or left out), the deletions and pseudonymisations carried out;
// before, the ones pending. Held items become Kept, per category and day.
func ErasureFromPlan(f *plan.File, s requests.SubjectRef, applied bool, notDone int) Erasure {
	var e Erasure
	kept := map[[3]string]int{}
	for _, it := range f.Items {
		if it.Subject == nil || it.Subject.Type != s.Type || it.Subject.ID != s.ID {
			continue
		}
		switch it.Action {
		case rules.Delete:
			e.Deleted++
		case rules.Pseudonymise:
			e.Pseudonymised++
		case rules.Review:
			e.Review++
		case rules.Hold:
			kept[[3]string{string(it.Category), it.Due, it.Basis}]++
		}
	}
	if !applied {
		e.Pending, e.Deleted, e.Pseudonymised = e.Deleted+e.Pseudonymised, 0, 0
	} else if notDone > 0 {
		n := min(notDone, e.Deleted+e.Pseudonymised)
		e.Pending = n
		d := min(n, e.Deleted)
		e.Deleted -= d
		e.Pseudonymised -= n - d
	}
	for k, n := range kept {
		e.Kept = append(e.Kept, Kept{Category: rules.Category(k[0]), Until: k[1], Basis: k[2], N: n})
	}
	slices.SortFunc(e.Kept, func(a, b Kept) int {
		return cmp.Or(cmpUntil(a.Until, b.Until), cmp.Compare(a.Category, b.Category), cmp.Compare(a.Basis, b.Basis))
	})
	return e
}

// cmpUntil orders days, the open-ended ("") last.
func cmpUntil(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return cmp.Compare(a, b)
}

// PackageFromItems counts what a package of the given plan items holds:
// export rows as rows, everything else as files. unavailable is how many
// of them could not be copied or read.
func PackageFromItems(items []*plan.Item, unavailable int) Package {
	var p Package
	cats := map[rules.Category]int{}
	for _, it := range items {
		if it.Kind == string(scanners.KindRow) {
			p.Rows++
		} else {
			p.Files++
		}
		cats[it.Category]++
	}
	u := min(unavailable, p.Files+p.Rows)
	p.Unavailable = u
	if d := min(u, p.Files); d > 0 {
		p.Files -= d
		u -= d
	}
	p.Rows -= u
	for c, n := range cats {
		p.Categories = append(p.Categories, Count{Category: c, N: n})
	}
	slices.SortFunc(p.Categories, func(a, b Count) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Category, b.Category)) })
	return p
}

// longDate writes d as a letter does: "1 maart 2026", "1 March 2026".
func longDate(d rules.Date, l string) string {
	if d.IsZero() {
		return ""
	}
	if l == "nl" {
		return fmt.Sprintf("%d %s %d", d.Day, monthsNL[d.Month-1], d.Year)
	}
	return fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year)
}

// longISO is longDate of an ISO date; "" for anything else.
func longISO(iso, l string) string {
	d, err := rules.ParseDate(iso)
	if err != nil {
		return ""
	}
	return longDate(d, l)
}

var monthsNL = [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
	"september", "oktober", "november", "december"}

package letter

import (
	"fmt"
	"slices"
	"strings"

	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/rules"
)

// doc is a letter as both formats write it: the same words, so that the
// preview, the download and the e-mail never say different things.
type doc struct {
	Lang, Title string
	Org         Organisation
	Date        string
	Ref         [][2]string // label, value
	Salutation  string
	Blocks      []block
	Closing     string
	Signer      string
}

// block is a paragraph, optionally followed by a list.
type block struct {
	Text string
	List []string
}

// build makes the letter's words from in.
func build(in Input) (doc, error) {
	r := in.Request
	if !slices.Contains(requests.Kinds, r.Kind) {
		return doc{}, fmt.Errorf("letter: request %s has no kind a letter answers (%s)", r.ID, strings.Join(requests.Kinds, ", "))
	}
	if r.ID == "" {
		return doc{}, fmt.Errorf("letter: the request has no id")
	}
	l := lang(in)
	w := wording[l]
	about := w.aboutYou
	if r.Subject.Type == rules.Child {
		about = w.aboutChild
	}
	who := rules.SubjectName(r.Subject.Type, l) + ", " + w.number + " " + r.Subject.ID
	if n := strings.TrimSpace(in.SubjectName); n != "" {
		who = n + " (" + who + ")"
	}
	d := doc{Lang: l, Title: w.title, Org: in.Organisation, Date: longDate(in.Date, l),
		Salutation: w.salutation, Closing: w.closing, Signer: in.Organisation.Signer}
	d.Ref = [][2]string{
		{w.regarding, w.kindTitle[r.Kind] + " (" + w.article[r.Kind] + ")"},
		{w.about, who},
		{w.received, longDate(r.Received, l)},
		{w.reference, r.ID},
	}
	d.add(fmt.Sprintf(w.opening, longDate(r.Received, l), fmt.Sprintf(w.kindPhrase[r.Kind], about)))
	switch {
	case r.Status == requests.StatusRefused:
		reason := strings.TrimSpace(in.Reason)
		if reason == "" {
			reason = w.reasonHolder
		}
		d.add(w.refused + " " + fmt.Sprintf(w.reason, reason))
	case r.Kind == requests.Erase && in.Erasure != nil:
		d.erasure(*in.Erasure, w, l)
	case (r.Kind == requests.Access || r.Kind == requests.Export) && in.Package != nil:
		d.pkg(*in.Package, r.Kind, w, l)
	case r.Kind == requests.Rectify && r.Status != requests.StatusOpen:
		d.add(w.rectified)
	case r.Kind == requests.Restrict && r.Status != requests.StatusOpen:
		d.add(w.restricted)
	default:
		d.add(fmt.Sprintf(w.acknowledge, longDate(r.Deadline, l)))
	}
	contact := ""
	if c := strings.TrimSpace(in.Organisation.Contact); c != "" {
		contact = fmt.Sprintf(w.via, c)
	}
	d.add(fmt.Sprintf(w.rights, contact))
	return d, nil
}

func (d *doc) add(text string, list ...string) {
	d.Blocks = append(d.Blocks, block{Text: text, List: list})
}

// erasure tells what an erasure did: counts and categories, no paths.
func (d *doc) erasure(e Erasure, w texts, l string) {
	var list []string
	if e.Deleted > 0 {
		list = append(list, fmt.Sprintf(w.deleted, records(e.Deleted, w)))
	}
	if e.Pseudonymised > 0 {
		list = append(list, fmt.Sprintf(w.pseudonymised, records(e.Pseudonymised, w)))
	}
	if e.Pending > 0 {
		list = append(list, fmt.Sprintf(w.pending, records(e.Pending, w)))
	}
	if e.Review > 0 {
		list = append(list, fmt.Sprintf(w.review, records(e.Review, w)))
	}
	for _, k := range e.Kept {
		until := w.whileDuty
		if u := longISO(k.Until, l); u != "" {
			until = fmt.Sprintf(w.until, u)
		}
		cat := report.CategoryName(k.Category, l)
		if cat == "" {
			cat = w.noCategory
		}
		s := fmt.Sprintf(w.kept, until, records(k.N, w), cat)
		if b := strings.TrimSpace(k.Basis); b != "" {
			s += " " + fmt.Sprintf(w.basis, b)
		}
		list = append(list, s)
	}
	switch {
	case len(list) == 0:
		d.add(w.nothingFound)
		return
	case e.Pending > 0 || e.Review > 0:
		d.add(w.erasingIntro, list...)
	default:
		d.add(w.erasedIntro, list...)
	}
	if len(e.Kept) > 0 {
		d.add(w.keptUse)
	}
}

// pkg tells what an access or export package holds.
func (d *doc) pkg(p Package, kind string, w texts, l string) {
	intro := w.accessIntro
	if kind == requests.Export {
		intro = w.exportIntro
	}
	d.add(intro)
	var cats []string
	for _, c := range p.Categories {
		name := report.CategoryName(c.Category, l)
		if name == "" {
			name = w.noCategory
		}
		cats = append(cats, fmt.Sprintf("%s: %d", name, c.N))
	}
	d.add(fmt.Sprintf(w.holds, records(p.Records(), w), p.Files, p.Rows), cats...)
	if p.Unavailable > 0 {
		d.add(fmt.Sprintf(w.unavailable, records(p.Unavailable, w)))
	}
	d.add(w.eachLine)
}

// records writes a count of records: "1 stuk", "3 stukken".
func records(n int, w texts) string {
	if n == 1 {
		return "1 " + w.record
	}
	return fmt.Sprintf("%d %s", n, w.records)
}

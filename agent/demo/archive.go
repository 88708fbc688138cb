package demo

import (
	"archive/zip"
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/retentiond/retentiond/rules"
)

const (
	icloud  = "data/iCloud/Rapportages/"
	archief = "data/Archief/"
	// nReports is how many children have reports in the director's iCloud.
	nReports = 40
)

// writeICloud writes yearly reports for some children in the director's
// iCloud Drive folder; about half are not downloaded, so only their
// ".name.icloud" placeholder is on disk.
func (g *generator) writeICloud() error {
	r := g.org.r
	var with []*child
	for _, c := range g.org.children {
		if c.folder != "" && !c.scripted {
			with = append(with, c)
		}
	}
	for _, i := range r.Perm(len(with))[:min(nReports, len(with))] {
		c := with[i]
		ref := c.ref(g.org.last)
		for y := max(c.start.Year, ref.Year-2); y <= ref.Year; y++ {
			from := maxDate(c.start.AddDays(30), rules.MakeDate(y, 1, 15))
			to := minDate(ref, rules.MakeDate(y, 12, 20))
			if to.Before(from) {
				continue
			}
			d := between(r, from, to)
			base := fmt.Sprintf("rapportage-%d.pdf", y)
			dir := icloud + c.name.full() + "/"
			data := pdf(fmt.Sprintf("Rapportage %d", y), d, "Kind: "+c.name.full(), "Groep: "+c.group)
			if r.IntN(2) == 0 {
				data = icloudPlaceholder(base, int64(80_000+r.IntN(2_400_000)))
				base = "." + base + ".icloud"
			}
			if err := g.t.file(dir+base, data, d); err != nil {
				return err
			}
		}
	}
	// Finder leaves one of these in every folder it has shown.
	dsStore := append([]byte{0, 0, 0, 1, 'B', 'u', 'd', '1'}, make([]byte, 56)...)
	return g.t.file(icloud+".DS_Store", dsStore, g.org.asOf.AddDays(-3))
}

// writeArchief writes the scanned paper archive, filed by the year the
// contract ended and the child's first and last name, for children whose
// care ended three to ten years ago. Two old years were zipped to save
// space, and one zip mixes children who are due with children who are not.
func (g *generator) writeArchief() error {
	o := g.org
	a := o.asOf
	zipYears := []int{a.Year - 9, a.Year - 8}
	cutoff := a.AddMonths(-36)
	var due, recent, zipped []*child
	for _, c := range o.children {
		switch {
		case c.end.IsZero():
		case !c.end.After(cutoff) && !slices.Contains(zipYears, c.end.Year):
			due = append(due, c)
		case !c.end.After(cutoff):
			zipped = append(zipped, c)
		case !c.scripted && c.end.After(a.AddMonths(-24)) && c.end.Before(a.AddMonths(-2)):
			recent = append(recent, c)
		}
	}
	// The mixed zip: three children long due and three who left recently.
	var mixed, plainDue []*child
	for _, c := range due {
		if !c.scripted {
			plainDue = append(plainDue, c)
		}
	}
	for _, group := range [][]*child{plainDue, recent} {
		for _, i := range o.r.Perm(len(group))[:min(3, len(group))] {
			mixed = append(mixed, group[i])
		}
	}
	for _, c := range due {
		if slices.Contains(mixed, c) {
			continue
		}
		dir := fmt.Sprintf("%s%d/%s/", archief, c.end.Year, c.name.full())
		for _, e := range g.scans(c, o.last) {
			if err := g.t.fileAt(dir+e.name, e.data, e.mtime); err != nil {
				return err
			}
		}
	}
	for _, y := range zipYears {
		var in []*child
		for _, c := range zipped {
			if c.end.Year == y {
				in = append(in, c)
			}
		}
		if err := g.zip(fmt.Sprintf("%s%d.zip", archief, y), in, rules.MakeDate(y+1, 2, 1).AddDays(o.r.IntN(40))); err != nil {
			return err
		}
	}
	made := a.AddMonths(-1)
	return g.zip(fmt.Sprintf("%sgemengd-%d.zip", archief, made.Year), mixed, made)
}

// scan is one scanned document of a child's paper dossier.
type scan struct {
	name  string
	data  []byte
	mtime time.Time
}

// scans are what the paper archive holds for a child: the whole dossier
// and the contract, scanned together in the last weeks of the year the
// contract ended (or just after, if care ended in December), and never
// after made, the day the archive holding them was made.
func (g *generator) scans(c *child, made rules.Date) []scan {
	d := maxDate(c.end.AddDays(7), rules.MakeDate(c.end.Year, 12, 1)).AddDays(g.org.r.IntN(21))
	d = minDate(d, made)
	mt := g.t.stamp(d)
	who := "Kind: " + c.name.full()
	return []scan{
		{"scan-dossier.pdf", pdf("Kinddossier (scan)", d, who, "Einde opvang: "+nl(c.end)), mt},
		{fmt.Sprintf("Contract-%d.pdf", c.start.Year), pdf("Plaatsingsovereenkomst (scan)", d, who, "Ingangsdatum: "+nl(c.start)), mt},
	}
}

// zip writes a zip archive of the children's scans, entries named
// "<Voornaam Achternaam>/<document>", the archive dated made (and after
// its newest entry).
func (g *generator) zip(rel string, children []*child, made rules.Date) error {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	mt := g.t.stamp(made)
	for _, c := range children {
		for _, e := range g.scans(c, made) {
			if latest := e.mtime.Add(time.Hour); latest.After(mt) {
				mt = latest // zipped after the last scan in it
			}
			f, err := w.CreateHeader(&zip.FileHeader{Name: c.name.full() + "/" + e.name, Method: zip.Deflate, Modified: e.mtime})
			if err != nil {
				return writeErr(rel, err)
			}
			if _, err := f.Write(e.data); err != nil {
				return writeErr(rel, err)
			}
		}
	}
	if err := w.Close(); err != nil {
		return writeErr(rel, err)
	}
	return g.t.fileAt(rel, b.Bytes(), mt)
}

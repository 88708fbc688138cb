package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// collectSink keeps a plan's items in memory: one subject's items, for a
// package.
type collectSink struct{ items, pending []*plan.Item }

func (c *collectSink) Begin(plan.Header) error  { return nil }
func (c *collectSink) Item(it *plan.Item) error { c.pending = append(c.pending, it); return nil }
func (c *collectSink) Commit() error {
	c.items, c.pending = append(c.items, c.pending...), nil
	return nil
}
func (c *collectSink) Discard() error                             { c.pending = nil; return nil }
func (c *collectSink) End([]plan.StoreResult, plan.Summary) error { return nil }

// packaged is one record in an access package, for its index.
type packaged struct {
	Store, Record, Category, Action, Due, Reason, Copy, Note string
}

// Package is an access package made for a request.
type Package struct {
	Request string // the request's id
	Dir     string // the package's folder
	Records int    // the records it holds
	// Change is the request's change of status: an open request is
	// answered by its package.
	Change requests.Change
}

// PackageOptions are the choices of one access package.
type PackageOptions struct {
	// Out is a new folder for the package; "" is STATE_DIR/packages/ID.
	Out string
	// Progress, if set, is told how far the package is: while the stores
	// are listed, the records seen so far (total -1); then, as records
	// are copied, how many of those found (total) are done. A front end
	// shows it (the service prints nothing). It must not block.
	Progress func(done, total int)
}

// AccessPackage writes everything found about the subject of the access
// or export request id into out ("": STATE_DIR/packages/ID); see
// AccessPackageWith.
func (s *Service) AccessPackage(ctx context.Context, id, out string, by Actor) (*Package, error) {
	return s.AccessPackageWith(ctx, id, by, PackageOptions{Out: out})
}

// AccessPackageWith writes everything found about the subject of the access
// or export request id into o.Out ("": STATE_DIR/packages/ID), a new
// folder (R4): the files copied, export rows as JSON and CSV per store,
// and index.html in the requester's language. Everything is mode 0600
// (0700 for folders): it is the person's data, to be handed over. The
// ledger records that by made a package and how many records it holds,
// never what; an open request is then answered. The Package is returned
// once it was made, also with an error about the request's state.
func (s *Service) AccessPackageWith(ctx context.Context, id string, by Actor, o PackageOptions) (*Package, error) {
	set, err := s.requestSet()
	if err != nil {
		return nil, err
	}
	r, ok := set.Get(id)
	switch {
	case !ok:
		return nil, &InputError{Flag: "--id", Err: fmt.Errorf("no request %q; see retentiond request list", id)}
	case r.Kind != requests.Access && r.Kind != requests.Export:
		return nil, &InputError{Flag: "--id", Err: fmt.Errorf("%s is an %s request; packages answer access and export requests", r.ID, r.Kind)}
	}
	out := o.Out
	if out == "" {
		out = filepath.Join(s.cfg.StateDir, "packages", r.ID)
	}
	n, err := s.accessPackage(ctx, r, out, by, o.Progress)
	if err != nil {
		return nil, err
	}
	pkg := &Package{Request: r.ID, Dir: out, Records: n}
	c, err := set.AnswerPackage(r.ID, by.String(), time.Now().In(s.cfg.Location))
	if err == nil && c.Changed() {
		err = s.recordChange(c, "", by)
	}
	pkg.Change = c
	if err != nil {
		return pkg, fmt.Errorf("the package was made, but %s could not be marked answered: %w", r.ID, err)
	}
	return pkg, nil
}

// accessPackage writes the package of r into out and records it in the
// ledger; it returns the number of records in it. progress, if set, is
// told how far it is (PackageOptions.Progress).
func (s *Service) accessPackage(ctx context.Context, r requests.Request, out string, by Actor, progress func(done, total int)) (int, error) {
	cfg := s.cfg
	if ents, err := os.ReadDir(out); err == nil && len(ents) > 0 {
		return 0, fmt.Errorf("%s is not empty: give a new folder for the package", out)
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return 0, err
	}
	pol, err := pipeline.Policy(cfg)
	if err != nil {
		return 0, configErr(err)
	}
	subjects, _, err := pipeline.Subjects(cfg)
	if err != nil {
		return 0, fmt.Errorf("registries could not be read, so no package is made:\n%w", err)
	}
	stores, err := pipeline.Stores(ctx, cfg)
	if err != nil {
		return 0, configErr(err)
	}
	lang := r.Lang
	if lang != "en" {
		lang = "nl"
	}
	today := rules.DateIn(s.now(), cfg.Location)
	held, err := s.activeHolds(today)
	if err != nil {
		return 0, err
	}
	resolved, err := s.activeResolutions() // records tied to the subject by hand are theirs too
	if err != nil {
		return 0, err
	}
	p := &plan.Planner{Policy: pol, Subjects: subjects, Stores: stores, AsOf: today, Location: cfg.Location,
		All: true, Lang: lang, Holds: held, Resolutions: resolved, Only: &plan.SubjectKey{Type: r.Subject.Type, ID: r.Subject.ID}}
	if progress != nil {
		p.Progress = listed(progress)
	}
	var sink collectSink
	_, results, err := p.Run(ctx, &sink)
	if err != nil {
		return 0, err
	}
	for _, res := range results {
		if res.Error != "" {
			return 0, fmt.Errorf("store %s could not be listed completely, so the package would miss records: %s", res.Name, res.Error)
		}
	}
	var index []packaged
	rows := map[string][]pkgRow{}
	for _, it := range sink.items {
		pk := packaged{Store: it.Store, Record: it.Record, Category: string(it.Category), Action: string(it.Action), Due: it.Due, Reason: it.Reason}
		st := p.Store(it.Store)
		switch {
		case it.Kind == string(scanners.KindRow):
			row, err := readRow(ctx, st, it.Record)
			if err != nil {
				pk.Note = "could not be read"
			} else {
				rows[it.Store] = append(rows[it.Store], row)
				pk.Copy = "rows/" + it.Store + ".json"
			}
		case it.Kind == string(scanners.KindPlaceholder):
			pk.Note = "in iCloud Drive only (not downloaded): download it and make the package again"
		default:
			rel := filepath.Join("files", it.Store, filepath.FromSlash(strings.ReplaceAll(it.Record, scanners.ArchiveSep, "/")))
			if err := copyRecord(ctx, st, it.Record, filepath.Join(out, rel)); err != nil {
				pk.Note = "could not be copied"
			} else {
				pk.Copy = filepath.ToSlash(rel)
			}
		}
		index = append(index, pk)
		if progress != nil {
			progress(len(index), len(sink.items))
		}
	}
	if err := writeRows(out, rows); err != nil {
		return 0, err
	}
	sort.Slice(index, func(i, j int) bool { return index[i].Store+index[i].Record < index[j].Store+index[j].Record })
	if err := writeIndex(out, cfg, r, lang, index); err != nil {
		return 0, err
	}
	if err := s.ledgerEvent(func(k *pseudonym.Keyed) (ledger.Entry, error) {
		return ledger.Entry{Time: time.Now().UTC(), Subject: k.Subject(string(r.Subject.Type), r.Subject.ID),
			Rule: r.ID, Action: "access-package", Outcome: ledger.OutcomeDone, Reason: fmt.Sprintf("%d records", len(index)) + ledgerBy(k, by)}, nil
	}); err != nil {
		return 0, fmt.Errorf("the package was made, but the ledger could not record it: %w", err)
	}
	return len(index), nil
}

// listed turns a planner's progress (a store and its records so far)
// into the records seen in all stores so far, told to progress with
// total -1 (not known while listing).
func listed(progress func(done, total int)) func(store string, records int) {
	var store string
	var before, last int // records of the stores done, of this one so far
	return func(st string, n int) {
		if st != store {
			store, before, last = st, before+last, 0
		}
		last = n
		progress(before+n, -1)
	}
}

// pkgRow is an export row as a package holds it: its JSON as the store
// gave it ({"file", "sheet", "row", "cells"}), and its cells in the file's
// column order for the CSV.
type pkgRow struct {
	raw         json.RawMessage
	file, sheet string
	row         int
	cols, vals  []string
}

func readRow(ctx context.Context, st scanners.Store, id string) (pkgRow, error) {
	rc, err := st.Open(ctx, id)
	if err != nil {
		return pkgRow{}, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 64<<20))
	if err != nil {
		return pkgRow{}, err
	}
	return parseRow(b)
}

// parseRow reads a row's JSON, keeping its cells in order (a map would
// lose it, and a column name the file has twice).
func parseRow(b []byte) (pkgRow, error) {
	var head struct {
		File  string          `json:"file"`
		Sheet string          `json:"sheet"`
		Row   int             `json:"row"`
		Cells json.RawMessage `json:"cells"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return pkgRow{}, err
	}
	r := pkgRow{raw: b, file: head.File, sheet: head.Sheet, row: head.Row}
	if len(head.Cells) == 0 {
		return r, nil
	}
	dec := json.NewDecoder(bytes.NewReader(head.Cells))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return pkgRow{}, errors.New("a row's cells are not an object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return pkgRow{}, err
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return pkgRow{}, err
		}
		text := ""
		switch v := v.(type) {
		case nil:
		case string:
			text = v
		default:
			enc, _ := json.Marshal(v)
			text = string(enc)
		}
		r.cols = append(r.cols, t.(string))
		r.vals = append(r.vals, text)
	}
	return r, nil
}

// copyRecord copies a record's content to path, mode 0600.
func copyRecord(ctx context.Context, st scanners.Store, id, path string) error {
	if st == nil {
		return errors.New("store not open")
	}
	rc, err := st.Open(ctx, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeRows writes each store's rows as JSON (as the store gave them) and
// as CSV for Excel: the file, sheet and row, then one column per column of
// the export, in the order the files have them (a name a file has twice
// gets " (2)").
func writeRows(out string, rows map[string][]pkgRow) error {
	if len(rows) == 0 {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(out, "rows"), 0o700); err != nil {
		return err
	}
	for store, rs := range rows {
		raws := make([]json.RawMessage, len(rs))
		for i, r := range rs {
			raws[i] = r.raw
		}
		b, err := json.MarshalIndent(raws, "", "  ")
		if err != nil {
			return err
		}
		if err := writeNew(filepath.Join(out, "rows", store+".json"), b); err != nil {
			return err
		}
		cols := []string{"file", "sheet", "row"}
		at := map[string]int{}
		lines := make([][]string, len(rs))
		for i, r := range rs {
			line := []string{r.file, r.sheet, strconv.Itoa(r.row)}
			seen := map[string]int{}
			for k, c := range r.cols {
				seen[c]++
				name := c
				if seen[c] > 1 {
					name = fmt.Sprintf("%s (%d)", c, seen[c])
				}
				j, ok := at[name]
				if !ok {
					j = len(cols)
					at[name] = j
					cols = append(cols, name)
				}
				for len(line) <= j {
					line = append(line, "")
				}
				line[j] = r.vals[k]
			}
			lines[i] = line
		}
		var buf bytes.Buffer
		w, err := report.NewExcelCSV(&buf)
		if err != nil {
			return err
		}
		w.Write(cols)
		for _, line := range lines {
			for len(line) < len(cols) {
				line = append(line, "")
			}
			w.Write(line)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if err := writeNew(filepath.Join(out, "rows", store+".csv"), buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// writeNew writes a new file, mode 0600.
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// indexTmpl is index.html. Categories, what happens to each record and
// the notes are in words in the requester's language (package report's
// labels), dates as they write them: never a code of plan.json.
var indexTmpl = template.Must(template.New("index").Funcs(template.FuncMap{
	"category": func(c, l string) string { return report.CategoryName(rules.Category(c), l) },
	"fate":     func(a, due, l string) string { return report.Fate(rules.Action(a), due, l) },
	"words":    report.Readable,
	"note": func(n, l string) string {
		if w, ok := noteWords[l][n]; ok {
			return w
		}
		return n
	},
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Intro}}</p>
<table><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Items}}<tr><td>{{.Store}}</td><td>{{if .Copy}}<a href="{{.Copy}}">{{.Record}}</a>{{else}}{{.Record}}{{end}}{{if .Note}}<br><i>{{note .Note $.Lang}}</i>{{end}}</td><td>{{category .Category $.Lang}}</td><td>{{fate .Action .Due $.Lang}}</td><td>{{words .Reason $.Lang}}</td></tr>
{{end}}</table></body></html>
`))

// noteWords are the notes of a record not in the package, in Dutch.
var noteWords = map[string]map[string]string{"nl": {
	"could not be read":   "kon niet worden gelezen",
	"could not be copied": "kon niet worden gekopieerd",
	"in iCloud Drive only (not downloaded): download it and make the package again": "staat alleen in iCloud Drive (niet gedownload): download het en maak het pakket opnieuw",
}}

func writeIndex(out string, cfg *config.Config, r requests.Request, lang string, items []packaged) error {
	d := struct {
		Lang, Title, Intro string
		Head               []string
		Items              []packaged
	}{Lang: lang, Items: items}
	if lang == "en" {
		d.Title = "Your personal data at " + cfg.Organisation
		d.Intro = fmt.Sprintf("Everything %s holds about you (request %s of %s): %d record(s). Files are in files/, rows of our systems in rows/ (JSON and CSV). Each line says how long it is kept and why.", cfg.Organisation, r.ID, r.Received, len(items))
		d.Head = []string{"Where", "Record", "Kind", "What happens", "Why"}
	} else {
		d.Title = "Uw persoonsgegevens bij " + cfg.Organisation
		d.Intro = fmt.Sprintf("Alles wat %s over u bewaart (verzoek %s van %s): %d stuk(ken). Bestanden staan in files/, regels uit onze systemen in rows/ (JSON en CSV). Bij elke regel staat hoe lang die bewaard wordt en waarom.", cfg.Organisation, r.ID, report.DateText(r.Received.String(), lang), len(items))
		d.Head = []string{"Waar", "Stuk", "Soort", "Wat ermee gebeurt", "Waarom"}
	}
	f, err := os.OpenFile(filepath.Join(out, "index.html"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := indexTmpl.Execute(f, d); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

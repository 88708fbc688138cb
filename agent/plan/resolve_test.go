package plan

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/agent/holds"
	resolutions "github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/archive"
	"github.com/retentiond/retentiond/scanners/memstore"
)

var resolvedAt = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func res(id, path string, kind resolutions.Kind) resolutions.Resolution {
	return resolutions.Resolution{ID: id, Store: "dossiers", Path: path, Kind: kind, Reason: "checked", By: "Beheerder Klaasen", At: resolvedAt}
}

func toSubject(id, path, subject string, cat rules.Category) resolutions.Resolution {
	r := res(id, path, resolutions.KindSubject)
	r.Subject = &holds.SubjectRef{Type: rules.Child, ID: subject}
	r.Category = cat
	return r
}

func keepTill(id, path, until string) resolutions.Resolution {
	r := res(id, path, resolutions.KindKeepUntil)
	r.Until = date(until)
	return r
}

// TestResolutions: a resolution settles a review item (ties it to a
// subject whose rules then decide it, keeps it as not personal, or keeps
// it until a day), never changes what the rules decided of a record that
// is not review, never beats a legal hold, and apply's re-checks and
// explain see it too.
func TestResolutions(t *testing.T) {
	files := map[string][]byte{
		"Onbekend Kind/intake.pdf": []byte("a"), // no such child: resolved to Lotte (due)
		"Sem Bakker/intake.pdf":    []byte("b"), // two Sems: resolved to Daan (in care: kept)
		"overzicht.xlsx":           []byte("c"), // no layout: not personal
		"losse scan.pdf":           []byte("d"), // no layout, subject without category: still review
		"rooster.pdf":              []byte("e"), // no layout, subject with category: due
		"Onbekend2/x.pdf":          []byte("f"), // keep until 2027-01-31
		"Jansen, Piet/intake.pdf":  []byte("g"), // due by its layout: a resolution changes nothing
		"Visser, Daan/intake.pdf":  []byte("h"), // kept by its rules: a subject resolution changes nothing
		"Geschil/x.pdf":            []byte("i"), // resolved to Lotte, but under a legal hold
		"Fout/a.pdf":               []byte("j"), // resolved to a subject no longer in the registry
		"Loon/Lotte Smit/x.pdf":    []byte("k"), // Lotte's, but no rule for a child's payroll: review stays
	}
	rs := []resolutions.Resolution{
		toSubject("R-0001", "Onbekend Kind/**", "7", ""),
		toSubject("R-0002", "Sem Bakker/intake.pdf", "6", ""),
		res("R-0003", "overzicht.xlsx", resolutions.KindNotPersonal),
		toSubject("R-0004", "losse scan.pdf", "7", ""),
		toSubject("R-0005", "rooster.pdf", "7", "child-dossier"),
		keepTill("R-0006", "Onbekend2/x.pdf", "2027-01-31"),
		res("R-0007", "Jansen, Piet/**", resolutions.KindNotPersonal),
		toSubject("R-0008", "Visser, Daan/intake.pdf", "7", ""),
		toSubject("R-0009", "Geschil/**", "7", ""),
		res("R-0010", "Weg/**", resolutions.KindNotPersonal), // matches nothing: harmless
		toSubject("R-0011", "Fout/a.pdf", "999", ""),
		toSubject("R-0012", "Loon/**", "6", ""),
	}
	lay, err := classify.Compile([]classify.Layout{
		{Path: "Loon/{child.name}/**", Category: "payroll"},
		{Path: "{child.name}/**", Category: "child-dossier"},
	})
	if err != nil {
		t.Fatal(err)
	}
	held, err := holds.NewMatcher([]holds.Hold{{ID: "H-0001", Store: "dossiers", PathGlob: "Geschil/**", Reason: "geschil", AddedBy: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	ms := memstore.New(files)
	newPlanner := func(asOf string, all bool) *Planner {
		return &Planner{Policy: testPolicy(t), Subjects: subjects(), AsOf: date(asOf), Location: ams, Lang: "en", All: all,
			Holds: held, Resolutions: resolutions.NewMatcher(rs),
			Stores: []Store{{Name: "dossiers", Type: "localfs", Store: ms, Classifier: lay}}}
	}
	p := newPlanner("2026-11-23", true)
	var c collect
	sum, results, err := p.Run(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	got := c.byRecord()
	for _, tt := range []struct {
		rec              string
		action           rules.Action
		subject, due     string
		resolved, reason string
	}{
		{"Onbekend Kind/intake.pdf", rules.Delete, "7", "2014-08-31", "R-0001", "resolved by Beheerder Klaasen on 2026-11-20"},
		{"Sem Bakker/intake.pdf", rules.Keep, "6", "", "R-0002", "R-0002"},
		{"overzicht.xlsx", rules.Keep, "", "", "R-0003", "not personal data"},
		{"losse scan.pdf", rules.Review, "", "", "R-0004", "--category"},
		{"rooster.pdf", rules.Delete, "7", "2014-08-31", "R-0005", "R-0005"},
		{"Onbekend2/x.pdf", rules.Keep, "", "2027-02-01", "R-0006", "until 2027-01-31"},
		{"Jansen, Piet/intake.pdf", rules.Delete, "1", "2026-03-15", "", ""},
		{"Visser, Daan/intake.pdf", rules.Keep, "6", "", "", ""},
		{"Geschil/x.pdf", rules.Hold, "7", "", "R-0009", "legal hold H-0001"},
		{"Fout/a.pdf", rules.Review, "", "", "R-0011", "not in the registries"},
		{"Loon/Lotte Smit/x.pdf", rules.Review, "7", "", "", "no rule"},
	} {
		it := got["dossiers:"+tt.rec]
		if it == nil {
			t.Errorf("%s: not in the plan", tt.rec)
			continue
		}
		subj := ""
		if it.Subject != nil {
			subj = it.Subject.ID
		}
		if it.Action != tt.action || subj != tt.subject || it.Due != tt.due || it.Resolved != tt.resolved || !strings.Contains(it.Reason, tt.reason) {
			t.Errorf("%s: %s subject %q due %q resolved %q reason %q;\nwant %s subject %q due %q resolved %q reason containing %q",
				tt.rec, it.Action, subj, it.Due, it.Resolved, it.Reason, tt.action, tt.subject, tt.due, tt.resolved, tt.reason)
		}
	}
	if it := got["dossiers:overzicht.xlsx"]; it != nil && (it.Subject != nil || it.Category != "") {
		t.Errorf("not personal, yet subject %+v category %q", it.Subject, it.Category)
	}
	if it := got["dossiers:Onbekend Kind/intake.pdf"]; it != nil && (it.Category != "child-dossier" || it.Rule != "C1") {
		t.Errorf("resolved to a subject: category %q rule %q, want the layout's child-dossier decided by C1", it.Category, it.Rule)
	}
	if want := (Summary{Delete: 3, Review: 3, Hold: 1, Keep: 4}); sum != want {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
	wantUsed := map[string]int{"R-0001": 1, "R-0002": 1, "R-0003": 1, "R-0004": 1, "R-0005": 1, "R-0006": 1, "R-0009": 1, "R-0011": 1}
	if len(results) != 1 || !equalCounts(results[0].Resolved, wantUsed) {
		t.Errorf("resolutions applied %v, want %v", results[0].Resolved, wantUsed)
	}

	// Without --all, settled records are kept and not listed.
	var quiet collect
	if _, _, err := newPlanner("2026-11-23", false).Run(context.Background(), &quiet); err != nil {
		t.Fatal(err)
	}
	for _, rec := range []string{"Sem Bakker/intake.pdf", "overzicht.xlsx", "Onbekend2/x.pdf"} {
		if it := quiet.byRecord()["dossiers:"+rec]; it != nil {
			t.Errorf("%s: listed as %s, want kept and not listed", rec, it.Action)
		}
	}

	// After its last day, a keep-until resolution no longer keeps.
	var later collect
	if _, _, err := newPlanner("2027-02-01", false).Run(context.Background(), &later); err != nil {
		t.Fatal(err)
	}
	if it := later.byRecord()["dossiers:Onbekend2/x.pdf"]; it == nil || it.Action != rules.Review || !strings.Contains(it.Reason, "R-0006") {
		t.Errorf("after keep-until: %+v, want review naming R-0006", it)
	}
	if it, err := newPlanner("2027-01-31", false).Recheck(context.Background(), "dossiers", "Onbekend2/x.pdf"); err != nil || it.Action != rules.Keep {
		t.Errorf("on its last day: %+v, %v, want keep", it, err)
	}

	// Apply's re-checks and explain see the resolution.
	ctx := context.Background()
	it, err := p.Recheck(ctx, "dossiers", "Onbekend Kind/intake.pdf")
	if err != nil || it.Action != rules.Delete || it.Resolved != "R-0001" {
		t.Errorf("Recheck: %+v, %v; want delete by R-0001", it, err)
	}
	rec, _ := ms.Stat(ctx, "Onbekend Kind/intake.pdf")
	rec.Kind = scanners.KindFile
	if it, err := p.RedecideContext(ctx, "dossiers", rec); err != nil || it.Action != rules.Delete || it.Resolved != "R-0001" {
		t.Errorf("Redecide: %+v, %v; want delete by R-0001", it, err)
	}
	if it, _, err := newPlanner("2026-11-23", false).Explain(ctx, "dossiers", "overzicht.xlsx"); err != nil || it.Action != rules.Keep || it.Resolved != "R-0003" {
		t.Errorf("Explain: %+v, %v; want keep by R-0003", it, err)
	}
	// Without the resolutions, every one of them is review again.
	bare := newPlanner("2026-11-23", false)
	bare.Resolutions = nil
	if it, err := bare.Recheck(ctx, "dossiers", "Onbekend Kind/intake.pdf"); err != nil || it.Action != rules.Review {
		t.Errorf("Recheck without the resolution: %+v, %v; want review", it, err)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestResolutionsInZips: a zip's entries are resolved like files (a
// resolution of the zip covers them), and a zip that is review as a whole
// is settled by a resolution that names it.
func TestResolutionsInZips(t *testing.T) {
	ms := memstore.New(map[string][]byte{
		"oud.zip":     zipOf(t, "x/Onbekend/a.pdf", "x/Onbekend/b.pdf"),         // both review: the zip not personal
		"gemengd.zip": zipOf(t, "x/Lotte Smit/scan.pdf", "x/Onbekend/a.pdf"),    // one due, one review: the entry is Lotte's
		"half.zip":    zipOf(t, "x/Lotte Smit/scan.pdf", "x/Daan Visser/c.pdf"), // one due, one kept: kept until
	})
	lay, err := classify.Compile([]classify.Layout{{Path: "*/*/{child.name}/**", Category: "child-dossier"}})
	if err != nil {
		t.Fatal(err)
	}
	ar := func(id, path string, kind resolutions.Kind) resolutions.Resolution {
		r := res(id, path, kind)
		r.Store = "archief"
		return r
	}
	lotte := ar("R-0002", "gemengd.zip!/x/Onbekend/a.pdf", resolutions.KindSubject)
	lotte.Subject = &holds.SubjectRef{Type: rules.Child, ID: "7"}
	until := ar("R-0003", "half.zip", resolutions.KindKeepUntil)
	until.Until = date("2027-06-30")
	p := &Planner{Policy: testPolicy(t), Subjects: subjects(), AsOf: date("2026-11-23"), Location: ams, Lang: "en", All: true,
		Resolutions: resolutions.NewMatcher([]resolutions.Resolution{ar("R-0001", "oud.zip", resolutions.KindNotPersonal), lotte, until}),
		Stores:      []Store{{Name: "archief", Type: "localfs", Store: archive.Wrap(ms, archive.Options{}), Classifier: lay}}}
	var c collect
	_, results, err := p.Run(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	got := c.byRecord()
	for _, tt := range []struct {
		rec      string
		action   rules.Action
		entries  Entries
		resolved string
	}{
		{"oud.zip", rules.Keep, Entries{Total: 2}, ""},
		{"gemengd.zip", rules.Delete, Entries{Total: 2, Due: 2}, ""},
		{"half.zip", rules.Keep, Entries{Total: 2, Due: 1}, "R-0003"},
	} {
		it := got["archief:"+tt.rec]
		if it == nil || it.Action != tt.action || it.Entries == nil || *it.Entries != tt.entries || it.Resolved != tt.resolved {
			t.Errorf("%s: %+v; want %s %+v resolved %q", tt.rec, it, tt.action, tt.entries, tt.resolved)
		}
	}
	if it := got["archief:half.zip"]; it != nil && it.Due != "2027-07-01" {
		t.Errorf("half.zip kept until 2027-06-30: due %s, want 2027-07-01", it.Due)
	}
	if want := map[string]int{"R-0001": 2, "R-0002": 1, "R-0003": 1}; !equalCounts(results[0].Resolved, want) {
		t.Errorf("resolutions applied %v, want %v", results[0].Resolved, want)
	}
}

package plan

import (
	"context"
	"testing"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/memstore"
)

// TestLegalHolds: a held record is hold in the plan whatever its rules
// say, by subject or by path, until the hold's last day; Recheck and
// Redecide (apply's re-checks) see the hold too.
func TestLegalHolds(t *testing.T) {
	files := map[string][]byte{
		"Jansen, Piet/intake.pdf":       []byte("a"), // due (C1), subject hold
		"Berg, Anna van den/a.pdf":      []byte("b"), // due, path hold
		"Berg, Anna van den/b.pdf":      []byte("c"), // due, not held
		"Visser, Daan/intake.pdf":       []byte("d"), // kept (in care), subject hold: listed
		"Lotte Smit/scan.pdf":           []byte("e"),
		"Jansen, Piet/Contracten/x.pdf": []byte("f"),
	}
	until, _ := rules.ParseDate("2027-06-30")
	m, err := holds.NewMatcher([]holds.Hold{
		{ID: "H-0001", Subject: &holds.SubjectRef{Type: rules.Child, ID: "1"}, Reason: "geschil", AddedBy: "x"},
		{ID: "H-0002", Store: "dossiers", PathGlob: "Berg, Anna van den/a.pdf", Until: until, Reason: "audit", AddedBy: "x"},
		{ID: "H-0003", Subject: &holds.SubjectRef{Type: rules.Child, ID: "6"}, Reason: "klacht", AddedBy: "x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ms := memstore.New(files)
	p := &Planner{Policy: testPolicy(t), Subjects: subjects(), AsOf: date("2026-11-23"), Location: ams, Lang: "en", Holds: m,
		Stores: []Store{{Name: "dossiers", Type: "localfs", Store: ms, Classifier: dossierLayout(t)}}}
	var c collect
	if _, _, err := p.Run(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	items := c.byRecord()
	for _, tc := range []struct {
		rec, held string
		action    rules.Action
	}{
		{"Jansen, Piet/intake.pdf", "H-0001", rules.Hold},
		{"Jansen, Piet/Contracten/x.pdf", "H-0001", rules.Hold},
		{"Berg, Anna van den/a.pdf", "H-0002", rules.Hold},
		{"Berg, Anna van den/b.pdf", "", rules.Delete},
		{"Visser, Daan/intake.pdf", "H-0003", rules.Hold},
	} {
		it := items["dossiers:"+tc.rec]
		if it == nil || it.Action != tc.action || it.Held != tc.held {
			t.Errorf("%s: %+v; want %s held by %q", tc.rec, it, tc.action, tc.held)
		}
	}
	if it := items["dossiers:Berg, Anna van den/a.pdf"]; it != nil && it.Due != "2027-07-01" {
		t.Errorf("held until 2027-06-30: due %s, want 2027-07-01", it.Due)
	}
	for _, id := range []string{"Jansen, Piet/intake.pdf", "Berg, Anna van den/a.pdf"} {
		it, err := p.Recheck(context.Background(), "dossiers", id)
		if err != nil || it.Action != rules.Hold {
			t.Errorf("Recheck %s: %+v, %v; want hold", id, it, err)
		}
		rec, _ := ms.Stat(context.Background(), id)
		rec.Kind = scanners.KindFile
		if it, err := p.RedecideContext(context.Background(), "dossiers", rec); err != nil || it.Action != rules.Hold {
			t.Errorf("Redecide %s: %+v, %v; want hold", id, it, err)
		}
	}
}

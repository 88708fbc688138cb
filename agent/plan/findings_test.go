package plan

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/memstore"
)

// linkStore is a memstore whose records carry what a cloud store says of
// them: shared marks, locks, and links.
type linkStore struct {
	*memstore.Store
	shared map[string]bool
	locks  map[string]*scanners.Lock
	links  map[string][]scanners.Link
	asked  []string
	fail   bool
}

func (s *linkStore) Scan(ctx context.Context, fn func(scanners.Record) error) error {
	return s.Store.Scan(ctx, func(r scanners.Record) error {
		r.Shared, r.Lock = s.shared[r.ID], s.locks[r.ID]
		return fn(r)
	})
}

func (s *linkStore) Links(_ context.Context, id string) ([]scanners.Link, error) {
	s.asked = append(s.asked, id)
	if s.fail {
		return nil, errors.New("Graph is down")
	}
	return s.links[id], nil
}

func TestSharingLinksAndLocks(t *testing.T) {
	// As of 2026-03-15, Piet Jansen's dossier is due (C1); Daan
	// Visser is still in care (keep).
	files := map[string][]byte{
		"Jansen, Piet/intake.pdf":  []byte("a"),
		"Jansen, Piet/foto.jpg":    []byte("b"),
		"Jansen, Piet/verslag.pdf": []byte("c"),
		"Visser, Daan/intake.pdf":  []byte("d"),
		"Visser, Daan/gedeeld.pdf": []byte("e"),
		"overzicht.xlsx":           []byte("f"),
	}
	anyone := []scanners.Link{{Scope: "anonymous", Type: "view", Roles: []string{"read"}, Inherited: true}}
	for _, tc := range []struct {
		mode      string
		fail      bool
		wantAsked int
	}{
		{"", false, 2}, {LinksShared, false, 2}, {LinksAll, false, 5}, {LinksOff, false, 0}, {"", true, 2},
	} {
		t.Run(tc.mode+map[bool]string{true: "-failing"}[tc.fail], func(t *testing.T) {
			ls := &linkStore{Store: memstore.New(files), fail: tc.fail,
				shared: map[string]bool{"Jansen, Piet/intake.pdf": true, "Visser, Daan/gedeeld.pdf": true, "overzicht.xlsx": true},
				locks: map[string]*scanners.Lock{
					"Jansen, Piet/foto.jpg":    {Mode: "compliance", Until: time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC)},
					"Jansen, Piet/verslag.pdf": {Mode: "compliance", Until: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)},
				},
				links: map[string][]scanners.Link{"Jansen, Piet/intake.pdf": anyone, "Visser, Daan/gedeeld.pdf": anyone, "overzicht.xlsx": anyone},
			}
			p := &Planner{Policy: testPolicy(t), Subjects: subjects(), AsOf: date("2026-03-15"), Location: ams, Lang: "en",
				Stores: []Store{{Name: "od", Type: "onedrive", Store: ls, Classifier: dossierLayout(t), Links: tc.mode}}}
			var c collect
			_, res, err := p.Run(context.Background(), &c)
			if err != nil {
				t.Fatal(err)
			}
			if len(ls.asked) != tc.wantAsked {
				t.Errorf("asked for the links of %v, want %d records", ls.asked, tc.wantAsked)
			}
			items := c.byRecord()
			foto, verslag := items["od:Jansen, Piet/foto.jpg"], items["od:Jansen, Piet/verslag.pdf"]
			if foto == nil || foto.Action != rules.Hold || !foto.Locked || foto.Due != "2027-01-31" {
				t.Errorf("a due file under Object Lock until 2027-01-31: %+v; want hold until then", foto)
			}
			if verslag == nil || verslag.Action != rules.Delete || verslag.Locked {
				t.Errorf("a due file whose lock ended the day before: %+v; want delete", verslag)
			}
			if res[0].Locked != 1 {
				t.Errorf("store result counts %d locked, want 1", res[0].Locked)
			}
			kept := items["od:Visser, Daan/gedeeld.pdf"]
			switch {
			case tc.fail:
				if kept != nil {
					t.Errorf("a kept file whose links could not be read is listed: %+v", kept)
				}
				if it := items["od:Jansen, Piet/intake.pdf"]; it == nil || len(it.Warnings) != 1 || it.Warnings[0] != msgLinksFailed.EN {
					t.Errorf("a failed link check gives no warning: %+v", it)
				}
			case tc.mode == LinksOff:
				if kept != nil || res[0].Links != nil {
					t.Errorf("links reported with the check off: %+v %v", kept, res[0].Links)
				}
			default:
				if kept == nil || kept.Action != rules.Keep || len(kept.Links) != 1 || kept.Links[0].Scope != "anonymous" || !kept.Links[0].Inherited {
					t.Errorf("a kept dossier shared with anyone is not listed with its link: %+v", kept)
				}
				if it := items["od:Jansen, Piet/intake.pdf"]; it == nil || len(it.Links) != 1 || len(it.Warnings) != 1 {
					t.Errorf("a due dossier shared with anyone: %+v", it)
				}
				if res[0].Links["anonymous"] != 2 {
					t.Errorf("store result counts %v links, want 2 anonymous (the unclassified file is not asked)", res[0].Links)
				}
			}
		})
	}
}

func TestOverdue(t *testing.T) {
	asOf := date("2026-03-15")
	for _, tc := range []struct {
		action rules.Action
		due    string
		want   bool
	}{
		{rules.Delete, "2026-03-14", true},
		{rules.Delete, "2026-03-15", false},
		{rules.Pseudonymise, "2025-01-01", true},
		{rules.Hold, "2025-01-01", false},
		{rules.Review, "2025-01-01", false},
		{rules.Delete, "", false},
	} {
		if got := Overdue(&Item{Action: tc.action, Due: tc.due}, asOf); got != tc.want {
			t.Errorf("Overdue(%s due %q) = %v, want %v", tc.action, tc.due, got, tc.want)
		}
	}
}

package demo

import (
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	cfgpkg "github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// collect is a plan.Sink that keeps the items of each store whose listing
// completed.
type collect struct {
	pending, items []*plan.Item
	stores         []plan.StoreResult
}

func (c *collect) Begin(plan.Header) error  { return nil }
func (c *collect) Item(it *plan.Item) error { c.pending = append(c.pending, it); return nil }
func (c *collect) Commit() error {
	c.items, c.pending = append(c.items, c.pending...), nil
	return nil
}
func (c *collect) Discard() error { c.pending = nil; return nil }
func (c *collect) End(s []plan.StoreResult, _ plan.Summary) error {
	c.stores = s
	return nil
}

// vendorPlan is the demo's plan as of asOf, made in memory with keep items
// listed, and every export row as its store lists it, by store and id.
type vendorPlan struct {
	items map[string]*plan.Item // "store:record"
	rows  map[string]map[string]*scanners.Row
	types map[string]string // store name -> subject type
}

func planDemo(t *testing.T, root string, asOf rules.Date) vendorPlan {
	t.Helper()
	cfg, err := cfgpkg.Load(filepath.Join(root, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	pol, err := pipeline.Policy(cfg)
	if err != nil {
		t.Fatal(err)
	}
	subjects, _, err := pipeline.Subjects(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stores, err := pipeline.Stores(t.Context(), cfg)
	t.Cleanup(func() {
		for _, s := range stores {
			if c, ok := s.Store.(io.Closer); ok {
				c.Close()
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &plan.Planner{
		Header:   plan.Header{Version: plan.Version, Organisation: cfg.Organisation, AsOf: asOf.String(), Policy: pol.Name(), Lang: "en", All: true},
		Policy:   pol,
		Subjects: subjects,
		Stores:   stores,
		AsOf:     asOf,
		Location: cfg.Location,
		All:      true,
		Lang:     "en",
	}
	var c collect
	if _, _, err := p.Run(t.Context(), &c); err != nil {
		t.Fatal(err)
	}
	for _, s := range c.stores {
		if s.Error != "" {
			t.Errorf("store %s: listing failed: %s", s.Name, s.Error)
		}
	}
	vp := vendorPlan{items: map[string]*plan.Item{}, rows: map[string]map[string]*scanners.Row{}, types: map[string]string{}}
	for _, it := range c.items {
		vp.items[it.Store+":"+it.Record] = it
	}
	for _, s := range stores {
		if s.Rows == nil {
			continue
		}
		vp.types[s.Name] = string(s.Rows.Subject)
		rows := map[string]*scanners.Row{}
		err := s.Store.Scan(t.Context(), func(r scanners.Record) error {
			rows[r.ID] = r.Row
			return nil
		})
		if err != nil {
			t.Fatalf("store %s: %v", s.Name, err)
		}
		vp.rows[s.Name] = rows
	}
	return vp
}

// registryEnds is, per subject type, each number's end of care, contract
// or employment (zero: still running) as the registries say.
func registryEnds(t *testing.T, root string) map[string]map[string]rules.Date {
	out := map[string]map[string]rules.Date{"child": {}, "parent": {}, "employee": {}}
	for _, r := range readCSV(t, filepath.Join(root, "exports", "kinderen.csv")).rows {
		out["child"][r["Kindnummer"]] = parseNL(t, r["Einddatum opvang"])
	}
	for _, r := range readCSV(t, filepath.Join(root, "exports", "ouders.csv")).rows {
		out["parent"][r["Relatienummer"]] = parseISO(t, r["Einde contract"])
	}
	for _, s := range readStaff(t, root) {
		out["employee"][s.id] = s.end
	}
	return out
}

func TestVendorPlan(t *testing.T) {
	for _, asOf := range testDates {
		t.Run(asOf.String(), func(t *testing.T) { vendorPlanCases(t, asOf) })
	}
}

func vendorPlanCases(t *testing.T, asOf rules.Date) {
	root := demoAt(t, asOf, 1)
	vp := planDemo(t, root, asOf)
	known := registryNames(t, root)
	ends := registryEnds(t, root)
	childNames := map[string]int{}
	for _, n := range known["child"].byID {
		childNames[nameKey(n)]++
	}

	pseudoStores := map[string]int{}
	var oldDeleted, recentKept, unknownReviewed, runningKept, leftPseudo int
	for store, rows := range vp.rows {
		typ := vp.types[store]
		for id, row := range rows {
			it := vp.items[store+":"+id]
			if it == nil {
				t.Errorf("%s:%s: not in the plan", store, id)
				continue
			}
			if it.Action == rules.Pseudonymise && len(it.Fields) > 0 {
				pseudoStores[store]++
			}
			// Whose row is it, as the registries say?
			var subjectID string
			switch {
			case it.Subject != nil:
				subjectID = it.Subject.ID
			case typ == "child" && childNames[nameKey(row.Subject)] > 1:
				if it.Action != rules.Review {
					t.Errorf("%s:%s: a row of a name two children share is %s, want review", store, id, it.Action)
				}
				continue
			default:
				if _, ok := known[typ].byID[row.Subject]; ok || known[typ].byName[nameKey(row.Subject)] {
					t.Errorf("%s:%s: the registry knows this row's %s, but the plan ties it to no one (%s)", store, id, typ, it.Reason)
				}
				if it.Action != rules.Review {
					t.Errorf("%s:%s: a row of someone in no registry is %s, want review", store, id, it.Action)
				}
				unknownReviewed++
				continue
			}

			// Diary entries and photos: 3 months from their date (C10, C9).
			if store == "konnect-dagboek" || store == "konnect-fotos" {
				d := parseISO(t, row.Date[:10])
				switch old := !asOf.Before(d.AddMonths(3)); {
				case old && it.Action != rules.Delete:
					t.Errorf("%s:%s dated %s: %s, want delete (older than 3 months)", store, id, d, it.Action)
				case old:
					oldDeleted++
				case it.Action != rules.Keep:
					t.Errorf("%s:%s dated %s: %s, want keep (newer than 3 months)", store, id, d, it.Action)
				default:
					recentKept++
				}
			}

			end, ok := ends[typ][subjectID]
			if !ok {
				t.Fatalf("%s:%s: subject %s %s is in no registry read here", store, id, typ, subjectID)
			}
			if end.IsZero() {
				// A running contract, care or employment: nothing goes.
				if it.Action == rules.Pseudonymise || len(it.Fields) > 0 {
					t.Errorf("%s:%s: the %s's contract runs, yet fields %v are pseudonymised", store, id, typ, it.Fields)
				}
				if typ == "parent" && it.Action == rules.Keep {
					runningKept++
				}
				continue
			}
			// Parents who left one to two years ago: De Kangoeroe's
			// terms pseudonymise address, bank account and e-mail.
			if typ == "parent" && !asOf.Before(end.AddMonths(12)) && asOf.Before(end.AddMonths(24)) {
				want := []string{"address", "postcode", "town", "email"}
				if slices.Contains(row.Fields, "iban") {
					want = append(want, "iban")
				}
				for _, f := range want {
					if !slices.Contains(it.Fields, f) {
						t.Errorf("%s:%s: parent left on %s: %s %v, want %s pseudonymised", store, id, end, it.Action, it.Fields, f)
					}
				}
				if slices.Contains(it.Fields, "phone") || slices.Contains(it.Fields, "name") || slices.Contains(it.Fields, "bsn") {
					t.Errorf("%s:%s: fields %v pseudonymised; phone (C20, 2 years), name and BSN (C14, C15) stay", store, id, it.Fields)
				}
				leftPseudo++
			}
		}
	}
	if len(pseudoStores) < 2 {
		t.Errorf("rows with pseudonymised fields come from stores %v; want at least two export stores", pseudoStores)
	}
	if oldDeleted < 20 || recentKept < 5 {
		t.Errorf("%d old diary entries and photos deleted, %d recent ones kept; want many and some", oldDeleted, recentKept)
	}
	if unknownReviewed < 5 {
		t.Errorf("%d rows of people in no registry reviewed; want a few", unknownReviewed)
	}
	if runningKept < 20 || leftPseudo < 5 {
		t.Errorf("%d rows of parents with a running contract kept, %d of parents who left 1-2 years ago pseudonymised; want many and some", runningKept, leftPseudo)
	}
}

package planview

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// benchItems is the size of the benchmarks' plan: the 100,000.
const benchItems = 100_000

var (
	firstNames = []string{"Anna", "Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Finn", "Tess", "Levi", "Sophie", "Noah",
		"Zoë", "José", "Chloé", "Anaïs", "Noël", "Inès", "Daniël", "Liam", "Saar", "Jesse", "Fenna", "Milan", "Lotte", "Bram",
		"Yara", "Mohammed", "Fatima", "Ayoub", "Senna", "Thijs", "Nina", "Ruben", "Evi", "Luuk", "Isa", "Gijs", "Elif", "Sven"}
	surnames = []string{"de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
		"de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
		"de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel",
		"van der Veen", "van den Broek", "de Bruijn", "de Jong", "van Dijk", "Schouten", "Özdemir", "Yılmaz", "Çelik",
		"Willems", "Hoekstra", "Koster", "Prins", "Huisman", "Kuipers", "Verhoeven", "Boumans", "Groen", "Sánchez", "Müller"}
	childDocs = []string{"intake", "observatie", "overdracht", "toestemming", "medisch", "contract", "verslag", "foto"}
	staffDocs = []string{"arbeidsovereenkomst", "VOG", "beoordeling", "ziekmelding", "diploma", "loonstrook"}
)

// benchSubject is a made-up person of the benchmark's plan: letters only.
type benchSubject struct {
	ref         plan.SubjectRef
	first, last string
}

func benchSubjects(r *rand.Rand, typ rules.SubjectType, prefix string, n int) []benchSubject {
	out := make([]benchSubject, n)
	for i := range out {
		f, l := firstNames[r.IntN(len(firstNames))], surnames[r.IntN(len(surnames))]
		out[i] = benchSubject{ref: plan.SubjectRef{Type: typ, ID: fmt.Sprintf("%s%05d", prefix, i+1), Name: f + " " + l}, first: f, last: l}
	}
	return out
}

// benchPlanItems makes n items as a childcare organisation's plan holds
// them: children's dossiers, staff files on OneDrive, parents' rows of an
// export and archive zips. changed (0..1) is the share of items whose
// action differs from the plan made with changed 0 (the previous plan).
func benchPlanItems(n int, changed float64) []*plan.Item {
	r := rand.New(rand.NewPCG(14, 100))
	children := benchSubjects(r, "child", "", n/8)
	staff := benchSubjects(r, "staff", "P", n/120)
	parents := benchSubjects(r, "parent", "R", n/10)
	flip := rand.New(rand.NewPCG(7, 7))
	items := make([]*plan.Item, 0, n)
	for i := 0; len(items) < n; i++ {
		year := 2015 + r.IntN(10)
		trig := &rules.Trigger{Event: "end_of_care", Date: rules.MakeDate(year, time.Month(1+r.IntN(12)), 1+r.IntN(28))}
		var it *plan.Item
		switch k := r.IntN(100); {
		case k < 60:
			c := children[r.IntN(len(children))]
			doc := childDocs[r.IntN(len(childDocs))]
			it = &plan.Item{Store: "kinddossiers", Kind: "file", Subject: &c.ref, Category: "child-dossier", Trigger: trig, Rule: "C1",
				Record: fmt.Sprintf("Kinddossiers/%d/%s, %s (%s)/%s-%d.pdf", year, c.last, c.first, c.ref.ID, doc, i),
				Reason: fmt.Sprintf("kinddossier: 2 jaar na einde opvang (%s)", trig.Date), Basis: "Wet kinderopvang art. 1.50; AVG art. 5 lid 1 e"}
		case k < 75:
			s := staff[r.IntN(len(staff))]
			it = &plan.Item{Store: "onedrive-hr", Kind: "file", Subject: &s.ref, Category: "staff-file", Trigger: &rules.Trigger{Event: "end_of_employment", Date: trig.Date}, Rule: "S2",
				Record: fmt.Sprintf("Personeel/%s/%s %d.docx", s.ref.Name, staffDocs[r.IntN(len(staffDocs))], i),
				Reason: fmt.Sprintf("personeelsdossier: 2 jaar na uit dienst (%s)", trig.Date), Basis: "AVG art. 5 lid 1 e"}
		case k < 97:
			p := parents[r.IntN(len(parents))]
			it = &plan.Item{Store: "kidsadmin-ouders", Kind: "row", Subject: &p.ref, Category: "contract", Trigger: &rules.Trigger{Event: "end_of_contract", Date: trig.Date}, Rule: "C16",
				Record: fmt.Sprintf("ouders-2026-11.csv#%d", i+2), File: "ouders-2026-11.csv", Fields: []string{"address", "phone"},
				FieldDecisions: []plan.FieldItem{{Field: "address", Action: rules.Pseudonymise, Due: trig.Date.AddMonths(12).String(), Rule: "C16", Reason: "1 jaar na einde contract"},
					{Field: "name", Action: rules.Keep, Due: trig.Date.AddMonths(84).String(), Rule: "C14", Reason: "fiscale bewaarplicht"}},
				Reason: "adres en telefoon: 1 jaar na einde contract"}
		default:
			it = &plan.Item{Store: "archief", Kind: "archive", Record: fmt.Sprintf("Archief/%d/groep-%d.zip", year, i), Entries: &plan.Entries{Total: 40, Due: 30, Review: 8, Hold: 2},
				Reason: "zip-archief: 30 van 40 te verwijderen"}
		}
		switch k := r.IntN(100); {
		case it.Kind == "row":
			it.Action = rules.Pseudonymise
		case k < 70:
			it.Action = rules.Delete
		case k < 85:
			it.Action = rules.Review
		default:
			it.Action = rules.Hold
			it.Held = "H-0003"
		}
		if it.Action == rules.Delete || it.Action == rules.Pseudonymise {
			it.Due = trig.Date.AddMonths(24).String()
		}
		if flip.Float64() < changed {
			it.Action = rules.Review // the previous plan said otherwise
		}
		it.Version = fmt.Sprintf("s%d-m%d", 1000+r.IntN(1e6), 1600000000+r.IntN(1e8))
		it.Size = int64(r.IntN(5 << 20))
		it.Modified = fmt.Sprintf("%d-%02d-%02dT%02d:%02d:%02d+01:00", year, 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60))
		items = append(items, it)
	}
	return items
}

// benchPlans writes this plan and the previous one (5% of the actions
// different) with the real plan writer.
func benchPlans(b *testing.B) (cur, prev string) {
	dir := b.TempDir()
	prev = writePlan(b, filepath.Join(dir, "20261206-020000"), header(""), benchPlanItems(benchItems, 0))
	cur = writePlan(b, filepath.Join(dir, "20261207-020000"), header(""), benchPlanItems(benchItems, 0.05))
	return cur, prev
}

// BenchmarkQuery pages through 100,000 items (a page of 50 from the
// middle) with each sort of filter; the console's goal is well under
// 200 ms per page.
func BenchmarkQuery(b *testing.B) {
	cur, prev := benchPlans(b)
	ix, err := Load(cur)
	if err != nil {
		b.Fatal(err)
	}
	pix, err := Load(prev)
	if err != nil {
		b.Fatal(err)
	}
	ix.CompareTo(pix)
	person := ix.PersonOf("child", "00042")
	if person == 0 {
		b.Fatal("no person 00042")
	}
	for _, c := range []struct {
		name string
		f    Filter
	}{
		{"none", Filter{}},
		{"store", Filter{Store: "onedrive-hr"}},
		{"action", Filter{Action: "delete"}},
		{"person", Filter{Person: person}},
		{"folder", Filter{Store: "kinddossiers", Folder: "Kinddossiers/2019"}},
		{"search", Filter{Query: "de vries"}},
		{"search-accent", Filter{Query: "jose"}},
		{"search-common", Filter{Query: "e"}},
		{"search-none", Filter{Query: "zzzz"}},
		{"new-only", Filter{NewOnly: true}},
		{"combined", Filter{Store: "kinddossiers", Action: "delete", Query: "jansen", NewOnly: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			total := ix.Count(c.f)
			offset := total / 2
			var pg Page
			for b.Loop() {
				pg = ix.Query(c.f, offset, 50)
			}
			if total > 0 && len(pg.Rows) == 0 {
				b.Fatalf("no rows at offset %d of %d", offset, total)
			}
			b.ReportMetric(float64(pg.Total), "matches")
		})
	}
}

// BenchmarkLoad loads a 100,000-item plan.json, and reports the memory
// the index keeps per item, beside what plan.Read keeps.
func BenchmarkLoad(b *testing.B) {
	cur, _ := benchPlans(b)
	fi, err := os.Stat(cur)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		load func(string) (any, error)
	}{
		{"planview", func(p string) (any, error) { return Load(p) }},
		{"plan.Read", func(p string) (any, error) { return plan.Read(p) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			kept := retained(b, func() (any, error) { return c.load(cur) })
			for b.Loop() {
				if _, err := c.load(cur); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(kept)/benchItems, "B/item")
			b.ReportMetric(float64(fi.Size())/benchItems, "file-B/item")
		})
	}
}

// retained is the heap that what load returns keeps.
func retained(b *testing.B, load func() (any, error)) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v, err := load()
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return after.HeapAlloc - before.HeapAlloc
}

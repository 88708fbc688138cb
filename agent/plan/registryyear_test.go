package plan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/agent/registry"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/memstore"
)

// TestRegistryKnowsBetterThanFolderYear: a child back in care (the registry
// records end dates and shows none) whose old dossier lies in an archive
// folder named by a year is never made due by that year; nor is a child
// whose registry end date is earlier than the folder's year. Read through
// the real registry loader, since what makes an empty cell mean "still in
// care" is that the registry maps the column.
func TestRegistryKnowsBetterThanFolderYear(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "kinderen.csv")
	csv := "Nummer;Naam;Einde opvang\n" +
		"1;Tess Mulder;\n" + // back in care since 2023
		"2;Bram Kok;01-05-2020\n" + // registry earlier than the folder
		"3;Lot Jansen;01-06-2025\n" + // registry later than the folder
		"4;Noor Smit;01-03-2022\n" // registry and folder agree
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	subs, err := registry.Load(config.Registry{Name: "kinderen", Subject: "child", File: file,
		Columns: map[string]string{"id": "Nummer", "name": "Naam", "end_of_care": "Einde opvang"}}, ams)
	if err != nil {
		t.Fatal(err)
	}
	layout, err := classify.Compile([]classify.Layout{{Path: "{end_year}/{child.name}/**", Category: "child-dossier"}})
	if err != nil {
		t.Fatal(err)
	}
	ms := memstore.New(map[string][]byte{
		"2022/Tess Mulder/intake.pdf": []byte("a"),
		"2022/Bram Kok/intake.pdf":    []byte("b"),
		"2022/Lot Jansen/intake.pdf":  []byte("c"),
		"2022/Noor Smit/intake.pdf":   []byte("d"),
	})
	p := &Planner{
		Policy:   testPolicy(t),
		Subjects: classify.NewIndex(subs),
		Stores:   []Store{{Name: "archief", Type: "localfs", Store: ms, Classifier: layout}},
		AsOf:     date("2026-11-23"),
		Location: ams,
		Lang:     "en",
		All:      true,
	}
	var c collect
	if _, _, err := p.Run(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	got := c.byRecord()
	for rec, want := range map[string]rules.Action{
		"2022/Tess Mulder/intake.pdf": rules.Review,
		"2022/Bram Kok/intake.pdf":    rules.Review,
		"2022/Lot Jansen/intake.pdf":  rules.Keep,
		"2022/Noor Smit/intake.pdf":   rules.Delete,
	} {
		it := got["archief:"+rec]
		if it == nil {
			t.Errorf("%s: not in the plan", rec)
			continue
		}
		if it.Action != want {
			t.Errorf("%s: %s (%s), want %s", rec, it.Action, it.Reason, want)
		}
	}
}

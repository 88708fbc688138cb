package plan

import (
	"context"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/memstore"
)

// TestMemoDecidesEachFile: the files of one folder share their person and
// often their decision, which the scan remembers; a file whose facts
// differ (here its modification date, which a photo's clock runs from)
// is decided on its own, and a person's files are never another's.
func TestMemoDecidesEachFile(t *testing.T) {
	ms := memstore.New(nil)
	old := time.Date(2025, 1, 1, 12, 0, 0, 0, ams)
	recent := time.Date(2026, 3, 1, 12, 0, 0, 0, ams)
	ms.Put("Jansen, Piet/Fotos/a.jpg", []byte("a"), old)
	ms.Put("Jansen, Piet/Fotos/b.jpg", []byte("b"), recent)
	ms.Put("Jansen, Piet/Fotos/c.jpg", []byte("c"), old)
	ms.Put("Jansen, Piet/Fotos/d.jpg", []byte("d"), recent)
	ms.Put("Jansen, Piet/intake.pdf", []byte("e"), old)
	ms.Put("Smit, Lotte/Fotos/a.jpg", []byte("f"), old)
	ms.Put("Smit, Lotte/intake.pdf", []byte("g"), old)
	layout, err := classify.Compile([]classify.Layout{
		{Path: "{child.name}/Fotos/**", Category: "photo"},
		{Path: "{child.name}/**", Category: "child-dossier"},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &Planner{
		Policy:   testPolicy(t),
		Subjects: subjects(),
		Stores:   []Store{{Name: "s", Type: "localfs", Store: ms, Classifier: layout}},
		AsOf:     date("2026-03-15"),
		Location: ams,
		Lang:     "en",
		All:      true,
	}
	var c collect
	if _, _, err := p.Run(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	got := c.byRecord()
	for _, w := range []struct {
		rec     string
		action  rules.Action
		due, id string
	}{
		{"Jansen, Piet/Fotos/a.jpg", rules.Delete, "2025-04-01", "1"},
		{"Jansen, Piet/Fotos/b.jpg", rules.Keep, "2026-06-01", "1"},
		{"Jansen, Piet/Fotos/c.jpg", rules.Delete, "2025-04-01", "1"},
		{"Jansen, Piet/Fotos/d.jpg", rules.Keep, "2026-06-01", "1"},
		{"Jansen, Piet/intake.pdf", rules.Delete, "2026-03-15", "1"},
		{"Smit, Lotte/Fotos/a.jpg", rules.Delete, "2025-04-01", "7"},
		{"Smit, Lotte/intake.pdf", rules.Delete, "2014-08-31", "7"},
	} {
		it := got["s:"+w.rec]
		if it == nil || it.Action != w.action || it.Due != w.due || it.Subject == nil || it.Subject.ID != w.id {
			t.Errorf("%s: got %+v, want %s due %s of subject %s", w.rec, it, w.action, w.due, w.id)
		}
	}
}

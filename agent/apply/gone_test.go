package apply

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/archive"
	"github.com/retentiond/retentiond/scanners/localfs"
)

// localFixture is a local folder with two due dossiers and a plan of it.
func localFixture(t *testing.T) (*fixture, string) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"Piet Jansen/intake.pdf", "Anna Berg/intake.pdf"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fsys, err := localfs.Open(dir, localfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	f := &fixture{t: t, stateDir: t.TempDir(), now: time.Date(2026, 3, 16, 10, 0, 0, 0, ams)}
	f.children = []*rules.Subject{child("1", "Piet Jansen", "2024-01-31"), child("2", "Anna Berg", "2024-01-31")}
	pol, err := rules.Load("builtin:kinderopvang-nl", "")
	if err != nil {
		t.Fatal(err)
	}
	lay, _ := classify.Compile([]classify.Layout{{Path: "{child.name}/**", Category: "child-dossier"}})
	asOf, _ := rules.ParseDate("2026-03-15")
	f.planner = &plan.Planner{
		Header: plan.Header{Version: 1, Organisation: "X", AsOf: "2026-03-15", CreatedAt: "2026-03-15T02:00:00+01:00", ConfigSHA256: "cfg", Lang: "en"},
		Policy: pol, Subjects: classify.NewIndex(f.children), AsOf: asOf, Location: ams, Lang: "en",
		Stores: []plan.Store{{Name: "dossiers", Type: "localfs", Store: archive.Wrap(fsys, archive.Options{}), Classifier: lay}},
	}
	pdir := t.TempDir()
	sink, err := report.Open(pdir, "en")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.planner.Run(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	if f.file, err = plan.Read(filepath.Join(pdir, report.PlanJSON)); err != nil {
		t.Fatal(err)
	}
	f.keyed, _ = pseudonym.New([]byte("0123456789abcdef0123456789abcdef"))
	if len(f.file.Items) != 2 {
		t.Fatalf("plan: %d items, want the 2 dossiers", len(f.file.Items))
	}
	return f, dir
}

// TestGoneOnlyWhenVerifiedAbsent (issue 12, item 5): apply writes "gone"
// only for a record whose exact name is no longer there. A folder now in
// its place is not proof that it is gone: that item fails.
func TestGoneOnlyWhenVerifiedAbsent(t *testing.T) {
	f, dir := localFixture(t)
	f.approve()
	piet := filepath.Join(dir, "Piet Jansen", "intake.pdf")
	if err := os.Remove(piet); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(piet, 0o755); err != nil { // something else under its name
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "Anna Berg", "intake.pdf")); err != nil {
		t.Fatal(err)
	}
	res, err := f.run(100, false)
	if err != nil {
		t.Fatal(err)
	}
	got := f.outcomes()
	if got["Piet Jansen/intake.pdf"] != Failed || got["Anna Berg/intake.pdf"] != Gone || res.Gone != 1 || res.Failed != 1 {
		t.Errorf("outcomes %v (%+v); want the folder's item failed, the removed file's gone", got, res)
	}
}

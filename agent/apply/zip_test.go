package apply

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
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

// zipFixture is a local folder with one zip: three entries of Piet, who
// asked for erasure, and one of Anna, still in care; and a plan of it.
type zipFixture struct {
	*fixture
	zipPath string
}

func newZipFixture(t *testing.T) *zipFixture {
	t.Helper()
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"Piet Jansen/a.pdf", "Anna Berg/a.pdf", "Piet Jansen/b.pdf", "Piet Jansen/c.pdf"} {
		w, _ := zw.Create(name)
		w.Write([]byte("scan of " + name))
	}
	zw.Close()
	zipPath := filepath.Join(dir, "Archief", "2025.zip")
	os.MkdirAll(filepath.Dir(zipPath), 0o755)
	if err := os.WriteFile(zipPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	fsys, err := localfs.Open(dir, localfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	f := &fixture{t: t, stateDir: t.TempDir(), now: time.Date(2026, 3, 16, 10, 0, 0, 0, ams)}
	f.children = []*rules.Subject{child("1", "Piet Jansen", "2025-06-30"), child("2", "Anna Berg", "2025-06-30")}
	delete(f.children[1].Dates, rules.EndOfCare) // still in care
	pol, err := rules.Load("builtin:kinderopvang-nl", "")
	if err != nil {
		t.Fatal(err)
	}
	lay, _ := classify.Compile([]classify.Layout{{Path: "Archief/*/{child.name}/**", Category: "child-dossier"}})
	asOf, _ := rules.ParseDate("2026-03-15")
	received, _ := rules.ParseDate("2026-03-01")
	f.planner = &plan.Planner{
		Header: plan.Header{Version: 1, Organisation: "X", AsOf: "2026-03-15", CreatedAt: "2026-03-15T02:00:00+01:00", ConfigSHA256: "cfg", Lang: "en"},
		Policy: pol, Subjects: classify.NewIndex(f.children), AsOf: asOf, Location: ams, Lang: "en",
		Erasures: map[plan.SubjectKey]rules.Date{{Type: rules.Child, ID: "1"}: received},
		Stores:   []plan.Store{{Name: "archief", Type: "localfs", Store: archive.Wrap(fsys, archive.Options{}), Classifier: lay}},
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
	var entries []string
	for _, it := range f.file.Items {
		if it.Kind == "archive-entry" && it.Action == rules.Delete {
			entries = append(entries, it.Record)
		}
	}
	if len(entries) != 3 {
		t.Fatalf("plan: %d entries to take out, want Piet's 3", len(entries))
	}
	return &zipFixture{fixture: f, zipPath: zipPath}
}

// names lists the zip's entries as it is now.
func (z *zipFixture) names() []string {
	z.t.Helper()
	raw, err := os.ReadFile(z.zipPath)
	if err != nil {
		z.t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		z.t.Fatal(err)
	}
	var out []string
	for _, f := range zr.File {
		out = append(out, f.Name)
	}
	return out
}

// TestZipEntriesDeleteLimit: the delete limit falls inside the zip; the
// next run of the same plan takes out the rest, from the version its own
// rewrite made.
func TestZipEntriesDeleteLimit(t *testing.T) {
	z := newZipFixture(t)
	z.approve()
	res, err := z.run(2, false)
	if err == nil || !res.LimitReached || res.Done != 2 {
		t.Fatalf("first run: %+v, %v; want 2 taken out, then the limit", res, err)
	}
	if got := z.names(); len(got) != 2 || !slices.Contains(got, "Anna Berg/a.pdf") {
		t.Errorf("after the first run the zip holds %v", got)
	}
	res, err = z.run(2, false)
	if err != nil || res.Done != 1 || res.Skipped != 0 {
		t.Fatalf("second run: %+v, %v; want the last one taken out", res, err)
	}
	if got := z.names(); !slices.Equal(got, []string{"Anna Berg/a.pdf"}) {
		t.Errorf("after the second run the zip holds %v", got)
	}
	outs := z.outcomes()
	for rec, o := range outs {
		if o != Done {
			t.Errorf("%s: %s", rec, o)
		}
	}
	if len(outs) != 3 {
		t.Errorf("ledger: %v, want 3 entries done", outs)
	}
}

// TestZipEntriesInterrupted: a run journalled its intents and rewrote the
// zip, then stopped; the next run finds the entries gone from the zip and
// ledgers them done, without rewriting again.
func TestZipEntriesInterrupted(t *testing.T) {
	z := newZipFixture(t)
	z.approve()
	j, err := openJournal(z.stateDir, z.file.Digest)
	if err != nil {
		t.Fatal(err)
	}
	st := z.planner.Store("archief").(*archive.Store)
	cur, _ := st.Stat(context.Background(), "Archief/2025.zip")
	var drop []string
	for i, it := range z.file.Items {
		if it.Kind == "archive-entry" {
			j.intent(i+1, z.keyed.Record(it.Store, it.Record), z.now)
			_, p, _ := archive.Split(it.Record)
			drop = append(drop, p)
		}
	}
	j.close()
	if _, _, err := st.Rewrite(context.Background(), "Archief/2025.zip", cur.Version, func(p string) bool { return slices.Contains(drop, p) }); err != nil {
		t.Fatal(err)
	}
	res, err := z.run(100, false)
	if err != nil || res.Done != 3 {
		t.Fatalf("run after the interruption: %+v, %v; want 3 done", res, err)
	}
	for _, d := range res.Details {
		if d.Outcome != Done || !bytes.Contains([]byte(d.Reason), []byte("after an interruption")) {
			t.Errorf("%s: %s %q", d.Record, d.Outcome, d.Reason)
		}
	}
}

// TestZipEntriesGoneOnlyWhenAbsent: an entry the zip no longer holds is
// gone; when the zip cannot be read, its entries have failed, not gone.
func TestZipEntriesGoneOnlyWhenAbsent(t *testing.T) {
	z := newZipFixture(t)
	z.approve()
	if err := os.WriteFile(z.zipPath, []byte("not a zip any more"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := z.run(100, false)
	if err != nil || res.Gone != 0 || res.Done != 0 {
		t.Errorf("unreadable zip: %+v, %v; want nothing gone or done", res, err)
	}
	for rec, o := range z.outcomes() {
		if o == Gone || o == Done {
			t.Errorf("%s: %s though the zip could not be read", rec, o)
		}
	}

	z = newZipFixture(t)
	z.approve()
	if err := os.Remove(z.zipPath); err != nil {
		t.Fatal(err)
	}
	res, err = z.run(100, false)
	if err != nil || res.Gone != 3 {
		t.Errorf("zip removed: %+v, %v; want 3 gone", res, err)
	}
}

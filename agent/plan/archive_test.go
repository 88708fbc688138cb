package plan

import (
	"archive/zip"
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/archive"
	"github.com/retentiond/retentiond/scanners/localfs"
	"github.com/retentiond/retentiond/scanners/memstore"
)

// crafted writes a zip whose entry names are exactly the bytes given (see
// scanners/archive's rawZip): a name is written as a placeholder of the
// same length and patched afterwards.
func crafted(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	var patches [][2]string
	for i, n := range names {
		ph := []byte(n)
		for j := range ph {
			ph[j] = byte('A' + (i+j)%26)
		}
		ph[0] = 'Q'
		fw, err := w.CreateHeader(&zip.FileHeader{Name: string(ph), Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte("scan " + string(rune('a'+i))))
		patches = append(patches, [2]string{string(ph), n})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	for _, p := range patches {
		b = bytes.ReplaceAll(b, []byte(p[0]), []byte(p[1]))
	}
	return b
}

func archiveLayout(t *testing.T) *classify.Classifier {
	t.Helper()
	lay, err := classify.Compile([]classify.Layout{
		{Path: "*/{child.name}/**", Category: "child-dossier"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return lay
}

// TestUnlistedEntriesSendZipToReview (issue 12, item 2): a zip whose
// nameable entries are all due, but which also holds an entry that cannot
// be named (NUL, "..", absolute, a folder holding data), is never deleted:
// it goes to review.
func TestUnlistedEntriesSendZipToReview(t *testing.T) {
	for _, bad := range []string{"Anna\x00Berg/scan.pdf", "..", "../Anna.pdf", "/Anna/scan.pdf", "Anna van den Berg/"} {
		ms := memstore.New(map[string][]byte{
			"2012.zip": crafted(t, "Lotte Smit/scan.pdf", "Lotte Smit/contract.pdf", bad),
			"ok.zip":   crafted(t, "Lotte Smit/scan.pdf"),
		})
		p := &Planner{
			Policy: testPolicy(t), Subjects: subjects(),
			Stores: []Store{{Name: "archief", Type: "localfs", Store: archive.Wrap(ms, archive.Options{}), Classifier: archiveLayout(t)}},
			AsOf:   date("2026-03-15"), Location: ams, Lang: "en",
		}
		var c collect
		if _, _, err := p.Run(context.Background(), &c); err != nil {
			t.Fatal(err)
		}
		got := c.byRecord()
		it := got["archief:2012.zip"]
		if it == nil || it.Action != rules.Review || it.Entries == nil || it.Entries.Unlisted != 1 || !strings.Contains(it.Reason, "cannot be named") {
			t.Errorf("zip with entry %q: %+v; want review with 1 unlisted entry", bad, it)
		}
		if it := got["archief:ok.zip"]; it == nil || it.Action != rules.Delete {
			t.Errorf("a zip of due entries only: %+v; want delete", it)
		}
		if it, err := p.Recheck(context.Background(), "archief", "2012.zip"); err != nil || it.Action != rules.Review {
			t.Errorf("Recheck of the zip with entry %q: %+v, %v; want review", bad, it, err)
		}
	}
}

// TestHeldEntryKeepsZip: a legal hold on one child whose scan is in a zip
// of due scans holds the zip, though the zip names no one subject.
func TestHeldEntryKeepsZip(t *testing.T) {
	m, err := holds.NewMatcher([]holds.Hold{{ID: "H-0001", Subject: &holds.SubjectRef{Type: rules.Child, ID: "1"}, Reason: "geschil", AddedBy: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	ms := memstore.New(map[string][]byte{"gemengd.zip": zipOf(t, "Lotte Smit/scan.pdf", "Piet Jansen/scan.pdf")})
	p := &Planner{
		Policy: testPolicy(t), Subjects: subjects(), Holds: m,
		Stores: []Store{{Name: "archief", Type: "localfs", Store: archive.Wrap(ms, archive.Options{}), Classifier: archiveLayout(t)}},
		AsOf:   date("2026-03-15"), Location: ams, Lang: "en",
	}
	var c collect
	if _, _, err := p.Run(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	it := c.byRecord()["archief:gemengd.zip"]
	if it == nil || it.Action == rules.Delete || it.Entries == nil || it.Entries.Hold != 1 {
		t.Errorf("zip with a held child's scan: %+v; want it kept with 1 entry held", it)
	}
}

// TestErasureSeesZipEntries (issue 12, item 9): the entries of a child
// with an erasure request are items of their own, in the nightly plan and
// in the plan that answers the request; the due ones are deleted by a
// rewrite of the zip where the store can do that, and reviewed where it
// cannot. The zip itself, which holds another child's scan that is not
// due, is never deleted.
func TestErasureSeesZipEntries(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "gemengd.zip"), zipOf(t, "Piet Jansen/scan.pdf", "Piet Jansen/verslag.pdf", "Anna van den Berg/scan.pdf"), 0o600)
	fsys, err := localfs.Open(dir, localfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	mem := memstore.New(map[string][]byte{"gemengd.zip": zipOf(t, "Piet Jansen/scan.pdf", "Anna van den Berg/scan.pdf")})
	piet := SubjectKey{Type: rules.Child, ID: "1"}
	for _, tc := range []struct {
		name    string
		only    *SubjectKey
		store   scanners.Store
		want    map[string]rules.Action
		wantZip bool
	}{
		{"nightly", nil, fsys, map[string]rules.Action{"gemengd.zip!/Piet Jansen/scan.pdf": rules.Delete, "gemengd.zip!/Piet Jansen/verslag.pdf": rules.Delete}, true},
		{"request", &piet, fsys, map[string]rules.Action{"gemengd.zip!/Piet Jansen/scan.pdf": rules.Delete, "gemengd.zip!/Piet Jansen/verslag.pdf": rules.Delete}, false},
		{"no rewrite", &piet, mem, map[string]rules.Action{"gemengd.zip!/Piet Jansen/scan.pdf": rules.Review}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Planner{
				Policy: testPolicy(t), Subjects: subjects(),
				Stores: []Store{{Name: "archief", Type: "localfs", Store: archive.Wrap(tc.store, archive.Options{}), Classifier: archiveLayout(t)}},
				AsOf:   date("2025-01-15"), Location: ams, Lang: "en",
				Erasures: map[SubjectKey]rules.Date{piet: date("2025-01-10")}, Only: tc.only,
			}
			var c collect
			if _, _, err := p.Run(context.Background(), &c); err != nil {
				t.Fatal(err)
			}
			got := map[string]rules.Action{}
			var zipItem *Item
			for _, it := range c.items {
				if it.Kind == string(scanners.KindArchive) {
					zipItem = it
					continue
				}
				got[it.Record] = it.Action
				if it.Subject == nil || it.Subject.ID != "1" || it.Kind != string(scanners.KindArchiveEntry) {
					t.Errorf("%s: subject %+v kind %s", it.Record, it.Subject, it.Kind)
				}
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("entries planned: %v, want %v", got, tc.want)
			}
			if (zipItem != nil) != tc.wantZip || zipItem != nil && zipItem.Action == rules.Delete {
				t.Errorf("zip item %+v; want one (never delete): %v", zipItem, tc.wantZip)
			}
		})
	}
}

package onedrive

import (
	"slices"
	"testing"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// driveItem builds a delta item: kind is "root", "folder", "file" or
// "deleted" (a tombstone that, as OneDrive personal sends them, still has
// its name, parent and file facet).
func driveItem(id, parent, name, kind string) models.DriveItemable {
	it := models.NewDriveItem()
	it.SetId(&id)
	it.SetName(&name)
	if parent != "" {
		ref := models.NewItemReference()
		ref.SetId(&parent)
		it.SetParentReference(ref)
	}
	etag := `"` + id + `,1"`
	it.SetETag(&etag)
	size := int64(len(name))
	it.SetSize(&size)
	mod := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	it.SetLastModifiedDateTime(&mod)
	switch kind {
	case "root":
		it.SetRoot(models.NewRoot())
		it.SetFolder(models.NewFolder())
	case "folder":
		it.SetFolder(models.NewFolder())
	case "file":
		it.SetFile(models.NewFile())
	case "deleted":
		it.SetFile(models.NewFile())
		it.SetDeleted(models.NewDeleted())
	}
	return it
}

func ids(x *index) []string {
	var out []string
	for _, r := range x.records(x.refs()) {
		out = append(out, r.ID)
	}
	return out
}

func TestIndexApply(t *testing.T) {
	x := newIndex()
	// Children may come before their parents within a listing.
	for _, it := range []models.DriveItemable{
		driveItem("f1", "d1", "intake.pdf", "file"),
		driveItem("r", "", "root", "root"),
		driveItem("d1", "r", "Jansen, Piet", "folder"),
		driveItem("d2", "d1", "Contracten", "folder"),
		driveItem("f2", "d2", "2019.docx", "file"),
		driveItem("f3", "r", "top.txt", "file"),
		driveItem("f4", "r", "..", "file"),            // not a valid ID: never listed
		driveItem("f5", "gone", "orphan.txt", "file"), // parent unknown
	} {
		x.apply(it)
	}
	want := []string{"Jansen, Piet/Contracten/2019.docx", "Jansen, Piet/intake.pdf", "top.txt"}
	if got := ids(x); !slices.Equal(got, want) {
		t.Fatalf("listed %q, want %q", got, want)
	}

	// Changes: a renamed folder (its children are not sent again), a
	// deleted file whose tombstone still carries its file facet, and a
	// deleted folder whose children are not reported.
	for _, it := range []models.DriveItemable{
		driveItem("d1", "r", "Piet Jansen", "folder"),
		driveItem("f3", "r", "top.txt", "deleted"),
		driveItem("d2", "d1", "Contracten", "deleted"),
	} {
		x.apply(it)
	}
	want = []string{"Piet Jansen/intake.pdf"}
	if got := ids(x); !slices.Equal(got, want) {
		t.Fatalf("after changes listed %q, want %q", got, want)
	}
	x.prune()
	for _, gone := range []string{"f2", "f3", "f4", "f5", "d2"} {
		if x.items[gone] != nil {
			t.Errorf("item %s kept after prune", gone)
		}
	}
	if x.items["f1"] == nil || x.items["d1"] == nil {
		t.Error("prune dropped live items")
	}
	r := x.records(x.refs())[0]
	if r.Version != `"f1,1"` || r.Size != int64(len("intake.pdf")) || r.ModTime.IsZero() {
		t.Errorf("record = %+v", r)
	}
}

func TestIndexCycle(t *testing.T) {
	x := newIndex()
	x.apply(driveItem("r", "", "root", "root"))
	x.apply(driveItem("a", "b", "a", "folder"))
	x.apply(driveItem("b", "a", "b", "folder"))
	x.apply(driveItem("f", "a", "f.txt", "file"))
	if got := ids(x); len(got) != 0 {
		t.Errorf("items in a parent cycle listed: %q", got)
	}
}

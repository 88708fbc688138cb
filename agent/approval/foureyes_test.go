package approval

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/ledger"
)

// testPlan deletes 3 items (1, 3 and 4) and reviews one.

var approvedAt = time.Date(2026, 11, 24, 9, 0, 0, 0, ams)

// approveFirst approves testPlan by by, leaving out items, and saves it.
func approveFirst(t *testing.T, dir, by string, items ...int) *Approval {
	t.Helper()
	s, _ := fixedKeys(t)
	a, err := ApproveItems(dir, testPlan(), by, items, approvedAt, twoWeeks, ams, keyed(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(dir, a, s); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestFourEyesThreshold: an approval deleting more items than
// four_eyes_over is refused by Load until a second, different person
// approved it; at or below the threshold, or with the threshold 0, one
// approver suffices. The threshold is Load's argument (the config's),
// never the file's.
func TestFourEyesThreshold(t *testing.T) {
	_, v := fixedKeys(t)
	tests := []struct {
		name     string
		exclude  []int
		over     int
		needsTwo bool
	}{
		{"off", nil, 0, false},
		{"below", nil, 5, false},
		{"at: 3 deletions, over 3", nil, 3, false},
		{"above: 3 deletions, over 2", nil, 2, true},
		{"above: 3 deletions, over 1", nil, 1, true},
		{"an exclusion brings it to the threshold", []int{4}, 2, false},
		{"excluding a review item changes nothing", []int{2}, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			approveFirst(t, dir, "Marieke (administratie)", tt.exclude...)
			got, err := Load(dir, testPlan(), v, twoWeeks, ams, keyed(t), tt.over)
			if tt.needsTwo {
				if !errors.Is(err, ErrNeedsSecondApprover) || got != nil {
					t.Fatalf("Load with one approver: %v, %v; want ErrNeedsSecondApprover", got, err)
				}
				if !strings.Contains(err.Error(), "four_eyes_over") || strings.Contains(err.Error(), "Marieke") {
					t.Errorf("error %q: want the setting named and no approver's name", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
		})
	}

	// The threshold is the config's at load time: the same file passes
	// once four_eyes_over is raised.
	dir := t.TempDir()
	approveFirst(t, dir, "A")
	if _, err := Load(dir, testPlan(), v, twoWeeks, ams, keyed(t), 2); !errors.Is(err, ErrNeedsSecondApprover) {
		t.Fatalf("over 2: %v", err)
	}
	if _, err := Load(dir, testPlan(), v, twoWeeks, ams, keyed(t), 3); err != nil {
		t.Fatalf("over 3, same file: %v", err)
	}
}

// TestSecondApprover: a second, different person's approval of the same
// exclusions makes the approval complete; the file names both, is signed
// again and passes Load; the ledger gets a second entry naming both by
// pseudonym.
func TestSecondApprover(t *testing.T) {
	s, v := fixedKeys(t)
	dir := t.TempDir()
	f := testPlan()
	first := approveFirst(t, dir, "Marieke (administratie)", 4)
	pending, err := Read(dir, f, v, twoWeeks, ams, keyed(t))
	if err != nil || pending.SecondBy != "" {
		t.Fatalf("Read: %+v, %v", pending, err)
	}
	if !pending.NeedsSecond(f, 1) || pending.NeedsSecond(f, 2) || pending.NeedsSecond(f, 0) {
		t.Errorf("NeedsSecond: 2 deletions")
	}
	later := approvedAt.Add(time.Hour)
	both, err := Second(f, pending, "Jeroen (privacy)", []int{4, 4}, later)
	if err != nil {
		t.Fatal(err)
	}
	if err := Replace(dir, first, both, s); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir, f, v, twoWeeks, ams, keyed(t), 1)
	if err != nil {
		t.Fatalf("Load after the second approval: %v", err)
	}
	if a := got.Approvers(); len(a) != 2 || a[0] != "Marieke (administratie)" || a[1] != "Jeroen (privacy)" || !got.SecondAt.Equal(later) {
		t.Errorf("approvers %v at %v", a, got.SecondAt)
	}
	fi, _ := os.Stat(Path(dir, f.Digest))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	// A third person cannot approve again, nor the first save again.
	if _, err := Second(f, got, "Derde", []int{4}, later); !errors.Is(err, ErrApprovedAlready) {
		t.Errorf("third approver: %v", err)
	}
	if err := Replace(dir, first, both, s); err == nil {
		t.Error("Replace over a file that no longer holds the first approval")
	}
	e := SecondLedgerEntry(got, keyed(t))
	if e.Action != ActionSecondApproval || e.Plan != f.Digest || !e.Time.Equal(later) ||
		!strings.Contains(e.Reason, ApproverPseudonym(keyed(t), "Jeroen (privacy)")) ||
		!strings.Contains(e.Reason, ApproverPseudonym(keyed(t), "Marieke (administratie)")) ||
		strings.Contains(e.Reason, "Jeroen") || strings.Contains(e.Reason, "Marieke") {
		t.Errorf("second entry %+v", e)
	}
	if n := len(LedgerEntries(got, keyed(t))); n != 2 {
		t.Errorf("%d ledger entries, want 2", n)
	}
}

// TestSameApproverTwice: the same person, written with other case and
// spacing, is not a second approver; a file signed with one person in
// both places is refused.
func TestSameApproverTwice(t *testing.T) {
	s, v := fixedKeys(t)
	dir := t.TempDir()
	f := testPlan()
	approveFirst(t, dir, "Marieke de Vries")
	pending, err := Read(dir, f, v, twoWeeks, ams, keyed(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, by := range []string{"Marieke de Vries", "  marieke   DE vries ", "MARIEKE\tDE VRIES"} {
		if _, err := Second(f, pending, by, nil, approvedAt.Add(time.Minute)); !errors.Is(err, ErrSameApprover) {
			t.Errorf("Second by %q: %v, want ErrSameApprover", by, err)
		}
	}
	if SameApprover("Marieke de Vries", "Marieke de Vries-Bakker") {
		t.Error("different names are the same approver")
	}
	// Written around Second: a signed file with the one person twice.
	forged := *pending
	at := approvedAt.Add(time.Minute)
	forged.SecondBy, forged.SecondAt = "marieke de vries", &at
	if err := Replace(dir, pending, &forged, s); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, f, v, twoWeeks, ams, keyed(t), 1); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "same person") {
		t.Errorf("Load of one person twice: %v", err)
	}
}

// TestExclusionsChangedAfterFirstApproval: a second approval of other
// exclusions than the first's is refused by Second; Supersede makes it
// the first of two, and the first approver may then be its second.
func TestExclusionsChangedAfterFirstApproval(t *testing.T) {
	s, v := fixedKeys(t)
	dir := t.TempDir()
	f := testPlan()
	first := approveFirst(t, dir, "A")
	pending, _ := Read(dir, f, v, twoWeeks, ams, keyed(t))
	for _, by := range []string{"B", "a"} {
		if _, err := Second(f, pending, by, []int{4}, approvedAt.Add(time.Minute)); !errors.Is(err, ErrExclusionsChanged) {
			t.Fatalf("Second by %s with an item excluded since: %v", by, err)
		}
	}
	next, err := Supersede(f, pending, "B", []int{4}, approvedAt.Add(time.Minute), twoWeeks, ams, keyed(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := Replace(dir, first, next, s); err != nil {
		t.Fatal(err)
	}
	// B's approval waits for a second approver; A's no longer counts.
	if _, err := Load(dir, f, v, twoWeeks, ams, keyed(t), 1); !errors.Is(err, ErrNeedsSecondApprover) {
		t.Fatalf("Load after the first approval was superseded: %v", err)
	}
	pending, _ = Read(dir, f, v, twoWeeks, ams, keyed(t))
	if pending.ApprovedBy != "B" || len(pending.Excluded) != 1 {
		t.Fatalf("pending %+v", pending)
	}
	both, err := Second(f, pending, "A", []int{4}, approvedAt.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := Replace(dir, pending, both, s); err != nil {
		t.Fatal(err)
	}
	if got, err := Load(dir, f, v, twoWeeks, ams, keyed(t), 1); err != nil || got.Actions != 2 || !got.IsExcluded(3) {
		t.Fatalf("Load: %+v, %v", got, err)
	}
}

// TestSecondApproverEditedIn: a second approver written into the file by
// hand, or taken out of it, breaks the signature.
func TestSecondApproverEditedIn(t *testing.T) {
	s, v := fixedKeys(t)
	f := testPlan()
	edit := func(t *testing.T, dir string, fn func(m map[string]any)) {
		p := Path(dir, f.Digest)
		b, _ := os.ReadFile(p)
		var m map[string]any
		json.Unmarshal(b, &m)
		fn(m)
		b, _ = json.Marshal(m)
		os.WriteFile(p, b, 0o600)
	}
	t.Run("added", func(t *testing.T) {
		dir := t.TempDir()
		approveFirst(t, dir, "A")
		edit(t, dir, func(m map[string]any) { m["second_by"] = "Mallory"; m["second_at"] = "2026-11-24T10:00:00Z" })
		if _, err := Load(dir, f, v, twoWeeks, ams, keyed(t), 1); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "signature does not verify") {
			t.Errorf("Load: %v", err)
		}
	})
	t.Run("removed", func(t *testing.T) {
		dir := t.TempDir()
		first := approveFirst(t, dir, "A")
		pending, _ := Read(dir, f, v, twoWeeks, ams, keyed(t))
		both, _ := Second(f, pending, "B", nil, approvedAt.Add(time.Minute))
		if err := Replace(dir, first, both, s); err != nil {
			t.Fatal(err)
		}
		edit(t, dir, func(m map[string]any) { delete(m, "second_by"); delete(m, "second_at") })
		if _, err := Load(dir, f, v, twoWeeks, ams, keyed(t), 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("Load: %v", err)
		}
	})
}

// TestUnrecorded: the approval entries the ledger lacks (approve killed
// between saving the file and ledgering it) are found, the second
// approval's on its own.
func TestUnrecorded(t *testing.T) {
	s, v := fixedKeys(t)
	dir := t.TempDir()
	f := testPlan()
	f.Digest = "sha256:" + strings.Repeat("ab", 32)
	k := keyed(t)
	first, err := ApproveItems(dir, f, "A", nil, approvedAt, twoWeeks, ams, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(dir, first, s); err != nil {
		t.Fatal(err)
	}
	ldir := filepath.Join(dir, "ledger")
	l, err := ledger.Open(ldir, "retentiond/x", ledger.WithSigner(s))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if miss, err := Unrecorded(ldir, first, k); err != nil || len(miss) != 1 || miss[0].Action != ledger.ActionApproved {
		t.Fatalf("before any entry: %v, %v", miss, err)
	}
	if _, err := l.Append(LedgerEntry(first, k)); err != nil {
		t.Fatal(err)
	}
	pending, err := Read(dir, f, v, twoWeeks, ams, k)
	if err != nil {
		t.Fatal(err)
	}
	both, _ := Second(f, pending, "B", nil, approvedAt.Add(time.Minute))
	if err := Replace(dir, first, both, s); err != nil {
		t.Fatal(err)
	}
	miss, err := Unrecorded(ldir, both, k)
	if err != nil || len(miss) != 1 || miss[0].Action != ActionSecondApproval {
		t.Fatalf("second not ledgered: %v, %v", miss, err)
	}
	if _, err := l.Append(miss[0]); err != nil {
		t.Fatal(err)
	}
	if miss, err := Unrecorded(ldir, both, k); err != nil || len(miss) != 0 {
		t.Fatalf("all ledgered: %v, %v", miss, err)
	}
}

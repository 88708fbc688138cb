package approval

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestReject: a rejected plan is refused by Load even when it was
// approved before (by one person or, with four eyes, by two), cannot be
// approved after, and cannot be rejected twice. The file is signed and
// 0600; the ledger entry names the rejecter by pseudonym and holds no
// comment.
func TestReject(t *testing.T) {
	s, v := fixedKeys(t)
	f := testPlan()
	dir := t.TempDir()
	approveFirst(t, dir, "A")
	if _, err := Load(dir, f, v, twoWeeks, ams, keyed(t), 0); err != nil {
		t.Fatalf("Load before the rejection: %v", err)
	}
	r, err := Reject(dir, f, "Jeroen (privacy)", "De bewaartermijn van Jansen loopt nog", approvedAt.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveRejection(dir, r, s); err != nil {
		t.Fatal(err)
	}
	for _, over := range []int{0, 1} {
		if _, err := Load(dir, f, v, twoWeeks, ams, keyed(t), over); !errors.Is(err, ErrRejected) {
			t.Errorf("Load (over %d) of a rejected plan: %v", over, err)
		} else if strings.Contains(err.Error(), "Jansen") || strings.Contains(err.Error(), "Jeroen") {
			t.Errorf("error shows the comment or the name: %v", err)
		}
	}
	got, err := LoadRejection(dir, f, v)
	if err != nil || got == nil || got.RejectedBy != "Jeroen (privacy)" || !strings.Contains(got.Comment, "bewaartermijn") {
		t.Fatalf("LoadRejection: %+v, %v", got, err)
	}
	fi, _ := os.Stat(RejectionPath(dir, f.Digest))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	if _, err := Reject(dir, f, "B", "nog eens", approvedAt.Add(2*time.Hour)); !errors.Is(err, ErrRejected) {
		t.Errorf("second rejection: %v", err)
	}
	e := RejectionLedgerEntry(got, keyed(t))
	if e.Action != ActionRejected || e.Plan != f.Digest || !strings.Contains(e.Reason, ApproverPseudonym(keyed(t), "Jeroen (privacy)")) ||
		strings.Contains(e.Reason, "Jeroen") || strings.Contains(e.Reason, "bewaartermijn") {
		t.Errorf("ledger entry %+v", e)
	}

	// A rejected plan is not approved afterwards.
	dir2 := t.TempDir()
	r2, _ := Reject(dir2, f, "B", "nee", approvedAt)
	if err := SaveRejection(dir2, r2, s); err != nil {
		t.Fatal(err)
	}
	if _, err := ApproveItems(dir2, f, "A", nil, approvedAt, twoWeeks, ams, keyed(t)); !errors.Is(err, ErrRejected) {
		t.Errorf("approve after rejection: %v", err)
	}
	if _, err := Load(dir2, f, v, twoWeeks, ams, keyed(t), 0); !errors.Is(err, ErrRejected) {
		t.Errorf("Load of a plan rejected and never approved: %v", err)
	}
}

func TestRejectRefuses(t *testing.T) {
	for _, tt := range []struct{ by, comment, want string }{
		{" ", "x", "--by"},
		{"A", " \n", "comment"},
		{"A", strings.Repeat("x", MaxComment+1), "longer than"},
	} {
		if _, err := Reject(t.TempDir(), testPlan(), tt.by, tt.comment, approvedAt); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Reject(%q, %.10q): %v, want %q", tt.by, tt.comment, err, tt.want)
		}
	}
}

// TestForgedRejection: a rejection file that retentiond did not sign, or
// that was changed, is not taken for no rejection: Load refuses with
// ErrInvalid, so nothing is applied until someone looks at it.
func TestForgedRejection(t *testing.T) {
	s, v := fixedKeys(t)
	other, _ := newKey(t)
	f := testPlan()
	write := func(t *testing.T, dir string, signer func(*Rejection) error, fn func(m map[string]any)) {
		r, err := Reject(dir, f, "B", "nee", approvedAt)
		if err != nil {
			t.Fatal(err)
		}
		if err := signer(r); err != nil {
			t.Fatal(err)
		}
		if fn != nil {
			p := RejectionPath(dir, f.Digest)
			b, _ := os.ReadFile(p)
			var m map[string]any
			json.Unmarshal(b, &m)
			fn(m)
			b, _ = json.Marshal(m)
			os.WriteFile(p, b, 0o600)
		}
	}
	ours := func(dir string) func(*Rejection) error {
		return func(r *Rejection) error { return SaveRejection(dir, r, s) }
	}
	for _, tt := range []struct {
		name   string
		signer func(dir string) func(*Rejection) error
		edit   func(m map[string]any)
		want   string
	}{
		{"comment changed", ours, func(m map[string]any) { m["comment"] = "ja" }, "signature does not verify"},
		{"unsigned", ours, func(m map[string]any) { m["signature"] = "" }, "not signed"},
		{"other key", func(dir string) func(*Rejection) error {
			return func(r *Rejection) error { return SaveRejection(dir, r, other) }
		}, nil, "not signed by the ledger key"},
		{"extra field", ours, func(m map[string]any) { m["x"] = 1.0 }, "not a rejection"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			approveFirst(t, dir, "A")
			write(t, dir, tt.signer(dir), tt.edit)
			if _, err := Load(dir, f, v, twoWeeks, ams, keyed(t), 0); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: %v, want ErrInvalid and %q", err, tt.want)
			}
		})
	}
}

package requests

import (
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// TestSettleRequestOpenedDuringPlan: an erasure request opened while the
// night's plan was being made (after the plan read the requests) is not
// in that plan: its subject's records were decided without it, and those
// kept are not listed at all. Nothing listed then is not "nothing left":
// the request stays open, for the next night's plan to count. One opened
// before the plan was made is settled as before.
func TestSettleRequestOpenedDuringPlan(t *testing.T) {
	opened := time.Date(2026, 11, 23, 2, 0, 30, 0, zone)
	tests := []struct {
		name    string
		created time.Time // the plan's created_at
		want    string
	}{
		{"plan made before the request was opened", opened.Add(-time.Second), StatusOpen},
		{"plan made after the request was opened", opened.Add(time.Minute), StatusCompleted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openSet(t, dir)
			r, err := s.OpenRequest(req(Erase, "2026-11-23"), rules.Term{}, opened)
			if err != nil {
				t.Fatal(err)
			}
			// The night's plan lists only records of others: this
			// subject's are kept under the rules (no erasure known).
			p := &plan.File{Header: plan.Header{AsOf: "2026-11-23", CreatedAt: tt.created.Format(time.RFC3339)},
				Items: []*plan.Item{item("2", rules.Delete, "2026-11-20")}}
			changes, _, err := s.Settle([]*plan.File{p}, day("2026-11-23"), opened.Add(2*time.Minute), func(SubjectRef) bool { return true })
			if err != nil {
				t.Fatal(err)
			}
			got, _ := openSet(t, dir).Get(r.ID)
			if got.Status != tt.want {
				t.Errorf("status %q (%d change(s)), want %q", got.Status, len(changes), tt.want)
			}
			if tt.want == StatusOpen && len(changes) != 0 {
				t.Errorf("%d change(s) for the ledger, want none", len(changes))
			}
		})
	}
}

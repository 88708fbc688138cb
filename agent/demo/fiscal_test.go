package demo

import (
	"slices"
	"testing"

	"github.com/retentiond/retentiond/rules"
)

// TestChildAdministrationRowsKeepNameAndBSN: the administration exports'
// child rows (Kidsadmin, Saamn) are the fiscal administration (the annual
// statement for the childcare allowance names the child and its BSN).
// Two to seven years after care ended such a row is not deleted: name and
// BSN stay (C5, C6), every other field is pseudonymised. Seven years
// after, the row goes.
func TestChildAdministrationRowsKeepNameAndBSN(t *testing.T) {
	for _, asOf := range testDates {
		t.Run(asOf.String(), func(t *testing.T) {
			root := demoAt(t, asOf, 1)
			vp := planDemo(t, root, asOf)
			ends := registryEnds(t, root)["child"]
			var between, after int
			for _, store := range []string{"kidsadmin-kinderen", "saamn-kinderen"} {
				for id, row := range vp.rows[store] {
					it := vp.items[store+":"+id]
					if it == nil || it.Subject == nil || it.Action == rules.Hold {
						continue // on the waiting list (C2), or no one's
					}
					end := ends[it.Subject.ID]
					if end.IsZero() || asOf.Before(end.AddMonths(24)) {
						continue
					}
					if !asOf.Before(end.AddMonths(84)) {
						after++
						if it.Action != rules.Delete {
							t.Errorf("%s:%s: care ended %s, over 7 years ago: %s, want delete", store, id, end, it.Action)
						}
						continue
					}
					between++
					if it.Action != rules.Pseudonymise {
						t.Errorf("%s:%s: care ended %s: %s (%s), want pseudonymise: name and BSN stay 7 years (C5, C6)", store, id, end, it.Action, it.Reason)
						continue
					}
					for _, f := range []string{"name", "bsn", "id"} {
						if slices.Contains(it.Fields, f) {
							t.Errorf("%s:%s: care ended %s: field %s pseudonymised, want it kept until 7 years after", store, id, end, f)
						}
					}
					for _, f := range row.Fields {
						if f == "name" || f == "bsn" || f == "id" {
							continue
						}
						if !slices.Contains(it.Fields, f) {
							t.Errorf("%s:%s: care ended %s: field %s kept, want it pseudonymised (its maximum has passed)", store, id, end, f)
						}
					}
					for _, fd := range it.FieldDecisions {
						if (fd.Field == "name" || fd.Field == "bsn") && fd.Rule != "C5" && fd.Rule != "C6" {
							t.Errorf("%s:%s: field %s kept under %q, want C5 or C6", store, id, fd.Field, fd.Rule)
						}
					}
				}
			}
			if between < 3 {
				t.Errorf("%d child rows of children who left 2-7 years ago; want a few to test on", between)
			}
			t.Logf("%d rows between 2 and 7 years, %d after 7 years", between, after)
		})
	}
}

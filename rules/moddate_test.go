package rules

import (
	"reflect"
	"testing"
	"time"
)

// TestReadsModDate: where ReadsModDate says a category's decisions do not
// read the modification date, no record's decision changes with it, for
// every case of the evaluation tests and every category; and for a
// category whose rules run from the record's date it does change, so that
// a wrong answer would show.
func TestReadsModDate(t *testing.T) {
	base := builtin(t)
	for c, want := range map[Category]bool{"photo": true, "diary": true, "log": true, "child-dossier": false, "contract": false, "health": false,
		// transfer rules (S8, S9-hired): the decision follows another
		// category's rules, which may read it
		"application": true, "internship": true} {
		if got := base.ReadsModDate(c); got != want {
			t.Errorf("ReadsModDate(%s) = %v, want %v", c, got, want)
		}
	}
	dates := []Date{{}, MakeDate(1999, time.March, 3), MakeDate(2019, time.December, 31), MakeDate(2025, time.June, 1), MakeDate(2031, time.January, 1)}
	changed := 0
	for _, ec := range evalCases() {
		p := base
		if ec.ov != nil {
			var err error
			if p, err = base.WithOverrides(ec.ov); err != nil {
				t.Fatalf("%s: %v", ec.name, err)
			}
		}
		for _, cat := range Categories {
			f := ec.f
			f.Category = cat
			var first Decision
			for i, d := range dates {
				f.ModDate = d
				got := Evaluate(p, f, mustDate(ec.asOf))
				if i == 0 {
					first = got
					continue
				}
				if reflect.DeepEqual(got, first) {
					continue
				}
				if !p.ReadsModDate(cat) {
					t.Errorf("%s as %s: the decision changes with the modification date (%s: %+v, none: %+v), but ReadsModDate says it is not read",
						ec.name, cat, d, got, first)
				}
				changed++
				break
			}
		}
	}
	if changed == 0 {
		t.Error("no decision changed with the modification date: the test checks nothing")
	}
}

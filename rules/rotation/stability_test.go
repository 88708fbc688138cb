package rotation

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/retentiond/retentiond/rules"
)

// randomSet makes backups over days days from first: most days one, some
// none, some two or three, with IDs that sort in the order they were made.
func randomSet(r *rand.Rand, first rules.Date, days int) []Backup {
	var set []Backup
	for i := range days {
		d := first.AddDays(i)
		n := 1
		switch x := r.IntN(20); {
		case x < 3:
			n = 0
		case x < 5:
			n = 2 + r.IntN(2)
		}
		for j := range n {
			set = append(set, Backup{ID: fmt.Sprintf("%s.%d", d, j), Date: d})
		}
	}
	return set
}

// simulate runs the rotation day by day from the first backup's date for
// days days: each day the backups made that day arrive, Decide runs on what
// is left and what it calls due is deleted. On every checkEvery-th day
// (starting at offset) and the last, it checks that
// deleting never changed a decision, by deciding the whole history that
// exists by then (nothing deleted) and comparing:
//   - every backup still there is decided the same (keep, due, reasons, text);
//   - every backup deleted earlier is still due: no later run wants it back;
//   - once a period is over, the backup that represents it never changes,
//     and once that backup is deleted no other takes its role;
//   - once a backup's year is over, its due date never changes.
func simulate(t *testing.T, name string, all []Backup, k Keep, days, checkEvery, offset int) {
	t.Helper()
	first := all[0].Date
	var left, made []Backup
	deleted := map[string]rules.Date{}
	rep := map[string]string{}     // "monthly 2024-03" -> ID that represents it, once the period is over
	gone := map[string]bool{}      // periods whose representative was deleted
	due := map[string]rules.Date{} // due dates of backups whose year is over
	next := 0
	for i := range days {
		asOf := first.AddDays(i)
		for next < len(all) && !all[next].Date.After(asOf) {
			left, made = append(left, all[next]), append(made, all[next])
			next++
		}
		ds, err := Decide(left, k, asOf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if i%checkEvery == offset || i == days-1 {
			full, _ := Decide(made, k, asOf)
			byID := map[string]Decision{}
			for _, d := range full {
				byID[d.ID] = d
			}
			for _, d := range ds {
				if f := byID[d.ID]; !reflect.DeepEqual(d, f) {
					t.Fatalf("%s on %s: deleting changed a decision:\nafter deleting %s %v %v %v\nall kept       %s %v %v %v",
						name, asOf, line(d), d.Due, d.Reasons, d.Text.EN, line(f), f.Due, f.Reasons, f.Text.EN)
				}
			}
			for id, on := range deleted {
				if byID[id].Keep {
					t.Fatalf("%s on %s: %s, deleted on %s, would be kept now", name, asOf, id, on)
				}
			}
		}
		var kept []Backup
		for j, d := range ds {
			for _, r := range d.Reasons {
				key := string(r.Kind) + " " + r.Period
				if r.Period == "" || r.Provisional || !d.Keep {
					continue
				}
				if gone[key] {
					t.Fatalf("%s on %s: %s took over %s after its representative was deleted", name, asOf, d.ID, key)
				}
				if was, ok := rep[key]; ok && was != d.ID {
					t.Fatalf("%s on %s: %s moved from %s to %s", name, asOf, key, was, d.ID)
				}
				rep[key] = d.ID
			}
			if asOf.After(d.Date.EndOfYear()) {
				if was, ok := due[d.ID]; ok && was != d.Due {
					t.Fatalf("%s on %s: due date of %s moved from %s to %s", name, asOf, d.ID, was, d.Due)
				}
				due[d.ID] = d.Due
			}
			if d.Keep {
				kept = append(kept, left[j])
				continue
			}
			deleted[d.ID] = asOf
			for key, id := range rep {
				if id == d.ID {
					gone[key] = true
				}
			}
		}
		left = kept
	}
	periods := isSet(k.Weekly) || isSet(k.Monthly) || isSet(k.Yearly)
	if len(deleted) == 0 || periods && len(rep) == 0 {
		t.Fatalf("%s: the simulation deleted %d backups and saw %d periods: it tests nothing", name, len(deleted), len(rep))
	}
}

// TestStableOverTime: deleting what Decide calls due, day by day, never
// changes a later decision, for policies with short terms so that every
// term runs out within the simulated span.
func TestStableOverTime(t *testing.T) {
	policies := []Keep{
		{Daily: term("10d"), Weekly: term("5w"), Monthly: term("4m"), Yearly: term("6m")},
		{Daily: term("1m"), Monthly: term("6m"), Max: term("200d")},
		{Monthly: term("3m")},
		{Weekly: term("2w"), Monthly: term("2m")},
		{Daily: term("7d"), Monthly: term("30d")},
		{Daily: term("2w"), Weekly: term("2w"), Monthly: term("1m"), Yearly: term("3m")},
		{Max: term("45d")},
		{Daily: term("2w"), Yearly: term("4m")},
	}
	for i, k := range policies {
		for seed := range 2 {
			r := rand.New(rand.NewPCG(uint64(i), uint64(seed)))
			first := date("2023-11-15").AddDays(r.IntN(45)) // the span takes in 29 February 2024 and two new years
			days := 450
			// The two seeds check alternate days.
			simulate(t, fmt.Sprintf("policy %d seed %d", i, seed), randomSet(r, first, days), k, days, 2, seed)
		}
	}
}

// TestV4StableOverTime: the same for V4 itself over 8 years of daily
// backups, checked against the whole history every 61 days.
func TestV4StableOverTime(t *testing.T) {
	if testing.Short() {
		t.Skip("8 years day by day")
	}
	set := dailySet(date("2018-11-23"), date("2026-11-22"))
	simulate(t, "V4", set, v4, len(set)+1, 61, 0)
}

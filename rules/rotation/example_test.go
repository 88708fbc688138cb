package rotation_test

import (
	"fmt"

	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/rules/rotation"
)

// V4, Kidsadmin: daily backups kept for 1 year, then one a month up to 7
// years.
func ExampleDecide() {
	keep := rotation.Keep{
		Daily:   rules.Term{N: 1, Unit: 'y'},
		Monthly: rules.Term{N: 7, Unit: 'y'},
		Max:     rules.Term{N: 7, Unit: 'y'},
	}
	var set []rotation.Backup
	for _, s := range []string{"2019-03-30", "2019-03-31", "2025-03-30", "2025-03-31", "2026-03-10"} {
		d, _ := rules.ParseDate(s)
		set = append(set, rotation.Backup{ID: "kidsadmin-" + s + ".zip", Date: d})
	}
	decisions, err := rotation.Decide(set, keep, rules.MakeDate(2026, 3, 31))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range decisions {
		action := "delete"
		if d.Keep {
			action = "keep"
		}
		fmt.Printf("%s %s (due %s): %s\n", d.Date, action, d.Due, d.Text.EN)
	}
	_, err = rotation.Decide(set, rotation.Keep{}, rules.MakeDate(2026, 3, 31))
	fmt.Println(err)
	// Output:
	// 2019-03-30 delete (due 2020-03-30): daily backup, kept 1 year: term ended on 2020-03-30
	// 2019-03-31 delete (due 2026-03-31): newest backup of March 2019, kept 7 years: term ended on 2026-03-31
	// 2025-03-30 delete (due 2026-03-30): daily backup, kept 1 year: term ended on 2026-03-30
	// 2025-03-31 keep (due 2032-03-31): newest backup of March 2025, kept 7 years: term ends on 2032-03-31
	// 2026-03-10 keep (due 2033-03-10): daily backup, kept 1 year: term ends on 2027-03-10; newest backup of March 2026 so far, kept 7 years: term ends on 2033-03-10
	// rotation: no keep term is set, so no backups will be removed: set at least one of daily, weekly, monthly, yearly or max
}

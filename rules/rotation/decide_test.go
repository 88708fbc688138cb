package rotation

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/rules"
)

// line writes a decision compactly: "2025-01-31 keep due 2026-01-31 daily
// monthly:2025-01", with "?" after a provisional period.
func line(d Decision) string {
	action := "delete"
	if d.Keep {
		action = "keep"
	}
	due := d.Due.String()
	if due == "" {
		due = "-"
	}
	var rs []string
	for _, r := range d.Reasons {
		s := string(r.Kind)
		if r.Period != "" {
			s += ":" + r.Period
		}
		if r.Provisional {
			s += "?"
		}
		rs = append(rs, s)
	}
	return fmt.Sprintf("%s %s due %s %s", d.ID, action, due, strings.Join(rs, " "))
}

// backups makes a set with each backup's ID equal to its date, or "id@date"
// where a day has more than one backup.
func backups(specs ...string) []Backup {
	var set []Backup
	for _, s := range specs {
		id, ds, ok := strings.Cut(s, "@")
		if !ok {
			ds = id
		}
		var d rules.Date
		if ds != "undated" {
			d = date(ds)
		}
		set = append(set, Backup{ID: id, Date: d})
	}
	return set
}

func TestDecide(t *testing.T) {
	cases := []struct {
		name string
		set  []Backup
		k    Keep
		asOf string
		want []string
	}{
		{"daily: day before the window ends", backups("2024-03-10", "2024-03-31"), v4, "2025-03-09",
			[]string{"2024-03-10 keep due 2025-03-10 daily", "2024-03-31 keep due 2031-03-31 daily monthly:2024-03"}},
		{"daily: due on D+1y", backups("2024-03-10", "2024-03-31"), v4, "2025-03-10",
			[]string{"2024-03-10 delete due 2025-03-10 daily", "2024-03-31 keep due 2031-03-31 daily monthly:2024-03"}},
		{"daily: day after the window ends", backups("2024-03-10", "2024-03-31"), v4, "2025-03-11",
			[]string{"2024-03-10 delete due 2025-03-10 daily", "2024-03-31 keep due 2031-03-31 daily monthly:2024-03"}},
		{"leap day + 1y is 28 February: before", backups("2024-02-29"), v2, "2026-02-27",
			[]string{"2024-02-29 keep due 2026-02-28 daily"}},
		{"leap day + 1y is 28 February: on", backups("2024-02-29"), v2, "2026-02-28",
			[]string{"2024-02-29 delete due 2026-02-28 daily"}},
		{"31 January + 1 month is 28 February", backups("2025-01-31"), Keep{Daily: term("1m")}, "2025-02-28",
			[]string{"2025-01-31 delete due 2025-02-28 daily"}},
		{"monthly: newest of the month kept after the daily window", backups("2025-01-30", "2025-01-31"),
			Keep{Daily: term("1w"), Monthly: term("1y")}, "2025-02-15",
			[]string{"2025-01-30 delete due 2025-02-06 daily", "2025-01-31 keep due 2026-01-31 monthly:2025-01"}},
		{"monthly: month-end rep, leap year", backups("2024-02-28", "2024-02-29", "2024-03-01"),
			Keep{Monthly: term("1y")}, "2025-02-28",
			[]string{"2024-02-28 delete due 2024-02-28 none", "2024-02-29 delete due 2025-02-28 monthly:2024-02", "2024-03-01 keep due 2025-03-01 monthly:2024-03"}},
		{"monthly: month not over is provisional", backups("2025-01-10", "2025-01-20"), Keep{Monthly: term("1y")}, "2025-01-31",
			[]string{"2025-01-10 delete due 2025-01-10 none", "2025-01-20 keep due 2026-01-20 monthly:2025-01?"}},
		{"monthly: final once the month is over", backups("2025-01-10", "2025-01-20"), Keep{Monthly: term("1y")}, "2025-02-01",
			[]string{"2025-01-10 delete due 2025-01-10 none", "2025-01-20 keep due 2026-01-20 monthly:2025-01"}},
		{"monthly: the newest left stands for a month whose newest is missing",
			backups("2025-01-05", "2025-01-20", "2025-02-03"), Keep{Daily: term("1m"), Monthly: term("1y")}, "2025-03-01",
			[]string{"2025-01-05 delete due 2025-02-05 daily", "2025-01-20 keep due 2026-01-20 monthly:2025-01", "2025-02-03 keep due 2026-02-03 daily monthly:2025-02"}},
		{"a late backup of a month that is over takes the role over", backups("2025-01-20", "2025-01-25"),
			Keep{Daily: term("1w"), Monthly: term("1y")}, "2025-03-01",
			[]string{"2025-01-20 delete due 2025-01-27 daily", "2025-01-25 keep due 2026-01-25 monthly:2025-01"}},
		{"several backups on one day: all dailies", backups("a@2025-01-31", "b@2025-01-31"), v4, "2026-01-30",
			[]string{"a keep due 2026-01-31 daily", "b keep due 2032-01-31 daily monthly:2025-01"}},
		{"several backups on one day: the greatest ID represents the month", backups("b@2025-01-31", "a@2025-01-31"), v4, "2026-01-31",
			[]string{"b keep due 2032-01-31 monthly:2025-01", "a delete due 2026-01-31 daily"}},
		{"future backup kept and takes no role", backups("2025-01-05", "2025-01-25"), Keep{Monthly: term("1y")}, "2025-01-10",
			[]string{"2025-01-05 keep due 2026-01-05 monthly:2025-01?", "2025-01-25 keep due - future"}},
		{"undated backup kept", backups("x@undated", "2025-01-05"), v2, "2030-01-01",
			[]string{"x keep due - undated", "2025-01-05 delete due 2027-01-05 daily"}},
		{"weekly: ISO week across the new year", backups("2024-12-29", "2024-12-30", "2025-01-02"), Keep{Weekly: term("4w")}, "2025-01-06",
			[]string{"2024-12-29 keep due 2025-01-26 weekly:2024-W52", "2024-12-30 delete due 2024-12-30 none", "2025-01-02 keep due 2025-01-30 weekly:2025-W01"}},
		{"weekly: Sunday ends the week", backups("2025-01-05"), Keep{Weekly: term("4w")}, "2025-01-05",
			[]string{"2025-01-05 keep due 2025-02-02 weekly:2025-W01?"}},
		{"yearly outlives monthly; only live roles listed", backups("2024-11-30", "2024-12-31"), Keep{Monthly: term("1y"), Yearly: term("10y")}, "2025-12-31",
			[]string{"2024-11-30 delete due 2025-11-30 monthly:2024-11", "2024-12-31 keep due 2034-12-31 yearly:2024"}},
		{"equal terms: the finer role is named", backups("2024-03-31"), Keep{Daily: term("1y"), Monthly: term("12m")}, "2025-03-31",
			[]string{"2024-03-31 delete due 2025-03-31 daily"}},
		{"V2: kept 2 years", backups("2023-05-01", "2023-05-02"), v2, "2025-05-01",
			[]string{"2023-05-01 delete due 2025-05-01 daily", "2023-05-02 keep due 2025-05-02 daily"}},
	}
	for _, c := range cases {
		ds, err := Decide(c.set, c.k, date(c.asOf))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var got []string
		for _, d := range ds {
			got = append(got, line(d))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\ngot  %q\nwant %q", c.name, got, c.want)
		}
	}
}

// TestDecideOrderFree: the decisions do not depend on the order of the set.
func TestDecideOrderFree(t *testing.T) {
	set := backups("b@2025-01-31", "2025-01-05", "a@2025-01-31", "2025-02-10", "c@2025-01-31")
	asOf := date("2025-03-15")
	k := Keep{Daily: term("1w"), Monthly: term("1y")}
	want := map[string]string{}
	first, _ := Decide(set, k, asOf)
	for _, d := range first {
		want[d.ID] = line(d)
	}
	for i := range set {
		rot := append(slices.Clone(set[i:]), set[:i]...)
		ds, _ := Decide(rot, k, asOf)
		for j, d := range ds {
			if d.ID != rot[j].ID || line(d) != want[d.ID] {
				t.Errorf("rotation %d: %s, want %s", i, line(d), want[rot[j].ID])
			}
		}
	}
	if want["c"] != "c keep due 2026-01-31 monthly:2025-01" {
		t.Errorf("the greatest ID of the month's last day must represent it: %s", want["c"])
	}
}

func TestDecideErrors(t *testing.T) {
	asOf := date("2025-01-01")
	cases := []struct {
		name string
		set  []Backup
		k    Keep
		asOf rules.Date
		want string
	}{
		{"empty policy", backups("2020-01-01"), Keep{}, asOf, "no keep term is set, so no backups will be removed"},
		{"invalid policy", backups("2020-01-01"), Keep{Daily: term("2y"), Max: term("1y")}, asOf, "max (1y) is shorter than daily (2y)"},
		{"no date", backups("2020-01-01"), v4, rules.Date{}, "no evaluation date"},
		{"duplicate ID", backups("a@2020-01-01", "b@2020-01-02", "a@2020-01-03"), v4, asOf, `backups 0 and 2 have the same ID "a"`},
		{"empty ID", []Backup{{Date: asOf}}, v4, asOf, "backup 0 has no ID"},
	}
	for _, c := range cases {
		ds, err := Decide(c.set, c.k, c.asOf)
		if err == nil || !strings.Contains(err.Error(), c.want) || ds != nil {
			t.Errorf("%s: got %v, %v; want no decisions and an error containing %q", c.name, len(ds), err, c.want)
		}
	}
}

func TestDecideText(t *testing.T) {
	set := backups("2019-11-30", "2025-11-24", "2026-11-22", "2025-11-23", "2025-11-22", "2025-11-30", "2030-01-01", "x@undated")
	ds, err := Decide(set, v4, date("2026-11-23"))
	if err != nil {
		t.Fatal(err)
	}
	want := []rules.Text{
		{EN: "newest backup of November 2019, kept 7 years: term ends on 2026-11-30",
			NL: "nieuwste back-up van november 2019, 7 jaar bewaard: termijn verstrijkt op 30-11-2026"},
		{EN: "daily backup, kept 1 year: term ends on 2026-11-24",
			NL: "dagelijkse back-up, 1 jaar bewaard: termijn verstrijkt op 24-11-2026"},
		{EN: "daily backup, kept 1 year: term ends on 2027-11-22; newest backup of November 2026 so far, kept 7 years: term ends on 2033-11-22",
			NL: "dagelijkse back-up, 1 jaar bewaard: termijn verstrijkt op 22-11-2027; nieuwste back-up van november 2026 tot nu toe, 7 jaar bewaard: termijn verstrijkt op 22-11-2033"},
		{EN: "daily backup, kept 1 year: term ended on 2026-11-23",
			NL: "dagelijkse back-up, 1 jaar bewaard: termijn verstreken op 23-11-2026"},
		{EN: "daily backup, kept 1 year: term ended on 2026-11-22",
			NL: "dagelijkse back-up, 1 jaar bewaard: termijn verstreken op 22-11-2026"},
		{EN: "daily backup, kept 1 year: term ends on 2026-11-30; newest backup of November 2025, kept 7 years: term ends on 2032-11-30",
			NL: "dagelijkse back-up, 1 jaar bewaard: termijn verstrijkt op 30-11-2026; nieuwste back-up van november 2025, 7 jaar bewaard: termijn verstrijkt op 30-11-2032"},
		{EN: "dated after the evaluation date 2026-11-23: kept; check the backup's date",
			NL: "gedateerd na de peildatum 23-11-2026: bewaard; controleer de datum van de back-up"},
		{EN: "no date known: kept; supply the backup's date",
			NL: "geen datum bekend: bewaard; geef de datum van de back-up op"},
	}
	for i, d := range ds {
		if d.Text != want[i] {
			t.Errorf("%s:\ngot  %+v\nwant %+v", d.ID, d.Text, want[i])
		}
	}
	ws, _ := Decide(backups("2025-01-01", "2025-01-02"), Keep{Weekly: term("1w")}, date("2025-02-01"))
	if got := ws[0].Text; got.EN != "no term keeps this backup: due since 2025-01-01" ||
		got.NL != "geen termijn bewaart deze back-up: te verwijderen sinds 01-01-2025" {
		t.Errorf("none: %+v", got)
	}
	if got := ws[1].Text; got.EN != "newest backup of week 1 of 2025, kept 1 week: term ended on 2025-01-09" ||
		got.NL != "nieuwste back-up van week 1 van 2025, 1 week bewaard: termijn verstreken op 09-01-2025" {
		t.Errorf("weekly: %+v", got)
	}
}

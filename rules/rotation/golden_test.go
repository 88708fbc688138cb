package rotation

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// dailySet makes one backup a day from first through last, IDs named like
// a Kidsadmin export.
func dailySet(first, last rules.Date) []Backup {
	var set []Backup
	for d := first; !d.After(last); d = d.AddDays(1) {
		set = append(set, Backup{ID: "kidsadmin-" + d.String(), Date: d})
	}
	return set
}

// TestV4Golden decides 8 years of daily Kidsadmin backups under V4 and
// compares them with testdata/v4.golden (go test -update rewrites it).
func TestV4Golden(t *testing.T) {
	asOf := date("2026-11-23")
	set := dailySet(date("2018-11-23"), date("2026-11-22"))
	ds, err := Decide(set, v4, asOf)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# V4 (daily %s, monthly %s, max %s) as of %s: date action due, then reasons: kind period until\n",
		v4.Daily, v4.Monthly, v4.Max, asOf)
	for _, d := range ds {
		action := "delete"
		if d.Keep {
			action = "keep"
		}
		fmt.Fprintf(&buf, "%s %-6s %s", d.Date, action, d.Due)
		for _, r := range d.Reasons {
			p := r.Period
			if p == "" {
				p = "-"
			}
			if r.Provisional {
				p += "?"
			}
			fmt.Fprintf(&buf, " %s %s %s", r.Kind, p, r.Until)
		}
		buf.WriteByte('\n')
	}
	compareGolden(t, filepath.Join("testdata", "v4.golden"), buf.Bytes())

	// The counts, worked out apart from Decide with the time package.
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	dailyFrom := rules.DateIn(at.AddDate(-1, 0, 0), time.UTC) // due today: not kept
	monthlyFrom := rules.DateIn(at.AddDate(-7, 0, 0), time.UTC)
	var wantDaily, wantMonthlyOnly, wantMonthly int
	for _, b := range set {
		lastOfMonth := b.Date.AddDays(1).Month != b.Date.Month || b.Date == set[len(set)-1].Date
		switch {
		case b.Date.After(dailyFrom):
			wantDaily++
			if lastOfMonth {
				wantMonthly++
			}
		case lastOfMonth && b.Date.After(monthlyFrom):
			wantMonthlyOnly++
			wantMonthly++
		}
	}
	// 2025-11-24 … 2026-11-22: the window of 365 days ends on 2026-11-23,
	// whose backup is not made yet. Month ends 2019-11-30 … 2026-10-31 and
	// 2026-11-22 (November 2026 so far).
	if wantDaily != 364 || wantMonthly != 85 || wantMonthlyOnly != 72 {
		t.Fatalf("expected counts worked out wrongly: %d %d %d", wantDaily, wantMonthly, wantMonthlyOnly)
	}
	var kept, daily, monthly, monthlyOnly int
	for _, d := range ds {
		if !d.Keep {
			if asOf.Before(d.Due) {
				t.Errorf("%s deleted but due only on %s", d.ID, d.Due)
			}
			continue
		}
		kept++
		if !asOf.Before(d.Due) {
			t.Errorf("%s kept but due on %s", d.ID, d.Due)
		}
		if !d.Date.After(monthlyFrom) {
			t.Errorf("%s is older than 7 years and kept", d.ID)
		}
		kinds := ""
		for _, r := range d.Reasons {
			kinds += string(r.Kind) + " "
		}
		if strings.Contains(kinds, "daily") {
			daily++
		}
		if strings.Contains(kinds, "monthly") {
			monthly++
		}
		if kinds == "monthly " {
			monthlyOnly++
		}
	}
	if daily != wantDaily || monthly != wantMonthly || monthlyOnly != wantMonthlyOnly || kept != wantDaily+wantMonthlyOnly {
		t.Errorf("kept %d: %d daily, %d monthly, %d monthly only; want %d: %d, %d, %d",
			kept, daily, monthly, monthlyOnly, wantDaily+wantMonthlyOnly, wantDaily, wantMonthly, wantMonthlyOnly)
	}
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range min(len(gl), len(wl)) {
		if gl[i] != wl[i] {
			t.Fatalf("%s differs at line %d:\ngot  %s\nwant %s\n(run go test -update if the change is intended)", path, i+1, gl[i], wl[i])
		}
	}
	t.Fatalf("%s: got %d lines, want %d (run go test -update if the change is intended)", path, len(gl), len(wl))
}

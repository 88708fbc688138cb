package plan

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/archive"
	"github.com/retentiond/retentiond/scanners/memstore"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// countingStore counts listings, so that tests can see that Recheck and
// Redecide list a store once per run.
type countingStore struct {
	*memstore.Store
	scans atomic.Int32
}

func (c *countingStore) Scan(ctx context.Context, fn func(scanners.Record) error) error {
	c.scans.Add(1)
	return c.Store.Scan(ctx, fn)
}

// dailyBackups puts one backup a day from first to last into ms, named by
// name(date).
func dailyBackups(ms *memstore.Store, first, last rules.Date, name func(rules.Date) string) int {
	n := 0
	for d := first; !d.After(last); d = d.AddDays(1) {
		ms.Put(name(d), []byte("backup of "+d.String()), memstore.DefaultModTime)
		n++
	}
	return n
}

func kidsadmin(d rules.Date) string { return "kidsadmin/" + d.String() + ".tar.gz" }

func layout(t *testing.T, ls ...classify.Layout) *classify.Classifier {
	t.Helper()
	c, err := classify.Compile(ls)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var v4Layout = classify.Layout{Path: "kidsadmin/{date}.tar.gz", Category: "backup", Rule: "V4"}

func backupPlanner(t *testing.T, st scanners.Store, asOf string, ls ...classify.Layout) *Planner {
	t.Helper()
	return &Planner{
		Policy: testPolicy(t), Subjects: subjects(),
		Stores: []Store{{Name: "b", Type: "s3", Store: st, Classifier: layout(t, ls...)}},
		AsOf:   date(asOf), Location: ams, Lang: "en", All: true,
	}
}

// v4Want is V4 worked out by hand, without package rotation: every backup
// is kept a year; the newest of each month (the last day of the month,
// or the newest backup of a month not yet over) is kept 7 years. A backup
// is due when the longer of its terms ends.
func v4Want(d, newest rules.Date) (due rules.Date, monthly bool) {
	due = d.AddMonths(12)
	lastOfMonth := d.AddDays(1).Month != d.Month
	if lastOfMonth || d == newest {
		return d.AddMonths(84), true
	}
	return due, false
}

// TestBackupsV4 plans 8 years of daily Kidsadmin backups as of
// 2026-11-23. By hand: 2,922 backups (2018-11-23 to 2026-11-22, two leap
// days); kept are the 364 dailies from 2025-11-24 on and the newest of
// each month from November 2019 (2019-11-30 + 7y is after the as-of date)
// to November 2026, 85 months, of which 13 are among the dailies: 436
// kept, 2,486 due.
func TestBackupsV4(t *testing.T) {
	first, last, asOf := date("2018-11-23"), date("2026-11-22"), date("2026-11-23")
	ms := memstore.New(nil)
	n := dailyBackups(ms, first, last, kidsadmin)
	ms.Put("kidsadmin/README.txt", []byte("x"), memstore.DefaultModTime)
	p := backupPlanner(t, ms, "2026-11-23", v4Layout)
	var c collect
	sum, res, err := p.Run(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2922 || sum.Keep != 436 || sum.Delete != 2486 || sum.Review != 1 || res[0].Records != n+1 {
		t.Errorf("%d backups, summary %+v, records %d; want 2922 backups, 436 kept, 2486 due, README to review", n, sum, res[0].Records)
	}
	got := c.byRecord()
	if it := got["b:kidsadmin/README.txt"]; it == nil || it.Action != rules.Review {
		t.Errorf("README.txt: %+v, want review (no layout)", it)
	}
	keep, del := 0, 0
	for d := first; !d.After(last); d = d.AddDays(1) {
		it := got["b:"+kidsadmin(d)]
		if it == nil {
			t.Fatalf("%s not in the plan", kidsadmin(d))
		}
		due, monthly := v4Want(d, last)
		action := rules.Delete
		if asOf.Before(due) {
			action = rules.Keep
			keep++
		} else {
			del++
		}
		if it.Action != action || it.Due != due.String() || it.Rule != "V4" || it.Category != "backup" || it.Subject != nil ||
			it.Trigger == nil || *it.Trigger != (rules.Trigger{Event: rules.BackupDate, Date: d}) || it.Kind != "file" || it.Version == "" {
			t.Errorf("%s: %s due %s rule %s category %s subject %v trigger %v; want %s due %s by V4 from the backup date",
				it.Record, it.Action, it.Due, it.Rule, it.Category, it.Subject, it.Trigger, action, due)
		}
		wantWhy := "daily backup"
		if monthly && !asOf.Before(d.AddMonths(12)) {
			wantWhy = "newest backup of"
		}
		if !strings.HasPrefix(it.Reason, "Kidsadmin backup: ") || !strings.Contains(it.Reason, wantWhy) {
			t.Errorf("%s: reason %q, want one about the %s", it.Record, it.Reason, wantWhy)
		}
	}
	if keep != sum.Keep || del != sum.Delete {
		t.Errorf("worked out by hand: %d kept, %d due; the plan: %+v", keep, del, sum)
	}

	// Without --all only the due backups are listed, as for other records.
	p.All = false
	var due collect
	if _, _, err := p.Run(context.Background(), &due); err != nil {
		t.Fatal(err)
	}
	if len(due.items) != 2486+1 {
		t.Errorf("without --all: %d items, want the 2486 due backups and the README", len(due.items))
	}

	// The golden file shows the reasons, in both languages, of backups at
	// the edges of the terms.
	var b strings.Builder
	for _, lang := range []string{"en", "nl"} {
		p.All, p.Lang = true, lang
		var c collect
		if _, _, err := p.Run(context.Background(), &c); err != nil {
			t.Fatal(err)
		}
		got := c.byRecord()
		for _, d := range []string{"2018-11-23", "2019-11-23", "2019-11-30", "2020-02-29", "2025-11-23", "2025-11-24", "2026-10-31", "2026-11-21", "2026-11-22"} {
			it := got["b:"+kidsadmin(date(d))]
			fmt.Fprintf(&b, "%s %s %s due %s: %s\n", lang, it.Record, it.Action, it.Due, it.Reason)
		}
	}
	golden(t, "backups-v4.golden", b.String())
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestBackupsFailedListing: the listing breaks after every backup has been
// listed, when they are all held back: none may reach the plan.
func TestBackupsFailedListing(t *testing.T) {
	ms := memstore.New(nil)
	n := dailyBackups(ms, date("2018-01-01"), date("2020-12-31"), kidsadmin)
	ms.FailScanAfter(n, errors.New("network down"))
	p := backupPlanner(t, ms, "2026-11-23", v4Layout)
	var c collect
	sum, res, err := p.Run(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.items) != 0 || c.discarded != 0 || sum != (Summary{}) || res[0].Error == "" {
		t.Errorf("after a failed listing: %d items, %d discarded, summary %+v, result %+v; want nothing", len(c.items), c.discarded, sum, res[0])
	}
}

// TestBackupsRecheckAndRedecide: apply's re-checks answer as the plan did,
// listing the store once however many backups they ask about.
func TestBackupsRecheckAndRedecide(t *testing.T) {
	ctx := context.Background()
	cs := &countingStore{Store: memstore.New(nil)}
	dailyBackups(cs.Store, date("2019-06-01"), date("2026-11-22"), kidsadmin)
	var c collect
	if _, _, err := backupPlanner(t, cs, "2026-11-23", v4Layout).Run(ctx, &c); err != nil {
		t.Fatal(err)
	}
	apply := backupPlanner(t, cs, "2026-11-23", v4Layout) // a new run
	cs.scans.Store(0)
	for _, it := range c.items {
		now, err := apply.Recheck(ctx, "b", it.Record)
		if err != nil || now.Action != it.Action || now.Due != it.Due || now.Rule != it.Rule || now.Version != it.Version || now.Reason != it.Reason {
			t.Fatalf("Recheck(%s) = %+v, %v; the plan said %+v", it.Record, now, err, it)
		}
		rec := scanners.Record{ID: it.Record, Kind: scanners.Kind(it.Kind), Version: it.Version, Size: it.Size}
		again, err := apply.Redecide("b", rec)
		if err != nil || again.Action != it.Action || again.Due != it.Due || again.Rule != it.Rule {
			t.Fatalf("Redecide(%s) = %+v, %v; the plan said %+v", it.Record, again, err, it)
		}
	}
	if got := cs.scans.Load(); got != 1 {
		t.Errorf("%d re-checks and re-decisions listed the store %d times, want once", 2*len(c.items), got)
	}
	if _, err := apply.Recheck(ctx, "b", kidsadmin(date("2030-01-01"))); !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("Recheck of a backup the store lacks: %v, want ErrNotFound", err)
	}
	it, d, err := apply.Explain(ctx, "b", kidsadmin(date("2020-01-31")))
	if err != nil || it.Action != rules.Keep || d.Rule != "V4" || len(d.Considered) != 1 || !strings.Contains(d.Reason.NL, "nieuwste back-up van januari 2020") {
		t.Errorf("Explain: %+v %+v %v", it, d, err)
	}

	// Apply deletes what is due; a later run still keeps every backup
	// that is left, and a re-decision of a deleted one still says due
	// (its due date may differ: with its month's newest backup gone too,
	// it stands for the month, but that term has also ended).
	var deleted []*Item
	for _, it := range c.items {
		if it.Action == rules.Delete {
			if err := cs.Delete(ctx, it.Record); err != nil {
				t.Fatal(err)
			}
			deleted = append(deleted, it)
		}
	}
	later := backupPlanner(t, cs, "2026-11-23", v4Layout)
	for _, id := range cs.IDs() {
		if it, err := later.Recheck(ctx, "b", id); err != nil || it.Action != rules.Keep {
			t.Fatalf("after apply, Recheck(%s) = %+v, %v; want keep", id, it, err)
		}
	}
	for _, it := range deleted[:3] {
		again, err := later.Redecide("b", scanners.Record{ID: it.Record, Kind: scanners.KindFile, Version: it.Version})
		if err != nil || again.Action != rules.Delete || date(again.Due).After(date("2026-11-23")) {
			t.Errorf("Redecide of deleted %s = %+v, %v; want delete", it.Record, again, err)
		}
	}

	// A listing that fails fails every backup of the store, once.
	failing := backupPlanner(t, cs, "2026-11-23", v4Layout)
	cs.FailScanAfter(10, scanners.ErrNotFound)
	cs.scans.Store(0)
	for _, id := range cs.IDs()[:5] {
		_, err := failing.Recheck(ctx, "b", id)
		if err == nil || errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Recheck(%s) after a failed listing: %v; want an error that is not ErrNotFound", id, err)
		}
		if _, err := failing.Redecide("b", scanners.Record{ID: id, Kind: scanners.KindFile}); err == nil {
			t.Errorf("Redecide(%s) after a failed listing: no error", id)
		}
	}
	if got := cs.scans.Load(); got != 1 {
		t.Errorf("a failed listing was tried %d times, want once per run", got)
	}
}

// TestBackupsWithoutRule: a backup layout that names no rule is rotated
// only when one enabled rotation rule covers its category.
func TestBackupsWithoutRule(t *testing.T) {
	ms := memstore.New(nil)
	dailyBackups(ms, date("2020-01-01"), date("2020-03-31"), func(d rules.Date) string { return d.String() + ".tar.gz" })
	lay := classify.Layout{Path: "{date}.tar.gz", Category: "backup"}
	p := backupPlanner(t, ms, "2026-11-23", lay)
	var c collect
	sum, _, err := p.Run(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Review != 91 || len(c.items) != 91 {
		t.Errorf("summary %+v, want all 91 backups to review", sum)
	}
	for _, it := range c.items {
		if it.Action != rules.Review || it.Reason != "2 backup rules apply (V2, V4): name one with rule: in the store's layout" || it.Category != "backup" {
			t.Fatalf("%s: %s %q", it.Record, it.Action, it.Reason)
		}
	}
	off := true
	if p.Policy, err = p.Policy.WithOverrides(map[string]rules.Override{"V2": {Disabled: &off}}); err != nil {
		t.Fatal(err)
	}
	var v4 collect
	if sum, _, err = p.Run(context.Background(), &v4); err != nil {
		t.Fatal(err)
	}
	// Under V4 alone: the newest of each month kept, the other 88 due.
	if sum.Keep != 3 || sum.Delete != 88 || len(v4.items) != 91 || v4.items[0].Rule != "V4" {
		t.Errorf("with V2 off: summary %+v, %d items; want V4 to keep the 3 month ends", sum, len(v4.items))
	}
}

// TestBackupsV2 rotates three years of Tactiplan backups named without a
// date: each is dated by its modification time in the organisation's zone
// and deleted two years after it.
func TestBackupsV2(t *testing.T) {
	ms := memstore.New(nil)
	asOf := date("2026-11-23")
	start := time.Date(2023, 11, 1, 23, 30, 0, 0, time.UTC) // 00:30 the next day in Amsterdam
	for i := range 3 * 366 {
		mod := start.AddDate(0, 0, i)
		ms.Put(fmt.Sprintf("tactiplan/backup-%04d.enc", i), []byte("x"), mod)
	}
	p := backupPlanner(t, ms, "2026-11-23", classify.Layout{Path: "tactiplan/*.enc", Category: "backup", Rule: "V2"})
	var c collect
	sum, _, err := p.Run(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	wantDel := 0
	for _, it := range c.items {
		var i int
		fmt.Sscanf(it.Record, "tactiplan/backup-%04d.enc", &i)
		d := rules.DateIn(start.AddDate(0, 0, i), ams)
		due := d.AddMonths(24)
		action := rules.Keep
		if !asOf.Before(due) {
			action = rules.Delete
			wantDel++
		}
		if it.Action != action || it.Due != due.String() || it.Rule != "V2" || it.Trigger.Date != d || !strings.Contains(it.Reason, "modification time") {
			t.Errorf("%s (dated %s): %s due %s %q; want %s due %s", it.Record, d, it.Action, it.Due, it.Reason, action, due)
		}
	}
	if len(c.items) != 3*366 || sum.Delete != wantDel || wantDel < 360 || sum.Delete+sum.Keep != 3*366 {
		t.Errorf("summary %+v over %d items; want %d due", sum, len(c.items), wantDel)
	}
}

// TestBackupZips: a zip whose own name a backup layout matches is one
// backup, taken whole; its entries are not decided.
func TestBackupZips(t *testing.T) {
	ms := memstore.New(nil)
	dailyBackups(ms, date("2024-01-01"), date("2024-02-29"), func(d rules.Date) string { return "kidsadmin/" + d.String() + ".zip" })
	for _, id := range ms.IDs() {
		ms.Put(id, zipOf(t, "db.sql", "Jansen, Piet/intake.pdf"), memstore.DefaultModTime)
	}
	st := archive.Wrap(ms, archive.Options{})
	p := backupPlanner(t, st, "2025-01-15", classify.Layout{Path: "kidsadmin/{date}.zip", Category: "backup", Rule: "V4"})
	var c collect
	sum, _, err := p.Run(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	// Dailies from 2024-01-16 on are kept (2024-01-15 + 1y is the as-of
	// date itself); the month ends are among them.
	if len(c.items) != 60 || sum.Keep != 45 || sum.Delete != 15 {
		t.Errorf("%d items, summary %+v; want 60 zips, 45 kept", len(c.items), sum)
	}
	for _, it := range c.items {
		if it.Kind != string(scanners.KindArchive) || it.Rule != "V4" || it.Entries != nil {
			t.Errorf("%s: kind %s rule %s entries %+v; want the whole zip under V4", it.Record, it.Kind, it.Rule, it.Entries)
		}
	}
	it, err := p.Recheck(context.Background(), "b", "kidsadmin/2024-01-02.zip")
	if err != nil || it.Action != rules.Delete || it.Kind != string(scanners.KindArchive) {
		t.Errorf("Recheck of a zip backup: %+v, %v", it, err)
	}
}

// TestBackupsBadRotation: a policy whose rotation terms do not fit
// together fails CheckRotations, and a planner given it anyway sends the
// backups to review rather than guess.
func TestBackupsBadRotation(t *testing.T) {
	pol, err := rules.Parse("own.yaml", []byte(`name: own
rules:
  - id: V4
    title: {en: backup, nl: back-up}
    categories: [backup]
    trigger: backup_date
    rotation: {daily: 2y, monthly: 1y}
    kind: max
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckRotations(pol); err == nil || !strings.Contains(err.Error(), "own.yaml line 7, key rules[0].rotation (rule V4): monthly (1y) is shorter than daily (2y)") {
		t.Errorf("CheckRotations: %v", err)
	}
	if err := CheckRotations(testPolicy(t)); err != nil {
		t.Errorf("CheckRotations(built-in): %v", err)
	}
	ms := memstore.New(nil)
	dailyBackups(ms, date("2020-01-01"), date("2020-01-10"), kidsadmin)
	p := backupPlanner(t, ms, "2026-11-23", v4Layout)
	p.Policy = pol
	var c collect
	sum, _, err := p.Run(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Review != 10 || len(c.items) != 10 {
		t.Fatalf("summary %+v; want every backup to review", sum)
	}
	if r := c.items[0].Reason; !strings.Contains(r, "cannot be rotated under V4: rotation: monthly (1y) is shorter") {
		t.Errorf("reason %q", r)
	}
}

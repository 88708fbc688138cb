package apply

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/rules"
	"github.com/xuri/excelize/v2"
)

// limitHeader is the kidsadmin-children profile's columns.
var limitHeader = []string{"Kindnummer", "Naam kind", "BSN", "Straat", "Postcode", "Woonplaats", "Geboortedatum", "Medische bijzonderheden"}

// limitRows is an export of n children as of 2026-11-23: every third child
// left care 8 years ago (the row is deleted), every third 3 years ago (name
// and BSN stay, the rest is pseudonymised), every third is still in care
// (kept). Health notes run over two lines, so that a CSV rewrite that
// drops or changes a row moves the line numbers of the rows after it.
func limitRows(n int) ([]*rules.Subject, [][]string) {
	var subjects []*rules.Subject
	var rows [][]string
	for i := range n {
		id, name := fmt.Sprintf("K%d", i+1), fmt.Sprintf("Kind%d Jansen", i+1)
		s := &rules.Subject{Type: rules.Child, ID: id, Name: name, Dates: map[rules.Event]rules.Date{}, Flags: map[string]bool{}}
		switch i % 3 {
		case 0:
			s.Dates[rules.EndOfCare] = rules.MakeDate(2018, 6, 30)
		case 1:
			s.Dates[rules.EndOfCare] = rules.MakeDate(2023, 6, 30)
		}
		subjects = append(subjects, s)
		rows = append(rows, []string{id, name, "123456782", fmt.Sprintf("Dorpsstraat %d", i+1), "3511 AB", "Utrecht", "01-02-2015",
			fmt.Sprintf("Allergie %d\nnoten", i+1)})
	}
	return subjects, rows
}

// writeLimitExport writes rows as an export of the given format.
func writeLimitExport(t *testing.T, path string, rows [][]string) {
	t.Helper()
	switch filepath.Ext(path) {
	case ".csv":
		var b strings.Builder
		b.WriteString(strings.Join(limitHeader, ";") + "\n")
		for _, r := range rows {
			cells := make([]string, len(r))
			for i, c := range r {
				cells[i] = c
				if strings.ContainsAny(c, ";\n\"") {
					cells[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
				}
			}
			b.WriteString(strings.Join(cells, ";") + "\n")
		}
		writeBytes(t, path, []byte(b.String()))
	case ".json", ".jsonl":
		var objs []string
		for _, r := range rows {
			var kv []string
			for i, c := range r {
				k, _ := json.Marshal(limitHeader[i])
				v, _ := json.Marshal(c)
				kv = append(kv, string(k)+": "+string(v))
			}
			objs = append(objs, "{"+strings.Join(kv, ", ")+"}")
		}
		if filepath.Ext(path) == ".json" {
			writeBytes(t, path, []byte("[\n  "+strings.Join(objs, ",\n  ")+"\n]\n"))
		} else {
			writeBytes(t, path, []byte(strings.Join(objs, "\n")+"\n"))
		}
	case ".xlsx":
		f := excelize.NewFile()
		defer f.Close()
		if err := f.SetSheetName("Sheet1", "Kinderen"); err != nil {
			t.Fatal(err)
		}
		for r, row := range append([][]string{limitHeader}, rows...) {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr("Kinderen", cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
	}
}

// readLimitExport reads an export written by writeLimitExport (and
// rewritten by apply): each row's cells by field kind.
func readLimitExport(t *testing.T, path string) []map[string]string {
	t.Helper()
	kind := map[string]string{"Kindnummer": "id", "Naam kind": "name", "BSN": "bsn", "Straat": "address", "Postcode": "postcode",
		"Woonplaats": "town", "Geboortedatum": "birth_date", "Medische bijzonderheden": "health"}
	var table [][]string
	var objs []map[string]any
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch filepath.Ext(path) {
	case ".csv":
		r := csv.NewReader(bytes.NewReader(b))
		r.Comma = ';'
		if table, err = r.ReadAll(); err != nil {
			t.Fatal(err)
		}
	case ".json":
		if err := json.Unmarshal(b, &objs); err != nil {
			t.Fatal(err)
		}
	case ".jsonl":
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var o map[string]any
			if err := json.Unmarshal([]byte(line), &o); err != nil {
				t.Fatal(err)
			}
			objs = append(objs, o)
		}
	case ".xlsx":
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if table, err = f.GetRows("Kinderen"); err != nil {
			t.Fatal(err)
		}
	}
	var out []map[string]string
	for i, rec := range table {
		if i == 0 {
			continue
		}
		row := map[string]string{}
		for c, v := range rec {
			row[kind[table[0][c]]] = v
		}
		out = append(out, row)
	}
	for _, o := range objs {
		row := map[string]string{}
		for k, v := range o {
			row[kind[k]] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	return out
}

// ledgerCounts counts the ledger's entries per record pseudonym for plan
// digest, and their outcomes.
func ledgerCounts(t *testing.T, dir, digest string) (perRecord map[string]int, outcomes map[string]int) {
	t.Helper()
	perRecord, outcomes = map[string]int{}, map[string]int{}
	f, err := os.Open(filepath.Join(dir, "entries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e ledger.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Plan == digest && e.Record != "" {
			perRecord[e.Record]++
			outcomes[e.Outcome]++
		}
	}
	return perRecord, outcomes
}

// TestDeleteLimitInsideAnExportFile: when apply.max_deletions falls inside
// one export file, the file is rewritten with part of its rows, and the
// next runs of the same plan carry out the rest: the version the run's
// own rewrite produced is the planned one for them. Every approved row is
// acted on exactly once, on the right row, and none is skipped as changed.
func TestDeleteLimitInsideAnExportFile(t *testing.T) {
	for _, ext := range []string{".csv", ".json", ".jsonl", ".xlsx"} {
		t.Run(ext[1:], func(t *testing.T) {
			subjects, rows := limitRows(12)
			work := t.TempDir()
			path := filepath.Join(work, "kinderen"+ext)
			writeLimitExport(t, path, rows)
			o := newExportOrg(t, builtinPolicy(t, profileCase{}), subjects, "2026-11-23",
				[]exportSpec{{"kidsadmin", "kidsadmin-children", filepath.Join(work, "kinderen.*"), nil}})
			if s := o.file.Summary; s.Delete != 4 || s.Pseudonymise != 4 || s.Keep != 4 {
				t.Fatalf("plan: %+v; want 4 deleted, 4 pseudonymised, 4 kept", s)
			}
			o.max = 3
			var done, runs int
			for runs = 1; runs <= 5; runs++ {
				res, err := o.apply()
				if res.Skipped != 0 || res.Failed != 0 || res.Gone != 0 {
					t.Fatalf("run %d: %+v, %v; want nothing skipped, failed or gone", runs, res, err)
				}
				done += res.Done
				if err == nil {
					break
				}
				if !errors.Is(err, ErrLimit) || res.Done != o.max {
					t.Fatalf("run %d: %+v, %v; want %d done, then the limit", runs, res, err, o.max)
				}
			}
			if done != 8 || runs != 3 {
				t.Errorf("%d rows done in %d runs; want 8 in 3", done, runs)
			}
			o.checkOutcomes()
			per, _ := ledgerCounts(t, filepath.Join(o.stateDir, "ledger"), o.file.Digest)
			for _, it := range o.file.Items {
				rp := approval.RecordPseudonym(o.keyed, it.Store, it.Record)
				if want := map[bool]int{true: 1}[approval.IsAction(it.Action)]; per[rp] != want {
					t.Errorf("%s (%s): %d ledger entries, want %d", it.Record, it.Action, per[rp], want)
				}
			}
			// The right rows went, and the right fields of the right rows.
			left := readLimitExport(t, path)
			cells := map[string]map[string]string{}
			for _, r := range left {
				cells[r["id"]] = r
			}
			for i, s := range subjects {
				row, ok := cells[s.ID]
				switch i % 3 {
				case 0:
					if ok {
						t.Errorf("%s: left care 8 years ago, but its row is still there", s.ID)
					}
				case 1:
					if !ok || row["name"] != s.Name || row["bsn"] != "123456782" || row["address"] == rows[i][3] || row["health"] == rows[i][7] {
						t.Errorf("%s: left care 3 years ago: %v; want name and BSN kept, address and health pseudonymised", s.ID, row)
					}
				case 2:
					if !ok || row["address"] != rows[i][3] || row["health"] != rows[i][7] {
						t.Errorf("%s: still in care: %v; want its row as it was", s.ID, row)
					}
				}
			}
			if len(left) != 8 {
				t.Errorf("%d rows left, want 8", len(left))
			}
		})
	}
}

// TestDeleteLimitThenChangedBySomeoneElse: a file that someone else
// changed after a run's partial rewrite is not the version that run
// produced: its remaining rows are skipped as changed, and the file is
// left as they left it.
func TestDeleteLimitThenChangedBySomeoneElse(t *testing.T) {
	subjects, rows := limitRows(12)
	work := t.TempDir()
	path := filepath.Join(work, "kinderen.csv")
	writeLimitExport(t, path, rows)
	o := newExportOrg(t, builtinPolicy(t, profileCase{}), subjects, "2026-11-23",
		[]exportSpec{{"kidsadmin", "kidsadmin-children", filepath.Join(work, "kinderen.*"), nil}})
	o.max = 3
	if res, err := o.apply(); !errors.Is(err, ErrLimit) || res.Done != 3 {
		t.Fatalf("first run: %+v, %v", res, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	changed := append(b, []byte("K99;Nieuw Kind;123456782;Laan 1;3511 AB;Utrecht;01-01-2020;\n")...)
	writeBytes(t, path, changed)
	res, err := o.apply()
	if err != nil || res.Done != 0 || res.Skipped != 5 {
		t.Fatalf("second run: %+v, %v; want the 5 remaining rows skipped", res, err)
	}
	for _, d := range res.Details {
		if d.Outcome == Skipped && !strings.Contains(d.Reason, "changed since the plan") {
			t.Errorf("item %d skipped for %q", d.Item, d.Reason)
		}
	}
	if after, _ := os.ReadFile(path); string(after) != string(changed) {
		t.Error("the changed file was rewritten")
	}
}

// crashed is what the kill of crash.go panics with in these tests.
type crashed struct{}

// applyCrashing applies o's plan, stopping at the n-th pass of phase as a
// SIGKILL would (nothing after it runs; what was synced stays).
func applyCrashing(t *testing.T, o *exportOrg, phase string, n int) {
	t.Helper()
	t.Setenv(CrashEnv, fmt.Sprintf("%s:%d", phase, n))
	old := kill
	kill = func() { panic(crashed{}) }
	defer func() {
		kill = old
		os.Unsetenv(CrashEnv)
		if r := recover(); r != (crashed{}) {
			t.Fatalf("the run did not stop at %s:%d (%v)", phase, n, r)
		}
	}()
	o.apply()
}

// TestDeleteLimitThenInterrupted: a run that goes on with a file an
// earlier run of the plan rewrote in part, and stops after journalling its
// intents (before its rewrite, or after it and before the outcomes), is
// finished by the next run: rows the stopped run's rewrite did are logged
// as done, the others are done now, and none is logged before it is done.
func TestDeleteLimitThenInterrupted(t *testing.T) {
	for _, c := range []struct {
		phase     string
		completed int // rows logged as completed after the interruption
	}{{"intent", 0}, {"delete", 3}} {
		t.Run(c.phase, func(t *testing.T) {
			subjects, rows := limitRows(12)
			work := t.TempDir()
			path := filepath.Join(work, "kinderen.csv")
			writeLimitExport(t, path, rows)
			o := newExportOrg(t, builtinPolicy(t, profileCase{}), subjects, "2026-11-23",
				[]exportSpec{{"kidsadmin", "kidsadmin-children", filepath.Join(work, "kinderen.*"), nil}})
			o.max = 3
			if res, err := o.apply(); !errors.Is(err, ErrLimit) || res.Done != 3 {
				t.Fatalf("first run: %+v, %v", res, err)
			}
			applyCrashing(t, o, c.phase, 1)
			o.max = 0
			res, err := o.apply()
			if err != nil || res.Done != 5 || res.Skipped+res.Gone+res.Failed != 0 {
				t.Fatalf("third run: %+v, %v; want the 5 rows left done", res, err)
			}
			completed := 0
			for _, d := range res.Details {
				if strings.Contains(d.Reason, "completed after an interruption") {
					completed++
				}
			}
			if completed != c.completed {
				t.Errorf("%d rows logged as completed after the interruption, want %d", completed, c.completed)
			}
			if left := readLimitExport(t, path); len(left) != 8 {
				t.Errorf("%d rows left, want 8", len(left))
			}
			o.checkOutcomes()
			per, _ := ledgerCounts(t, filepath.Join(o.stateDir, "ledger"), o.file.Digest)
			for _, it := range o.file.Items {
				if n := per[approval.RecordPseudonym(o.keyed, it.Store, it.Record)]; approval.IsAction(it.Action) && n != 1 {
					t.Errorf("%s: %d ledger entries, want 1", it.Record, n)
				}
			}
		})
	}
}

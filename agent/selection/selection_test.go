package selection

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
)

var now = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func testPlan() *plan.File {
	return &plan.File{
		Header: plan.Header{Version: 1, Organisation: "X", AsOf: "2026-11-23", CreatedAt: "2026-11-23T02:00:00+01:00"},
		Items: []*plan.Item{
			{Store: "dossiers", Record: "Jansen, Piet/intake.pdf", Action: rules.Delete},
			{Store: "dossiers", Record: "Onbekend/x.pdf", Action: rules.Review},
			{Store: "archief", Record: "Jansen, Piet/intake.pdf", Action: rules.Delete},
			{Store: "archief", Record: "2012.zip", Action: rules.Delete},
		},
		Digest: "sha256:" + strings.Repeat("ab", 32),
	}
}

func key(t testing.TB, c byte) *pseudonym.Keyed {
	k, err := pseudonym.New([]byte(strings.Repeat(string(c), 32)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestExcludeInclude(t *testing.T) {
	dir := t.TempDir()
	f, k := testPlan(), key(t, 'k')
	if sel, err := Read(dir, f, k); err != nil || len(sel.Items()) != 0 {
		t.Fatalf("no file: %v, %v", sel, err)
	}
	c, err := Exclude(dir, f, []int{3, 1, 3}, "Marieke de Vries", "console", "Piet Jansen komt terug", now, k, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Items != 2 || c.Excluded != 2 || c.Action != ActionExcluded || c.Plan != f.Digest {
		t.Errorf("change %+v", c)
	}
	sel, err := Read(dir, f, k)
	if err != nil || !equal(sel.Items(), 1, 3) || sel.Excluded[0].By != "Marieke de Vries" || sel.Excluded[0].Reason != "Piet Jansen komt terug" || !sel.Excluded[1].At.Equal(now) {
		t.Fatalf("Read: %+v, %v", sel, err)
	}
	path := Path(dir, f.Digest)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || filepath.Dir(path) != filepath.Join(dir, "approvals") {
		t.Fatalf("file %s: %v, %v", path, fi, err)
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "intake.pdf") || strings.Contains(string(b), "dossiers") {
		t.Errorf("the file names a record: %s", b)
	}
	// Already excluded: nothing changes, the first exclusion stays.
	c, err = Exclude(dir, f, []int{1}, "Jeroen", "cli", "", now.Add(time.Hour), k, Hooks{})
	if err != nil || c.Items != 0 || c.Excluded != 2 {
		t.Errorf("exclude again: %+v, %v", c, err)
	}
	if sel, _ := Read(dir, f, k); sel.Excluded[0].By != "Marieke de Vries" {
		t.Errorf("the first exclusion was replaced: %+v", sel.Excluded[0])
	}
	c, err = Include(dir, f, []int{1, 2}, "Jeroen", "console", now.Add(time.Hour), k, Hooks{})
	if err != nil || c.Items != 1 || c.Excluded != 1 || c.Action != ActionIncluded {
		t.Errorf("include: %+v, %v", c, err)
	}
	if sel, _ := Read(dir, f, k); !equal(sel.Items(), 3) || sel.Has(1) || !sel.Has(3) {
		t.Errorf("after include: %v", sel.Items())
	}
	for _, bad := range [][]int{{0}, {5}, {}} {
		if _, err := Exclude(dir, f, bad, "A", "cli", "", now, k, Hooks{}); err == nil {
			t.Errorf("Exclude(%v) accepted", bad)
		}
	}
	if _, err := Exclude(dir, f, []int{1}, " ", "cli", "", now, k, Hooks{}); err == nil {
		t.Error("Exclude without an actor accepted")
	}
}

// TestLedgerEntry: a change's entry names the plan, the counts and the
// actor's pseudonym (the one approvals use), never the name, a record or
// the reason; the ledger takes it.
func TestLedgerEntry(t *testing.T) {
	dir := t.TempDir()
	f, k := testPlan(), key(t, 'k')
	c, err := Exclude(dir, f, []int{1, 3}, "Marieke de Vries", "console", "Piet Jansen komt terug", now, k, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	e := LedgerEntry(c, k)
	if e.Plan != f.Digest || e.Action != ActionExcluded || !e.Time.Equal(now) ||
		e.Reason != "2 item(s) excluded by "+approval.ApproverPseudonym(k, "Marieke de Vries")+" via console; 2 excluded in all" {
		t.Errorf("entry %+v", e)
	}
	_, s := ledgerKey(t)
	l, err := ledger.Open(filepath.Join(dir, "ledger"), "retentiond/x", ledger.WithSigner(s))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Append(e); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "ledger", ledger.EntriesFile))
	for _, pii := range []string{"Marieke", "Jansen", "intake", "komt terug"} {
		if strings.Contains(string(b), pii) {
			t.Errorf("the ledger holds %q", pii)
		}
	}
}

// TestForgedSelection: a selection file changed or written by hand is
// refused by Read, Exclude, Include and With: never taken for fewer
// exclusions.
func TestForgedSelection(t *testing.T) {
	f, k := testPlan(), key(t, 'k')
	write := func(t *testing.T, dir string, fn func(m map[string]any)) {
		if _, err := Exclude(dir, f, []int{1, 4}, "A", "console", "", now, k, Hooks{}); err != nil {
			t.Fatal(err)
		}
		p := Path(dir, f.Digest)
		b, _ := os.ReadFile(p)
		var m map[string]any
		json.Unmarshal(b, &m)
		fn(m)
		b, _ = json.Marshal(m)
		os.WriteFile(p, b, 0o600)
	}
	// reseal writes a selection properly sealed with key kk.
	reseal := func(kk *pseudonym.Keyed, ex []Exclusion, plan string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, "approvals"), 0o700)
			b, _ := marshal(&Selection{Plan: plan, Excluded: ex}, kk)
			os.WriteFile(Path(dir, f.Digest), b, 0o600)
		}
	}
	rec := func(i int) string { return k.Record(f.Items[i-1].Store, f.Items[i-1].Record) }
	tests := []struct {
		name  string
		write func(t *testing.T, dir string)
		want  string
	}{
		{"exclusion removed", func(t *testing.T, dir string) {
			write(t, dir, func(m map[string]any) { m["excluded"] = m["excluded"].([]any)[:1] })
		}, "seal does not fit"},
		{"item renumbered", func(t *testing.T, dir string) {
			write(t, dir, func(m map[string]any) { m["excluded"].([]any)[1].(map[string]any)["item"] = 3.0 })
		}, "seal does not fit"},
		{"seal removed", func(t *testing.T, dir string) { write(t, dir, func(m map[string]any) { delete(m, "seal") }) }, "seal does not fit"},
		{"extra key", func(t *testing.T, dir string) { write(t, dir, func(m map[string]any) { m["note"] = "x" }) }, "not part of the format"},
		{"sealed with another key", reseal(key(t, 'o'), []Exclusion{{Item: 1, Record: rec(1), By: "A", At: now}}, f.Digest), "seal does not fit"},
		{"another plan's selection", reseal(k, []Exclusion{{Item: 1, Record: rec(1), By: "A", At: now}}, "sha256:"+strings.Repeat("cd", 32)), "another plan"},
		{"item of another record", reseal(k, []Exclusion{{Item: 3, Record: rec(1), By: "A", At: now}}, f.Digest), "item 3 of the plan is another record"},
		{"item out of range", reseal(k, []Exclusion{{Item: 9, Record: rec(1), By: "A", At: now}}, f.Digest), "item 9 is not an item"},
		{"item twice", reseal(k, []Exclusion{{Item: 1, Record: rec(1), By: "A", At: now}, {Item: 1, Record: rec(1), By: "A", At: now}}, f.Digest), "twice"},
		{"cut short", func(t *testing.T, dir string) {
			write(t, dir, func(map[string]any) {})
			p := Path(dir, f.Digest)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o600)
		}, "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.write(t, dir)
			before, _ := os.ReadFile(Path(dir, f.Digest))
			_, err := Read(dir, f, k)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Read: %v, want ErrInvalid and %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "Jansen") || strings.Contains(err.Error(), "dossiers") {
				t.Errorf("error shows the plan's records: %v", err)
			}
			if _, err := Exclude(dir, f, []int{2}, "B", "cli", "", now, k, Hooks{}); !errors.Is(err, ErrInvalid) {
				t.Errorf("Exclude over it: %v", err)
			}
			if _, err := Include(dir, f, []int{1}, "B", "cli", now, k, Hooks{}); !errors.Is(err, ErrInvalid) {
				t.Errorf("Include over it: %v", err)
			}
			if err := With(dir, f, k, func(*Selection) error { return nil }); !errors.Is(err, ErrInvalid) {
				t.Errorf("With: %v", err)
			}
			if after, _ := os.ReadFile(Path(dir, f.Digest)); string(after) != string(before) {
				t.Error("the file was changed")
			}
		})
	}
}

// TestGuard: a guard's error stops the change; nothing is written.
func TestGuard(t *testing.T) {
	dir := t.TempDir()
	f, k := testPlan(), key(t, 'k')
	stop := errors.New("approved already")
	if _, err := Exclude(dir, f, []int{1}, "A", "cli", "", now, k, Hooks{Guard: func() error { return stop }}); !errors.Is(err, stop) {
		t.Fatalf("Exclude: %v", err)
	}
	if sel, err := Read(dir, f, k); err != nil || len(sel.Items()) != 0 {
		t.Fatalf("after a refused change: %v, %v", sel, err)
	}
	if _, err := Exclude(dir, f, []int{1}, "A", "cli", "", now, k, Hooks{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Include(dir, f, []int{1}, "A", "cli", now, k, Hooks{Guard: func() error { return stop }}); !errors.Is(err, stop) {
		t.Fatalf("Include: %v", err)
	}
	if sel, _ := Read(dir, f, k); !equal(sel.Items(), 1) {
		t.Fatalf("after a refused include: %v", sel.Items())
	}
	// Record (the ledger) is given the change before the file is written;
	// its error leaves the file as it was; nothing changing records nothing.
	var got []Change
	record := func(err error) Hooks {
		return Hooks{Record: func(c Change) error { got = append(got, c); return err }}
	}
	if _, err := Exclude(dir, f, []int{3, 4}, "A", "cli", "", now, k, record(stop)); !errors.Is(err, stop) {
		t.Fatalf("Exclude with the ledger failing: %v", err)
	}
	if sel, _ := Read(dir, f, k); !equal(sel.Items(), 1) {
		t.Fatalf("after the ledger failed: %v", sel.Items())
	}
	if _, err := Exclude(dir, f, []int{1}, "A", "cli", "", now, k, record(nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := Include(dir, f, []int{1}, "A", "cli", now, k, record(nil)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Items != 2 || got[0].Excluded != 3 || got[1].Action != ActionIncluded || got[1].Excluded != 0 {
		t.Errorf("recorded %+v", got)
	}
}

// TestConcurrentChanges: reviewers excluding at once lose no exclusion;
// With keeps the selection fixed while it runs.
func TestConcurrentChanges(t *testing.T) {
	dir := t.TempDir()
	f := testPlan()
	for i := 0; i < 40; i++ {
		f.Items = append(f.Items, &plan.Item{Store: "s", Record: strings.Repeat("r", i+1), Action: rules.Delete})
	}
	k := key(t, 'k')
	var wg sync.WaitGroup
	for i := 1; i <= len(f.Items); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := Exclude(dir, f, []int{i}, "A", "console", "", now, k, Hooks{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if sel, err := Read(dir, f, k); err != nil || len(sel.Items()) != len(f.Items) {
		t.Fatalf("%d of %d exclusions kept: %v", len(sel.Items()), len(f.Items), err)
	}

	done := make(chan struct{})
	err := With(dir, f, k, func(sel *Selection) error {
		go func() {
			Include(dir, f, []int{1}, "B", "console", now, k, Hooks{})
			close(done)
		}()
		select {
		case <-done:
			t.Error("the selection changed while With ran")
		case <-time.After(200 * time.Millisecond):
		}
		if !sel.Has(1) {
			t.Error("With's selection lacks item 1")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	<-done
	if sel, _ := Read(dir, f, k); sel.Has(1) {
		t.Error("the include after With was lost")
	}
}

func equal(got []int, want ...int) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func ledgerKey(t *testing.T) (note.Verifier, note.Signer) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "retentiond/x")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	return v, s
}

package review

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/ledger"
	"golang.org/x/text/unicode/norm"
)

func TestMatcher(t *testing.T) {
	rs := []Resolution{
		{ID: "R-0001", Store: "dossiers", Path: "Onbekend/**", Kind: KindNotPersonal},
		{ID: "R-0002", Store: "dossiers", Path: "Onbekend/Sub/**", Kind: KindNotPersonal},
		{ID: "R-0003", Store: "dossiers", Path: "Onbekend/Sub/x.pdf", Kind: KindNotPersonal},
		{ID: "R-0004", Store: "archief", Path: "2019.zip", Kind: KindNotPersonal},
		{ID: "R-0005", Store: "dossiers", Path: "Weg/**", Kind: KindNotPersonal},
		{ID: "R-0006", Store: "dossiers", Path: "Zoë/a.pdf", Kind: KindNotPersonal},
	}
	undone := time.Now()
	rs[4].UndoneAt, rs[4].UndoneBy = &undone, "x"
	m := NewMatcher(rs)
	if m.Len() != 5 {
		t.Errorf("Len %d, want 5 (an undone resolution does not match)", m.Len())
	}
	for _, tt := range []struct {
		store, id, want string
	}{
		{"dossiers", "Onbekend/a.pdf", "R-0001"},
		{"dossiers", "Onbekend/Sub/y.pdf", "R-0002"},         // the longer prefix wins
		{"dossiers", "Onbekend/Sub/x.pdf", "R-0003"},         // the exact record wins
		{"dossiers", "Onbekend/Sub/x.pdf/z", "R-0002"},       // an exact id covers no folder below it
		{"dossiers", "Onbekend", ""},                         // a prefix is a folder: not the folder itself
		{"dossiers", "OnbekendX/a.pdf", ""},                  // nor a name that starts like it
		{"dossiers", "onbekend/a.pdf", ""},                   // case counts
		{"archief", "Onbekend/a.pdf", ""},                    // another store
		{"archief", "2019.zip", "R-0004"},                    // a zip
		{"archief", "2019.zip!/Jansen/a.pdf", "R-0004"},      // and its entries
		{"archief", "2019.zip.bak", ""},                      // not a name that starts like it
		{"dossiers", "Weg/a.pdf", ""},                        // undone
		{"dossiers", norm.NFD.String("Zoë/a.pdf"), "R-0006"}, // NFD spells the same name
	} {
		r, ok := m.Match(tt.store, tt.id)
		if got := r.ID; ok != (tt.want != "") || got != tt.want {
			t.Errorf("Match(%s, %s) = %s, %v; want %q", tt.store, tt.id, got, ok, tt.want)
		}
	}
	var nilM *Matcher
	if _, ok := nilM.Match("dossiers", "Onbekend/a.pdf"); ok {
		t.Error("a nil Matcher matches")
	}
}

func TestLedgerEntry(t *testing.T) {
	k := key(t, 'k')
	s := openSet(t, t.TempDir(), k)
	sub := subjectRes(secretName + "/**")
	sub.Category = "child-dossier"
	sub = mustResolve(t, s, sub)
	np := mustResolve(t, s, notPersonal("Onbekend/menu.pdf"))
	ku := mustResolve(t, s, keepUntil("Onbekend/x.pdf", "2027-01-31"))
	un, err := s.Unresolve(np.ID, "Directeur Smit", now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(t.TempDir(), "example.nl/retentiond")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tests := []struct {
		name  string
		r     Resolution
		event string
		want  ledger.Entry
	}{
		{"subject", sub, ActionResolved, ledger.Entry{Time: now, Store: "dossiers", Record: k.Record("dossiers", secretName+"/**"),
			Subject: k.Subject("child", secretID), Category: "child-dossier", Rule: "R-0001", Action: "review-resolved", Outcome: "done", Reason: "subject"}},
		{"not personal", np, ActionResolved, ledger.Entry{Time: now, Store: "dossiers", Record: k.Record("dossiers", "Onbekend/menu.pdf"),
			Rule: "R-0002", Action: "review-resolved", Outcome: "done", Reason: "not-personal"}},
		{"keep until", ku, ActionResolved, ledger.Entry{Time: now, Store: "dossiers", Record: k.Record("dossiers", "Onbekend/x.pdf"),
			Rule: "R-0003", Action: "review-resolved", Outcome: "done", Reason: "keep-until 2027-01-31"}},
		{"unresolved", un, ActionUnresolved, ledger.Entry{Time: now.Add(time.Minute), Store: "dossiers", Record: k.Record("dossiers", "Onbekend/menu.pdf"),
			Rule: "R-0002", Action: "review-unresolved", Outcome: "done", Reason: "unresolved"}},
	}
	for _, tt := range tests {
		e, err := LedgerEntry(tt.r, k, tt.event)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if e != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, e, tt.want)
		}
		b, _ := json.Marshal(e)
		noPersonalData(t, string(b))
		for _, s := range []string{"Beheerder", "Smit", "menu", "ask the director"} {
			if strings.Contains(string(b), s) {
				t.Errorf("%s: entry holds %q: %s", tt.name, s, b)
			}
		}
		if _, err := l.Append(e); err != nil {
			t.Errorf("%s: the ledger refuses the entry: %v", tt.name, err)
		}
	}
	for _, c := range []struct {
		r     Resolution
		event string
		want  string
	}{
		{sub, ActionUnresolved, "not undone"},
		{sub, "review-changed", "is neither"},
		{Resolution{}, ActionResolved, "no id"},
	} {
		if _, err := LedgerEntry(c.r, k, c.event); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LedgerEntry(%s, %s) error %v, want %q", c.r.ID, c.event, err, c.want)
		}
	}
	if _, err := LedgerEntry(sub, nil, ActionResolved); err == nil {
		t.Error("LedgerEntry without a key succeeded")
	}
}

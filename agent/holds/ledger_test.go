package holds

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pseudonym"
)

func TestLedgerEntry(t *testing.T) {
	k, err := pseudonym.New([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	s := openSet(t, t.TempDir())
	sh := subjectHold("child", secretID)
	sh.Until = day("2027-03-01")
	sh.AddedBy = "Beheerder Klaasen"
	subj := mustAdd(t, s, sh)
	path := mustAdd(t, s, pathHold("dossiers", secretName+", Piet/**"))
	rel, err := s.Release(path.ID, "Directeur Smit", now)
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
		hold  Hold
		event string
		want  ledger.Entry
	}{
		{"subject added", subj, ledger.ActionHoldAdded, ledger.Entry{Time: subj.AddedAt, Subject: k.Subject("child", secretID),
			Rule: "H-0001", Action: "hold-added", Outcome: "done", Reason: "until 2027-03-01"}},
		{"path added", path, ledger.ActionHoldAdded, ledger.Entry{Time: path.AddedAt, Store: "dossiers", Record: k.Record("dossiers", secretName+", Piet/**"),
			Rule: "H-0002", Action: "hold-added", Outcome: "done", Reason: "until released"}},
		{"path released", rel, ledger.ActionHoldReleased, ledger.Entry{Time: *rel.ReleasedAt, Store: "dossiers", Record: k.Record("dossiers", secretName+", Piet/**"),
			Rule: "H-0002", Action: "hold-released", Outcome: "done", Reason: "released"}},
	}
	for _, tt := range tests {
		e, err := LedgerEntry(tt.hold, k, tt.event)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if e != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, e, tt.want)
		}
		b, _ := json.Marshal(e)
		noPersonalData(t, string(b))
		for _, name := range []string{"Klaasen", "Smit"} {
			if strings.Contains(string(b), name) {
				t.Errorf("%s: entry names %s: %s", tt.name, name, b)
			}
		}
		if _, err := l.Append(e); err != nil {
			t.Errorf("%s: the ledger refuses the entry: %v", tt.name, err)
		}
	}

	for _, c := range []struct {
		hold  Hold
		event string
		want  string
	}{
		{subj, ledger.ActionHoldReleased, "not released"},
		{subj, "hold-changed", "is neither"},
		{Hold{}, ledger.ActionHoldAdded, "no id"},
	} {
		if _, err := LedgerEntry(c.hold, k, c.event); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LedgerEntry(%s, %s) error %v, want %q", c.hold.ID, c.event, err, c.want)
		}
	}
}

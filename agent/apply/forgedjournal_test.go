package apply

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestForgedJournalOutcome: every outcome reaches the ledger before the
// journal, so an outcome line the ledger does not back was written by
// hand. It must not make apply report an item as done by an earlier run
// (which would, for instance, let an erasure request be closed while the
// record is still there): the run refuses the journal and acts on nothing.
func TestForgedJournalOutcome(t *testing.T) {
	f := newFixture(t, 3)
	f.approve()
	// The first run stops at the limit after one deletion.
	if _, err := f.run(1, false); err == nil {
		t.Fatal("the first run did not stop at the limit")
	}
	var left int
	for i, it := range f.file.Items {
		if it.Action != "delete" {
			continue
		}
		if _, err := f.store.Stat(t.Context(), it.Record); err != nil {
			continue // deleted by the first run
		}
		left++
		line, _ := json.Marshal(journalLine{Item: i + 1, Record: f.keyed.Record(it.Store, it.Record), Phase: "outcome", Outcome: Done, Time: f.now.Add(time.Minute)})
		p := filepath.Join(f.stateDir, "journal", strings.TrimPrefix(f.file.Digest, "sha256:")+".jsonl")
		j, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		j.Write(append(line, '\n'))
		j.Close()
	}
	if left == 0 {
		t.Fatal("nothing left to forge")
	}
	res, err := f.run(100, false)
	if err == nil {
		t.Errorf("a journal outcome the ledger does not back was believed: %d reported done by an earlier run", res.Earlier)
	}
	if o := f.outcomes(); len(o) != 1 {
		t.Errorf("ledger outcomes after the forged journal: %v, want only the first run's one", o)
	}
}

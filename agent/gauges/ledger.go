package gauges

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/retentiond/retentiond/agent/ledger"
)

// doneRecords maps a record's keyed pseudonym to the latest time the
// ledger shows it deleted or pseudonymised, or found gone: no longer in
// the store as the plan saw it.
type doneRecords map[string]time.Time

// after says whether record was done at or after t.
func (d doneRecords) after(record string, t time.Time) bool {
	at, ok := d[record]
	return ok && !at.Before(t)
}

// doneSince reads the ledger's entries (entries.jsonl in dir) for acts on
// records that leave nothing to do. No ledger is no error. The ledger's
// integrity is not checked here: the daemon verifies it (ledger.Verify)
// and shows the result in its own gauges.
func doneSince(dir string) (doneRecords, error) {
	out := doneRecords{}
	f, err := os.Open(filepath.Join(dir, ledger.EntriesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			return out, nil // a last line without its newline is being written: not yet an entry
		}
		if err != nil {
			return out, err
		}
		var e ledger.Entry
		if err := json.Unmarshal(line, &e); err != nil {
			return out, fmt.Errorf("%s: line %d is not a ledger entry", f.Name(), n)
		}
		if e.Record == "" || e.Action != ledger.ActionDelete && e.Action != ledger.ActionPseudonymise ||
			e.Outcome != ledger.OutcomeDone && e.Outcome != ledger.OutcomeGone {
			continue
		}
		if e.Time.After(out[e.Record]) {
			out[e.Record] = e.Time
		}
	}
}

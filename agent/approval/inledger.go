package approval

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pseudonym"
)

// InLedger reports whether the ledger in dir records an approval of the
// plan with digest (LedgerEntry). approve saves the approval file first
// and appends its entry next: a run killed between the two leaves a
// signed approval the ledger does not know, which apply records before it
// acts on it. Errors name the line, never its content.
func InLedger(dir, digest string) (bool, error) {
	f, err := os.Open(filepath.Join(dir, ledger.EntriesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var e ledger.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return false, fmt.Errorf("%s line %d is not a ledger entry", f.Name(), n)
		}
		if e.Plan == digest && e.Action == ledger.ActionApproved {
			return true, nil
		}
	}
	return false, sc.Err()
}

// Unrecorded returns the entries of a (LedgerEntries) that the ledger in
// dir does not hold: approve saves the approval file before it appends
// its entry, and a run killed between the two leaves an approval (or a
// second approval) the ledger does not know, which apply records before
// it acts on it. Errors name the line, never its content.
func Unrecorded(dir string, a *Approval, k *pseudonym.Keyed) ([]ledger.Entry, error) {
	want := LedgerEntries(a, k)
	f, err := os.Open(filepath.Join(dir, ledger.EntriesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return want, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan() && len(want) > 0; n++ {
		var e ledger.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s line %d is not a ledger entry", f.Name(), n)
		}
		want = slices.DeleteFunc(want, func(w ledger.Entry) bool {
			return w.Plan == e.Plan && w.Action == e.Action && w.Reason == e.Reason && w.Time.Equal(e.Time)
		})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return want, nil
}

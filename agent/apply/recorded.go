package apply

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/retentiond/retentiond/agent/ledger"
)

// Recorded reads what the ledger in dir already says about the plan with
// the given digest: the outcome per record pseudonym. Call it after
// ledger.Open, which repairs a torn last line.
func Recorded(dir, digest string) (map[string]string, error) {
	out := map[string]string{}
	f, err := os.Open(filepath.Join(dir, "entries.jsonl"))
	if os.IsNotExist(err) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e ledger.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, err
		}
		if e.Plan == digest && e.Record != "" && (e.Action == ledger.ActionDelete || e.Action == ledger.ActionPseudonymise) {
			out[e.Record] = e.Outcome
		}
	}
	return out, sc.Err()
}

package apply

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// journal is the apply run's write-ahead log, one file per plan in
// STATE_DIR/journal/. Before an item is acted on, an intent line is
// written and synced; after, an outcome line. A crash at any point leaves
// either no intent (nothing was done), an intent without outcome (the
// next run finds out whether the act happened and finishes it), or an
// outcome (the item is done and never acted on again). Lines name items by
// their position in the plan and a keyed pseudonym: no personal data.
type journal struct {
	f     *os.File
	state map[int]*itemState
	// prepared holds, per export file (by pseudonym), the version a
	// rewrite promised the file would have once its new content replaced
	// it; a crash after that line and before the outcomes is finished by
	// comparing the file's version with it. "" while a run is about to
	// rewrite the file and has promised nothing yet.
	prepared map[string]string
	// base holds, per export file, the version the last journalled
	// rewrite started from: the planned one, or one an earlier rewrite of
	// this plan produced (when the delete limit split the file's rows
	// over runs).
	base map[string]string
}

type itemState struct {
	intent  bool
	outcome string
}

type journalLine struct {
	Item    int       `json:"item"` // 1-based position in the plan
	Record  string    `json:"record"`
	Phase   string    `json:"phase"` // "intent", "outcome" or "prepared"
	Outcome string    `json:"outcome,omitempty"`
	Version string    `json:"version,omitempty"` // "prepared": the file's version after the rewrite
	Base    string    `json:"base,omitempty"`    // "prepared": the version the rewrite started from
	Time    time.Time `json:"time"`
}

// openJournal opens (creating) the journal of the plan with digest,
// reading what earlier runs did. A torn last line (a crash while writing
// it) is cut off: its sync never returned, so nothing acted on it.
func openJournal(stateDir, digest string) (*journal, error) {
	dir := filepath.Join(stateDir, "journal")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, strings.TrimPrefix(digest, "sha256:")+".jsonl")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	j := &journal{f: f, state: map[int]*itemState{}, prepared: map[string]string{}, base: map[string]string{}}
	b, err := os.ReadFile(path)
	if err != nil {
		f.Close()
		return nil, err
	}
	good := 0
	for n, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if line[len(line)-1] != '\n' {
			break // torn
		}
		var l journalLine
		if err := json.Unmarshal(line, &l); err != nil {
			f.Close()
			return nil, fmt.Errorf("journal %s line %d: %v: the journal is damaged; do not apply this plan again before checking it", path, n+1, err)
		}
		var s *itemState
		if l.Phase != "prepared" {
			s = j.item(l.Item)
		}
		switch l.Phase {
		case "intent":
			s.intent, s.outcome = true, "" // a new try after a failed one
		case "outcome":
			s.outcome = l.Outcome
		case "prepared":
			j.prepared[l.Record], j.base[l.Record] = l.Version, l.Base
		}
		good += len(line)
	}
	if err := f.Truncate(int64(good)); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(int64(good), 0); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

func (j *journal) item(i int) *itemState {
	s := j.state[i]
	if s == nil {
		s = &itemState{}
		j.state[i] = s
	}
	return s
}

func (j *journal) write(l journalLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(j.f)
	w.Write(b)
	w.WriteByte('\n')
	if err := w.Flush(); err != nil {
		return err
	}
	return j.f.Sync()
}

func (j *journal) intent(item int, record string, now time.Time) error {
	if err := j.write(journalLine{Item: item, Record: record, Phase: "intent", Time: now.UTC()}); err != nil {
		return err
	}
	s := j.item(item)
	s.intent, s.outcome = true, ""
	return nil
}

func (j *journal) outcome(item int, record, outcome string, now time.Time) error {
	if err := j.write(journalLine{Item: item, Record: record, Phase: "outcome", Outcome: outcome, Time: now.UTC()}); err != nil {
		return err
	}
	j.item(item).outcome = outcome
	return nil
}

// prepare records the version an export file will have after its rewrite
// from version base; version "" before the rewrite's intents, to say that
// none of them is carried out yet.
func (j *journal) prepare(file, version, base string, now time.Time) error {
	if err := j.write(journalLine{Record: file, Phase: "prepared", Version: version, Base: base, Time: now.UTC()}); err != nil {
		return err
	}
	j.prepared[file], j.base[file] = version, base
	return nil
}

// pending reports whether the item's intent was journalled and no outcome
// after it: a run stopped between the two.
func (s *itemState) pending() bool { return s.intent && s.outcome == "" }

func (j *journal) close() error { return j.f.Close() }

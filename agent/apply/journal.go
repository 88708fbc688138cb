package apply

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/pseudonym"
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
	lines, good, err := parseJournal(path, b)
	if err != nil {
		f.Close()
		return nil, err
	}
	for _, l := range lines {
		switch l.Phase {
		case "intent":
			s := j.item(l.Item)
			s.intent, s.outcome = true, "" // a new try after a failed one
		case "outcome":
			j.item(l.Item).outcome = l.Outcome
		case "prepared":
			j.prepared[l.Record], j.base[l.Record] = l.Version, l.Base
		}
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

// parseJournal reads the journal at path from its bytes b: the complete
// lines, each checked, and the length of the prefix they fill (a torn
// last line is left out). A line that is not one apply writes is an
// error naming the line, never its content.
func parseJournal(path string, b []byte) ([]journalLine, int, error) {
	var lines []journalLine
	good := 0
	for n, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if line[len(line)-1] != '\n' {
			break // torn
		}
		l, err := parseJournalLine(line)
		if err != nil {
			return nil, 0, fmt.Errorf("journal %s line %d: %v: the journal is damaged; do not apply this plan again before checking it", path, n+1, err)
		}
		lines = append(lines, l)
		good += len(line)
	}
	return lines, good, nil
}

func parseJournalLine(line []byte) (journalLine, error) {
	var l journalLine
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil || dec.More() {
		return l, errors.New("not a journal line (JSON of item, record, phase, outcome, version, base, time)")
	}
	if !pseudonym.IsPseudonym(l.Record) {
		return l, errors.New("record: not a keyed pseudonym")
	}
	switch l.Phase {
	case "intent", "outcome":
		if l.Item < 1 {
			return l, errors.New("item: not a position in the plan")
		}
		if l.Phase == "outcome" && l.Outcome == "" {
			return l, errors.New("outcome: missing")
		}
	case "prepared":
		if l.Item != 0 {
			return l, errors.New("item: a prepared line names a file, not an item")
		}
	default:
		return l, errors.New("phase: not intent, outcome or prepared")
	}
	return l, nil
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

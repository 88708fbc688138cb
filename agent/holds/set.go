package holds

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/holds/statefile"
	"github.com/retentiond/retentiond/rules"
)

// FileName is the name of the holds file in the state directory.
const FileName = "holds.json"

// fileVersion is the version of the holds.json format.
const fileVersion = 1

// Set is the holds in STATE_DIR/holds.json, as read at Open or Reload or
// after the Set's last change. Add and Release re-read the file under a
// lock before they change it, so holds added by another process are kept;
// List, Active and Get answer from the copy in memory: a long-running
// process calls Reload before each plan and apply.
//
// A Set is not safe for concurrent use by several goroutines; two Sets,
// in one process or two, may change the same file at once.
type Set struct {
	path  string
	holds []Hold // sorted by ID
}

// Open reads the holds of the state directory. A missing holds.json means
// no holds; a holds.json that cannot be read or parsed completely is an
// error, never an empty set: a hold list half read must not mean that
// nothing is held. The state directory must exist.
func Open(stateDir string) (*Set, error) {
	if err := statefile.CheckDir(stateDir); err != nil {
		return nil, err
	}
	s := &Set{path: filepath.Join(stateDir, FileName)}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path returns the holds file's path, for messages.
func (s *Set) Path() string { return s.path }

// Reload re-reads the holds file. On error the Set keeps what it had.
func (s *Set) Reload() error {
	b, err := statefile.Read(s.path)
	if err != nil {
		return err
	}
	f, err := parse(s.path, b)
	if err != nil {
		return err
	}
	s.holds = f.holds
	return nil
}

// Add records a new hold and returns it with its ID and AddedAt set. It
// checks that h names either a subject or a store and path (a valid
// glob), has a reason and an adder, has no ID yet, and that Until, if set,
// is not before today: the calendar day of now in now's location, so pass
// now in the organisation's time zone. Errors name the field or the file,
// never the reason, the subject id or the path.
func (s *Set) Add(h Hold, now time.Time) (Hold, error) {
	switch {
	case h.ID != "":
		return Hold{}, errors.New("a new hold has no id yet: Add assigns one")
	case h.Released() || h.ReleasedBy != "":
		return Hold{}, errors.New("a new hold cannot be released already")
	}
	h.Reason = strings.TrimSpace(h.Reason)
	h.AddedBy = strings.TrimSpace(h.AddedBy)
	h.Store = strings.TrimSpace(h.Store)
	if h.Subject != nil {
		sub := *h.Subject // not the caller's copy
		h.Subject = &sub
	}
	if err := h.check(); err != nil {
		return Hold{}, statefile.Input(err)
	}
	today := rules.DateIn(now, now.Location())
	if !h.Until.IsZero() && h.Until.Before(today) {
		return Hold{}, statefile.Input(fmt.Errorf("until: %s is before today (%s): give a later date, or none to hold until released", h.Until, today))
	}
	h.AddedAt = now.UTC().Truncate(time.Second)
	var added Hold
	err := s.update(func(f *file) error {
		h.ID = fmt.Sprintf("H-%04d", f.next)
		f.next++
		f.holds = append(f.holds, h)
		added = h
		return nil
	})
	if err != nil {
		return Hold{}, err
	}
	return added, nil
}

// Release ends the hold with the given id (case is ignored), recording
// who released it and when. Releasing a hold that does not exist or was
// released already is an error naming the hold and the file.
func (s *Set) Release(id, by string, now time.Time) (Hold, error) {
	id = strings.ToUpper(strings.TrimSpace(id))
	by = strings.TrimSpace(by)
	if err := checkText("released by", by, maxBy, false); err != nil {
		return Hold{}, statefile.Input(err)
	}
	if !holdIDRe.MatchString(id) {
		return Hold{}, statefile.Input(errors.New(`not a hold id: hold ids look like H-0007 (see "retentiond hold list")`))
	}
	at := now.UTC().Truncate(time.Second)
	var released Hold
	err := s.update(func(f *file) error {
		i := slices.IndexFunc(f.holds, func(h Hold) bool { return h.ID == id })
		if i < 0 {
			return statefile.Input(fmt.Errorf("%s: there is no hold %s (see \"retentiond hold list\")", s.path, id))
		}
		h := &f.holds[i]
		if h.Released() {
			return fmt.Errorf("%s: hold %s was released already, at %s", s.path, id, h.ReleasedAt.Format(time.RFC3339))
		}
		h.ReleasedBy, h.ReleasedAt = by, &at
		released = *h
		return nil
	})
	if err != nil {
		return Hold{}, err
	}
	return released, nil
}

// Get returns the hold with the given id (case is ignored).
func (s *Set) Get(id string) (Hold, bool) {
	id = strings.ToUpper(strings.TrimSpace(id))
	for _, h := range s.holds {
		if h.ID == id {
			return clone(h), true
		}
	}
	return Hold{}, false
}

// List returns the holds in ID order: all of them, or only those not
// released (including those whose Until day has passed).
func (s *Set) List(includeReleased bool) []Hold {
	var out []Hold
	for _, h := range s.holds {
		if includeReleased || !h.Released() {
			out = append(out, clone(h))
		}
	}
	return out
}

// Active returns the holds that hold on asOf (see Hold.ActiveOn), in ID
// order.
func (s *Set) Active(asOf rules.Date) []Hold {
	var out []Hold
	for _, h := range s.holds {
		if h.ActiveOn(asOf) {
			out = append(out, clone(h))
		}
	}
	return out
}

// Matcher returns a Matcher of the holds active on asOf.
func (s *Set) Matcher(asOf rules.Date) (*Matcher, error) {
	return NewMatcher(s.Active(asOf))
}

// update changes the file under its lock and, once written, takes the
// new content as the Set's.
func (s *Set) update(change func(*file) error) error {
	var next *file
	err := statefile.Update(s.path, func(cur []byte) ([]byte, error) {
		f, err := parse(s.path, cur)
		if err != nil {
			return nil, err
		}
		if err := change(f); err != nil {
			return nil, err
		}
		next = f
		return f.marshal()
	})
	if err != nil {
		return err
	}
	s.holds = next.holds
	return nil
}

// clone copies h's pointers, so that callers cannot change the Set.
func clone(h Hold) Hold {
	if h.Subject != nil {
		sub := *h.Subject
		h.Subject = &sub
	}
	if h.ReleasedAt != nil {
		at := *h.ReleasedAt
		h.ReleasedAt = &at
	}
	return h
}

// file is the content of holds.json.
type file struct {
	next  int // number of the next hold id
	holds []Hold
}

// jsonFile and jsonHold are the on-disk format. Dates and times are
// strings so that a bad one is reported by hold and key, never echoed.
type jsonFile struct {
	Version int        `json:"version"`
	Next    int        `json:"next"`
	Holds   []jsonHold `json:"holds"`
}

type jsonHold struct {
	ID         string       `json:"id"`
	Subject    *jsonSubject `json:"subject,omitempty"`
	Store      string       `json:"store,omitempty"`
	Path       string       `json:"path,omitempty"`
	Reason     string       `json:"reason"`
	Until      string       `json:"until,omitempty"`
	AddedBy    string       `json:"added_by"`
	AddedAt    string       `json:"added_at"`
	ReleasedBy string       `json:"released_by,omitempty"`
	ReleasedAt string       `json:"released_at,omitempty"`
}

type jsonSubject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// parse reads holds.json strictly; nil content is a file not yet written.
func parse(path string, b []byte) (*file, error) {
	if b == nil {
		return &file{next: 1}, nil
	}
	var jf jsonFile
	if err := statefile.Decode(b, &jf); err != nil {
		return nil, fmt.Errorf("%s: %w: restore it from a backup; until then nothing can be decided about holds", path, err)
	}
	if jf.Version != fileVersion {
		return nil, fmt.Errorf("%s: version %d, want %d (written by another retentiond version?)", path, jf.Version, fileVersion)
	}
	f := &file{next: jf.Next}
	seen := map[string]bool{}
	maxN := 0
	for i, jh := range jf.Holds {
		h, err := jh.hold()
		if err != nil {
			where := fmt.Sprintf("holds[%d]", i)
			if holdIDRe.MatchString(jh.ID) {
				where = "hold " + jh.ID
			}
			return nil, fmt.Errorf("%s: %s: %w", path, where, err)
		}
		if seen[h.ID] {
			return nil, fmt.Errorf("%s: hold %s appears twice", path, h.ID)
		}
		seen[h.ID] = true
		n, _ := strconv.Atoi(h.ID[2:])
		maxN = max(maxN, n)
		f.holds = append(f.holds, h)
	}
	if f.next <= maxN {
		return nil, fmt.Errorf("%s: next (%d) is not above the highest hold number (%d): edited by hand?", path, f.next, maxN)
	}
	slices.SortFunc(f.holds, func(a, b Hold) int { return compareIDs(a.ID, b.ID) })
	return f, nil
}

// compareIDs orders hold ids by number: H-9999 before H-10000.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// hold converts and checks one hold of the file.
func (jh jsonHold) hold() (Hold, error) {
	if !holdIDRe.MatchString(jh.ID) {
		return Hold{}, errors.New("id: not a hold id (H- and at least four digits)")
	}
	h := Hold{ID: jh.ID, Store: jh.Store, PathGlob: jh.Path, Reason: jh.Reason, AddedBy: jh.AddedBy, ReleasedBy: jh.ReleasedBy}
	if jh.Subject != nil {
		h.Subject = &SubjectRef{Type: rules.SubjectType(jh.Subject.Type), ID: jh.Subject.ID}
	}
	if err := h.check(); err != nil {
		return Hold{}, err
	}
	if jh.Until != "" {
		d, err := rules.ParseDate(jh.Until)
		if err != nil || d.String() != jh.Until {
			return Hold{}, errors.New("until: not a date of the form YYYY-MM-DD")
		}
		h.Until = d
	}
	at, err := time.Parse(time.RFC3339, jh.AddedAt)
	if err != nil {
		return Hold{}, errors.New("added_at: not a time of the form 2006-01-02T15:04:05Z")
	}
	h.AddedAt = at
	switch {
	case jh.ReleasedAt == "" && jh.ReleasedBy == "":
	case jh.ReleasedAt == "" || jh.ReleasedBy == "":
		return Hold{}, errors.New("released_at and released_by: give both or neither")
	default:
		rt, err := time.Parse(time.RFC3339, jh.ReleasedAt)
		if err != nil {
			return Hold{}, errors.New("released_at: not a time of the form 2006-01-02T15:04:05Z")
		}
		if err := checkText("released_by", jh.ReleasedBy, maxBy, false); err != nil {
			return Hold{}, err
		}
		h.ReleasedAt = &rt
	}
	return h, nil
}

// marshal writes f in the on-disk format.
func (f *file) marshal() ([]byte, error) {
	jf := jsonFile{Version: fileVersion, Next: f.next, Holds: []jsonHold{}}
	for _, h := range f.holds {
		jh := jsonHold{ID: h.ID, Store: h.Store, Path: h.PathGlob, Reason: h.Reason, Until: h.Until.String(),
			AddedBy: h.AddedBy, AddedAt: h.AddedAt.UTC().Format(time.RFC3339), ReleasedBy: h.ReleasedBy}
		if h.Subject != nil {
			jh.Subject = &jsonSubject{Type: string(h.Subject.Type), ID: h.Subject.ID}
		}
		if h.ReleasedAt != nil {
			jh.ReleasedAt = h.ReleasedAt.UTC().Format(time.RFC3339)
		}
		jf.Holds = append(jf.Holds, jh)
	}
	b, err := json.MarshalIndent(jf, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

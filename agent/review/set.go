package review

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/holds/statefile"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
)

// FileName is the name of the resolutions file in the state directory.
const FileName = "resolutions.json"

// fileVersion is the version of the resolutions.json format.
const fileVersion = 1

// sealDomain is the pseudonym domain of resolution seals: apart from the
// pseudonyms of records and subjects, so that no seal is ever a record's
// pseudonym or the other way round.
const sealDomain = "review-resolution"

// Set is the resolutions in STATE_DIR/resolutions.json, as read at Open or
// Reload or after the Set's last change. Resolve and Unresolve re-read
// the file under its lock before they change it, so that resolutions made
// by another process are kept; List, Get and Matcher answer from the copy
// in memory.
//
// A Set is not safe for concurrent use by several goroutines; two Sets,
// in one process or two, may change the same file at once.
type Set struct {
	path string
	k    *pseudonym.Keyed
	list []Resolution // sorted by ID
}

// Open reads the resolutions of the state directory, checking each one's
// seal with k (the pseudonym key). A missing file means none; a file that
// cannot be read, parsed or checked completely is an error, never an
// empty set: a resolution list half read would put settled records back
// to review, and one forged could make records due. k may be nil only
// while there are no resolutions (then Resolve fails). The state
// directory must exist.
func Open(stateDir string, k *pseudonym.Keyed) (*Set, error) {
	if err := statefile.CheckDir(stateDir); err != nil {
		return nil, err
	}
	s := &Set{path: filepath.Join(stateDir, FileName), k: k}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path returns the resolutions file's path, for messages.
func (s *Set) Path() string { return s.path }

// Reload re-reads the file. On error the Set keeps what it had.
func (s *Set) Reload() error {
	b, err := statefile.Read(s.path)
	if err != nil {
		return err
	}
	f, err := parse(s.path, b, s.k)
	if err != nil {
		return err
	}
	s.list = f.list
	return nil
}

// Resolve records a new resolution and returns it with its ID and At
// set. It checks r (see the package doc; a keep-until day may not be
// before today, the calendar day of now in now's location), and refuses a
// second active resolution of the same store and path. Errors name the
// field or the file, never the path, the subject or the reason.
func (s *Set) Resolve(r Resolution, now time.Time) (Resolution, error) {
	switch {
	case s.k == nil:
		return Resolution{}, errors.New("no pseudonym key: resolutions are sealed with it; set pseudonym_key_file in the config")
	case r.ID != "":
		return Resolution{}, errors.New("a new resolution has no id yet: Resolve assigns one")
	case r.UndoneAt != nil || r.UndoneBy != "":
		return Resolution{}, errors.New("a new resolution cannot be undone already")
	}
	r.Reason = strings.TrimSpace(r.Reason)
	r.By = strings.TrimSpace(r.By)
	r.Store = strings.TrimSpace(r.Store)
	if r.Subject != nil {
		sub := *r.Subject
		r.Subject = &sub
	}
	if err := r.check(); err != nil {
		return Resolution{}, statefile.Input(err)
	}
	today := rules.DateIn(now, now.Location())
	if r.Kind == KindKeepUntil && r.Until.Before(today) {
		return Resolution{}, statefile.Input(fmt.Errorf("until: %s is before today (%s): give the last day to keep it", r.Until, today))
	}
	r.At = now.UTC().Truncate(time.Second)
	var added Resolution
	err := s.update(func(f *file) error {
		var err error
		added, err = f.add(r, now, s.k)
		return err
	})
	return added, err
}

// add gives r the file's next id, seals it and appends it.
func (f *file) add(r Resolution, now time.Time, k *pseudonym.Keyed) (Resolution, error) {
	if r.At.IsZero() {
		r.At = now.UTC().Truncate(time.Second)
	}
	for _, o := range f.list {
		if o.Active() && o.Store == r.Store && samePath(o.Path, r.Path) {
			return Resolution{}, fmt.Errorf("%s already resolves this record or folder: undo it first (review unresolve --id %s)", o.ID, o.ID)
		}
	}
	r.ID = fmt.Sprintf("R-%04d", f.next)
	f.next++
	f.list = append(f.list, r)
	f.seals = append(f.seals, seal(r, k))
	return r, nil
}

// Unresolve undoes the resolution with the given id (case is ignored),
// recording who undid it and when: its records go back to review in the
// next plan. Undoing one that does not exist or was undone already is an
// error naming the resolution and the file.
func (s *Set) Unresolve(id, by string, now time.Time) (Resolution, error) {
	id = strings.ToUpper(strings.TrimSpace(id))
	by = strings.TrimSpace(by)
	if s.k == nil {
		return Resolution{}, errors.New("no pseudonym key: resolutions are sealed with it; set pseudonym_key_file in the config")
	}
	if err := checkText("by", by, maxBy, false); err != nil {
		return Resolution{}, statefile.Input(err)
	}
	if !idRe.MatchString(id) {
		return Resolution{}, statefile.Input(errors.New(`not a resolution id: they look like R-0007 (see "retentiond review list --resolutions")`))
	}
	at := now.UTC().Truncate(time.Second)
	var undone Resolution
	err := s.update(func(f *file) error {
		i := slices.IndexFunc(f.list, func(r Resolution) bool { return r.ID == id })
		if i < 0 {
			return statefile.Input(fmt.Errorf("%s: there is no resolution %s (see \"retentiond review list --resolutions\")", s.path, id))
		}
		r := &f.list[i]
		if !r.Active() {
			return fmt.Errorf("%s: resolution %s was undone already, at %s", s.path, id, r.UndoneAt.Format(time.RFC3339))
		}
		r.UndoneBy, r.UndoneAt = by, &at
		f.seals[i] = seal(*r, s.k)
		undone = clone(*r)
		return nil
	})
	return undone, err
}

// Get returns the resolution with the given id (case is ignored).
func (s *Set) Get(id string) (Resolution, bool) {
	id = strings.ToUpper(strings.TrimSpace(id))
	for _, r := range s.list {
		if r.ID == id {
			return clone(r), true
		}
	}
	return Resolution{}, false
}

// List returns the resolutions in ID order: all of them, or only those
// not undone.
func (s *Set) List(includeUndone bool) []Resolution {
	var out []Resolution
	for _, r := range s.list {
		if includeUndone || r.Active() {
			out = append(out, clone(r))
		}
	}
	return out
}

// Matcher returns a Matcher of the active resolutions.
func (s *Set) Matcher() *Matcher { return NewMatcher(s.list) }

// update changes the file under its lock and, once written, takes the
// new content as the Set's.
func (s *Set) update(change func(*file) error) error {
	var next *file
	err := statefile.Update(s.path, func(cur []byte) ([]byte, error) {
		f, err := parse(s.path, cur, s.k)
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
	s.list = next.list
	return nil
}

// clone copies r's pointers, so that callers cannot change the Set.
func clone(r Resolution) Resolution {
	if r.Subject != nil {
		sub := *r.Subject
		r.Subject = &sub
	}
	if r.UndoneAt != nil {
		at := *r.UndoneAt
		r.UndoneAt = &at
	}
	return r
}

// samePath reports whether two paths name the same records: Unicode
// normalisation aside (NFC and NFD spell the same name), they are equal.
func samePath(a, b string) bool { return norm.NFC.String(a) == norm.NFC.String(b) }

// file is the content of resolutions.json.
type file struct {
	next  int // number of the next id
	list  []Resolution
	seals []string // per resolution
}

// jsonFile and jsonRes are the on-disk format. Dates and times are
// strings so that a bad one is reported by resolution and key, never
// echoed.
type jsonFile struct {
	Version     int       `json:"version"`
	Next        int       `json:"next"`
	Resolutions []jsonRes `json:"resolutions"`
}

type jsonRes struct {
	ID       string       `json:"id"`
	Store    string       `json:"store"`
	Path     string       `json:"path"`
	Kind     string       `json:"kind"`
	Subject  *jsonSubject `json:"subject,omitempty"`
	Category string       `json:"category,omitempty"`
	Until    string       `json:"until,omitempty"`
	Reason   string       `json:"reason"`
	By       string       `json:"by"`
	At       string       `json:"at"`
	UndoneBy string       `json:"undone_by,omitempty"`
	UndoneAt string       `json:"undone_at,omitempty"`
	Seal     string       `json:"seal"`
}

type jsonSubject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

func toJSON(r Resolution) jsonRes {
	j := jsonRes{ID: r.ID, Store: r.Store, Path: r.Path, Kind: string(r.Kind), Category: string(r.Category),
		Until: r.Until.String(), Reason: r.Reason, By: r.By, At: r.At.UTC().Format(time.RFC3339), UndoneBy: r.UndoneBy}
	if r.Subject != nil {
		j.Subject = &jsonSubject{Type: string(r.Subject.Type), ID: r.Subject.ID}
	}
	if r.UndoneAt != nil {
		j.UndoneAt = r.UndoneAt.UTC().Format(time.RFC3339)
	}
	return j
}

// seal is the keyed MAC of everything the file says of r.
func seal(r Resolution, k *pseudonym.Keyed) string {
	j := toJSON(r)
	st, sid := "", ""
	if j.Subject != nil {
		st, sid = j.Subject.Type, j.Subject.ID
	}
	// Checked fields hold no NUL, so joining on it is unambiguous.
	return k.Of(sealDomain, strings.Join([]string{strconv.Itoa(fileVersion), j.ID, j.Store, j.Path, j.Kind, st, sid,
		j.Category, j.Until, j.Reason, j.By, j.At, j.UndoneBy, j.UndoneAt}, "\x00"))
}

// parse reads resolutions.json strictly and checks every seal with k;
// nil content is a file not yet written.
func parse(path string, b []byte, k *pseudonym.Keyed) (*file, error) {
	if b == nil {
		return &file{next: 1}, nil
	}
	var jf jsonFile
	if err := statefile.Decode(b, &jf); err != nil {
		return nil, fmt.Errorf("%s: %w: restore it from a backup; until then review items cannot be decided", path, err)
	}
	if jf.Version != fileVersion {
		return nil, fmt.Errorf("%s: version %d, want %d (written by another retentiond version?)", path, jf.Version, fileVersion)
	}
	if len(jf.Resolutions) > 0 && k == nil {
		return nil, fmt.Errorf("%s: its resolutions cannot be checked without the pseudonym key: set pseudonym_key_file in the config", path)
	}
	f := &file{next: jf.Next}
	seen := map[string]bool{}
	maxN := 0
	for i, j := range jf.Resolutions {
		where := fmt.Sprintf("resolutions[%d]", i)
		if idRe.MatchString(j.ID) {
			where = "resolution " + j.ID
		}
		r, err := j.resolution()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, where, err)
		}
		if subtle.ConstantTimeCompare([]byte(seal(r, k)), []byte(j.Seal)) != 1 {
			return nil, fmt.Errorf("%s: %s: the seal does not fit: changed by hand, or written under another pseudonym key; restore the file from a backup", path, where)
		}
		if seen[r.ID] {
			return nil, fmt.Errorf("%s: resolution %s appears twice", path, r.ID)
		}
		seen[r.ID] = true
		for _, o := range f.list {
			if r.Active() && o.Active() && o.Store == r.Store && samePath(o.Path, r.Path) {
				return nil, fmt.Errorf("%s: resolutions %s and %s resolve the same records", path, o.ID, r.ID)
			}
		}
		n, _ := strconv.Atoi(r.ID[2:])
		maxN = max(maxN, n)
		f.list = append(f.list, r)
		f.seals = append(f.seals, j.Seal)
	}
	if f.next <= maxN {
		return nil, fmt.Errorf("%s: next (%d) is not above the highest resolution number (%d): edited by hand?", path, f.next, maxN)
	}
	order := make([]int, len(f.list))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return compareIDs(f.list[a].ID, f.list[b].ID) })
	list, seals := make([]Resolution, len(order)), make([]string, len(order))
	for i, o := range order {
		list[i], seals[i] = f.list[o], f.seals[o]
	}
	f.list, f.seals = list, seals
	return f, nil
}

// compareIDs orders ids by number: R-9999 before R-10000.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// resolution converts and checks one resolution of the file.
func (j jsonRes) resolution() (Resolution, error) {
	if !idRe.MatchString(j.ID) {
		return Resolution{}, errors.New("id: not a resolution id (R- and at least four digits)")
	}
	r := Resolution{ID: j.ID, Store: j.Store, Path: j.Path, Kind: Kind(j.Kind), Category: rules.Category(j.Category),
		Reason: j.Reason, By: j.By, UndoneBy: j.UndoneBy}
	if j.Subject != nil {
		r.Subject = &holds.SubjectRef{Type: rules.SubjectType(j.Subject.Type), ID: j.Subject.ID}
	}
	if j.Until != "" {
		d, err := rules.ParseDate(j.Until)
		if err != nil || d.String() != j.Until {
			return Resolution{}, errors.New("until: not a date of the form YYYY-MM-DD")
		}
		r.Until = d
	}
	if err := r.check(); err != nil {
		return Resolution{}, err
	}
	at, err := time.Parse(time.RFC3339, j.At)
	if err != nil {
		return Resolution{}, errors.New("at: not a time of the form 2006-01-02T15:04:05Z")
	}
	r.At = at
	switch {
	case j.UndoneAt == "" && j.UndoneBy == "":
	case j.UndoneAt == "" || j.UndoneBy == "":
		return Resolution{}, errors.New("undone_at and undone_by: give both or neither")
	default:
		ut, err := time.Parse(time.RFC3339, j.UndoneAt)
		if err != nil {
			return Resolution{}, errors.New("undone_at: not a time of the form 2006-01-02T15:04:05Z")
		}
		if err := checkText("undone_by", j.UndoneBy, maxBy, false); err != nil {
			return Resolution{}, err
		}
		r.UndoneAt = &ut
	}
	return r, nil
}

// marshal writes f in the on-disk format.
func (f *file) marshal() ([]byte, error) {
	jf := jsonFile{Version: fileVersion, Next: f.next, Resolutions: []jsonRes{}}
	for i, r := range f.list {
		j := toJSON(r)
		j.Seal = f.seals[i]
		jf.Resolutions = append(jf.Resolutions, j)
	}
	b, err := json.MarshalIndent(jf, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Package selection keeps the items reviewers leave out of a plan before
// it is approved: in the console a reviewer excludes one item, a
// person's items or a folder's items (the caller turns a person or a
// folder into item numbers), and includes them again. The approval then
// leaves out what the selection excludes (agent.Service.Approve).
//
// A plan's selection lives in STATE_DIR/approvals/HEX.selection.json,
// HEX being the plan's digest: mode 0600, written atomically under a
// lock (agent/holds/statefile), and sealed with a keyed MAC under the
// pseudonym key, so that a file written or changed by hand is refused,
// never taken for fewer exclusions. Items are named by their number
// (1-based position in plan.json's items) and a keyed pseudonym of the
// record, checked against the plan; never by path. The file keeps who
// excluded an item, when and why, for the organisation's own records.
// Each change is recorded in the ledger (LedgerEntry) with the plan's
// digest, the number of items and the actor's keyed pseudonym: never a
// name, a path or the reason.
package selection

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/holds/statefile"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
)

// Ledger actions of selection changes.
const (
	ActionExcluded = "items-excluded"
	ActionIncluded = "items-included"
)

// MaxReason is the longest reason an exclusion keeps, in characters.
const MaxReason = 500

// ErrInvalid is wrapped by the error for a selection file that is not
// one retentiond wrote for the plan: its seal does not fit (changed by
// hand, or written under another pseudonym key), or it names items that
// are not the plan's.
var ErrInvalid = errors.New("the plan's selection file is not valid")

// fileVersion is the version of the file format.
const fileVersion = 1

// sealDomain is the pseudonym domain of selection seals: apart from the
// pseudonyms of records, subjects and approvers, so that no seal is ever
// one of those.
const sealDomain = "plan-selection"

// Exclusion is an item left out of the plan, and who left it out.
type Exclusion struct {
	Item   int       `json:"item"`   // 1-based position in plan.json's items
	Record string    `json:"record"` // keyed pseudonym of store:record
	By     string    `json:"by"`     // as the organisation knows the person
	Via    string    `json:"via"`    // "console", "cli"
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// Selection is a plan's exclusions, sorted by item.
type Selection struct {
	Plan     string      // the plan's digest
	Excluded []Exclusion // sorted by Item, each item once
}

// Items returns the excluded item numbers, sorted.
func (s *Selection) Items() []int {
	out := make([]int, len(s.Excluded))
	for i, x := range s.Excluded {
		out[i] = x.Item
	}
	return out
}

// Has reports whether item n is excluded.
func (s *Selection) Has(n int) bool {
	_, ok := slices.BinarySearchFunc(s.Excluded, n, func(x Exclusion, n int) int { return x.Item - n })
	return ok
}

// Change is one change of a selection, as the ledger records it.
type Change struct {
	Action   string    // ActionExcluded or ActionIncluded
	Plan     string    // the plan's digest
	Items    int       // items whose state changed (already excluded ones, or not excluded ones, do not count)
	Excluded int       // items excluded after the change, in all
	By, Via  string    // who changed it (By is a name: only its pseudonym goes to the ledger)
	At       time.Time // when
}

// LedgerEntry is the ledger's record of c: the plan, when, the actor by
// keyed pseudonym (the approvers' pseudonym domain, so that one person
// has one pseudonym across exclusions and approvals) and the counts.
func LedgerEntry(c Change, k *pseudonym.Keyed) ledger.Entry {
	verb := "excluded"
	if c.Action == ActionIncluded {
		verb = "included again"
	}
	via := ""
	if c.Via != "" {
		via = " via " + c.Via
	}
	return ledger.Entry{Time: c.At, Plan: c.Plan, Action: c.Action, Outcome: ledger.OutcomeDone,
		Reason: fmt.Sprintf("%d item(s) %s by %s%s; %d excluded in all", c.Items, verb, approval.ApproverPseudonym(k, c.By), via, c.Excluded)}
}

// Path is the selection file of the plan with digest.
func Path(stateDir, digest string) string {
	return filepath.Join(stateDir, "approvals", strings.TrimPrefix(digest, "sha256:")+".selection.json")
}

// Read returns the selection of plan f, checked with k: an empty one if
// no item was ever excluded. It takes no lock (the file is replaced
// whole, never written in place).
func Read(stateDir string, f *plan.File, k *pseudonym.Keyed) (*Selection, error) {
	path := Path(stateDir, f.Digest)
	b, err := statefile.Read(path)
	if err != nil {
		return nil, err
	}
	return parse(path, b, f, k)
}

// Hooks are called by Exclude and Include under the selection's lock.
type Hooks struct {
	// Guard, if set, is called before anything changes; its error stops
	// the change (the service refuses a change to an approved or
	// rejected plan this way).
	Guard func() error
	// Record, if set, is given the change once it is decided and before
	// the file is written (the service appends the ledger entry); its
	// error stops the change. It is not called when nothing changes.
	Record func(Change) error
}

// Exclude leaves the items (numbers of f's items) out of the plan, in
// the name of by (via "console" or "cli") with reason, calling h's hooks
// under the lock. Items already excluded keep their first exclusion and
// do not count in the Change.
func Exclude(stateDir string, f *plan.File, items []int, by, via, reason string, now time.Time, k *pseudonym.Keyed, h Hooks) (Change, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReason || !utf8.ValidString(reason) {
		return Change{}, fmt.Errorf("the reason is longer than %d characters", MaxReason)
	}
	at := now.UTC().Truncate(time.Second)
	return change(stateDir, f, items, by, via, ActionExcluded, at, k, h, func(sel *Selection) int {
		n, added, before := 0, map[int]bool{}, &Selection{Excluded: sel.Excluded}
		for _, item := range items {
			if added[item] || before.Has(item) {
				continue
			}
			added[item] = true
			it := f.Items[item-1]
			sel.Excluded = append(sel.Excluded, Exclusion{Item: item, Record: k.Record(it.Store, it.Record),
				By: strings.TrimSpace(by), Via: via, At: at, Reason: reason})
			n++
		}
		slices.SortFunc(sel.Excluded, func(a, b Exclusion) int { return a.Item - b.Item })
		return n
	})
}

// Include takes the items back into the plan (undoes their exclusion),
// calling h's hooks as Exclude does; items not excluded do not count in
// the Change.
func Include(stateDir string, f *plan.File, items []int, by, via string, now time.Time, k *pseudonym.Keyed, h Hooks) (Change, error) {
	at := now.UTC().Truncate(time.Second)
	return change(stateDir, f, items, by, via, ActionIncluded, at, k, h, func(sel *Selection) int {
		drop := map[int]bool{}
		for _, item := range items {
			drop[item] = true
		}
		before := len(sel.Excluded)
		sel.Excluded = slices.DeleteFunc(sel.Excluded, func(x Exclusion) bool { return drop[x.Item] })
		return before - len(sel.Excluded)
	})
}

// With calls fn with the selection of f under the selection's lock, so
// that no exclusion changes while fn runs: approve reads the exclusions
// and saves the approval within it. It writes nothing.
func With(stateDir string, f *plan.File, k *pseudonym.Keyed, fn func(*Selection) error) error {
	path := Path(stateDir, f.Digest)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	var fnErr error
	err := statefile.Update(path, func(cur []byte) ([]byte, error) {
		sel, err := parse(path, cur, f, k)
		if err != nil {
			return nil, err
		}
		fnErr = fn(sel)
		return nil, errUnchanged
	})
	if errors.Is(err, errUnchanged) {
		return fnErr
	}
	return err
}

// errUnchanged stops statefile.Update from writing.
var errUnchanged = errors.New("unchanged")

// change applies apply (which returns how many items it changed) under the lock and writes the
// selection if anything changed.
func change(stateDir string, f *plan.File, items []int, by, via, action string, at time.Time, k *pseudonym.Keyed, h Hooks, apply func(*Selection) int) (Change, error) {
	if k == nil {
		return Change{}, errors.New("no pseudonym key: the selection is sealed with it; set pseudonym_key_file in the config")
	}
	if strings.TrimSpace(by) == "" {
		return Change{}, errors.New("say who changes the selection (--by NAME)")
	}
	if len(items) == 0 {
		return Change{}, errors.New("no items given")
	}
	for _, n := range items {
		if n < 1 || n > len(f.Items) {
			return Change{}, fmt.Errorf("item %d is not an item of the plan (it has %d)", n, len(f.Items))
		}
	}
	c := Change{Action: action, Plan: f.Digest, By: strings.TrimSpace(by), Via: via, At: at}
	path := Path(stateDir, f.Digest)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Change{}, err
	}
	err := statefile.Update(path, func(cur []byte) ([]byte, error) {
		sel, err := parse(path, cur, f, k)
		if err != nil {
			return nil, err
		}
		if h.Guard != nil {
			if err := h.Guard(); err != nil {
				return nil, err
			}
		}
		c.Items = apply(sel)
		c.Excluded = len(sel.Excluded)
		if c.Items == 0 {
			return nil, errUnchanged
		}
		b, err := marshal(sel, k)
		if err != nil {
			return nil, err
		}
		if h.Record != nil {
			if err := h.Record(c); err != nil {
				return nil, err
			}
		}
		return b, nil
	})
	if errors.Is(err, errUnchanged) {
		return c, nil
	}
	if err != nil {
		return Change{}, err
	}
	return c, nil
}

// fileJSON is the file's form.
type fileJSON struct {
	Version  int         `json:"version"`
	Plan     string      `json:"plan"`
	Excluded []Exclusion `json:"excluded"`
	Seal     string      `json:"seal"`
}

// seal is the keyed MAC of everything the file says but its seal.
func seal(j fileJSON, k *pseudonym.Keyed) string {
	j.Seal = ""
	if j.Excluded == nil {
		j.Excluded = []Exclusion{}
	}
	b, _ := json.Marshal(j) // ints, strings and times: cannot fail
	return k.Of(sealDomain, string(b))
}

func marshal(sel *Selection, k *pseudonym.Keyed) ([]byte, error) {
	j := fileJSON{Version: fileVersion, Plan: sel.Plan, Excluded: sel.Excluded}
	if j.Excluded == nil {
		j.Excluded = []Exclusion{}
	}
	j.Seal = seal(j, k)
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// parse reads the selection file's content b (nil: no file) strictly and
// checks its seal and its items against f. Errors name the file and an
// item's position, never a value from it.
func parse(path string, b []byte, f *plan.File, k *pseudonym.Keyed) (*Selection, error) {
	if b == nil {
		return &Selection{Plan: f.Digest, Excluded: []Exclusion{}}, nil
	}
	if k == nil {
		return nil, errors.New("no pseudonym key: the selection is sealed with it; set pseudonym_key_file in the config")
	}
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s; nothing is approved with it: look at it, remove it, and exclude the items again", ErrInvalid, path, fmt.Sprintf(format, args...))
	}
	var j fileJSON
	if err := statefile.Decode(b, &j); err != nil {
		return nil, invalid("%v", err)
	}
	switch {
	case j.Version != fileVersion:
		return nil, invalid("version %d is not %d", j.Version, fileVersion)
	case subtle.ConstantTimeCompare([]byte(seal(j, k)), []byte(j.Seal)) != 1:
		return nil, invalid("the seal does not fit: changed by hand, or written under another pseudonym key")
	case j.Plan != f.Digest:
		return nil, invalid("it is the selection of another plan")
	}
	for i, x := range j.Excluded {
		switch {
		case x.Item < 1 || x.Item > len(f.Items):
			return nil, invalid("excluded #%d: item %d is not an item of the plan", i+1, x.Item)
		case i > 0 && x.Item <= j.Excluded[i-1].Item:
			return nil, invalid("excluded #%d: items out of order or twice", i+1)
		case x.Record != k.Record(f.Items[x.Item-1].Store, f.Items[x.Item-1].Record):
			return nil, invalid("excluded #%d: item %d of the plan is another record", i+1, x.Item)
		}
	}
	if j.Excluded == nil {
		j.Excluded = []Exclusion{}
	}
	return &Selection{Plan: j.Plan, Excluded: j.Excluded}, nil
}

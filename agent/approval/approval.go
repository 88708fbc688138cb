// Package approval records that a person approved a plan, by the plan's
// digest, so that apply acts only on what a person saw and accepted. An
// approval covers the plan as a whole or with exclusions, never an edited
// plan: changing one byte of plan.json changes its digest.
//
// Approvals live in STATE_DIR/approvals/, one JSON file per plan. They
// name excluded items by their position in the plan and a keyed pseudonym
// of the record, never by path, so that no personal data is written
// outside the plan files.
package approval

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
)

// Excluded is an item the approver left out.
type Excluded struct {
	Item   int    `json:"item"`   // 1-based position in plan.json's items
	Record string `json:"record"` // keyed pseudonym of store:record
}

// Approval is what approve writes.
type Approval struct {
	Plan         string     `json:"plan"` // the plan's digest
	Organisation string     `json:"organisation"`
	AsOf         string     `json:"as_of"`
	PlanCreated  string     `json:"plan_created_at"`
	ApprovedBy   string     `json:"approved_by"`
	ApprovedAt   time.Time  `json:"approved_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	Actions      int        `json:"actions"` // items approved for action (delete, pseudonymise)
	Excluded     []Excluded `json:"excluded"`
}

// ErrNotApproved is returned by Load when a plan has no approval.
var ErrNotApproved = errors.New("the plan has not been approved")

// RecordPseudonym is how approvals, the journal and the ledger name a
// record: a keyed pseudonym of "store:record".
func RecordPseudonym(k *pseudonym.Keyed, store, record string) string {
	return k.Record(store, record)
}

// Expiry is when a plan made at created stops being valid: maxAge after
// the calendar day it was made, at midnight in loc.
func Expiry(created time.Time, maxAge rules.Term, loc *time.Location) time.Time {
	d := maxAge.From(rules.DateIn(created, loc))
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// IsAction reports whether an item's action changes a store.
func IsAction(a rules.Action) bool { return a == rules.Delete || a == rules.Pseudonymise }

// Approve records that by approves f, leaving out the items named in
// exclude (each "store:record", or a record id that only one item has).
// It refuses an expired plan and a plan approved before.
func Approve(stateDir string, f *plan.File, by string, exclude []string, now time.Time, maxAge rules.Term, loc *time.Location, k *pseudonym.Keyed) (*Approval, error) {
	by = strings.TrimSpace(by)
	if by == "" {
		return nil, errors.New("say who approves with --by NAME")
	}
	created, err := time.Parse(time.RFC3339, f.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("the plan's created_at is not a time: make a new plan")
	}
	a := &Approval{
		Plan: f.Digest, Organisation: f.Organisation, AsOf: f.AsOf, PlanCreated: f.CreatedAt,
		ApprovedBy: by, ApprovedAt: now.UTC().Truncate(time.Second), ExpiresAt: Expiry(created, maxAge, loc),
		Excluded: []Excluded{},
	}
	if !now.Before(a.ExpiresAt) {
		return nil, fmt.Errorf("the plan expired on %s (plans are valid for %s): make a new plan", a.ExpiresAt.Format("2006-01-02"), maxAge.Describe("en"))
	}
	excluded := map[int]bool{}
	for n, x := range exclude {
		i, err := find(f, x)
		if err != nil {
			return nil, fmt.Errorf("--exclude #%d: %w", n+1, err)
		}
		if !excluded[i] {
			excluded[i] = true
			it := f.Items[i]
			a.Excluded = append(a.Excluded, Excluded{Item: i + 1, Record: RecordPseudonym(k, it.Store, it.Record)})
		}
	}
	for i, it := range f.Items {
		if IsAction(it.Action) && !excluded[i] {
			a.Actions++
		}
	}
	path := filePath(stateDir, f.Digest)
	if old, err := read(path); err == nil {
		return nil, fmt.Errorf("the plan was approved already, by %s at %s", old.ApprovedBy, old.ApprovedAt.Format(time.RFC3339))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeNew(path, append(b, '\n')); err != nil {
		return nil, err
	}
	return a, nil
}

// find returns the index of the one item x names.
func find(f *plan.File, x string) (int, error) {
	found := -1
	for i, it := range f.Items {
		if it.Store+":"+it.Record == x || it.Record == x {
			if found >= 0 && it.Store+":"+it.Record != x {
				return 0, errors.New("names items in more than one store: write it as STORE:RECORD")
			}
			if found < 0 || it.Store+":"+it.Record == x {
				found = i
			}
		}
	}
	if found < 0 {
		return 0, errors.New("names no item of the plan (write STORE:RECORD as plan.csv shows it)")
	}
	return found, nil
}

// Load returns the approval of the plan with the given digest.
func Load(stateDir, digest string) (*Approval, error) {
	a, err := read(filePath(stateDir, digest))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotApproved
	}
	if err != nil {
		return nil, err
	}
	if a.Plan != digest {
		return nil, fmt.Errorf("the approval file of plan %s names another plan", short(digest))
	}
	return a, nil
}

// IsExcluded reports whether the item at index i (0-based) was excluded.
func (a *Approval) IsExcluded(i int) bool {
	for _, x := range a.Excluded {
		if x.Item == i+1 {
			return true
		}
	}
	return false
}

func read(path string) (*Approval, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var a Approval
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("%s: not an approval: %v", path, err)
	}
	return &a, nil
}

func filePath(stateDir, digest string) string {
	return filepath.Join(stateDir, "approvals", strings.TrimPrefix(digest, "sha256:")+".json")
}

func short(digest string) string {
	d := strings.TrimPrefix(digest, "sha256:")
	if len(d) > 12 {
		d = d[:12]
	}
	return d
}

// writeNew writes a file that must not exist yet, durably.
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

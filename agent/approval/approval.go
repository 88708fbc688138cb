// Package approval records that a person approved a plan, by the plan's
// digest, so that apply acts only on what a person saw and accepted. An
// approval covers the plan as a whole or with exclusions, never an edited
// plan: changing one byte of plan.json changes its digest.
//
// Approvals live in STATE_DIR/approvals/, one JSON file per plan (mode
// 0600), signed with the organisation's ledger key (Ed25519): a file
// written by anyone else, or changed after approve wrote it, is refused
// by Load. Nothing in the file is believed that can be computed: Load
// checks the counts against the plan and computes the expiry from the
// plan's created_at and apply.plan_max_age. Each approval is also
// recorded in the ledger (LedgerEntry).
//
// Approvals name excluded items by their position in the plan and a keyed
// pseudonym of the record, never by path, so that no personal data about
// children or parents is written outside the plan files. The approver's
// name is kept in the file, for the organisation's own records; the
// ledger, which is shown to auditors and kept for years, holds a keyed
// pseudonym of it.
package approval

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/ledger"
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
	Items        int        `json:"items"`   // items in the plan
	Actions      int        `json:"actions"` // items approved for action (delete, pseudonymise)
	Excluded     []Excluded `json:"excluded"`
	// SecondBy and SecondAt are the second approver of a plan that needs
	// two (console.four_eyes_over), once a second person approved it;
	// empty until then. They are left out of the file (and of the signed
	// text) when empty, so approvals of one approver read as before.
	SecondBy string     `json:"second_by,omitempty"`
	SecondAt *time.Time `json:"second_at,omitempty"`
	// Comment and SecondComment are what the approvers wrote with their
	// approval, for the organisation's own records: they stay in this
	// file and never go to the ledger.
	Comment       string `json:"comment,omitempty"`
	SecondComment string `json:"second_comment,omitempty"`
	// Key names the ledger key that signed ("name+hash"), Signature is
	// its base64 Ed25519 signature over SignedText.
	Key       string `json:"key"`
	Signature string `json:"signature"`

	// ExpiresAt is when the plan can no longer be applied: computed from
	// the plan's created_at and apply.plan_max_age by Approve and Load,
	// never read from the file.
	ExpiresAt time.Time `json:"-"`
}

// ErrNotApproved is returned by Load when a plan has no approval.
var ErrNotApproved = errors.New("the plan has not been approved")

// ErrInvalid is wrapped by Load's error when a plan's approval file is
// not a valid approval of the plan: not signed with the ledger key,
// changed since, or not matching the plan. Nothing may be applied on it.
var ErrInvalid = errors.New("the approval is not valid")

// signedPrefix starts the signed text, so that an approval's signature
// can never be taken for a ledger checkpoint's or intent's.
const signedPrefix = "retentiond approval v1\n"

// RecordPseudonym is how approvals, the journal and the ledger name a
// record: a keyed pseudonym of "store:record".
func RecordPseudonym(k *pseudonym.Keyed, store, record string) string {
	return k.Record(store, record)
}

// ApproverPseudonym is how the ledger names the person who approved: a
// keyed pseudonym of the name as given to approve --by.
func ApproverPseudonym(k *pseudonym.Keyed, name string) string {
	return k.Of("approver", name)
}

// Expiry is when a plan made at created stops being valid: maxAge after
// the calendar day it was made, at midnight in loc.
func Expiry(created time.Time, maxAge rules.Term, loc *time.Location) time.Time {
	d := maxAge.From(rules.DateIn(created, loc))
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// IsAction reports whether an item's action changes a store.
func IsAction(a rules.Action) bool { return a == rules.Delete || a == rules.Pseudonymise }

// Approve decides the approval of f by by, leaving out the items named in
// exclude (each "store:record", or a record id that only one item has).
// It refuses an expired plan and a plan approved before. It writes
// nothing: Save signs and writes the approval.
func Approve(stateDir string, f *plan.File, by string, exclude []string, now time.Time, maxAge rules.Term, loc *time.Location, k *pseudonym.Keyed) (*Approval, error) {
	items, err := Resolve(f, exclude)
	if err != nil {
		return nil, err
	}
	return ApproveItems(stateDir, f, by, items, now, maxAge, loc, k)
}

// Resolve returns the item numbers (1-based positions in plan.json's
// items) that exclude names, each "store:record" or a record id that only
// one item has. Errors name the position in exclude, never its text.
func Resolve(f *plan.File, exclude []string) ([]int, error) {
	var items []int
	for n, x := range exclude {
		i, err := find(f, x)
		if err != nil {
			return nil, fmt.Errorf("--exclude #%d: %w", n+1, err)
		}
		items = append(items, i+1)
	}
	return items, nil
}

// ApproveItems is Approve with the excluded items given by number
// (1-based positions in plan.json's items, as the console and the
// reviewers' selection name them); a number given twice counts once.
func ApproveItems(stateDir string, f *plan.File, by string, exclude []int, now time.Time, maxAge rules.Term, loc *time.Location, k *pseudonym.Keyed) (*Approval, error) {
	a, err := decide(f, by, exclude, now, maxAge, loc, k)
	if err != nil {
		return nil, err
	}
	if err := notRejected(stateDir, f.Digest); err != nil {
		return nil, err
	}
	if err := notApproved(stateDir, f.Digest); err != nil {
		return nil, err
	}
	return a, nil
}

// decide is the approval of f by by without the excluded items, checked
// against the plan's expiry; it reads no file.
func decide(f *plan.File, by string, exclude []int, now time.Time, maxAge rules.Term, loc *time.Location, k *pseudonym.Keyed) (*Approval, error) {
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
		Items: len(f.Items), Excluded: []Excluded{},
	}
	if !now.Before(a.ExpiresAt) {
		return nil, fmt.Errorf("the plan expired on %s (plans are valid for %s): make a new plan", a.ExpiresAt.Format("2006-01-02"), maxAge.Describe("en"))
	}
	excluded := map[int]bool{}
	for _, n := range exclude {
		if n < 1 || n > len(f.Items) {
			return nil, fmt.Errorf("item %d is not an item of the plan (it has %d)", n, len(f.Items))
		}
		if !excluded[n-1] {
			excluded[n-1] = true
			it := f.Items[n-1]
			a.Excluded = append(a.Excluded, Excluded{Item: n, Record: RecordPseudonym(k, it.Store, it.Record)})
		}
	}
	for i, it := range f.Items {
		if IsAction(it.Action) && !excluded[i] {
			a.Actions++
		}
	}
	return a, nil
}

// notApproved refuses a plan that has an approval file already.
func notApproved(stateDir, digest string) error {
	path := Path(stateDir, digest)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if old, err := Parse(b); err == nil && old.Signature != "" {
		return fmt.Errorf("the plan was approved already, by %s at %s", old.ApprovedBy, old.ApprovedAt.Format(time.RFC3339))
	}
	return fmt.Errorf("%s exists but is not an approval signed by retentiond (forged, damaged or from an older version): look at it, remove it, and approve again", path)
}

// Save signs a with s (the ledger key) and writes it to
// STATE_DIR/approvals/, mode 0600, refusing to replace any file there.
func Save(stateDir string, a *Approval, s note.Signer) error {
	if err := checkComments(a); err != nil {
		return err
	}
	if err := sign(a, s); err != nil {
		return err
	}
	path := Path(stateDir, a.Plan)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := marshal(a)
	if err != nil {
		return err
	}
	if err := writeNew(path, b); err != nil {
		if errors.Is(err, os.ErrExist) {
			return notApproved(stateDir, a.Plan)
		}
		return err
	}
	return nil
}

// MaxComment is the longest comment an approval or rejection keeps, in
// characters.
const MaxComment = 2000

func checkComments(a *Approval) error {
	if utf8.RuneCountInString(a.Comment) > MaxComment || utf8.RuneCountInString(a.SecondComment) > MaxComment {
		return fmt.Errorf("the comment is longer than %d characters", MaxComment)
	}
	return nil
}

// sign sets a's Key and Signature: s's signature over SignedText.
func sign(a *Approval, s note.Signer) error {
	a.Key = fmt.Sprintf("%s+%08x", s.Name(), s.KeyHash())
	a.Signature = ""
	sig, err := s.Sign(a.SignedText())
	if err != nil {
		return fmt.Errorf("signing the approval: %w", err)
	}
	a.Signature = base64.StdEncoding.EncodeToString(sig)
	return nil
}

// marshal is the content of a's file.
func marshal(a *Approval) ([]byte, error) {
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Remove removes the approval file of the plan with digest: approve
// takes it back when the ledger could not record it.
func Remove(stateDir, digest string) error {
	return os.Remove(Path(stateDir, digest))
}

// SignedText is what the signature covers: a fixed prefix and the JSON
// of the approval without its signature (encoding/json writes a struct's
// fields in order, so the text is canonical).
func (a *Approval) SignedText() []byte {
	c := *a
	c.Signature = ""
	if c.Excluded == nil {
		c.Excluded = []Excluded{}
	}
	b, _ := json.Marshal(c) // a struct of strings, ints and times: cannot fail
	return append([]byte(signedPrefix), b...)
}

// LedgerEntry is the ledger's record of approval a: the plan, when, the
// approver's pseudonym and the counts.
func LedgerEntry(a *Approval, k *pseudonym.Keyed) ledger.Entry {
	return ledger.Entry{
		Time: a.ApprovedAt, Plan: a.Plan, Action: ledger.ActionApproved, Outcome: ledger.OutcomeDone,
		Reason: fmt.Sprintf("approved by %s: %d action(s) of %d item(s), %d excluded",
			ApproverPseudonym(k, a.ApprovedBy), a.Actions, a.Items, len(a.Excluded)),
	}
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

// IsExcluded reports whether the item at index i (0-based) was excluded.
func (a *Approval) IsExcluded(i int) bool {
	for _, x := range a.Excluded {
		if x.Item == i+1 {
			return true
		}
	}
	return false
}

// Path is the approval file of the plan with digest.
func Path(stateDir, digest string) string {
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

// Parse reads an approval file strictly: one JSON object of exactly the
// fields approve writes. It checks the form only; Load checks the
// signature and the plan. Errors never echo the file's content.
func Parse(b []byte) (*Approval, error) {
	var a Approval
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			return nil, fmt.Errorf("field %q has the wrong type", typ.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return nil, errors.New("has a field that approve does not write")
		default:
			return nil, errors.New("not valid JSON")
		}
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	if a.Excluded == nil {
		a.Excluded = []Excluded{}
	}
	return &a, nil
}

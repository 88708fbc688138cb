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
)

// Rejection records that a person rejected a plan: apply and the daemon
// carry nothing of it out, whether or not it was approved before. It is
// kept beside the plan's approval, in STATE_DIR/approvals/ as
// DIGEST.rejected.json (mode 0600), signed with the ledger key like an
// approval, and recorded in the ledger (RejectionLedgerEntry) by the
// rejecter's keyed pseudonym. The comment stays in the file: the ledger
// never holds it.
type Rejection struct {
	Plan         string    `json:"plan"` // the plan's digest
	Organisation string    `json:"organisation"`
	AsOf         string    `json:"as_of"`
	PlanCreated  string    `json:"plan_created_at"`
	RejectedBy   string    `json:"rejected_by"`
	RejectedAt   time.Time `json:"rejected_at"`
	Comment      string    `json:"comment"`
	Key          string    `json:"key"`
	Signature    string    `json:"signature"`
}

// ErrRejected is wrapped by Load's error when the plan was rejected.
var ErrRejected = errors.New("the plan was rejected")

// ActionRejected is the ledger action of a rejection.
const ActionRejected = "rejected"

// rejectionPrefix starts a rejection's signed text, so that its signature
// can never be taken for an approval's, a checkpoint's or an intent's.
const rejectionPrefix = "retentiond rejection v1\n"

// RejectionPath is the rejection file of the plan with digest.
func RejectionPath(stateDir, digest string) string {
	return filepath.Join(stateDir, "approvals", strings.TrimPrefix(digest, "sha256:")+".rejected.json")
}

// Reject decides the rejection of f by by with comment (required: it
// tells the next plan's reviewers why). It refuses a plan rejected
// before. It writes nothing: SaveRejection signs and writes it.
func Reject(stateDir string, f *plan.File, by, comment string, now time.Time) (*Rejection, error) {
	by, comment = strings.TrimSpace(by), strings.TrimSpace(comment)
	switch {
	case by == "":
		return nil, errors.New("say who rejects with --by NAME")
	case comment == "":
		return nil, errors.New("say why the plan is rejected (a comment)")
	case utf8.RuneCountInString(comment) > MaxComment:
		return nil, fmt.Errorf("the comment is longer than %d characters", MaxComment)
	}
	if err := notRejected(stateDir, f.Digest); err != nil {
		return nil, err
	}
	return &Rejection{Plan: f.Digest, Organisation: f.Organisation, AsOf: f.AsOf, PlanCreated: f.CreatedAt,
		RejectedBy: by, RejectedAt: now.UTC().Truncate(time.Second), Comment: comment}, nil
}

// SaveRejection signs r with s (the ledger key) and writes it, mode
// 0600, refusing to replace a file.
func SaveRejection(stateDir string, r *Rejection, s note.Signer) error {
	r.Key = fmt.Sprintf("%s+%08x", s.Name(), s.KeyHash())
	r.Signature = ""
	sig, err := s.Sign(r.SignedText())
	if err != nil {
		return fmt.Errorf("signing the rejection: %w", err)
	}
	r.Signature = base64.StdEncoding.EncodeToString(sig)
	path := RejectionPath(stateDir, r.Plan)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := writeNew(path, append(b, '\n')); err != nil {
		if errors.Is(err, os.ErrExist) {
			return notRejected(stateDir, r.Plan)
		}
		return err
	}
	return nil
}

// RemoveRejection removes the rejection file of the plan with digest:
// reject takes it back when the ledger could not record it.
func RemoveRejection(stateDir, digest string) error {
	return os.Remove(RejectionPath(stateDir, digest))
}

// SignedText is what a rejection's signature covers.
func (r *Rejection) SignedText() []byte {
	c := *r
	c.Signature = ""
	b, _ := json.Marshal(c) // strings and a time: cannot fail
	return append([]byte(rejectionPrefix), b...)
}

// RejectionLedgerEntry is the ledger's record of r: the plan, when and
// the rejecter's pseudonym; never the comment.
func RejectionLedgerEntry(r *Rejection, k *pseudonym.Keyed) ledger.Entry {
	return ledger.Entry{Time: r.RejectedAt, Plan: r.Plan, Action: ActionRejected, Outcome: ledger.OutcomeDone,
		Reason: "rejected by " + ApproverPseudonym(k, r.RejectedBy)}
}

// LoadRejection returns the rejection of f, checked against the ledger
// key v and the plan, or nil and no error if f was not rejected. A file
// that is not a valid rejection of f gives an error wrapping ErrInvalid:
// it is never taken for no rejection.
func LoadRejection(stateDir string, f *plan.File, v note.Verifier) (*Rejection, error) {
	path := RejectionPath(stateDir, f.Digest)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	invalid := func(why string) error {
		return fmt.Errorf("%w: %s: %s; it was not written by retentiond with this organisation's ledger key, or was changed since: nothing is applied on the plan while it is there (look at it, remove it, and reject the plan again if it should be)",
			ErrInvalid, path, why)
	}
	var r Rejection
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil || dec.More() {
		return nil, invalid("it is not a rejection as retentiond writes it")
	}
	key := fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())
	sig, err := base64.StdEncoding.Strict().DecodeString(r.Signature)
	switch {
	case r.Signature == "":
		return nil, invalid("it is not signed")
	case r.Key != key:
		return nil, invalid("it is not signed by the ledger key " + key)
	case err != nil || !v.Verify(r.SignedText(), sig):
		return nil, invalid("its signature does not verify with the ledger key " + key)
	case r.Plan != f.Digest || r.Organisation != f.Organisation || r.AsOf != f.AsOf || r.PlanCreated != f.CreatedAt:
		return nil, invalid("it is of another plan")
	case strings.TrimSpace(r.RejectedBy) == "" || r.RejectedAt.IsZero():
		return nil, invalid("it names no rejecter or time")
	}
	return &r, nil
}

// notRejected refuses a plan that has a rejection file.
func notRejected(stateDir, digest string) error {
	path := RejectionPath(stateDir, digest)
	_, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("%w (%s): make a new plan", ErrRejected, path)
}

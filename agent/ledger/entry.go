package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/retentiond/retentiond/agent/pseudonym"
)

// Entry is one action in the ledger. It holds codes and keyed pseudonyms
// only: never a name, a path or a value from a record.
type Entry struct {
	// Time is when the action happened; it is written in UTC.
	Time time.Time `json:"time"`
	// Plan is the digest of the approved plan ("sha256:<64 hex>"), or ""
	// for actions outside a plan (a hold added by hand).
	Plan string `json:"plan"`
	// Store is the configured store name.
	Store string `json:"store"`
	// Record is the keyed pseudonym of the record (pseudonym.Keyed.Record),
	// or "".
	Record string `json:"record"`
	// Subject is the keyed pseudonym of the data subject
	// (pseudonym.Keyed.Subject), or "" if the record has none.
	Subject string `json:"subject"`
	// Category is the record's category ("child-dossier").
	Category string `json:"category"`
	// Rule is the id of the retention rule ("C1"), or "".
	Rule string `json:"rule"`
	// Action is what was done: one of the Action constants or another code.
	Action string `json:"action"`
	// Outcome is how it ended: one of the Outcome constants or another code.
	Outcome string `json:"outcome"`
	// Reason is a short code or sentence explaining the outcome. It must
	// not contain personal data; the ledger cannot check that.
	Reason string `json:"reason"`
}

// Common actions. Action is a free vocabulary of codes; these are the ones
// retentiond writes.
const (
	ActionDelete       = "delete"
	ActionPseudonymise = "pseudonymise"
	ActionHoldAdded    = "hold-added"
	ActionHoldReleased = "hold-released"
	ActionRequestDone  = "request-done"
	ActionApproved     = "approved" // a plan was approved (approval.LedgerEntry)
)

// Common outcomes.
const (
	OutcomeDone    = "done"    // the action was carried out
	OutcomeSkipped = "skipped" // deliberately not done (changed since the plan, held, no longer due)
	OutcomeFailed  = "failed"  // tried and failed; Reason says how
	OutcomeGone    = "gone"    // the record no longer existed
)

// Limits that keep an entry a line of codes rather than a place for text.
const (
	maxCode   = 64
	maxReason = 300
)

// marshalEntry returns the canonical line for e (without the newline):
// encoding/json of the struct with the time in UTC.
func marshalEntry(e Entry) ([]byte, error) {
	e.Time = e.Time.UTC()
	if err := e.validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("ledger entry: %w", err)
	}
	return b, nil
}

// parseEntry parses a line of entries.jsonl strictly: valid JSON of
// exactly the Entry fields, in canonical form, with valid values.
func parseEntry(line []byte) (Entry, error) {
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			return Entry{}, fmt.Errorf("%s: wrong type (want a string)", typ.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			// The field name comes from the file; it is not echoed in
			// case it is personal data.
			return Entry{}, errors.New("has a field that is not part of a ledger entry")
		default:
			return Entry{}, errors.New("not valid JSON")
		}
	}
	if dec.More() {
		return Entry{}, errors.New("not valid JSON: more than one value on the line")
	}
	if err := e.validate(); err != nil {
		return Entry{}, err
	}
	canon, err := json.Marshal(e)
	if err != nil || !bytes.Equal(canon, line) {
		return Entry{}, errors.New("not in canonical form (fields, order, spacing or time format differ from what retentiond writes: edited by hand?)")
	}
	return e, nil
}

// validate checks the shape of every field. Errors name the field, never
// its value: a value in the wrong place may be personal data.
func (e Entry) validate() error {
	if e.Time.IsZero() {
		return errors.New("time: missing")
	}
	if y := e.Time.Year(); y < 2000 || y > 9999 {
		return errors.New("time: year out of range")
	}
	if e.Plan != "" && !isPlanDigest(e.Plan) {
		return errors.New(`plan: not a plan digest ("sha256:" and 64 lower-case hex digits)`)
	}
	for _, f := range []struct {
		name, v string
	}{{"record", e.Record}, {"subject", e.Subject}} {
		if f.v != "" && !pseudonym.IsPseudonym(f.v) {
			return fmt.Errorf("%s: not a keyed pseudonym (%d lower-case hex digits from pseudonym.Keyed)", f.name, 2*pseudonym.Size)
		}
	}
	for _, f := range []struct {
		name, v  string
		required bool
	}{
		{"store", e.Store, false},
		{"category", e.Category, false},
		{"rule", e.Rule, false},
		{"action", e.Action, true},
		{"outcome", e.Outcome, true},
	} {
		if f.v == "" {
			if f.required {
				return fmt.Errorf("%s: missing", f.name)
			}
			continue
		}
		if !isCode(f.v) {
			return fmt.Errorf("%s: not a code (up to %d letters, digits and . _ : / -)", f.name, maxCode)
		}
	}
	if utf8.RuneCountInString(e.Reason) > maxReason || !utf8.ValidString(e.Reason) ||
		strings.ContainsFunc(e.Reason, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("reason: must be one line of at most %d characters", maxReason)
	}
	return nil
}

func isCode(s string) bool {
	if len(s) > maxCode {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '_', c == ':', c == '/', c == '-':
		default:
			return false
		}
	}
	return true
}

func isPlanDigest(s string) bool {
	hex, ok := strings.CutPrefix(s, "sha256:")
	if !ok || len(hex) != 64 {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if c := hex[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

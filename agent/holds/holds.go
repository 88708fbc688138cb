// Package holds keeps the legal holds of an organisation: data frozen
// during a dispute, a labour conflict or an audit, which no plan may
// delete or change while the hold lasts, whatever its retention rule says.
//
// A hold covers either one data subject (every record tied to that
// subject, in every store) or a path in one store (a glob with * and **,
// as in layouts). It lasts until a date, or until it is released. Holds
// live in STATE_DIR/holds.json (see Set); the planner asks a Matcher built
// from the active holds whether a record is held.
//
// A hold's reason is free text from the administrator and may name
// people: it is kept in holds.json (mode 0600) only, never in a log, an
// error, a metric or the ledger (see LedgerEntry).
package holds

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/retentiond/retentiond/rules"
)

// SubjectRef names one data subject by type and registry id, as
// `--subject TYPE:ID` does on the command line.
type SubjectRef struct {
	Type rules.SubjectType
	ID   string
}

// ParseSubjectRef parses "TYPE:ID", such as "child:1234". The error names
// what is wrong, never the id.
func ParseSubjectRef(s string) (SubjectRef, error) {
	typ, id, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return SubjectRef{}, fmt.Errorf("subject: write TYPE:ID, such as child:1234 (TYPE is one of %s)", subjectTypeList())
	}
	r := SubjectRef{Type: rules.SubjectType(strings.TrimSpace(typ)), ID: strings.TrimSpace(id)}
	if err := r.Check(); err != nil {
		return SubjectRef{}, err
	}
	return r, nil
}

// Check reports whether r names a known subject type and a usable id.
// The error names the field, never the id.
func (r SubjectRef) Check() error {
	if !isSubjectType(r.Type) {
		return fmt.Errorf("subject: type is not one of %s", subjectTypeList())
	}
	switch {
	case r.ID == "":
		return errors.New("subject: id is missing: give the id from the registry, such as child:1234")
	case r.ID != strings.TrimSpace(r.ID):
		return errors.New("subject: id starts or ends with a space: remove it")
	case hasControl(r.ID):
		return errors.New("subject: id contains a control character")
	case len(r.ID) > maxID:
		return fmt.Errorf("subject: id is longer than %d bytes", maxID)
	}
	return nil
}

// Hold is one legal hold.
type Hold struct {
	// ID names the hold, such as "H-0007"; Add assigns it.
	ID string
	// Subject is the data subject held, or nil for a path hold.
	Subject *SubjectRef
	// Store and PathGlob name the records held by a path hold: a store's
	// configured name and a slash-separated glob relative to its root (see
	// CheckGlob for what it matches). Both are empty for a subject hold.
	Store    string
	PathGlob string
	// Reason says why, for the administrator. It may hold personal data:
	// it is stored in holds.json only, never logged or put in the ledger.
	Reason string
	// Until is the last day the hold lasts; zero means until released.
	Until rules.Date
	// AddedBy and AddedAt say who added the hold and when.
	AddedBy string
	AddedAt time.Time
	// ReleasedBy and ReleasedAt say who released the hold and when; empty
	// and nil while it has not been released.
	ReleasedBy string
	ReleasedAt *time.Time
}

// Released reports whether h has been released.
func (h Hold) Released() bool { return h.ReleasedAt != nil }

// ActiveOn reports whether h holds on day d: it has not been released and
// d is on or before its Until day (or it has none). A hold with Until
// 2027-03-01 holds on 1 March and no longer on 2 March.
func (h Hold) ActiveOn(d rules.Date) bool {
	return !h.Released() && (h.Until.IsZero() || !d.After(h.Until))
}

// Limits that keep the state file a list of holds, not a document store.
const (
	maxID     = 200
	maxGlob   = 1000
	maxReason = 2000
	maxBy     = 200
)

var (
	storeNameRe = regexp.MustCompile(`^[a-z0-9-]+$`)
	holdIDRe    = regexp.MustCompile(`^H-[0-9]{4,}$`)
)

// check validates the parts of h that Add takes from the caller. Errors
// name the field and how to fix it, never the reason, the subject id or
// the glob.
func (h Hold) check() error {
	switch {
	case h.Subject != nil && (h.Store != "" || h.PathGlob != ""):
		return errors.New("a hold is on a subject or on a store path, not both: give either --subject or --store with --path")
	case h.Subject != nil:
		if err := h.Subject.Check(); err != nil {
			return err
		}
	case h.Store == "" && h.PathGlob == "":
		return errors.New("say what is held: --subject TYPE:ID, or --store NAME with --path GLOB")
	case h.Store == "":
		return errors.New("store: missing: a path hold names the store its path is in (--store NAME)")
	case !storeNameRe.MatchString(h.Store):
		return errors.New("store: not a store name (lower-case letters, digits and -, as in the config's stores)")
	case h.PathGlob == "":
		return errors.New(`path: missing: give a path in the store, such as "Personeel/2024/**"`)
	default:
		if err := CheckGlob(h.PathGlob); err != nil {
			return err
		}
	}
	if err := checkText("reason", h.Reason, maxReason, true); err != nil {
		return err
	}
	return checkText("added by", h.AddedBy, maxBy, false)
}

// checkText checks a free-text field without repeating it. Reasons may
// span lines; names may not.
func checkText(field, s string, max int, multiline bool) error {
	switch {
	case strings.TrimSpace(s) == "":
		if field == "reason" {
			return errors.New("reason: missing: say why the data is held (it is stored in holds.json only, never logged)")
		}
		return fmt.Errorf("%s: missing: say who you are (--by NAME)", field)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s: not valid UTF-8 text", field)
	case utf8.RuneCountInString(s) > max:
		return fmt.Errorf("%s: longer than %d characters", field, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) {
			return fmt.Errorf("%s: contains a control character", field)
		}
	}
	return nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

func isSubjectType(t rules.SubjectType) bool {
	for _, k := range rules.SubjectTypes {
		if k == t {
			return true
		}
	}
	return false
}

func subjectTypeList() string {
	names := make([]string, len(rules.SubjectTypes))
	for i, t := range rules.SubjectTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// Package review keeps what people decided about review items: records the
// planner cannot decide alone (a folder no layout matches, two children of
// one name, a name and a number that disagree). Without a decision such a
// record comes back to review in every plan.
//
// A Resolution names one record of a store, or every record under a
// folder ("PATH/**"), and says one of three things:
//
//   - KindSubject: the record belongs to this data subject. It is then
//     decided by that subject's rules, exactly as if its layout had named
//     the subject, and may become due under them (the plan still needs
//     approval).
//   - KindNotPersonal: it holds no personal data: keep it, and stop asking.
//   - KindKeepUntil: keep it through Until, then put it back to review.
//
// The planner applies a resolution only to a record that would otherwise
// be review: it never overrides what a layout and the rules decided, and a
// legal hold still holds. A resolution that no longer matches anything is
// harmless.
//
// Resolutions live in STATE_DIR/resolutions.json (mode 0600, changed under
// a lock and written atomically; see agent/holds/statefile). Each carries
// a seal, a keyed MAC under the pseudonym key, so that one added or
// changed by hand is refused: a --subject resolution can make records
// due, and only `retentiond review resolve`, which writes the ledger
// entry, may make one. The reason and the resolver's name are kept there
// only; the ledger gets pseudonyms (see LedgerEntry).
package review

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/rules"
)

// Kind is what a resolution says of its records.
type Kind string

// The kinds of resolution.
const (
	KindSubject     Kind = "subject"
	KindNotPersonal Kind = "not-personal"
	KindKeepUntil   Kind = "keep-until"
)

// Resolution is one person's decision on review items.
type Resolution struct {
	// ID names the resolution, such as "R-0001"; Resolve assigns it.
	ID string
	// Store is the configured store's name; Path the record's id in it,
	// or a folder and everything under it ("Onbekend/**"). A zip's id
	// covers its entries too.
	Store string
	Path  string
	Kind  Kind
	// Subject is the subject a KindSubject resolution ties the records
	// to; Category, if set, their category (otherwise their layout's).
	Subject  *holds.SubjectRef
	Category rules.Category
	// Until is the last day a KindKeepUntil resolution keeps its records.
	Until rules.Date
	// Reason and By are the administrator's words and name: kept in
	// resolutions.json only, never in a log, an error or the ledger.
	Reason string
	By     string
	At     time.Time
	// UndoneBy and UndoneAt say who undid it (`review unresolve`) and
	// when; an undone resolution matches nothing.
	UndoneBy string
	UndoneAt *time.Time
}

// Active reports whether the resolution has not been undone.
func (r Resolution) Active() bool { return r.UndoneAt == nil }

// Prefix returns the folder a "PATH/**" resolution covers (without the
// trailing slash), and false for one that names one record.
func (r Resolution) Prefix() (string, bool) {
	base, ok := strings.CutSuffix(r.Path, "/**")
	return base, ok
}

// Target is "store:path", as the administrator typed it.
func (r Resolution) Target() string { return r.Store + ":" + r.Path }

// Limits that keep the state file a list of decisions, not a document
// store.
const (
	maxPath   = 4000
	maxReason = 2000
	maxBy     = 200
)

var (
	storeNameRe = regexp.MustCompile(`^[a-z0-9-]+$`)
	idRe        = regexp.MustCompile(`^R-[0-9]{4,}$`)
)

// CheckPath reports whether p names one record ("Map/bestand.pdf", as
// `review list` shows it) or a folder ("Map/**"). The error names the
// position of a bad folder name, never the path.
func CheckPath(p string) error {
	switch {
	case p == "":
		return errors.New(`path: missing: give the record as review list shows it, or a folder as PATH/**`)
	case len(p) > maxPath:
		return fmt.Errorf("path: longer than %d bytes", maxPath)
	case !utf8.ValidString(p):
		return errors.New("path: not valid UTF-8")
	case strings.ContainsFunc(p, unicode.IsControl):
		return errors.New("path: contains a control character")
	case strings.HasPrefix(p, "/"):
		return errors.New("path: starts with /: paths are relative to the store's root, as review list shows them")
	case p == "**":
		return errors.New("path: ** alone is the whole store: resolve folders, or give the store a layout")
	}
	base, _ := strings.CutSuffix(p, "/**")
	if strings.Contains(base, "**") {
		return errors.New("path: ** only ends a folder (PATH/**): a resolution names one record or one folder")
	}
	if strings.HasSuffix(base, "/") {
		return errors.New("path: ends with /: write PATH/** for a folder and everything in it")
	}
	for i, seg := range strings.Split(base, "/") {
		switch seg {
		case "":
			return fmt.Errorf("path: folder name %d is empty (// or a leading /): remove the extra /", i+1)
		case ".", "..":
			return fmt.Errorf("path: folder name %d is %s: paths stay inside the store, remove it", i+1, seg)
		}
	}
	return nil
}

// check validates what Resolve takes from the caller. Errors name the
// field and how to fix it, never a value.
func (r Resolution) check() error {
	switch {
	case r.Store == "":
		return errors.New("store: missing: write STORE:RECORD")
	case !storeNameRe.MatchString(r.Store):
		return errors.New("store: not a store name (lower-case letters, digits and -, as in the config's stores)")
	}
	if err := CheckPath(r.Path); err != nil {
		return err
	}
	switch r.Kind {
	case KindSubject:
		if r.Subject == nil {
			return errors.New("subject: missing: a subject resolution names the subject (--subject TYPE:ID)")
		}
		if err := r.Subject.Check(); err != nil {
			return err
		}
		if r.Category != "" && !rules.IsCategory(r.Category) {
			return fmt.Errorf("category: not a category (one of %s)", categoryList())
		}
	case KindNotPersonal, KindKeepUntil:
		if r.Subject != nil {
			return errors.New("subject: only a subject resolution names a subject (give --subject, --not-personal or --keep-until, one of them)")
		}
		if r.Category != "" {
			return errors.New("category: only a subject resolution takes a category (with --subject)")
		}
	default:
		return fmt.Errorf("kind: not one of %s, %s, %s", KindSubject, KindNotPersonal, KindKeepUntil)
	}
	if (r.Kind == KindKeepUntil) != !r.Until.IsZero() {
		return errors.New("until: a keep-until resolution, and only that one, has a last day (--keep-until YYYY-MM-DD)")
	}
	if err := checkText("reason", r.Reason, maxReason, true); err != nil {
		return err
	}
	return checkText("by", r.By, maxBy, false)
}

// checkText checks a free-text field without repeating it.
func checkText(field, s string, max int, multiline bool) error {
	switch {
	case strings.TrimSpace(s) == "" && field == "reason":
		return errors.New("reason: missing: say why (--reason TEXT; kept in the state dir only, never logged)")
	case strings.TrimSpace(s) == "":
		return fmt.Errorf("%s: missing: say who you are (--by NAME)", field)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s: not valid UTF-8 text", field)
	case utf8.RuneCountInString(s) > max:
		return fmt.Errorf("%s: longer than %d characters", field, max)
	}
	for _, c := range s {
		if unicode.IsControl(c) && !(multiline && (c == '\n' || c == '\t')) {
			return fmt.Errorf("%s: contains a control character", field)
		}
	}
	return nil
}

func categoryList() string {
	var s []string
	for _, c := range rules.Categories {
		s = append(s, string(c))
	}
	return strings.Join(s, ", ")
}

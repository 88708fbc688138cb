// Package notify tells an administrator that something needs attention:
// a plan awaits review, an approved plan was carried out, or a run failed.
// It sends an e-mail (SMTP with STARTTLS) and/or a webhook POST.
//
// A message holds counts, the organisation and store names from the
// config, a short plan digest, where the report is and, with the review
// console on, a link to the plan's or request's page there (by the ids
// retentiond makes, see ConsoleLink) — never personal data. That is enforced by shape rather than by care: an Event has no
// field for a name, a file name or a record id, its free-text fields are
// cut to one short line, and its count keys must be plain words. The
// details live in the report, which only the administrator can read.
package notify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Kinds of event.
const (
	// KindPlanReady: a new plan waits for an administrator's review.
	KindPlanReady = "plan-ready"
	// KindFailure: a scan, plan or apply failed.
	KindFailure = "failure"
	// KindApplyDone: an approved plan was carried out.
	KindApplyDone = "apply-done"
)

// Kinds lists every kind of event, in the order used in docs and configs.
var Kinds = []string{KindPlanReady, KindFailure, KindApplyDone}

// Languages a message can be written in; the first is the default.
var Languages = []string{"nl", "en"}

// maxText caps the free-text fields so that a caller cannot, by mistake,
// pour a whole error chain (which might quote a record) into a message.
const maxText = 200

// Event is one thing to tell the administrator. Every field is either from
// the config (organisation, store, paths) or made by retentiond itself
// (counts, digest); none may hold personal data.
type Event struct {
	Kind         string         // KindPlanReady, KindFailure or KindApplyDone
	Organisation string         // config's organisation
	Store        string         // config store name, or "" when not about one store
	Counts       map[string]int // delete, pseudonymise, review, hold, keep, done, failed, …
	Report       string         // path or URL of the report
	Plan         string         // plan digest, short
	PlanPath     string         // plan directory or plan.json, for the approve command
	ConfigPath   string         // config file, for the approve command
	// Console is the review console's address (console.public_url), ""
	// when the console is off; with PlanID or Request the message links
	// to that page of the console (ConsoleLink), and a plan ready for
	// review is approved there.
	Console string
	PlanID  string    // the plan's folder name ("20261123-020000")
	Request string    // the request the event is about ("REQ-0007")
	Error   string    // short PD-free description, e.g. "scan of store dossiers failed"
	Time    time.Time // when it happened; zero means now
	Lang    string    // "nl" (default) or "en"
}

// countKey is what a count may be called: a plain word, so that a count
// key can never carry a name or a file name into a message.
var countKey = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// Check reports whether e can be sent: a known kind and language, count
// keys that are plain words and counts that are not negative.
func (e Event) Check() error {
	var errs []error
	if !slices.Contains(Kinds, e.Kind) {
		errs = append(errs, fmt.Errorf("event kind %q is unknown; use one of %s", cut(e.Kind, 40), strings.Join(Kinds, ", ")))
	}
	if e.Lang != "" && !slices.Contains(Languages, e.Lang) {
		errs = append(errs, fmt.Errorf("event language %q is unknown; use one of %s", cut(e.Lang, 10), strings.Join(Languages, ", ")))
	}
	for _, k := range slices.Sorted(maps.Keys(e.Counts)) {
		if !countKey.MatchString(k) {
			// The key itself is not quoted: it is exactly what is suspect.
			errs = append(errs, errors.New("event count key is not a plain word (a-z, 0-9, _ or -, at most 32): use a count name such as delete or failed"))
			continue
		}
		if e.Counts[k] < 0 {
			errs = append(errs, fmt.Errorf("event count %s is negative", k))
		}
	}
	return errors.Join(errs...)
}

// normalise fills the defaults and makes every free-text field a single
// short line, so that no field can add a header or a line to a message.
func (e Event) normalise(now func() time.Time) Event {
	if e.Lang == "" {
		e.Lang = Languages[0]
	}
	if e.Time.IsZero() {
		e.Time = now()
	}
	e.Organisation = oneLine(e.Organisation)
	e.Store = oneLine(e.Store)
	e.Report = oneLine(e.Report)
	e.Plan = oneLine(e.Plan)
	e.PlanPath = oneLine(e.PlanPath)
	e.ConfigPath = oneLine(e.ConfigPath)
	e.Console = oneLine(e.Console)
	e.PlanID = oneLine(e.PlanID)
	e.Request = oneLine(e.Request)
	e.Error = oneLine(e.Error)
	return e
}

// oneLine replaces control characters by spaces, trims, and cuts to maxText.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return cut(strings.TrimSpace(s), maxText)
}

// cut shortens s to at most n runes, marking the cut with an ellipsis.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Notifier sends one event somewhere. Notify returns an error that names
// the destination by scheme and host only, never a secret, and never
// quotes the message.
type Notifier interface {
	Notify(ctx context.Context, e Event) error
}

// Multi sends each event to all its notifiers at once and joins their
// errors, so that a broken mail server does not stop the webhook.
type Multi []Notifier

// Notify sends e to every notifier and waits for all of them.
func (m Multi) Notify(ctx context.Context, e Event) error {
	errs := make([]error, len(m))
	var wg sync.WaitGroup
	for i, n := range m {
		wg.Go(func() { errs[i] = n.Notify(ctx, e) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Config is the notify section of the daemon's config.
type Config struct {
	Lang    string         `yaml:"lang"`    // "nl" (default) or "en"; an event's own Lang wins
	On      []string       `yaml:"on"`      // kinds to send; empty means all
	SMTP    *SMTPConfig    `yaml:"smtp"`    // nil: no e-mail
	Webhook *WebhookConfig `yaml:"webhook"` // nil: no webhook
}

// Validate checks c and its parts without touching the network or files.
// Its errors are *ConfigError values joined with errors.Join.
func (c Config) Validate() error {
	var errs []error
	if c.Lang != "" && !slices.Contains(Languages, c.Lang) {
		errs = append(errs, &ConfigError{Key: "notify.lang", Msg: "unknown language", Fix: "use nl or en"})
	}
	for i, k := range c.On {
		if !slices.Contains(Kinds, k) {
			errs = append(errs, &ConfigError{Key: fmt.Sprintf("notify.on[%d]", i), Msg: "unknown event kind",
				Fix: "use " + strings.Join(Kinds, ", ")})
		}
	}
	if c.SMTP != nil {
		errs = append(errs, c.SMTP.Validate())
	}
	if c.Webhook != nil {
		errs = append(errs, c.Webhook.Validate())
	}
	return errors.Join(errs...)
}

// New builds the notifier c describes: every configured destination,
// sending only the kinds in c.On, in c.Lang unless an event sets its own.
// With nothing configured it returns a notifier that sends nothing.
func New(c Config) (Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var m Multi
	if c.SMTP != nil {
		s, err := NewSMTP(*c.SMTP)
		if err != nil {
			return nil, err
		}
		m = append(m, s)
	}
	if c.Webhook != nil {
		w, err := NewWebhook(*c.Webhook)
		if err != nil {
			return nil, err
		}
		m = append(m, w)
	}
	return &filter{next: m, on: c.On, lang: c.Lang}, nil
}

// filter drops kinds the config did not ask for and sets the language.
type filter struct {
	next Notifier
	on   []string
	lang string
}

func (f *filter) Notify(ctx context.Context, e Event) error {
	if len(f.on) > 0 && !slices.Contains(f.on, e.Kind) {
		return nil
	}
	if e.Lang == "" {
		e.Lang = f.lang
	}
	return f.next.Notify(ctx, e)
}

// ConfigError is one problem in a notify config: the YAML key (such as
// notify.smtp.host), what is wrong, and how to fix it. It never quotes a
// secret or a URL.
type ConfigError struct {
	Key string
	Msg string
	Fix string
}

// Error formats e as "key: msg; fix: fix".
func (e *ConfigError) Error() string {
	s := e.Key + ": " + e.Msg
	if e.Fix != "" {
		s += "; fix: " + e.Fix
	}
	return s
}

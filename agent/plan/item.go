// Package plan scans stores, classifies their records, evaluates the
// retention policy and streams the resulting plan items to writers. It
// changes nothing in any store.
//
// Most records are decided one by one as they are listed. Backups under a
// backup rotation rule (V2, V4: a layout entry with rule:, or a backup
// layout that one enabled rotation rule covers) are decided as a set with
// rules/rotation: they are held back per layout entry while their store is
// listed, and decided when the listing has completed, so that a failed
// listing decides none of them. Recheck, Redecide and Explain, which
// apply and explain call per record, list a store once per run to decide
// its backups with their sets.
package plan

import (
	"time"

	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// Version is the plan.json format version.
const Version = 1

// Header is what plan.json says before its items.
type Header struct {
	Version      int    `json:"version"`
	Organisation string `json:"organisation"`
	AsOf         string `json:"as_of"`
	CreatedAt    string `json:"created_at"`
	// ConfigSHA256 is the hex SHA-256 of the config file's bytes, for
	// reference; Decision, not it, binds the plan (see CheckDecision).
	ConfigSHA256 string `json:"config_sha256"`
	// Decision is the digest of what decides the plan, per section
	// (config.DecisionDigest); absent in plans of earlier versions.
	Decision *config.Decision `json:"decision,omitempty"`
	Policy   string           `json:"policy"`
	Lang     string           `json:"lang"`
	All      bool             `json:"all"` // keep items are listed too
	// Request is the data-subject request the plan answers ("REQ-0002"):
	// it then lists that subject's items only.
	Request string `json:"request,omitempty"`
}

// SubjectRef names the subject of an item. Name is personal data: it goes
// into the plan files the administrator reads (mode 0600), nowhere else.
type SubjectRef struct {
	Type rules.SubjectType `json:"type"`
	ID   string            `json:"id"`
	Name string            `json:"name"`
}

// Entries counts an archive's entries and what the policy said of them.
type Entries struct {
	Total  int `json:"total"`
	Due    int `json:"due"`
	Review int `json:"review"`
	Hold   int `json:"hold"`
	// Unlisted counts the entries that cannot be named safely (see
	// scanners.Record.Unlisted): the zip then goes to review as a whole.
	Unlisted int `json:"unlisted,omitempty"`
}

// Item is one record's line in the plan.
type Item struct {
	Store    string         `json:"store"`
	Record   string         `json:"record"`
	Kind     string         `json:"kind"`
	Subject  *SubjectRef    `json:"subject"`
	Category rules.Category `json:"category,omitempty"`
	Trigger  *rules.Trigger `json:"trigger,omitempty"`
	Rule     string         `json:"rule,omitempty"`
	Action   rules.Action   `json:"action"`
	Due      string         `json:"due,omitempty"`
	Reason   string         `json:"reason"`
	Basis    string         `json:"basis,omitempty"`
	Version  string         `json:"version"`
	Size     int64          `json:"size"`
	Modified string         `json:"modified"`
	Entries  *Entries       `json:"entries,omitempty"`
	// File is, for an export row, the file that holds it (relative to the
	// export store's folder): apply rewrites each file once for its rows.
	File string `json:"file,omitempty"`
	// Fields lists, for action pseudonymise, the field kinds of an export
	// row to pseudonymise; FieldDecisions says of every field of the row
	// whether it goes or stays, and why.
	Fields         []string    `json:"fields,omitempty"`
	FieldDecisions []FieldItem `json:"field_decisions,omitempty"`
	// Warnings are problems with the record's data that need a person's
	// look, such as a value in a BSN column that fails the 11-test.
	Warnings []string `json:"warnings,omitempty"`
	// Links are the record's sharing links that reach beyond named
	// people (findings); an item with links is listed even when kept.
	Links []Link `json:"links,omitempty"`
	// Locked says the store itself holds the record (S3 Object Lock).
	Locked bool `json:"locked,omitempty"`
	// Held names the legal hold that freezes the record ("H-0007"); the
	// item is then hold whatever its rules say.
	Held string `json:"held,omitempty"`
	// Resolved names the review resolution that settled the record
	// ("R-0003"): a person tied it to a subject, said it holds no
	// personal data, or keeps it until a day (agent/review).
	Resolved string `json:"resolved,omitempty"`
}

// StoreResult says how the scan of one store went.
type StoreResult struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Records int    `json:"records"`
	// Error is set when listing failed: then the plan holds no item of
	// this store, so nothing in it can be acted on.
	Error string `json:"error,omitempty"`
	// Summary counts the store's items per action, Overdue those past
	// their due date and still present, Locked those the store itself
	// holds, and Links the records with sharing links per scope: the
	// daemon's metrics are made from them.
	Summary Summary        `json:"summary"`
	Overdue int            `json:"overdue"`
	Locked  int            `json:"locked,omitempty"`
	Links   map[string]int `json:"sharing_links,omitempty"`
	// Resolved counts, per review resolution, the records of the store
	// it settled: one that settles none no longer matches anything
	// (harmless; `review list --resolutions` shows it).
	Resolved map[string]int `json:"resolved,omitempty"`
	// Elapsed is how long the store's own scan took (opening excluded):
	// listing and deciding its records. Not in plan.json.
	Elapsed time.Duration `json:"-"`
}

// Summary counts items per action. Keep counts every record not yet due,
// listed or not.
type Summary struct {
	Delete       int `json:"delete"`
	Pseudonymise int `json:"pseudonymise"`
	Review       int `json:"review"`
	Hold         int `json:"hold"`
	Keep         int `json:"keep"`
}

// Add counts one item of action a.
func (s *Summary) Add(a rules.Action) {
	switch a {
	case rules.Delete:
		s.Delete++
	case rules.Pseudonymise:
		s.Pseudonymise++
	case rules.Review:
		s.Review++
	case rules.Hold:
		s.Hold++
	case rules.Keep:
		s.Keep++
	}
}

// Total is the number of records counted.
func (s Summary) Total() int { return s.Delete + s.Pseudonymise + s.Review + s.Hold + s.Keep }

// Sink receives a plan as it is made: the header, then each store's items
// followed by Commit (the store's listing completed) or Discard (it
// failed: the sink must drop every item since the last Commit), then the
// stores' results and the summary.
type Sink interface {
	Begin(h Header) error
	Item(it *Item) error
	Commit() error
	Discard() error
	End(stores []StoreResult, sum Summary) error
}

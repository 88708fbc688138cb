// Package scanners defines the store interface that every place personal
// data lives behind (local folders, iCloud Drive, OneDrive, S3, vendor
// exports), the records a store lists, and the errors stores share.
//
// A store lists records by streaming them to a callback, so that memory does
// not grow with the number of records. Stores know nothing of subjects,
// categories or rules: they do not import rules or agent.
package scanners

import (
	"context"
	"errors"
	"io"
	"time"
)

// Kind says what a record is.
type Kind string

// Record kinds.
const (
	// KindFile is an ordinary file or object.
	KindFile Kind = "file"
	// KindPlaceholder is a file that exists in the cloud but is not
	// downloaded (an iCloud Drive ".Name.ext.icloud" placeholder). Its ID
	// is the real file's path; deleting it deletes the file in the cloud.
	KindPlaceholder Kind = "placeholder"
	// KindArchive is a zip archive whose entries are listed as records of
	// their own. An archive is read-only: it can only be deleted whole.
	KindArchive Kind = "archive"
	// KindArchiveEntry is a file inside an archive. It cannot be deleted
	// on its own (Delete returns ErrReadOnly).
	KindArchiveEntry Kind = "archive-entry"
	// KindRow is one row of a vendor export (CSV, XLSX or JSON) in an
	// export store. It cannot be deleted on its own: the store removes or
	// changes rows by rewriting the file that holds them. Its Row says
	// which file and row it is and what is in it.
	KindRow Kind = "row"
)

// ArchiveSep separates an archive's ID from the path of an entry inside it:
// "2015/scans.zip!/Jansen, Piet/intake.pdf".
const ArchiveSep = "!/"

// Record is one item a store lists.
type Record struct {
	// ID is stable across scans and unique in the store: for files the
	// slash-separated path relative to the store's root (never starting
	// with "/" and never containing ".." elements); for archive entries
	// the archive's ID, ArchiveSep and the entry's path; for rows the
	// file's path, "#", and the row (see the export store).
	ID string
	// Kind says what the record is.
	Kind Kind
	// Size in bytes (for a placeholder, the size iCloud reports, or 0).
	Size int64
	// ModTime is the last modification time.
	ModTime time.Time
	// Version is an opaque token that changes whenever the content or
	// metadata that matter change (etag, size+mtime, content hash). Apply
	// compares it with the plan's before acting.
	Version string
	// Archive is the ID of the archive holding this record, for
	// KindArchiveEntry; "" otherwise.
	Archive string
	// Unlisted counts, for KindArchive, the entries that are not listed
	// because they cannot be named safely: a name with a NUL byte, a ".."
	// element or an absolute path, a folder entry that holds data, a name
	// another entry already has. Nothing is known of what they hold, so
	// such an archive must never be deleted on its entries' account.
	Unlisted int
	// Row describes a KindRow record; nil otherwise.
	Row *Row
	// Lock is set when the store itself forbids deleting the record now
	// (S3 Object Lock retention or legal hold): the plan shows it as hold
	// whatever the rules say, and apply never tries.
	Lock *Lock
	// Shared says the store marks the record, or a folder above it, as
	// shared beyond its owner (Graph's shared facet). Stores that
	// implement LinkLister are asked for the record's links only when
	// it is set, so that a scan costs no request per record.
	Shared bool
	// Versions counts the record's stored versions, current one
	// included, where the store keeps versions (S3 with versioning:
	// noncurrent versions and delete markers of the key); 0 if unknown.
	// Deleting the record removes every one of them.
	Versions int
}

// Lock says why and until when a store refuses to delete a record.
type Lock struct {
	// Mode is "legal-hold", "compliance" or "governance".
	Mode string
	// Until is when a retention lock ends; zero for a legal hold, which
	// lasts until someone lifts it.
	Until time.Time
}

// Link is a sharing link that reaches beyond named people: anyone with
// the link, or everyone in the organisation. It holds no URL (the URL
// itself grants access).
type Link struct {
	// Scope is "anonymous" or "organization".
	Scope string
	// Type is the link's type: "view", "edit", "embed", ...
	Type string
	// Roles are what the link grants ("read", "write").
	Roles []string
	// Expires is when the link stops working; zero if never.
	Expires time.Time
	// HasPassword says the link needs a password.
	HasPassword bool
	// Inherited says the link was made on a folder holding the file.
	Inherited bool
}

// LinkLister is implemented by stores whose files can be shared by link.
type LinkLister interface {
	// Links lists the anonymous and organisation-wide links that reach
	// the record.
	Links(ctx context.Context, id string) ([]Link, error)
}

// DeleteRequest is a record to delete and the version it was planned at.
type DeleteRequest struct {
	// ID is the record's ID as Scan listed it.
	ID string
	// Version is the record's Version in the plan: the store deletes the
	// record only if it is still at this version.
	Version string
}

// BatchDeleter is implemented by stores that delete many records in few
// requests (Graph $batch, S3 DeleteObjects), checking each record's
// version as they go.
type BatchDeleter interface {
	// DeleteMany deletes the records and returns one error per request,
	// in order (nil: deleted). An error wraps ErrNotFound when the record
	// is gone, ErrChanged when it is no longer at its planned version,
	// and ErrLocked when the store refuses because of a lock.
	DeleteMany(ctx context.Context, reqs []DeleteRequest) []error
}

// Row is a row of a vendor export, as an export store lists it. It holds
// personal data (the subject column's value): never log it.
type Row struct {
	// File is the file's path relative to the store's base folder,
	// slash-separated.
	File string
	// Sheet is the XLSX sheet holding the row; "" for CSV and JSON.
	Sheet string
	// Index is the row's number as the file shows it: the line on which a
	// CSV record starts, the XLSX row number, a JSON array element's
	// index + 1, or a JSON-lines line number.
	Index int
	// Subject is the value of the profile's subject column (an id or a
	// name).
	Subject string
	// Date is the value of the profile's date column, as written; for an
	// XLSX date cell, yyyy-mm-dd (with " hh:mm:ss" if it has a time).
	Date string
	// Fields lists the field kinds (name, bsn, email, ...) that have a
	// non-empty value in this row, in the profile's field order.
	Fields []string
	// Values holds the value of each field of Fields, trimmed, as the
	// file writes it (an XLSX date cell as yyyy-mm-dd): the planner tells
	// from them which fields an earlier apply already pseudonymised.
	// Personal data: never log them.
	Values []string
	// Invalid lists the field kinds whose value is not a valid identifier
	// of its kind (a BSN failing the 11-test, an IBAN failing mod 97, a
	// malformed postcode, phone number or e-mail address).
	Invalid []string
}

// Store is the small interface each kind of store implements.
//
// Implementations must be safe for one Scan at a time alongside Stat, Open
// and Delete calls from other goroutines.
type Store interface {
	// Scan calls fn once for each record, in no particular order, while
	// listing. If fn returns an error, Scan stops and returns it. Any
	// listing error is returned: the caller must then treat the whole
	// listing as incomplete and act on nothing in this store.
	Scan(ctx context.Context, fn func(Record) error) error
	// Stat returns the record with the given ID as it is now, or an error
	// wrapping ErrNotFound if it is gone.
	Stat(ctx context.Context, id string) (Record, error)
	// Open returns the content of a record.
	Open(ctx context.Context, id string) (io.ReadCloser, error)
	// Delete removes a record. It returns an error wrapping ErrNotFound if
	// the record is gone, ErrReadOnly for an archive entry, and
	// ErrOutsideRoot for an ID that would leave the store's root.
	Delete(ctx context.Context, id string) error
}

// RequestCounter is implemented by remote stores (Graph, S3): what they
// sent since they were opened, for the daemon's metrics.
type RequestCounter interface {
	// Requests counts requests by operation, retries included.
	Requests() map[string]int64
	// Throttled counts the answers that asked the store to slow down.
	Throttled() int64
}

// Errors stores return, wrapped; test with errors.Is.
var (
	ErrNotFound    = errors.New("record not found")
	ErrReadOnly    = errors.New("record is read-only")
	ErrOutsideRoot = errors.New("path is outside the store's root")
	// ErrChanged: the record is no longer at the version the caller
	// planned with, so it was left alone.
	ErrChanged = errors.New("record changed since it was planned")
	// ErrLocked: the store refuses to delete the record (Object Lock
	// retention or a legal hold).
	ErrLocked = errors.New("record is locked by the store")
)

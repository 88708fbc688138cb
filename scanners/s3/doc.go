// Package s3 is the store for an S3 bucket, or the keys under a prefix of
// it, on AWS or an S3-compatible server (tested against versitygw). It is
// built on aws-sdk-go-v2.
//
// # Records
//
// A record is a key under Config.Prefix; its ID is the key with the prefix
// removed (slash-separated, never starting with "/"). Keys that cannot be
// IDs (an empty, "." or ".." path element, a leading "/", a NUL byte) are
// skipped, never cleaned into another key's ID, and counted in
// ScanStats.Skipped; zero-byte "folder/" keys are not records either.
//
// In an unversioned bucket, Version is the object's ETag and Versions 1.
// In a bucket with versioning (on or suspended), every version and delete
// marker of a key belongs to its record: Versions counts them, Version is
// the current one's version id (for the "null" version, its ETag), and
// ModTime and Size are those of the newest version that holds data. A key
// whose current version is a delete marker is still a record, because
// its data is still in the older versions; so is a key with only delete
// markers (Size 0), because its name is still there. Deleting a record
// removes every version and delete marker, by version id.
//
// # Object Lock
//
// When the bucket has Object Lock enabled, Scan and Stat look up each
// version's legal hold and retention (GetObjectLegalHold, and
// GetObjectRetention unless held) and report the strongest in
// Record.Lock: a legal hold (Mode "legal-hold", no Until), or else the
// retention that ends last (Mode "compliance" or "governance", Until its
// retain-until date). A retention is reported whether or not its date has
// passed: the planner compares Until with its own as-of date. A bucket
// without Object Lock costs no request per object. Before deleting, the
// store checks every version's lock again by its own clock and leaves a
// record with a locked version whole (scanners.ErrLocked).
//
// # Requests
//
// Listing takes one request per 1,000 keys (versions and delete markers
// with versioning), plus one or two for the bucket's settings. DeleteMany
// takes one DeleteObjects per 1,000 versions, plus the re-check (one
// listing request per 1,000 entries of each folder involved, or one per
// key, whichever is fewer). Requests counts every request by operation,
// retries included, and Throttled the 503 SlowDown answers among them;
// the SDK retries those up to 8 attempts with backoff up to 20 s, without
// its client-side retry quota.
//
// # Errors
//
// S3's error answers become *Error (status, code, request id), which
// wraps scanners.ErrNotFound, ErrAccessDenied, ErrThrottled or
// ErrNoSuchBucket. No error holds a key, a URL or a secret, and the SDK's
// logger is off.
package s3

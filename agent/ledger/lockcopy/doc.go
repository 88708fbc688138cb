// Package lockcopy keeps a copy of the ledger that nobody can rewrite: an
// S3 bucket with Object Lock, each object locked in compliance mode for a
// configured number of days, so that not even the bucket's owner (nor an
// administrator of the machine holding the ledger and its signing key)
// can delete or change it before then. The ledger's own checkpoints prove
// that entries were not changed since they were signed; the locked copies
// prove that the checkpoints themselves were not replaced along with the
// entries.
//
// After each apply run, Upload copies the entry lines added since the
// last Upload and the latest signed checkpoint. `retentiond verify` calls
// Verify to compare the local ledger with every copy and report each
// disagreement (Problem) by line number and object name.
//
// The ledger holds no personal data (only keyed pseudonyms and codes, see
// package ledger), so copying its lines off the machine is allowed; errors
// and reports still never quote a line, only its number.
//
// # Objects
//
// Under the configured prefix (which ends in "/", or is empty):
//
//   - entries/<first>-<last>.jsonl: entry lines first to last (indexes
//     from 0, so line first+1 of entries.jsonl), byte for byte with their
//     newlines; one object per Upload, or several of at most 16 MiB.
//   - checkpoints/<size>.note: the signed note of the latest checkpoint
//     at the time of an Upload, byte for byte as in the checkpoints file
//     (without its "checkpoint N" header line), named by its tree size.
//
// Numbers are zero-padded to 16 digits, so that names sort in numeric
// order. Upload writes each name once. A bucket with Object Lock keeps
// versions, so a name written over or deleted later still holds the
// original version; Verify reads every version and reports the others.
//
// # Bucket
//
// The bucket must have been created with Object Lock enabled; Open checks
// that and refuses any other. A default retention on the bucket is not
// needed: every PutObject sets its own (ObjectLockMode COMPLIANCE and
// ObjectLockRetainUntilDate), with Content-MD5, which S3 wants on a write
// that sets a retention. Versions past their date stay until a lifecycle
// rule or a person removes them; that is left to the bucket's owner.
package lockcopy

// Package ledger is retentiond's append-only, signed, verifiable record of
// every action apply takes, so that an organisation can show a supervisor
// (the Autoriteit Persoonsgegevens) that data was destroyed on time, and
// that the record of it was not rewritten afterwards.
//
// The ledger holds no personal data. It never sees a name, a path or a
// value from a record: only keyed pseudonyms (HMAC under the
// organisation's secret key, see agent/pseudonym) of the record and the
// subject, the plan's digest, and codes (store, category, rule, action,
// outcome) with a short reason. Append refuses a record or subject that is
// not shaped like a pseudonym, so a raw identifier cannot slip in by
// mistake. It can therefore be kept as long as the proof is needed and
// shown to an auditor.
//
// The design follows Certificate Transparency and the Go checksum
// database (golang.org/x/mod/sumdb/tlog and sumdb/note): entries are the
// leaves of an RFC 6962 Merkle tree, and after each run a checkpoint — the
// tree's size and root hash, signed with the organisation's Ed25519 key —
// commits to every entry so far. Changing, dropping, inserting or
// reordering any signed entry changes the root, which Verify detects with
// the public key alone; Prove gives a third party a short proof that one
// entry is in a signed tree. Shipping checkpoints off the machine (to an S3
// bucket with Object Lock) keeps even an administrator from rewriting
// history along with the checkpoints.
//
// # Files
//
// A ledger is a directory (state_dir/ledger) of five files, each mode 0600:
//
//   - entries.jsonl: one entry per line, the canonical JSON of Entry
//     (encoding/json, fields in struct order, time in RFC 3339 UTC). A
//     line's record hash is tlog.RecordHash of its bytes without the
//     newline.
//   - hashes: the tree's stored hashes, 32 bytes each at
//     tlog.StoredHashIndex positions, so that appending costs O(log n).
//     It is derived data: Verify recomputes it and only checks it agrees.
//   - checkpoints: signed notes, each after a line "checkpoint <n>"; the
//     note text is "<log name>\n<size>\n<base64 root hash>\n".
//   - intents: for each entry after the latest checkpoint, its index and
//     record hash signed with the ledger key, written before the entry
//     (see WithSigner). An unsigned entry without one was not written by
//     retentiond: Open refuses to continue the ledger, Checkpoint never
//     signs it, Verify fails.
//   - lock: flock'ed by Open, so that one process appends at a time.
//
// Beside the directory, HeadPath (state_dir/ledger-head, mode 0600) holds
// the high-water mark: a copy of the newest signed checkpoint, written
// before the checkpoint itself. A ledger cut back to an earlier state, or
// emptied, is refused by Open and Verify because it no longer extends
// the mark. Whoever can rewrite both the ledger and the mark can roll
// both back; only copies out of their reach (ledger_copy) show that.
//
// # Durability
//
// Append fsyncs the intent, then the line, then writes and fsyncs its
// hashes, before it returns: an entry Append accepted survives a crash, and after a crash
// the hashes never run ahead of the entries. Open repairs what a crash can
// leave at the end (see Open).
package ledger

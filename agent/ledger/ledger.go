package ledger

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// File names inside a ledger directory.
const (
	EntriesFile     = "entries.jsonl"
	HashesFile      = "hashes"
	CheckpointsFile = "checkpoints"
	IntentsFile     = "intents"
	LockFile        = "lock"
)

// ErrLocked is wrapped by Open's error when another process (or another
// Open in this one) holds the ledger.
var ErrLocked = errors.New("ledger is in use")

// Ledger is an open ledger, held for appending. It is safe for concurrent
// use; the file lock keeps other processes out.
type Ledger struct {
	mu                            sync.Mutex
	dir, name, headPath           string
	signer                        note.Signer // signs intents; nil: none are written
	lockf                         *os.File
	entries, hashes, cps, intents *os.File

	entriesEnd, hashesEnd, cpsEnd, intentsEnd int64
	front                                     frontier
	nextSeq                                   int
	last                                      *checkpoint
	// inherited holds the intents of the entries after the latest
	// checkpoint that were there when the ledger was opened, until they
	// are checked against the key that signs the next checkpoint.
	inherited     []intent
	inheritedFrom int64
	inheritedHash []tlog.Hash
	recovered     []string
	err           error // sticky: a write failed half-way
}

// An Option changes how Open opens a ledger.
type Option func(*Ledger)

// WithSigner makes Append write, before each entry, an intent signed
// with s (the ledger key), and makes Open check the intents of the
// entries after the latest checkpoint at once. Every program that appends
// must pass it: an entry without an intent that a crash left unsigned
// cannot be told from one added by hand, and is never signed.
func WithSigner(s note.Signer) Option {
	return func(l *Ledger) { l.signer = s }
}

// Open opens the ledger in dir for appending, creating dir (0700) and its
// files (0600) if absent, and takes the ledger's lock until Close. A
// second Open of the same ledger fails with an error wrapping ErrLocked.
//
// name is the log name written into every checkpoint (keys.NameFor makes
// one from the organisation). "" keeps the name of the existing
// checkpoints; a name differing from theirs is refused, since the name is
// part of what was signed.
//
// Open reads the whole ledger once and checks that entries.jsonl, hashes
// and the sizes and root hashes of the checkpoints agree (not the
// signatures: that is Verify's job, with the public key). It refuses to
// continue a ledger that disagrees, so that nothing is ever signed on top
// of a damaged one. It repairs the traces of a crash during Append or
// Checkpoint, which can only be at the end and were never acknowledged:
//
//   - an entry line without its newline (the write was cut) is removed;
//   - complete entry lines without their stored hashes (the crash came
//     between the two writes) get their hashes computed and written, as do
//     all lines if the hashes file is missing (it is derived data);
//   - a checkpoint cut short at the end of checkpoints is removed.
//
// Open also refuses a ledger whose entries after the latest checkpoint
// were not written by Append with the ledger key (see WithSigner): a line
// added by hand is never taken for an interrupted write and signed. It
// refuses a ledger that is shorter than its high-water mark (HeadPath), or
// does not extend it, or has checkpoints but no mark: it was cut back.
//
// Recovered says what was repaired.
func Open(dir string, name string, opts ...Option) (*Ledger, error) {
	if name != "" && !validName(name) {
		return nil, fmt.Errorf("ledger name %q: must be non-empty, without spaces or '+' (keys.NameFor makes one)", name)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ledger directory: %w", err)
	}
	lf, err := lock(filepath.Join(dir, LockFile))
	if err != nil {
		return nil, err
	}
	l := &Ledger{dir: dir, headPath: HeadPath(dir), lockf: lf}
	for _, o := range opts {
		o(l)
	}
	ok := false
	defer func() {
		if !ok {
			l.closeFiles()
		}
	}()
	created := false
	for _, f := range []struct {
		name string
		dst  **os.File
	}{{EntriesFile, &l.entries}, {HashesFile, &l.hashes}, {CheckpointsFile, &l.cps}, {IntentsFile, &l.intents}} {
		p := filepath.Join(dir, f.name)
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			created = true
		}
		fh, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
		*f.dst = fh
	}
	if created {
		if err := syncDir(dir); err != nil {
			return nil, err
		}
	}
	if err := l.load(name); err != nil {
		return nil, err
	}
	ok = true
	return l, nil
}

// Append writes e to the ledger and returns its index (0 for the first
// entry; its line in entries.jsonl is index+1). It returns only after the
// line and its stored hashes are fsynced, so an entry Append accepted
// survives a crash. e.Time is written in UTC. An entry with a malformed
// field (a record that is not a keyed pseudonym, a missing action or
// outcome…) is refused and nothing is written.
//
// Append costs O(log n): it never reads earlier entries. If a write fails
// half-way, the Ledger refuses further use; Open it again to repair.
func (l *Ledger) Append(e Entry) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return 0, err
	}
	line, err := marshalEntry(e)
	if err != nil {
		return 0, fmt.Errorf("ledger entry not written: %w", err)
	}
	rh := tlog.RecordHash(line)
	hs, next, err := l.front.next(rh)
	if err != nil {
		return 0, err
	}
	hb := hashBytes(hs)
	if l.signer != nil {
		// The intent is durable before the line, so every line after the
		// latest checkpoint that a crash leaves has its intent.
		in, err := signIntent(l.signer, l.front.n, rh)
		if err != nil {
			return 0, err
		}
		b := in.appendTo(nil)
		if _, err := l.intents.WriteAt(b, l.intentsEnd); err != nil {
			return 0, l.fail(IntentsFile, err)
		}
		if err := l.intents.Sync(); err != nil {
			return 0, l.fail(IntentsFile, err)
		}
		l.intentsEnd += int64(len(b))
	}
	// The line is durable before its hashes are written, so after any
	// crash the hashes never run ahead of the entries.
	line = append(line, '\n')
	if _, err := l.entries.WriteAt(line, l.entriesEnd); err != nil {
		return 0, l.fail(EntriesFile, err)
	}
	if err := l.entries.Sync(); err != nil {
		return 0, l.fail(EntriesFile, err)
	}
	if _, err := l.hashes.WriteAt(hb, l.hashesEnd); err != nil {
		return 0, l.fail(HashesFile, err)
	}
	if err := l.hashes.Sync(); err != nil {
		return 0, l.fail(HashesFile, err)
	}
	n := l.front.n
	l.front = next
	l.entriesEnd += int64(len(line))
	l.hashesEnd += int64(len(hb))
	return n, nil
}

// Size returns the number of entries.
func (l *Ledger) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.front.n
}

// Name returns the log name written into checkpoints.
func (l *Ledger) Name() string { return l.name }

// Recovered describes what Open repaired after an interrupted write, one
// sentence per repair, or nil. Callers should log it.
func (l *Ledger) Recovered() []string { return l.recovered }

// Checkpoint signs the current tree with s and appends the signed note to
// the checkpoints file, fsynced, returning the tree. An empty ledger has
// nothing to sign: Checkpoint returns the empty tree and writes nothing.
// If the latest checkpoint already covers every entry and carries a
// signature by s's key, nothing is written either.
//
// Before it signs, Checkpoint checks that the entries after the latest
// checkpoint found by Open carry intents signed with s's key (see
// WithSigner), and refuses otherwise. It writes the signed note as the
// high-water mark (HeadPath) first, then the checkpoint, then empties the
// intents file.
func (l *Ledger) Checkpoint(s note.Signer) (tlog.Tree, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return tlog.Tree{}, err
	}
	t := tlog.Tree{N: l.front.n, Hash: l.front.hash()}
	if t.N == 0 {
		return t, nil
	}
	key := fmt.Sprintf("%s+%08x", s.Name(), s.KeyHash())
	if l.last != nil && l.last.tree == t && slices.Contains(l.last.sigs, key) {
		return t, nil
	}
	if l.inheritedHash != nil {
		if err := checkTail(l.inheritedFrom, l.inheritedHash, l.inherited, signedBy(s)); err != nil {
			return tlog.Tree{}, fmt.Errorf("ledger %s: nothing signed: %w", l.dir, err)
		}
		l.inherited, l.inheritedHash = nil, nil
	}
	msg, err := note.Sign(&note.Note{Text: treeText(l.name, t)}, s)
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("ledger: signing checkpoint with key %s: %w", key, err)
	}
	if err := writeHead(l.headPath, msg); err != nil {
		return tlog.Tree{}, err
	}
	block := append(fmt.Appendf(nil, "%s%d\n", headerPrefix, l.nextSeq), msg...)
	if _, err := l.cps.WriteAt(block, l.cpsEnd); err != nil {
		return tlog.Tree{}, l.fail(CheckpointsFile, err)
	}
	if err := l.cps.Sync(); err != nil {
		return tlog.Tree{}, l.fail(CheckpointsFile, err)
	}
	l.cpsEnd += int64(len(block))
	// The intents are covered by the checkpoint now.
	if l.intentsEnd > 0 {
		if err := l.intents.Truncate(0); err != nil {
			return tlog.Tree{}, l.fail(IntentsFile, err)
		}
		if err := l.intents.Sync(); err != nil {
			return tlog.Tree{}, l.fail(IntentsFile, err)
		}
		l.intentsEnd = 0
	}
	l.last = &checkpoint{seq: l.nextSeq, name: l.name, tree: t, msg: msg, sigs: []string{key}}
	l.nextSeq++
	return t, nil
}

// Close closes the files and releases the lock. Closing twice is
// harmless.
func (l *Ledger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lockf == nil {
		return nil
	}
	return l.closeFiles()
}

func (l *Ledger) closeFiles() error {
	var errs []error
	for _, f := range []**os.File{&l.entries, &l.hashes, &l.cps, &l.intents, &l.lockf} {
		if *f != nil {
			errs = append(errs, (*f).Close())
			*f = nil
		}
	}
	return errors.Join(errs...)
}

func (l *Ledger) usable() error {
	switch {
	case l.lockf == nil:
		return errors.New("ledger: use after Close")
	case l.err != nil:
		return fmt.Errorf("ledger: an earlier write failed (%v): open the ledger again to repair it", l.err)
	}
	return nil
}

// fail records a write error that may have left a partial write behind.
func (l *Ledger) fail(file string, err error) error {
	l.err = fmt.Errorf("writing %s: %w", filepath.Join(l.dir, file), err)
	return fmt.Errorf("ledger: %w", l.err)
}

func hashBytes(hs []tlog.Hash) []byte {
	b := make([]byte, 0, len(hs)*tlog.HashSize)
	for _, h := range hs {
		b = append(b, h[:]...)
	}
	return b
}

func truncateSync(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("ledger: repairing %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("ledger: repairing %s: %w", f.Name(), err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("ledger: syncing directory %s: %w", dir, err)
	}
	return nil
}
